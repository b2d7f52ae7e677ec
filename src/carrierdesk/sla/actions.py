"""Writes of time limits: loading policy packs, moving clocks with the timeline, rebuilding.

The ticket actions call `clocks_follow` inside their own transaction, with the ticket row
locked, so a clock never disagrees with the timeline it was computed from (R-SLA-1, R-SLA-2).
"""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carrierdesk.audit.actions import record
from carrierdesk.calendars.models import Calendar
from carrierdesk.calendars.services import Schedules
from carrierdesk.core import clock
from carrierdesk.core.actors import Actor, acting_user
from carrierdesk.core.errors import InvalidInput
from carrierdesk.customers.choices import SlaTier
from carrierdesk.sla import engine
from carrierdesk.sla.choices import ClockState
from carrierdesk.sla.models import Clock, PolicyVersion, Target
from carrierdesk.sla.policy import PolicyError, matches, parse_pack
from carrierdesk.tickets.choices import Action

#: Ticket fields whose change can change which targets apply.
MATCHED_FIELDS = ("kind", "subtype", "urgency", "category", "channel", "subscription")
#: Ticket fields whose change moves clocks, so a correction rebuilds them: those targets match
#: on, and the due date a due-date limit counts to (R-CMP-1's regulator clock).
CLOCK_FIELDS = (*MATCHED_FIELDS, "regulator_due_at")


# --- policy packs -------------------------------------------------------------------------------


@transaction.atomic
def load_policy(
    actor: Actor, text: str, *, effective_from: date | None = None, source_name: str = ""
) -> PolicyVersion:
    """Store a pack as the next version of its name (R-POL-1); earlier versions stay.

    Refused as a whole (InvalidInput with one "line N: reason" per problem) if anything in it
    is wrong, or if the same file was already loaded with the same effective date.
    """
    calendars = frozenset(Calendar.objects.values_list("code", flat=True))
    try:
        pack = parse_pack(text, calendars=calendars)
    except PolicyError as exc:
        raise InvalidInput(
            _("The policy pack was not loaded: %(count)d problem(s).")
            % {"count": len(exc.problems)},
            fields={"file": exc.problems},
        ) from None
    effective = effective_from or pack.effective_from
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = PolicyVersion.objects.filter(
        pack=pack.name, sha256=digest, effective_from=effective
    ).first()
    if existing is not None:
        raise InvalidInput.field(
            "file",
            _("This file is already loaded as version %(version)d of “%(pack)s”.")
            % {"version": existing.version, "pack": pack.name},
        )
    latest = (
        PolicyVersion.objects.select_for_update()
        .filter(pack=pack.name)
        .order_by("-version")
        .first()
    )
    now = clock.now()
    document = pack.document()
    document["effective_from"] = effective.isoformat()
    document["source_file"] = source_name
    version = PolicyVersion.objects.create(
        pack=pack.name,
        version=(latest.version + 1) if latest else 1,
        label=pack.label,
        effective_from=effective,
        description=pack.description,
        document=document,
        sha256=digest,
        loaded_at=now,
        loaded_by=acting_user(actor),
    )
    Target.objects.bulk_create(
        Target(
            policy=version,
            position=position,
            code=spec.code,
            clock=spec.clock,
            match={key: list(values) for key, values in spec.match.items()},
            start_events=list(spec.start),
            stop_events=list(spec.stop),
            pause_events=list(spec.pause),
            resume_events=list(spec.resume),
            limit_value=spec.limit.value,
            limit_unit=spec.limit.unit,
            calendar=spec.calendar,
            warnings=list(spec.warnings),
            escalation=list(spec.escalation),
            escalate_after=spec.escalate_after,
            enabled=spec.enabled,
            source=spec.source,
            note=spec.note,
        )
        for position, spec in enumerate(pack.targets, start=1)
    )
    record(
        actor=actor,
        event_type="sla.policy_loaded",
        object_type="sla_policy",
        object_id=f"{version.pack}/{version.version}",
        changes={
            "label": version.label,
            "effective_from": effective.isoformat(),
            "targets": len(pack.targets),
            "sha256": digest,
        },
    )
    return version


