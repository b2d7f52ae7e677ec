"""The time-limit sweeper (R-SLA-3): fires early warnings, breaches and escalations.

One pass takes the clocks whose next alert is due from the `clock_due_alert` index, in bounded
batches, each batch in its own transaction. It never looks at the other open tickets, so a pass
costs what is due, not what is open. Each threshold fires exactly once: the clock rows are
locked (on PostgreSQL with SKIP LOCKED, so parallel sweepers take different clocks), the
highest threshold passed is stored with the clock, and `Alert` is unique per clock and
threshold as a last guard. Safe to run twice or in parallel.
"""

import logging
import time as monotonic
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import translation

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.models import Department, StaffProfile
from carrierdesk.audit.actions import record_many
from carrierdesk.calendars.services import Schedules
from carrierdesk.core import clock, context
from carrierdesk.core.bulk import insert_rows, update_many
from carrierdesk.notifications.actions import Message, queue_system_messages
from carrierdesk.sla import engine
from carrierdesk.sla.actions import rule_of, state_of, write_state
from carrierdesk.sla.choices import AlertKind, ClockName, Escalee
from carrierdesk.sla.models import Alert, Clock, Target
from carrierdesk.tickets.choices import Action, Urgency
from carrierdesk.tickets.models import Ticket, TicketEvent

log = logging.getLogger(__name__)

#: The top urgency of each scale (R-CLS-1..3): their alerts go out at any hour.
TOP_URGENCIES = frozenset({Urgency.EMERGENCY, Urgency.URGENT, Urgency.MAJOR})

EVENT_OF_KIND: dict[str, str] = {
    AlertKind.WARNING: Action.SLA_WARNING,
    AlertKind.BREACH: Action.SLA_BREACH,
    AlertKind.ESCALATION: Action.SLA_ESCALATION,
}
TEMPLATE_OF_KIND: dict[str, str] = {
    AlertKind.WARNING: "sla_warning",
    AlertKind.BREACH: "sla_breach",
    AlertKind.ESCALATION: "sla_escalation",
}


@dataclass
class SweepReport:
    batches: int = 0
    clocks: int = 0
    alerts: int = 0
    notifications: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def sweep(
    *, now: datetime | None = None, batch_size: int = 1000, max_batches: int | None = None
) -> SweepReport:
    """One pass over the due alerts. `now` defaults to the current time."""
    began = monotonic.perf_counter()
    now = now or clock.now()
    report = SweepReport()
    with context.bound(
        context.RequestContext(request_id=context.new_request_id(), channel="sweeper")
    ):
        while max_batches is None or report.batches < max_batches:
            with transaction.atomic():
                taken, alerts, notes = _batch(now, batch_size)
            report.batches += 1
            report.clocks += taken
            report.alerts += alerts
            report.notifications += notes
            if taken < batch_size:
                break
    report.seconds = monotonic.perf_counter() - began
    if report.alerts:
        log.info("sla sweep: %s", report.as_dict())
    return report


#: The user and profile columns a notification needs (address, language, department).
PERSON_FIELDS = (
    "id",
    "username",
    "email",
    "is_active",
    "staff_profile__id",
    "staff_profile__department_id",
    "staff_profile__mobile",
    "staff_profile__language",
)


def _people_by_id(ids: Iterable[int]) -> dict[int, User]:
    return dict(User.objects.select_related("staff_profile").only(*PERSON_FIELDS).in_bulk(set(ids)))


class _Recipients:
    """Who is told, per link of the escalation chain: each person and profile read once per
    batch, whatever the number of tickets."""

    def __init__(self, tickets: list[Ticket]) -> None:
        self.people = _people_by_id(
            [t.first_owner_id for t in tickets] + [t.assignee_id for t in tickets if t.assignee_id]
        )
        department_ids = {t.department_id for t in tickets if t.department_id} | {
            self._profile_department(t.first_owner_id) for t in tickets
        }
        department_ids.discard(None)
        self.departments = Department.objects.only("id", "head_id").in_bulk(department_ids)
        self.supervisors: dict[int, list[User]] = defaultdict(list)
        supervisor_ids = StaffProfile.objects.filter(
            department_id__in=department_ids, role=Role.SUPERVISOR, user__is_active=True
        ).values_list("department_id", "user_id")
        heads = [d.head_id for d in self.departments.values() if d.head_id]
        pairs = list(supervisor_ids)
        self.people.update(_people_by_id([user for _, user in pairs] + heads))
        for department_id, user_id in pairs:
            self.supervisors[department_id].append(self.people[user_id])

    def _profile_department(self, user_id: int) -> int | None:
        profile = getattr(self.people.get(user_id), "staff_profile", None)
        return profile.department_id if profile is not None else None

    def link(self, ticket: Ticket, link: str) -> list[User]:
        """The people of one link; an empty link falls back to the next one up."""
        department_id = ticket.department_id or self._profile_department(ticket.first_owner_id)
        department = self.departments.get(department_id) if department_id else None
        supervisors = self.supervisors.get(department.pk, []) if department else []
        head = self.people.get(department.head_id) if department and department.head_id else None
        if link == Escalee.ASSIGNEE:
            return [self.people[ticket.assignee_id or ticket.first_owner_id]]
        if link == Escalee.SUPERVISOR:
            return supervisors or ([head] if head else [])
        return [head] if head else supervisors


#: What the sweeper reads of a clock's ticket.
TICKET_FIELDS = (
    "ticket__id",
    "ticket__number",
    "ticket__status",
    "ticket__urgency",
    "ticket__department_id",
    "ticket__assignee_id",
    "ticket__first_owner_id",
)


