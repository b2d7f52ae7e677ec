"""Clock arithmetic (R-SLA-1..3). Pure: no database access; calendars come in as schedules.

A clock measures working time on its target's calendar. Its budget is the limit in working
time, fixed when it starts: for a limit in working days, the working time from the start to
the Civil Code deadline (`Schedule.add_working_days`). Everything after that — pauses, resumes,
restarts, thresholds — moves in working time, so pausing for two working days moves the
deadline by exactly two working days, whatever weekends and 调休 lie between.

`Schedule` is `carrierdesk.calendars.arithmetic.Schedule`, itself pure.

`apply_event` folds one timeline event into a clock; replaying a ticket's timeline through it
(`sla.actions.rebuild_clocks`) gives the same state as applying events one by one as they
happen, which is what the actions do.

A due-date limit (`LimitUnit.DUE_DATE`, R-CMP-1) is not a duration: its deadline is an instant
the ticket carries (the regulator's due date), passed in as `due_at`. Its budget is the time
from the start to that instant on its calendar (24x7: the pack refuses any other, so the
deadline is exactly the due date), and a ticket without a due date gets no such clock. The
instant never moves: a restart (reopening) counts the time the clock stood still as used, so
the deadline stays the due date and a ticket reopened after it is breached at once. A new due
date (a correction) is applied by replaying the timeline with it (`rebuild_clocks`).
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from carrierdesk.calendars.arithmetic import Deadline, Schedule
from carrierdesk.sla.choices import FINISHING_EVENTS, AlertKind, ClockState, LimitUnit
from carrierdesk.sla.policy import BREACH
from carrierdesk.tickets.choices import Action

MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Rule:
    """The part of a target the engine needs."""

    target_id: int
    clock: str
    start: frozenset[str]
    stop: frozenset[str]
    pause: frozenset[str]
    resume: frozenset[str]
    limit_value: Decimal
    limit_unit: str
    thresholds: tuple[int, ...]  # warnings, then 100, then the escalation share; ascending


@dataclass(frozen=True)
class State:
    """A clock's state; mirrors the columns of `sla.models.Clock`."""

    target_id: int
    clock: str
    state: str
    started_at: datetime
    running_since: datetime | None
    paused_at: datetime | None
    stopped_at: datetime | None
    deadline: datetime
    breached_at: datetime | None
    budget: timedelta
    used: timedelta
    paused: timedelta
    thresholds_passed: int
    next_alert_at: datetime | None
    calendar_uncovered: bool


def to_us(amount: timedelta) -> int:
    return amount // MICROSECOND


def from_us(amount: int) -> timedelta:
    return timedelta(microseconds=amount)


def is_due_date(rule: Rule) -> bool:
    """Whether the rule's deadline is the ticket's due date rather than a duration."""
    return rule.limit_unit == LimitUnit.DUE_DATE


def budget_for(
    rule: Rule, start: datetime, schedule: Schedule, due_at: datetime | None = None
) -> tuple[timedelta, bool]:
    """The limit as working time from `start`, and whether the calendar lacked a year.

    A due-date rule's budget is the working time from `start` to `due_at` (none if the due
    date is not after the start); it raises ValueError without a due date.
    """
    if is_due_date(rule):
        if due_at is None:
            raise ValueError("A due-date limit needs the ticket's due date.")
        if due_at <= start:
            return timedelta(0), False
        amount = schedule.working_time_between(start, due_at)
        return amount, schedule.add_working_time(start, amount).calendar_uncovered
    value = rule.limit_value
    if rule.limit_unit == LimitUnit.WORKING_DAYS:
        deadline = schedule.add_working_days(start, int(value))
        return schedule.working_time_between(start, deadline.at), deadline.calendar_uncovered
    seconds = {
        LimitUnit.MINUTES: Decimal(60),
        LimitUnit.HOURS: Decimal(3600),
        LimitUnit.WORKING_HOURS: Decimal(3600),
        LimitUnit.DAYS: Decimal(86400),
    }[LimitUnit(rule.limit_unit)]
    amount = timedelta(microseconds=int(value * seconds * 1_000_000))
    return amount, schedule.add_working_time(start, amount).calendar_uncovered


def used_at(state: State, at: datetime, schedule: Schedule) -> timedelta:
    """Working time used by `at`: what was banked, plus the running segment."""
    if state.running_since is None or at <= state.running_since:
        return state.used
    return state.used + schedule.working_time_between(state.running_since, at)


def instant_of(state: State, share: int, schedule: Schedule) -> Deadline:
    """When the clock reaches (or reached) `share` percent of its budget: in the running
    segment, at its start if reached before it; a clock not running answers its deadline."""
    if state.running_since is None:
        return Deadline(state.deadline, state.calendar_uncovered)
    mark = state.budget * share / 100
    remaining = max(mark - state.used, timedelta(0))
    return schedule.add_working_time(state.running_since, remaining)


def _status(state: State) -> str:
    if state.stopped_at is not None:
        if state.state == ClockState.CANCELLED:
            return ClockState.CANCELLED
        return ClockState.BREACHED if state.used > state.budget else ClockState.MET
    if state.breached_at is not None:
        return ClockState.BREACHED
    if state.paused_at is not None:
        return ClockState.PAUSED
    return ClockState.RUNNING


