"""Reads of time limits: clock summaries for the API and CLI, clocks at risk (R-SLA-4)."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet

from carrierdesk.calendars.services import Schedules
from carrierdesk.core import clock
from carrierdesk.sla import engine
from carrierdesk.sla.actions import state_of
from carrierdesk.sla.models import Clock
from carrierdesk.sla.policy import Limit
from carrierdesk.tickets.queries import User as Viewer
from carrierdesk.tickets.queries import on_visible_tickets

CLOCK_RELATED = ("target__policy",)
#: The clock fields `{% countdown %}` reads (web/templatetags/carrierdesk_web.py), with the
#: ticket they belong to.
COUNTDOWN_FIELDS = (
    "ticket_id",
    "name",
    "deadline",
    "thresholds_passed",
    "next_alert_at",
    "paused_at",
    "stopped_at",
)


def active_clocks() -> QuerySet[Clock]:
    """Clocks still counting: not stopped and not paused (served by `clock_active_deadline`)."""
    return Clock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True)


def clocks_at_risk(user: Viewer, within: timedelta, now: datetime | None = None) -> QuerySet[Clock]:
    """Counting clocks whose deadline falls before now + `within`, overdue ones included,
    on the tickets the user may see; one indexed range scan (R-SLA-4)."""
    now = now or clock.now()
    clocks = active_clocks().filter(deadline__lte=now + within)
    return (
        on_visible_tickets(clocks, user)
        .select_related(*CLOCK_RELATED, "ticket__assignee", "ticket__department")
        .order_by("deadline", "id")
    )


class Summaries:
    """Clock summaries computed with one schedule per calendar."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or clock.now()
        self.schedules = Schedules()

    def of(self, row: Clock) -> dict[str, Any]:
        """A clock as shown to people: deadline, remaining, state, thresholds, policy."""
        target = row.target
        state = state_of(row)
        used = engine.used_at(state, self.now, self.schedules[target.calendar])
        if row.stopped_at is None and row.paused_at is None:
            remaining = (row.deadline - self.now).total_seconds()
        else:  # paused or stopped: what is left of the budget in working time
            remaining = (state.budget - used).total_seconds()
        return {
            "clock": row.name,
            "label": row.get_name_display(),
            "state": row.state,
            "started_at": row.started_at,
            "deadline": row.deadline,
            "remaining_seconds": int(remaining),
            "used_seconds": int(used.total_seconds()),
            "budget_seconds": int(state.budget.total_seconds()),
            "paused_seconds": int(state.paused.total_seconds()),
            "used_percent": int(used * 100 / state.budget) if state.budget else 0,
            "thresholds_passed": row.thresholds_passed,
            "next_alert_at": row.next_alert_at,
            "breached_at": row.breached_at,
            "stopped_at": row.stopped_at,
            "limit": str(Limit(target.limit_value, target.limit_unit)),
            "calendar": target.calendar,
            "calendar_uncovered": row.calendar_uncovered,
            "target": target.code,
            "source": target.source,
            "policy": str(target.policy),
        }


def clocks_of(ticket: Any) -> QuerySet[Clock]:
    return Clock.objects.filter(ticket=ticket).select_related(*CLOCK_RELATED).order_by("id")


#: What a ticket's next deadline is read from.
NEXT_DEADLINE_FIELDS = ("ticket_id", "name", "state", "deadline")


def counting_clocks(ticket: Any) -> QuerySet[Clock]:
    return active_clocks().filter(ticket=ticket).only(*NEXT_DEADLINE_FIELDS)


def prefetch_counting_clocks() -> Prefetch:
    """For lists of tickets: each ticket's counting clocks as `ticket.counting_clocks`."""
    return Prefetch(
        "clocks",
        queryset=active_clocks().only(*NEXT_DEADLINE_FIELDS),
        to_attr="counting_clocks",
    )


def nearest(rows: list[Clock]) -> Clock | None:
    """The clock due first among counting ones (what a queue row shows)."""
    return min(rows, key=lambda row: row.deadline, default=None)
