"""Restricted reads of tickets (STYLE habit 4): every read for a user goes through here.

The scope of `accounts.scope` decides (R-SEC-1); missing and forbidden answer the same NotFound,
so ticket numbers can't be probed.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.scope import scope_of
from carrierdesk.core.errors import NotFound
from carrierdesk.tickets.models import Ticket

User = AbstractBaseUser | AnonymousUser

#: The related rows a ticket is shown with.
TICKET_RELATED = ("customer", "subscription", "region", "first_owner", "assignee", "department")


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    # Customers see their own tickets once the self-service portal exists; none until then.
    scope = scope_of(user)
    if scope.is_empty:
        return Ticket.objects.none()
    condition = scope.ticket_condition()
    return Ticket.objects.all() if condition is None else Ticket.objects.filter(condition)


def access_ticket(user: User, number: str) -> Ticket:
    try:
        return tickets_visible_to(user).select_related(*TICKET_RELATED).get(number=number)
    except Ticket.DoesNotExist:
        raise NotFound(_("No such ticket.")) from None