def settle(state: State, rule: Rule, schedule: Schedule, at: datetime) -> State:
    """Recompute the deadline, the breach and the next alert after a change at `at`.

    A limit is kept when the stage ends by the deadline itself (the limit "ends at 24:00");
    it is breached once more working time than the budget has been used.
    """
    deadline, uncovered = state.deadline, state.calendar_uncovered
    if state.running_since is not None and state.used < state.budget:
        reached = schedule.add_working_time(state.running_since, state.budget - state.used)
        deadline, uncovered = reached.at, uncovered or reached.calendar_uncovered
    breached_at = state.breached_at
    if breached_at is None and used_at(state, at, schedule) > state.budget:
        breached_at = deadline
    next_alert: datetime | None = None
    if state.running_since is not None:
        running = replace(state, deadline=deadline)
        for share in rule.thresholds:
            if share > state.thresholds_passed:
                next_alert = instant_of(running, share, schedule).at
                break
    settled = replace(
        state,
        deadline=deadline,
        calendar_uncovered=uncovered,
        breached_at=breached_at,
        next_alert_at=next_alert,
    )
    return replace(settled, state=_status(settled))


def start(
    rule: Rule,
    at: datetime,
    schedule: Schedule,
    *,
    thresholds_passed: int = 0,
    due_at: datetime | None = None,
) -> State:
    budget, uncovered = budget_for(rule, at, schedule, due_at)
    state = State(
        target_id=rule.target_id,
        clock=rule.clock,
        state=ClockState.RUNNING,
        started_at=at,
        running_since=at,
        paused_at=None,
        stopped_at=None,
        # A due date is the deadline itself, even one that left no time (budget zero).
        deadline=due_at if is_due_date(rule) and due_at is not None else at,
        breached_at=None,
        budget=budget,
        used=timedelta(0),
        paused=timedelta(0),
        thresholds_passed=thresholds_passed,
        next_alert_at=None,
        calendar_uncovered=uncovered,
    )
    return settle(state, rule, schedule, at)


def apply_event(
    state: State | None,
    rule: Rule,
    action: str,
    at: datetime,
    schedule: Schedule,
    *,
    start_at: datetime | None = None,
    thresholds_passed: int = 0,
    due_at: datetime | None = None,
) -> State | None:
    """Fold one timeline event into a clock (None: the clock has not started).

    `start_at` is when a starting event counts from: registration counts from the time the
    request was received (R-INT-3), every other event from its own time. `due_at` is the
    ticket's due date, which a due-date rule needs to start (without it: no clock).
    """
    if state is None:
        if action not in rule.start or (is_due_date(rule) and due_at is None):
            return None
        state = start(
            rule, start_at or at, schedule, thresholds_passed=thresholds_passed, due_at=due_at
        )
        if action not in rule.stop:
            return state
    if state.stopped_at is not None:
        if action in rule.start and action != Action.REGISTER:
            # A restart (e.g. reopen, R-SLA-2): counting goes on from what was used. A due
            # date does not move: the time the clock stood still counts as used too.
            used = state.used
            if is_due_date(rule) and at > state.stopped_at:
                used += schedule.working_time_between(state.stopped_at, at)
            state = replace(state, used=used, stopped_at=None, running_since=at, paused_at=None)
            return settle(state, rule, schedule, at)
        return state
    if action in rule.stop:
        used = used_at(state, at, schedule)
        state = replace(state, used=used, running_since=None, paused_at=None, stopped_at=at)
        return settle(state, rule, schedule, at)
    if action in FINISHING_EVENTS:
        used = used_at(state, at, schedule)
        state = replace(
            state,
            used=used,
            running_since=None,
            paused_at=None,
            stopped_at=at,
            state=ClockState.CANCELLED,
        )
        return settle(state, rule, schedule, at)
    if action in rule.pause and state.running_since is not None:
        used = used_at(state, at, schedule)
        state = replace(state, used=used, running_since=None, paused_at=at)
        return settle(state, rule, schedule, at)
    if action in rule.resume and state.paused_at is not None:
        paused = state.paused + schedule.working_time_between(state.paused_at, at)
        state = replace(state, paused=paused, paused_at=None, running_since=at)
        return settle(state, rule, schedule, at)
    return state


def crossed(state: State, rule: Rule, now: datetime, schedule: Schedule) -> list[int]:
    """Thresholds above `thresholds_passed` that the clock has reached by `now`."""
    if state.running_since is None:
        return []
    used = used_at(state, now, schedule)
    return [
        share
        for share in rule.thresholds
        if share > state.thresholds_passed and used * 100 >= state.budget * share
    ]


def alert_kind(share: int) -> str:
    if share < BREACH:
        return AlertKind.WARNING
    return AlertKind.BREACH if share == BREACH else AlertKind.ESCALATION


def thresholds(
    warnings: list[int] | tuple[int, ...], escalate_after: int, chain_length: int
) -> tuple[int, ...]:
    """The shares a target alerts at: its warnings, the breach, and the escalation past it."""
    shares = sorted({*warnings, BREACH})
    if chain_length > 2:
        shares.append(escalate_after)
    return tuple(shares)
