"""Restricted reads of tickets (STYLE habit 4): every read for a user goes through here.

The scope of `accounts.scope` decides (R-SEC-1); missing and forbidden answer the same NotFound,
so ticket numbers can't be probed.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.models import User as DjangoUser
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.models import Department
from carrierdesk.accounts.scope import scope_of
from carrierdesk.core.errors import NotFound
from carrierdesk.tickets.choices import Status
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


#: Statuses in which a ticket counts towards its assignee's open load (R-DSP-1).
OPEN_LOAD_STATUSES = (
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.PENDING,
    Status.REOPENED,
)
#: The roles a ticket may be assigned to (as `actions.assign` checks).
HANDLER_ROLES = (Role.TECHNICIAN, Role.AGENT, Role.SUPERVISOR, Role.DISPATCHER)


def assignment_candidates(department: Department | None = None) -> QuerySet[DjangoUser]:
    """Staff a ticket may be assigned to, each annotated with `open_load` (their tickets
    assigned, in progress, pending or reopened), least loaded first; one query (R-DSP-1)."""
    people = (
        DjangoUser.objects.filter(
            is_active=True, groups__name__in=HANDLER_ROLES, staff_profile__isnull=False
        )
        .select_related("staff_profile__department")
        .annotate(
            open_load=Count(
                "assigned_tickets",
                filter=Q(assigned_tickets__status__in=OPEN_LOAD_STATUSES),
                distinct=True,
            )
        )
        .order_by("open_load", "staff_profile__display_name", "id")
    )
    if department is not None:
        people = people.filter(staff_profile__department=department)
    return people.distinct()