def _locked_due(now: datetime, batch_size: int) -> list[Clock]:
    query = (
        Clock.objects.filter(next_alert_at__lte=now)
        .order_by("next_alert_at")
        .select_related("ticket")
        .only(*(field.name for field in Clock._meta.concrete_fields), *TICKET_FIELDS)
    )
    if connection.features.has_select_for_update_skip_locked:
        query = query.select_for_update(skip_locked=True, of=("self",))
    return list(query[:batch_size])


@cache
def _english_label(name: str) -> str:
    """The label's source text: notifications translate it into each recipient's language."""
    with translation.override(None):
        return str(ClockName(name).label)


def _batch(now: datetime, batch_size: int) -> tuple[int, int, int]:
    rows = _locked_due(now, batch_size)
    if not rows:
        return 0, 0, 0
    schedules = Schedules()
    quiet = schedules[settings.SLA_QUIET_HOURS_CALENDAR]
    rules: dict[int, engine.Rule] = {}
    recipients = _Recipients([row.ticket for row in rows])
    targets = Target.objects.in_bulk({row.target_id for row in rows})
    alerts: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []
    messages: list[Message] = []
    bound = context.current()
    for row in rows:
        target = targets[row.target_id]
        rule = rules.setdefault(target.pk, rule_of(target))
        schedule = schedules[target.calendar]
        state = state_of(row)
        shares = engine.crossed(state, rule, now, schedule)
        if shares:
            if max(shares) >= engine.BREACH and state.breached_at is None:
                state = replace(state, breached_at=state.deadline)
            state = replace(state, thresholds_passed=max(shares))
        state = engine.settle(state, rule, schedule, now)
        write_state(row, state, now)
        ticket = row.ticket
        for share in shares:
            kind = engine.alert_kind(share)
            # Several thresholds passed at once (a ticket registered late, a sweeper that
            # was stopped): each is recorded and told to its own link of the chain.
            told = _people(recipients, ticket, target, kind)
            alerts.append(
                {
                    "clock_id": row.pk,
                    "ticket_id": ticket.pk,
                    "threshold": share,
                    "kind": kind,
                    "due_at": engine.instant_of(state, share, schedule).at,
                    "fired_at": now,
                    "notified": [user.username for user in told],
                }
            )
            changes = {
                "clock": row.name,
                "threshold": share,
                "deadline": state.deadline.isoformat(),
                "notified": [user.username for user in told],
            }
            events.append(
                {
                    "ticket_id": ticket.pk,
                    "created_at": now,
                    "action": EVENT_OF_KIND[kind],
                    "from_status": ticket.status,
                    "to_status": ticket.status,
                    "changes": changes,
                }
            )
            audits.append(
                {
                    "created_at": now,
                    "request_id": bound.request_id,
                    "client_address": bound.client_address,
                    "channel": bound.channel,
                    "event_type": f"ticket.{EVENT_OF_KIND[kind]}",
                    "object_type": "ticket",
                    "object_id": ticket.number,
                    "changes": changes,
                }
            )
            if told:
                messages.append(_message(told, ticket, row, state, share, kind, now, quiet))
    insert_rows(Alert, alerts)
    insert_rows(TicketEvent, events)
    record_many(audits)
    notifications = queue_system_messages(messages)
    update_many(rows, SWEPT_FIELDS)
    return len(rows), len(alerts), notifications


#: The clock columns a sweep changes.
SWEPT_FIELDS = (
    "state",
    "deadline",
    "breached_at",
    "thresholds_passed",
    "next_alert_at",
    "calendar_uncovered",
    "updated_at",
)


def _people(recipients: _Recipients, ticket: Ticket, target: Target, kind: str) -> list[User]:
    chain = list(target.escalation)
    links: list[str] = []
    if kind == AlertKind.WARNING:
        links = chain[:1]
    elif kind == AlertKind.BREACH:
        links = chain[:2]
    elif len(chain) > 2:
        links = chain[2:3]
    seen: dict[int, User] = {}
    for link in links:
        for user in recipients.link(ticket, link):
            if user.is_active:
                seen.setdefault(user.pk, user)
    return list(seen.values())


def _message(
    people: list[User],
    ticket: Ticket,
    row: Clock,
    state: engine.State,
    share: int,
    kind: str,
    now: datetime,
    quiet: Any,
) -> Message:
    minutes = int((state.deadline - now) / timedelta(minutes=1))
    context_values: dict[str, Any] = {
        "ticket": ticket.number,
        "clock": row.name,
        "clock_label": _english_label(row.name),
        "deadline": state.deadline.isoformat(),
    }
    if kind == AlertKind.WARNING:
        context_values.update(threshold=share, remaining_minutes=max(minutes, 0))
    else:
        context_values["overdue_minutes"] = max(-minutes, 0)
        if kind == AlertKind.ESCALATION:
            context_values["level"] = 3
    # No alerts at midnight except for the top urgency (Zammad #4432): the rest wait for
    # the next business hour of the quiet-hours calendar.
    not_before = None if ticket.urgency in TOP_URGENCIES else quiet.next_working_instant(now)
    if not_before is not None and not_before <= now:
        not_before = None
    return Message(
        recipients=people,
        template=TEMPLATE_OF_KIND[kind],
        context=context_values,
        not_before=not_before,
        object_type="ticket",
        object_id=ticket.number,
    )