def policy_in_force(received_at: datetime) -> PolicyVersion | None:
    """The version a ticket received at this instant keeps (SPEC §4): the latest loaded one
    whose effective date has begun by then, in the site's time zone."""
    day = timezone.localtime(received_at).date()
    return (
        PolicyVersion.objects.filter(effective_from__lte=day)
        .order_by("-effective_from", "-loaded_at", "-id")
        .first()
    )


# --- targets as engine rules --------------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """A target with its engine rule."""

    target: Target
    rule: engine.Rule

    def applies(self, attributes: Mapping[str, str]) -> bool:
        return matches(self.target.match, attributes)


@lru_cache(maxsize=64)
def _bound_targets(policy_id: int) -> tuple[Bound, ...]:
    """The enabled targets of a version. Cached: a loaded version never changes."""
    return tuple(
        Bound(target, rule_of(target))
        for target in Target.objects.filter(policy_id=policy_id, enabled=True).order_by("position")
    )


def rule_of(target: Target) -> engine.Rule:
    return engine.Rule(
        target_id=target.pk,
        clock=target.clock,
        start=frozenset(target.start_events),
        stop=frozenset(target.stop_events),
        pause=frozenset(target.pause_events),
        resume=frozenset(target.resume_events),
        limit_value=target.limit_value,
        limit_unit=target.limit_unit,
        thresholds=engine.thresholds(
            target.warnings, target.escalate_after, len(target.escalation)
        ),
    )


def attributes_of(ticket: Any) -> dict[str, str]:
    """A ticket's values on the dimensions targets match on."""
    subscription = ticket.subscription
    return {
        "kinds": ticket.kind,
        "subtypes": ticket.subtype,
        "urgencies": ticket.urgency,
        "categories": ticket.category,
        "channels": ticket.channel,
        "sla_tiers": subscription.sla_tier if subscription is not None else SlaTier.STANDARD,
    }


def applicable(ticket: Any) -> list[Bound]:
    """The targets of the ticket's policy version that cover it, one per clock."""
    if ticket.sla_policy_id is None:
        return []
    attributes = attributes_of(ticket)
    return [bound for bound in _bound_targets(ticket.sla_policy_id) if bound.applies(attributes)]


# --- clocks <-> engine states -------------------------------------------------------------------


def state_of(row: Clock) -> engine.State:
    return engine.State(
        target_id=row.target_id,
        clock=row.name,
        state=row.state,
        started_at=row.started_at,
        running_since=row.running_since,
        paused_at=row.paused_at,
        stopped_at=row.stopped_at,
        deadline=row.deadline,
        breached_at=row.breached_at,
        budget=engine.from_us(row.budget_us),
        used=engine.from_us(row.used_us),
        paused=engine.from_us(row.paused_us),
        thresholds_passed=row.thresholds_passed,
        next_alert_at=row.next_alert_at,
        calendar_uncovered=row.calendar_uncovered,
    )


def write_state(row: Clock, state: engine.State, now: datetime) -> None:
    row.target_id = state.target_id
    row.name = state.clock
    row.state = state.state
    row.started_at = state.started_at
    row.running_since = state.running_since
    row.paused_at = state.paused_at
    row.stopped_at = state.stopped_at
    row.deadline = state.deadline
    row.breached_at = state.breached_at
    row.budget_us = engine.to_us(state.budget)
    row.used_us = engine.to_us(state.used)
    row.paused_us = engine.to_us(state.paused)
    row.thresholds_passed = state.thresholds_passed
    row.next_alert_at = state.next_alert_at
    row.calendar_uncovered = state.calendar_uncovered
    row.updated_at = now


# --- following the timeline ---------------------------------------------------------------------


