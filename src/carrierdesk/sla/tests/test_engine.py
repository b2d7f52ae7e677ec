"""The clock arithmetic (R-SLA-1, R-SLA-2), pure, on China's calendar without a database."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from carrierdesk.calendars.arithmetic import Schedule
from carrierdesk.calendars.tests.schedules import around_the_clock, cn
from carrierdesk.conftest import at
from carrierdesk.sla import engine
from carrierdesk.sla.choices import ClockState, LimitUnit
from carrierdesk.sla.engine import Rule, State

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def rule(value: int, unit: str = LimitUnit.WORKING_DAYS, **events: frozenset[str]) -> Rule:
    return Rule(
        target_id=1,
        clock="resolution",
        start=events.get("start", frozenset({"register", "reopen"})),
        stop=events.get("stop", frozenset({"resolve"})),
        pause=events.get("pause", frozenset({"pend"})),
        resume=events.get("resume", frozenset({"resume"})),
        limit_value=Decimal(value),
        limit_unit=unit,
        thresholds=engine.thresholds([50, 80], 150, 3),
    )


def play(r: Rule, events: list[tuple[str, str]], schedule: Schedule | None = None) -> State:
    schedule = schedule or cn()
    state: State | None = None
    for action, when in events:
        state = engine.apply_event(state, r, action, at(when), schedule)
    assert state is not None
    return state


GENERAL_COMPLAINT = rule(5)


def test_r_sla_1_five_working_days_over_national_day_end_at_midnight_of_the_fifth() -> None:
    state = play(GENERAL_COMPLAINT, [("register", "2025-09-30 10:00")])
    assert state.deadline.isoformat() == "2025-10-15T00:00:00+08:00"
    assert state.state == ClockState.RUNNING
    # The rest of the day of receipt is working time too: 14 h of 30 Sep + 9, 10, 11, 13, 14 Oct.
    assert state.budget == timedelta(days=5, hours=14)
    assert state.next_alert_at is not None


def test_r_sla_2_pending_two_working_days_moves_the_deadline_by_two_working_days() -> None:
    # 9 Oct 10:00 (Thu) to 11 Oct 10:00 (the adjusted working Saturday): 48 working hours.
    state = play(
        GENERAL_COMPLAINT,
        [("register", "2025-09-30 10:00"), ("pend", "2025-10-09 10:00")],
    )
    assert state.state == ClockState.PAUSED
    assert state.next_alert_at is None
    resumed = engine.apply_event(state, GENERAL_COMPLAINT, "resume", at("2025-10-11 10:00"), cn())
    assert resumed is not None
    assert resumed.paused == 2 * DAY
    assert resumed.deadline.isoformat() == "2025-10-17T00:00:00+08:00"


def test_r_sla_2_weekend_pending_costs_no_working_time_on_cn_but_does_on_24x7() -> None:
    # GLPI #10594: pending from Friday evening to Monday morning.
    events = [("register", "2025-11-03 09:00"), ("pend", "2025-11-07 18:00")]
    working = play(GENERAL_COMPLAINT, events)
    resumed = engine.apply_event(working, GENERAL_COMPLAINT, "resume", at("2025-11-10 09:00"), cn())
    assert resumed is not None and resumed.paused == timedelta(hours=6 + 9)

    hours = rule(72, LimitUnit.HOURS)
    plain = play(hours, events, around_the_clock())
    back = engine.apply_event(plain, hours, "resume", at("2025-11-10 09:00"), around_the_clock())
    assert back is not None and back.paused == timedelta(hours=63)


def test_r_sla_1_met_or_breached_when_the_stage_ends() -> None:
    met = play(
        GENERAL_COMPLAINT, [("register", "2025-09-30 10:00"), ("resolve", "2025-10-14 23:59")]
    )
    assert met.state == ClockState.MET and met.next_alert_at is None
    on_the_dot = play(
        GENERAL_COMPLAINT, [("register", "2025-09-30 10:00"), ("resolve", "2025-10-15 00:00")]
    )
    assert on_the_dot.state == ClockState.MET  # the limit ends at 24:00 (Civil Code art. 203)
    late = play(
        GENERAL_COMPLAINT, [("register", "2025-09-30 10:00"), ("resolve", "2025-10-15 09:00")]
    )
    assert late.state == ClockState.BREACHED
    assert (
        late.breached_at is not None and late.breached_at.isoformat() == "2025-10-15T00:00:00+08:00"
    )


def test_r_sla_2_reopening_restarts_resolution_and_keeps_what_was_used() -> None:
    state = play(
        GENERAL_COMPLAINT,
        [
            ("register", "2025-11-03 00:00"),  # Monday
            ("resolve", "2025-11-05 00:00"),  # two working days used
            ("reopen", "2025-11-10 00:00"),  # Monday again
        ],
    )
    assert state.state == ClockState.RUNNING
    assert state.used == 2 * DAY
    # 5 working days from Monday 3 Nov 00:00 end at 11 Nov 00:00: a budget of 6 days of
    # working time (3 Nov itself, then 4-7 and 10 Nov); 4 remain from the reopening.
    assert state.budget == 6 * DAY
    assert state.deadline.isoformat() == "2025-11-14T00:00:00+08:00"


def test_finishing_a_ticket_cancels_clocks_it_does_not_stop() -> None:
    state = play(
        GENERAL_COMPLAINT, [("register", "2025-11-03 09:00"), ("cancel", "2025-11-04 09:00")]
    )
    assert state.state == ClockState.CANCELLED
    assert state.next_alert_at is None


def test_a_clock_started_and_stopped_by_one_event_counts_from_the_time_received() -> None:
    report = rule(
        15, LimitUnit.MINUTES, start=frozenset({"register"}), stop=frozenset({"register"})
    )
    late = engine.apply_event(
        None,
        report,
        "register",
        at("2025-11-03 09:20"),
        around_the_clock(),
        start_at=at("2025-11-03 09:00"),
    )
    assert late is not None and late.state == ClockState.BREACHED
    assert late.used == timedelta(minutes=20)


def test_r_sla_3_alerts_fall_at_50_80_100_and_150_percent() -> None:
    hours = rule(10, LimitUnit.HOURS)
    state = play(hours, [("register", "2025-11-03 00:00")], around_the_clock())
    assert state.next_alert_at == at("2025-11-03 05:00")
    assert engine.crossed(state, hours, at("2025-11-03 04:59"), around_the_clock()) == []
    assert engine.crossed(state, hours, at("2025-11-03 10:00"), around_the_clock()) == [50, 80, 100]
    after = replace(state, thresholds_passed=80)
    after = engine.settle(after, hours, around_the_clock(), at("2025-11-03 09:00"))
    assert after.next_alert_at == at("2025-11-03 10:00")
    assert engine.crossed(after, hours, at("2025-11-03 15:00"), around_the_clock()) == [100, 150]


def test_alerts_follow_working_time_not_wall_time() -> None:
    # 1 working day from Friday 10:00 on cn: the budget is the rest of Friday and Monday.
    one_day = rule(1)
    state = play(one_day, [("register", "2025-11-07 10:00")])
    assert state.deadline.isoformat() == "2025-11-11T00:00:00+08:00"
    assert state.budget == timedelta(hours=38)
    assert state.next_alert_at == at("2025-11-10 05:00")  # 19 working hours in


@pytest.mark.parametrize(
    ("unit", "value", "expected"),
    [
        (LimitUnit.MINUTES, 15, timedelta(minutes=15)),
        (LimitUnit.HOURS, 2, timedelta(hours=2)),
        (LimitUnit.DAYS, 3, timedelta(days=3)),
    ],
)
def test_budgets_of_durations(unit: str, value: int, expected: timedelta) -> None:
    budget, uncovered = engine.budget_for(
        rule(value, unit), at("2025-11-03 09:00"), around_the_clock()
    )
    assert (budget, uncovered) == (expected, False)


def test_r_cal_2_a_limit_reaching_an_uncovered_year_is_flagged() -> None:
    state = play(GENERAL_COMPLAINT, [("register", "2026-12-29 10:00")])
    assert state.calendar_uncovered
    assert state.deadline.isoformat() == "2027-01-06T00:00:00+08:00"  # weekdays alone in 2027
