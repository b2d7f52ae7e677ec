"""The supervisor board (issue 5 §6): open tickets by status and department, the clocks that
breach within the hour and those already breached, and the escalations waiting for the
supervisor; every number drills down into the ticket queue.

Every figure is read over the tickets the user may see (`on_visible_tickets`, the scope of
`tickets_visible_to`). The clocks at risk and the escalations walk the `clock_active_deadline`
index (R-SLA-4) and are counted up to COUNT_CAP, so they cost a page, not the backlog; they are
live on every refresh. The grid counts every open ticket in scope and is reused for a minute.
The board section refreshes itself every 60 s (htmx asks for the same URL and gets the section
alone).
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.models import Department
from carrierdesk.accounts.roles import roles_of
from carrierdesk.accounts.scope import scope_of
from carrierdesk.core import clock
from carrierdesk.sla.models import Clock
from carrierdesk.sla.policy import BREACH
from carrierdesk.sla.queries import COUNTDOWN_FIELDS, active_clocks, clocks_at_risk
from carrierdesk.tickets.choices import OPEN_STATUSES, UNRESOLVED_STATUSES, Status
from carrierdesk.tickets.models import Ticket
from carrierdesk.tickets.queries import (
    InConstants,
    User,
    on_visible_tickets,
    tickets_visible_to,
)
from carrierdesk.web.access import staff_view

#: Who opens the board (web/navigation.py `_BOARD`); auditors read it like everything else.
BOARD_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.QUALITY_INSPECTOR, Role.AUDITOR})
#: The grid's columns: the unresolved statuses, then those waiting to be closed.
BOARD_STATUSES = (*UNRESOLVED_STATUSES, Status.RESOLVED)
#: "Breaching soon" means within this window (R-SLA-4).
WINDOW = timedelta(hours=1)
#: Rows of each list on the board.
LIST_LENGTH = 10
#: Counts stop here (shown as "500+"): each costs at most this many rows.
COUNT_CAP = 500
#: How long a counted grid of open tickets is reused (the board refreshes every 60 s).
GRID_SECONDS = 60

#: What a board row shows of the ticket (its long text is never read), from a clock or alert.
TICKET_ROW_FIELDS = (
    "ticket__number",
    "ticket__title",
    "ticket__kind",
    "ticket__urgency",
    "ticket__status",
    "ticket__assignee_id",
    "ticket__department_id",
    "ticket__department__code",
    "ticket__department__name",
    "ticket__assignee__username",
    "ticket__assignee__staff_profile__display_name",
)
ROW_RELATED = ("ticket__department", "ticket__assignee__staff_profile")


def queue_url(segment: str = "all", **filters: str) -> str:
    """The ticket queue filtered as given, over every ticket the user may see unless another
    `segment` is named."""
    query = urlencode({**filters, "segment": segment})
    return f"{reverse('web:queue')}?{query}"


# --- reads -----------------------------------------------------------------------------------


def clocks_due(user: User, now: datetime) -> QuerySet[Clock]:
    """Counting clocks due within the hour or overdue, on the tickets `user` may see."""
    return clocks_at_risk(user, WINDOW, now).select_related(None)


def clock_rows(clocks: QuerySet[Clock]) -> QuerySet[Clock]:
    return clocks.select_related(*ROW_RELATED).only(*COUNTDOWN_FIELDS, *TICKET_ROW_FIELDS)


def supervised_department_id(user: User) -> int | None:
    """The department whose escalations reach `user` as its supervisor (None: all in scope)."""
    if Role.SUPERVISOR not in roles_of(user):
        return None
    return scope_of(user).department_id


def escalations(user: User, now: datetime) -> QuerySet[Clock]:
    """Breaches told to the supervisor and still waiting (R-SLA-3): clocks still counting past
    their deadline whose breach alert has fired — the sweeper stores the highest threshold
    passed with the clock when it records the alert — on tickets not yet resolved; of the
    supervisor's department (of every ticket in scope for the other roles); most overdue first.

    Read from the clocks rather than the alert table (which keeps every alert ever fired), so
    that list and count walk the `clock_active_deadline` index and stop after a page."""
    clocks = active_clocks().filter(
        deadline__lte=now, thresholds_passed__gte=BREACH, ticket__status__in=UNRESOLVED_STATUSES
    )
    department_id = supervised_department_id(user)
    if department_id is not None:
        clocks = clocks.filter(ticket__department_id=department_id)
    return (
        on_visible_tickets(clocks, user)
        .select_related("target", *ROW_RELATED)
        .only(*COUNTDOWN_FIELDS, "breached_at", "target__escalate_after", *TICKET_ROW_FIELDS)
        .order_by("deadline", "id")
    )


@dataclass(frozen=True)
class Figure:
    """A count that stops at COUNT_CAP: counting every overdue clock of a million tickets on
    each refresh is what would make the board slow; past the cap it reads "500+"."""

    count: int
    capped: bool = False

    def __str__(self) -> str:
        return f"{self.count}+" if self.capped else str(self.count)


def capped_count(rows: QuerySet[Any], cap: int | None = None) -> Figure:
    """Count up to the cap. The rows keep their order: one that follows an index (clocks by
    deadline) lets the database stop after the cap instead of gathering every row first."""
    cap = COUNT_CAP if cap is None else cap
    found = rows.values("pk")[: cap + 1].count()
    return Figure(min(found, cap), found > cap)


@dataclass(frozen=True)
class Summary:
    """The board's three headline numbers."""

    breaching: Figure
    breached: Figure
    escalations: Figure

    @property
    def breaching_url(self) -> str:
        return queue_url(breach="next_hour")

    @property
    def breached_url(self) -> str:
        return queue_url(breach="breached")