def clocks_follow(ticket: Any, action: str, at: datetime) -> list[Clock]:
    """Move the ticket's clocks for one timeline event (R-SLA-1, R-SLA-2).

    Runs in the caller's transaction with the ticket row locked. Registration starts clocks
    from the time received; a target that starts later (e.g. result feedback at `resolve`)
    gets its clock when its start event happens.
    """
    bounds = applicable(ticket)
    if not bounds:
        return []
    rows = {row.name: row for row in Clock.objects.filter(ticket=ticket)}
    schedules = Schedules()
    start_at = ticket.received_at if action == Action.REGISTER else at
    changed: list[Clock] = []
    for bound in bounds:
        row = rows.get(bound.rule.clock)
        before = state_of(row) if row is not None else None
        after = engine.apply_event(
            before,
            bound.rule,
            action,
            at,
            schedules[bound.target.calendar],
            start_at=start_at,
            due_at=ticket.regulator_due_at,
        )
        if after is None or after == before:
            continue
        if row is None:
            row = Clock(ticket=ticket)
        write_state(row, after, at)
        row.save()
        changed.append(row)
    return changed


def _replay(
    ticket: Any,
    bound: Bound,
    events: Iterable[tuple[str, datetime]],
    now: datetime,
    schedule: engine.Schedule,
    thresholds_passed: int,
) -> engine.State | None:
    state: engine.State | None = None
    for action, at in events:
        start_at = ticket.received_at if action == Action.REGISTER else at
        state = engine.apply_event(
            state,
            bound.rule,
            action,
            at,
            schedule,
            start_at=start_at,
            thresholds_passed=thresholds_passed,
            due_at=ticket.regulator_due_at,
        )
    if state is not None:
        state = engine.settle(state, bound.rule, schedule, max(now, state.started_at))
    return state


def rebuild_clocks(ticket: Any, now: datetime | None = None) -> dict[str, Any]:
    """Recompute every clock of a ticket from its timeline (R-SLA-2 after a change of
    urgency; R-CMP-1 after a corrected regulator's due date, which re-times the regulator
    clock; `sla rebuild` after a policy or calendar correction). Must run inside a
    transaction with the ticket row locked. Thresholds already alerted stay alerted, so no
    alert fires twice. Returns the changes per clock for the timeline.
    """
    now = now or clock.now()
    events = [
        (event.action, event.created_at)
        for event in ticket.events.order_by("created_at", "id").only("action", "created_at")
    ]
    rows = {row.name: row for row in Clock.objects.filter(ticket=ticket)}
    schedules = Schedules()
    seen: set[str] = set()
    changes: dict[str, Any] = {}
    for bound in applicable(ticket):
        row = rows.get(bound.rule.clock)
        seen.add(bound.rule.clock)
        passed = row.thresholds_passed if row is not None else 0
        state = _replay(ticket, bound, events, now, schedules[bound.target.calendar], passed)
        if state is None:
            if row is not None and row.stopped_at is None:
                changes[row.name] = _cancel(row, now)
            continue
        before = (row.deadline, row.state) if row is not None else (None, None)
        if row is None:
            row = Clock(ticket=ticket)
        write_state(row, state, now)
        row.save()
        if before != (row.deadline, row.state):
            changes[row.name] = {
                "deadline": [_iso(before[0]), _iso(row.deadline)],
                "state": [before[1], row.state],
            }
    for name, row in rows.items():
        if name not in seen and row.state != ClockState.CANCELLED:
            changes[name] = _cancel(row, now)
    return changes


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def _cancel(row: Clock, now: datetime) -> dict[str, Any]:
    """The clock's target no longer covers the ticket (its urgency or kind changed)."""
    before = row.state
    row.state = ClockState.CANCELLED
    row.stopped_at = row.stopped_at or now
    row.running_since = None
    row.paused_at = None
    row.next_alert_at = None
    row.updated_at = now
    row.save()
    return {"state": [before, row.state]}
