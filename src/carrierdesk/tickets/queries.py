"""Restricted reads of tickets (STYLE habit 4): every read goes through here.

Today every staff role reads every ticket; the privacy issue narrows `tickets_visible_to` by
department and region (R-SEC-1). Missing and forbidden answer the same NotFound.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.roles import is_staff_member
from carrierdesk.core.errors import NotFound
from carrierdesk.tickets.models import Ticket

User = AbstractBaseUser | AnonymousUser

#: The related rows a ticket is shown with.
TICKET_RELATED = ("customer", "subscription", "region", "first_owner", "assignee", "department")


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    # Customers see their own tickets once the self-service portal exists; none until then.
    if not is_staff_member(user):
        return Ticket.objects.none()
    return Ticket.objects.all()


def access_ticket(user: User, number: str) -> Ticket:
    try:
        return tickets_visible_to(user).select_related(*TICKET_RELATED).get(number=number)
    except Ticket.DoesNotExist:
        raise NotFound(_("No such ticket.")) from None
