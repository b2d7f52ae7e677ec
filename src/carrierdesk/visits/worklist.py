"""The quality inspectors' worklist (R-RV-1): the return visits waiting, in the reader's ticket
scope, nearest due first; and each visit's own limit as a countdown on the warning ladder.

A visit's limit runs on wall-clock time from its scheduling (the resolution) to `due_at`, as
its rule says ("within 48 hours"); its ladder is the time-limit clocks' one (R-SLA-3): 50 %
early warning, 80 % warning, 100 % overdue. `ladder` is pure and table-tested.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from carrierdesk.tickets.queries import on_visible_tickets
from carrierdesk.visits.choices import VisitStatus
from carrierdesk.visits.models import ReturnVisit

#: The shares of a visit's window at which it warns (R-SLA-3's ladder without escalation).
THRESHOLDS = (50, 80, 100)
#: The filter values of "due".
DUE_FILTERS = ("overdue", "today")


def ladder(start: datetime, due: datetime, now: datetime) -> tuple[int, datetime | None]:
    """The highest threshold passed at `now` of a window from `start` to `due`, and when the
    next one is passed (None once overdue)."""
    window = due - start
    passed = 0
    for share in THRESHOLDS:
        at = start + window * share / 100
        if now >= at:
            passed = share
        else:
            return passed, at
    return passed, None


@dataclass(frozen=True)
class VisitCountdown:
    """What `{% countdown %}` needs of a visit's limit."""

    deadline: datetime
    thresholds_passed: int
    next_alert_at: datetime | None
    paused_at: None = None
    stopped_at: None = None

    def get_name_display(self) -> str:
        return str(_("Return visit"))


def countdown_of(visit: ReturnVisit, now: datetime) -> VisitCountdown:
    passed, next_at = ladder(visit.created_at, visit.due_at, now)
    return VisitCountdown(visit.due_at, passed, next_at)


def visible_visits(user: User) -> QuerySet[ReturnVisit]:
    """Every visit of the tickets `user` may see (the ticket queue's scope, R-SEC-1)."""
    return on_visible_tickets(ReturnVisit.objects.select_related("ticket", "visited_by"), user)


def waiting_visits(
    user: User,
    *,
    now: datetime,
    due: str = "",
    channel: str = "",
    kind: str = "",
    day_end: datetime | None = None,
) -> QuerySet[ReturnVisit]:
    """The scheduled visits of the tickets `user` may see, nearest due first (the partial
    index `visit_scheduled_due`). `due`: "overdue" (past due) or "today" (due before
    `day_end`); `channel` and `kind` narrow further."""
    rows = visible_visits(user).filter(status=VisitStatus.SCHEDULED)
    if due == "overdue":
        rows = rows.filter(due_at__lte=now)
    elif due == "today" and day_end is not None:
        rows = rows.filter(due_at__lt=day_end)
    if channel:
        rows = rows.filter(channel=channel)
    if kind:
        rows = rows.filter(ticket__kind=kind)
    return rows.order_by("due_at", "id")
