"""Each role's home page (issue 5 §1): what the role needs first, one section per role held.

Every figure is a count over an index of `tickets_visible_to(user)` — `(first_owner, status)`,
`(assignee, status)`, `(status, kind)` — and every list holds at most ten rows; lists "by
nearest deadline" walk the `clock_active_deadline` index (R-SLA-4), so a page costs the same
with a thousand tickets or a million.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import checks
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from carrierdesk.accounts.checks import check_sign_in_settings
from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.roles import roles_of
from carrierdesk.calendars.checks import check_next_year_covered
from carrierdesk.calendars.models import Calendar
from carrierdesk.core import clock
from carrierdesk.core.masking import mask_text
from carrierdesk.privacy import policy as privacy_policy
from carrierdesk.privacy.models import PersonalDataAccess
from carrierdesk.sla.models import Clock, PolicyVersion
from carrierdesk.sla.queries import COUNTDOWN_FIELDS, active_clocks
from carrierdesk.sla.web import board
from carrierdesk.sla.web.board import Figure, capped_count
from carrierdesk.tickets.choices import Status
from carrierdesk.tickets.models import Ticket
from carrierdesk.tickets.queries import User, on_visible_tickets, tickets_visible_to
from carrierdesk.web.access import staff_view

LIST_LENGTH = 10
#: Up to this many tickets, a list's clocks are read ticket by ticket; beyond, by deadline.
FEW = 200
#: At most this many clocks of one ticket count at once (a complaint has four, a fault five):
#: the first LIST_LENGTH × this clocks by deadline hold the first LIST_LENGTH tickets.
CLOCKS_PER_TICKET = 8
#: Tickets not finished: what the queue shows by default.
OPEN_STATUSES = board.BOARD_STATUSES
#: Registered or accepted, nobody handling it yet (the queue's "unassigned", R-DSP-1).
WAITING_STATUSES = (Status.NEW, Status.ACCEPTED)
#: The assignee's work in hand (tickets/queries.py OPEN_LOAD_STATUSES).
IN_HAND_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING, Status.REOPENED)
TICKET_LIST_FIELDS = ("number", "title", "kind", "urgency", "status", "received_at", "resolved_at")


def masked(rows: list[Any], ticket_of: Callable[[Any], Ticket] = lambda row: row) -> list[Any]:
    """Give each row's ticket a `shown_title`: numbers in free text masked (R-SEC-2)."""
    for row in rows:
        ticket = ticket_of(row)
        ticket.shown_title = mask_text(ticket.title)  # type: ignore[attr-defined]
    return rows


def next_deadlines(user: User, filters: dict[str, Any], size: Figure) -> list[Clock]:
    """The nearest counting clock of each of the LIST_LENGTH tickets (those `user` sees that
    match `filters`) due first.

    A few tickets (`size` under FEW): their clocks are read by ticket. Many: the deadline
    index is walked in order, each clock's ticket checked, until a page is found — the cost
    of a page either way, however many tickets there are."""
    if size.count < FEW:
        tickets = tickets_visible_to(user).filter(**filters)
        clocks = active_clocks().filter(ticket__in=tickets)
    else:
        clocks = on_visible_tickets(active_clocks(), user).filter(
            **{f"ticket__{name}": value for name, value in filters.items()}
        )
    rows = (
        clocks.select_related("ticket")
        .only(*COUNTDOWN_FIELDS, *(f"ticket__{name}" for name in TICKET_LIST_FIELDS))
        .order_by("deadline", "id")[: LIST_LENGTH * CLOCKS_PER_TICKET]
    )
    first: dict[int, Clock] = {}
    for row in rows:
        first.setdefault(row.ticket_id, row)
    return masked(list(first.values())[:LIST_LENGTH], lambda row: row.ticket)


def oldest(tickets: QuerySet[Ticket], order: str) -> list[Ticket]:
    return masked(list(tickets.only(*TICKET_LIST_FIELDS).order_by(order, "id")[:LIST_LENGTH]))


def counts_by_status(tickets: QuerySet[Ticket]) -> dict[str, int]:
    """For sets that stay small (one person's work in hand)."""
    return dict(tickets.values_list("status").annotate(number=Count("id")).order_by())


@dataclass
class Section:
    role: str
    template: str
    data: dict[str, Any] = field(default_factory=dict)


# --- one section per role --------------------------------------------------------------------


def agent(user: User, now: datetime) -> dict[str, Any]:
    """My tickets as first owner (首问, R-WF-5): the open ones by nearest deadline (the result
    feedback after resolution included), and how many are resolved, waiting to be closed."""
    filters = {"first_owner_id": user.pk, "status__in": OPEN_STATUSES}
    mine = tickets_visible_to(user).filter(**filters)
    open_count = capped_count(mine)
    return {
        "open": open_count,
        "resolved": capped_count(mine.filter(status=Status.RESOLVED)),
        "deadlines": next_deadlines(user, filters, open_count),
        "to_close": oldest(mine.filter(status=Status.RESOLVED), "resolved_at"),
        "open_url": board.queue_url("mine"),
        "resolved_url": board.queue_url("mine", status=Status.RESOLVED),
    }


