"""Restricted reads of tickets (STYLE habit 4): every read for a user goes through here.

The scope of `accounts.scope` decides (R-SEC-1); missing and forbidden answer the same NotFound,
so ticket numbers can't be probed.
"""

import re
from collections.abc import Sequence
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.models import User as DjangoUser
from django.db.models import (
    BooleanField,
    Count,
    Expression,
    F,
    Model,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.models import Department
from carrierdesk.accounts.scope import scope_of
from carrierdesk.core.errors import NotFound
from carrierdesk.tickets import choices
from carrierdesk.tickets.choices import Status
from carrierdesk.tickets.models import Ticket

User = AbstractBaseUser | AnonymousUser
Row = TypeVar("Row", bound=Model)


class InConstants(Expression):
    """`field IN ('a', 'b', …)` with the values written into the statement, not bound.

    SQLite's planner never sees bound values, so it can neither use a partial index on the
    open tickets (its condition must be stated in the query in the same words) nor tell the
    few open tickets from the many closed ones; with the constants in the statement it can.
    The values are code constants (checked: lower-case words), never user input.
    """

    conditional = True

    def __init__(self, field: str, values: tuple[str, ...]) -> None:
        super().__init__(output_field=BooleanField())
        if not values or not all(_CONSTANT.fullmatch(value) for value in values):
            raise ValueError("InConstants takes lower-case words only")
        self.target: Any = F(field)
        self.values = values

    def get_source_expressions(self) -> list[Any]:
        return [self.target]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.target,) = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.target)
        constants = ", ".join(f"'{value}'" for value in self.values)
        return f"{column} IN ({constants})", list(params)


_CONSTANT = re.compile(r"[a-z_]+")


#: The related rows a ticket is shown with.
TICKET_RELATED = (
    "customer",
    "subscription",
    "region",
    "first_owner",
    "assignee",
    "department",
    "closure_approved_by",
)


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    # Customers see their own tickets once the self-service portal exists; none until then.
    scope = scope_of(user)
    if scope.is_empty:
        return Ticket.objects.none()
    condition = scope.ticket_condition()
    return Ticket.objects.all() if condition is None else Ticket.objects.filter(condition)


def on_visible_tickets(rows: QuerySet[Row], user: User, path: str = "ticket") -> QuerySet[Row]:
    """Rows of another model (clocks, alerts) whose ticket, reached through `path`, `user` may
    see: the same scope as `tickets_visible_to`, as a condition on the joined ticket. Unlike
    `ticket__in=tickets_visible_to(user)` there is no subquery listing every visible ticket,
    so the planner keeps driving from the rows' own index (clocks by deadline, R-SLA-4)."""
    scope = scope_of(user)
    if scope.is_empty:
        return rows.none()
    condition = scope.ticket_condition(prefix=f"{path}__")
    return rows if condition is None else rows.filter(condition)


def access_ticket(user: User, number: str) -> Ticket:
    try:
        return tickets_visible_to(user).select_related(*TICKET_RELATED).get(number=number)
    except Ticket.DoesNotExist:
        raise NotFound(_("No such ticket.")) from None


#: Statuses in which a ticket counts towards its assignee's open load (R-DSP-1).
OPEN_LOAD_STATUSES = tuple(Status(value) for value in choices.OPEN_LOAD_STATUSES)
#: The roles a ticket may be assigned to (as `actions.assign` checks).
HANDLER_ROLES = (Role.TECHNICIAN, Role.AGENT, Role.SUPERVISOR, Role.DISPATCHER)


def open_load_of(outer: str) -> Coalesce:
    """How many tickets the user (or department) `OuterRef(outer)` names has assigned, in
    progress, pending or reopened: a correlated count on the open-load partial index
    (`ticket_open_load_assignee` or `…_department`), so it costs the open tickets, not every
    ticket ever handled. The statuses are written into the statement (as the index states
    them): SQLite then uses the partial index, and PostgreSQL estimates the count as small
    (with the broad index its estimate, times the people, passed the JIT threshold: compiling
    took ~300 ms per page)."""
    field = "assignee_id" if outer == "assignee" else "department_id"
    tickets = (
        Ticket.objects.filter(
            InConstants("status", choices.OPEN_LOAD_STATUSES), **{field: OuterRef("pk")}
        )
        .order_by()
        .values(field)
        .annotate(count=Count("*"))
        .values("count")
    )
    return Coalesce(Subquery(tickets), Value(0))


def assignment_candidates(department: Department | None = None) -> QuerySet[DjangoUser]:
    """Staff a ticket may be assigned to, each annotated with `open_load` (their tickets
    assigned, in progress, pending or reopened), least loaded first; one query (R-DSP-1)."""
    handlers = DjangoUser.groups.through.objects.filter(group__name__in=HANDLER_ROLES)
    people = (
        DjangoUser.objects.filter(
            is_active=True, pk__in=handlers.values("user_id"), staff_profile__isnull=False
        )
        .select_related("staff_profile__department")
        .annotate(open_load=open_load_of("assignee"))
        .order_by("open_load", "staff_profile__display_name", "id")
    )
    if department is not None:
        people = people.filter(staff_profile__department=department)
    return people