def summary(user: User, now: datetime) -> Summary:
    """Three bounded counts: clocks breaching within the hour, breached, escalations."""
    due = clocks_due(user, now)
    return Summary(
        breaching=capped_count(due.filter(deadline__gt=now)),
        breached=capped_count(due.filter(deadline__lte=now)),
        escalations=capped_count(escalations(user, now)),
    )


# --- the grid --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    count: int
    url: str


@dataclass(frozen=True)
class GridRow:
    label: str | Promise
    code: str
    cells: list[Cell]
    total: Cell


@dataclass(frozen=True)
class Grid:
    columns: list[tuple[str, str | Promise]]
    rows: list[GridRow]
    totals: list[Cell]
    total: Cell
    #: When it was counted.
    at: datetime | None = None


def status_grid(tickets: QuerySet[Ticket], now: datetime | None = None) -> Grid:
    """Open tickets by department (rows) and status (columns); two queries. The queue's
    default status filter is these open statuses, so totals link without one."""
    # The open statuses in the words of the `ticket_open_scope` index, and rows counted rather
    # than ids: the count is then read off that index alone, without visiting a ticket
    # (1,000,000 tickets, 40,000 open: 10 ms against 116 on PostgreSQL).
    open_tickets = tickets.filter(InConstants("status", OPEN_STATUSES))
    counts: dict[tuple[int | None, str], int] = {
        (department_id, status): number
        for department_id, status, number in open_tickets.values_list("department_id", "status")
        .annotate(number=Count("*"))
        .order_by()
    }
    ids = {department_id for department_id, _status in counts if department_id is not None}
    departments = list(Department.objects.filter(pk__in=ids).only("code", "name").order_by("code"))
    keyed: list[tuple[int | None, str, str | Promise]] = [
        (department.pk, department.code, department.name) for department in departments
    ]
    if any(department_id is None for department_id, _status in counts):
        keyed.append((None, "", _("No department yet")))
    rows = []
    for department_id, code, label in keyed:
        # The queue filters by a department, not by its absence: that row's numbers stay
        # plain text rather than link to a list that does not match them.
        cells = [
            Cell(
                counts.get((department_id, status), 0),
                queue_url(status=status, department=code) if code else "",
            )
            for status in BOARD_STATUSES
        ]
        row_url = queue_url(department=code) if code else ""
        rows.append(GridRow(label, code, cells, Cell(sum(cell.count for cell in cells), row_url)))
    totals = [
        Cell(
            sum(number for (_d, each), number in counts.items() if each == status),
            queue_url(status=status),
        )
        for status in BOARD_STATUSES
    ]
    return Grid(
        columns=[(status, Status(status).label) for status in BOARD_STATUSES],
        rows=rows,
        totals=totals,
        total=Cell(sum(counts.values()), queue_url()),
        at=now,
    )


def recent_grid(user: User, now: datetime) -> Grid:
    """The grid as counted for the same scope within the last GRID_SECONDS.

    It counts every open ticket in scope — a hundred thousand with a million tickets — while
    the clocks at risk and the escalations are bounded lists: those stay live on every
    refresh, the overview of the backlog may be a minute old (the page says when it was
    counted). Users with the same scope (every admin and auditor) share it."""
    digest = hashlib.sha256(repr(scope_of(user)).encode()).hexdigest()[:32]
    key = f"carrierdesk:board-grid:{digest}"
    grid: Grid | None = cache.get(key)
    if grid is None:
        grid = status_grid(tickets_visible_to(user), now)
        cache.set(key, grid, GRID_SECONDS)
    return grid


# --- the page --------------------------------------------------------------------------------


def board_context(user: User, now: datetime) -> dict[str, Any]:
    due = clocks_due(user, now)
    department_id = supervised_department_id(user)
    department = (
        Department.objects.filter(pk=department_id).only("code", "name").first()
        if department_id is not None
        else None
    )
    escalation_filters = {"breach": "escalated"}
    if department is not None:
        escalation_filters["department"] = department.code
    return {
        "now": now,
        "summary": summary(user, now),
        "grid": recent_grid(user, now),
        "breaching": list(clock_rows(due.filter(deadline__gt=now))[:LIST_LENGTH]),
        "breached": list(clock_rows(due.filter(deadline__lte=now))[:LIST_LENGTH]),
        "escalations": list(escalations(user, now)[:LIST_LENGTH]),
        "department": department,
        "escalations_url": queue_url(**escalation_filters),
        "list_length": LIST_LENGTH,
    }


@staff_view(roles=BOARD_ROLES)
def board(request: HttpRequest) -> HttpResponse:
    context = board_context(request.user, clock.now())
    if getattr(request, "htmx", False):  # the 60-second refresh: the section alone
        return render(request, "sla/web/board_section.html", context)
    return render(request, "sla/web/board.html", context)