def dispatcher(user: User, now: datetime) -> dict[str, Any]:
    """Tickets nobody has taken yet, the most urgent first (R-DSP-1). New and accepted
    tickets have no assignee (assigning moves them on), so the status alone says it: a test
    on the assignee too makes the planner expect a handful of rows and read them all."""
    filters = {"status__in": WAITING_STATUSES}
    waiting = capped_count(tickets_visible_to(user).filter(**filters))
    return {
        "waiting": waiting,
        "deadlines": next_deadlines(user, filters, waiting),
        "waiting_url": board.queue_url("unassigned"),
    }


def technician(user: User, now: datetime) -> dict[str, Any]:
    """My assigned tickets by nearest deadline; how many in each stage of the work."""
    filters = {"assignee_id": user.pk, "status__in": IN_HAND_STATUSES}
    counts = counts_by_status(tickets_visible_to(user).filter(**filters))
    total = sum(counts.values())
    return {
        "counts": [
            (Status(status).label, counts.get(status, 0), board.queue_url("mine", status=status))
            for status in IN_HAND_STATUSES
        ],
        "total": total,
        "deadlines": next_deadlines(user, filters, Figure(total)),
    }


def supervisor(user: User, now: datetime) -> dict[str, Any]:
    """The board's headline numbers (issue 5 §6)."""
    summary = board.summary(user, now)
    return {"summary": summary}


def quality_inspector(user: User, now: datetime) -> dict[str, Any]:
    """Resolved tickets waiting for the return visit and closure (R-RV-1), reopened ones
    (R-RV-2)."""
    visible = tickets_visible_to(user)
    reopened = {"status": Status.REOPENED}
    reopened_count = capped_count(visible.filter(**reopened))
    return {
        "resolved": capped_count(visible.filter(status=Status.RESOLVED)),
        "reopened": reopened_count,
        "to_visit": oldest(visible.filter(status=Status.RESOLVED), "resolved_at"),
        "reopened_rows": next_deadlines(user, reopened, reopened_count),
        "resolved_url": board.queue_url(status=Status.RESOLVED),
        "reopened_url": board.queue_url(status=Status.REOPENED),
    }


def auditor(user: User, now: datetime) -> dict[str, Any]:
    """Where the trails are, and how many unmaskings happened lately (R-SEC-2, R-SEC-3)."""
    if not privacy_policy.can_read_access_log(roles_of(user)):
        return {"unmasked": None}
    unmasked = PersonalDataAccess.objects.filter(created_at__gte=now - timedelta(days=7)).aggregate(
        day=Count("id", filter=Q(created_at__gte=now - timedelta(days=1))),
        week=Count("id"),
    )
    return {"unmasked": unmasked}


@dataclass(frozen=True)
class Warning:
    message: str
    hint: str = ""
    #: Where to act on it.
    url: str = ""


#: System checks whose warning is acted on in a page of the staff UI.
CHECK_PAGES = {"carrierdesk.W101": "web:calendars"}


def admin(user: User, now: datetime) -> dict[str, Any]:
    """Links to the admin pages, and the system's warnings worth acting on."""
    silenced = frozenset(settings.SILENCED_SYSTEM_CHECKS)
    found: list[checks.CheckMessage] = [*check_sign_in_settings(), *check_next_year_covered()]
    warnings = [
        Warning(
            str(message.msg),
            str(message.hint or ""),
            reverse(CHECK_PAGES[message.id]) if message.id in CHECK_PAGES else "",
        )
        for message in found
        if message.id not in silenced and message.level >= checks.WARNING
    ]
    this_year = timezone.localdate(now).year
    for code in (
        Calendar.objects.filter(observes_holidays=True)
        .exclude(years__year=this_year)
        .values_list("code", flat=True)
    ):
        warnings.append(
            Warning(
                _(
                    "Calendar “%(code)s” has no holidays for %(year)d: its working-day limits "
                    "are counted on weekdays alone."
                )
                % {"code": code, "year": this_year},
                _("Import the year's schedule on the calendar's page."),
                reverse("web:calendar-year", args=[code, this_year]),
            )
        )
    if not PolicyVersion.objects.exists():
        warnings.append(
            Warning(
                _("No time-limit policy is loaded: new tickets get no time limits."),
                "carrierdesk sla load policies/FILE.yaml",
            )
        )
    return {"warnings": warnings}


#: Sections in the order a person holding several roles sees them.
SECTIONS: tuple[tuple[str, Callable[[User, datetime], dict[str, Any]]], ...] = (
    (Role.AGENT, agent),
    (Role.DISPATCHER, dispatcher),
    (Role.TECHNICIAN, technician),
    (Role.SUPERVISOR, supervisor),
    (Role.QUALITY_INSPECTOR, quality_inspector),
    (Role.AUDITOR, auditor),
    (Role.ADMIN, admin),
)


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles = roles_of(user)
    now = clock.now()
    sections = [
        Section(role, f"web/home_{role}.html", build(user, now))
        for role, build in SECTIONS
        if role in roles
    ]
    return render(request, "web/home.html", {"sections": sections, "now": now})
