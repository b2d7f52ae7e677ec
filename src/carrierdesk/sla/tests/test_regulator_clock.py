"""The regulator's due date as a time limit (R-CMP-1, R-SLA-1..4): a regulated complaint's
`regulator_due_at` is the deadline of its `regulator` clock, warned at 50 % and 80 %, breached
and escalated by the sweeper like any clock; resolving stops it, reopening counts on towards the
same due date, and a corrected due date re-times it."""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from carrierdesk.accounts.models import Department
from carrierdesk.calendars.tests.schedules import around_the_clock
from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.core.errors import InvalidInput
from carrierdesk.notifications.models import Notification
from carrierdesk.sla import engine
from carrierdesk.sla.choices import ClockState, LimitUnit
from carrierdesk.sla.engine import Rule, State
from carrierdesk.sla.models import Alert, Clock, PolicyVersion
from carrierdesk.sla.policy import Limit, PolicyError, parse_limit, parse_pack
from carrierdesk.sla.sweep import sweep
from carrierdesk.tickets import actions
from carrierdesk.tickets.choices import Action
from carrierdesk.tickets.models import Ticket, TicketEvent
from carrierdesk.tickets.tests.web_helpers import listed
from carrierdesk.web.tests import conftest as web_fixtures

browse = web_fixtures.browse

MakeTicket = Callable[..., Ticket]
HOUR = timedelta(hours=1)

RECEIVED = at("2026-11-23 09:00")  # a Monday
DUE = at("2026-11-27 09:00")  # 96 hours later: 50 % on the 25th 09:00, 80 % on the 26th 13:48

# --- the arithmetic, pure -------------------------------------------------------------------

REGULATOR = Rule(
    target_id=1,
    clock="regulator",
    start=frozenset({"register", "reopen"}),
    stop=frozenset({"resolve"}),
    pause=frozenset(),
    resume=frozenset(),
    limit_value=Decimal(0),
    limit_unit=LimitUnit.DUE_DATE,
    thresholds=engine.thresholds([50, 80], 150, 3),
)


def play(events: list[tuple[str, str]], due: datetime | None = DUE) -> State | None:
    schedule = around_the_clock()
    state: State | None = None
    for action, when in events:
        state = engine.apply_event(state, REGULATOR, action, at(when), schedule, due_at=due)
    return state


@pytest.mark.parametrize(
    ("start", "due", "budget", "first_alert"),
    [
        ("2026-11-23 09:00", "2026-11-27 09:00", timedelta(hours=96), "2026-11-25 09:00"),
        ("2026-11-23 09:00", "2026-11-23 09:30", timedelta(minutes=30), "2026-11-23 09:15"),
        # Holidays do not count for or against it: an instant is an instant.
        ("2025-09-30 10:00", "2025-10-08 10:00", timedelta(days=8), "2025-10-04 10:00"),
        # A due date already past leaves no time: breached as soon as any time is used.
        ("2026-11-23 09:00", "2026-11-23 08:00", timedelta(0), "2026-11-23 09:00"),
    ],
)
def test_the_deadline_is_the_due_date_itself(
    start: str, due: str, budget: timedelta, first_alert: str
) -> None:
    state = play([("register", start)], at(due))
    assert state is not None
    assert (state.deadline, state.budget, state.state) == (at(due), budget, ClockState.RUNNING)
    assert state.next_alert_at == at(first_alert)
    assert not state.calendar_uncovered


def test_the_thresholds_fall_at_their_share_of_the_time_to_the_due_date() -> None:
    state = play([("register", "2026-11-23 09:00")])
    assert state is not None
    instants = {
        share: engine.instant_of(state, share, around_the_clock()).at
        for share in REGULATOR.thresholds
    }
    assert instants == {
        50: at("2026-11-25 09:00"),
        80: at("2026-11-26 13:48"),
        100: DUE,
        150: at("2026-11-29 09:00"),
    }


@pytest.mark.parametrize(
    ("events", "state", "deadline", "used"),
    [
        # Resolved in time, at the due date itself (a limit is kept at its end), or late.
        ([("register", "2026-11-23 09:00"), ("resolve", "2026-11-25 09:00")], "met", DUE, 48),
        ([("register", "2026-11-23 09:00"), ("resolve", "2026-11-27 09:00")], "met", DUE, 96),
        ([("register", "2026-11-23 09:00"), ("resolve", "2026-11-27 10:00")], "breached", DUE, 97),
        # No pause: pending with the customer does not move the regulator's date.
        ([("register", "2026-11-23 09:00"), ("pend", "2026-11-24 09:00")], "running", DUE, 24),
        # Withdrawn or closed while counting: cancelled.
        ([("register", "2026-11-23 09:00"), ("cancel", "2026-11-24 09:00")], "cancelled", DUE, 24),
        ([("register", "2026-11-23 09:00"), ("close", "2026-11-24 09:00")], "cancelled", DUE, 24),
        # Reopened: counting goes on to the same due date, the resolved days counted too.
        (
            [
                ("register", "2026-11-23 09:00"),
                ("resolve", "2026-11-24 09:00"),
                ("reopen", "2026-11-26 09:00"),
            ],
            "running",
            DUE,
            72,
        ),
        # Reopened after the due date: breached at once, at the due date.
        (
            [
                ("register", "2026-11-23 09:00"),
                ("resolve", "2026-11-24 09:00"),
                ("reopen", "2026-11-28 09:00"),
            ],
            "breached",
            DUE,
            120,
        ),
        (
            [
                ("register", "2026-11-23 09:00"),
                ("resolve", "2026-11-24 09:00"),
                ("reopen", "2026-11-26 09:00"),
                ("resolve", "2026-11-26 21:00"),
            ],
            "met",
            DUE,
            84,
        ),
    ],
)
def test_stop_cancel_and_reopen_never_move_the_due_date(
    events: list[tuple[str, str]], state: str, deadline: datetime, used: int
) -> None:
    played = play(events)
    assert played is not None
    last = at(events[-1][1])
    assert (played.state, played.deadline) == (state, deadline)
    assert engine.used_at(played, last, around_the_clock()) == used * HOUR
    if state == "breached":
        assert played.breached_at == DUE


def test_a_ticket_without_a_due_date_gets_no_clock() -> None:
    assert play([("register", "2026-11-23 09:00"), ("resolve", "2026-11-24 09:00")], None) is None
    with pytest.raises(ValueError, match="due date"):
        engine.budget_for(REGULATOR, RECEIVED, around_the_clock())


def test_the_pack_says_due_date_counts_on_24x7_and_never_pauses() -> None:
    assert parse_limit("due date") == Limit(Decimal(0), LimitUnit.DUE_DATE)
    assert str(parse_limit("Due date")) == "Regulator's due date"
    template = """
pack: test
version: "1"
effective_from: 2026-01-01
targets:
  - code: regulator-due
    clock: regulator
    start: [register]
    stop: [resolve]
    limit: due date
    source: R-CMP-1
{extra}"""
    calendars = frozenset({"cn", "24x7"})
    pack = parse_pack(template.format(extra="    calendar: 24x7\n"), calendars=calendars)
    assert pack.targets[0].limit.unit == LimitUnit.DUE_DATE
    with pytest.raises(PolicyError) as refused:
        parse_pack(template.format(extra="    calendar: cn\n"), calendars=calendars)
    assert refused.value.problems == ["line 12: a due-date limit counts on the 24x7 calendar."]
    with pytest.raises(PolicyError) as refused:
        parse_pack(
            template.format(extra="    calendar: 24x7\n    pause: [pend]\n    resume: [resume]\n"),
            calendars=calendars,
        )
    assert refused.value.problems == ["line 13: a due-date limit does not pause."]


# --- on tickets, through the actions --------------------------------------------------------


def regulated(make_ticket: MakeTicket, **overrides: Any) -> Ticket:
    """A 12345 complaint received on Monday 09:00, registered an hour later, due Friday 09:00."""
    values: dict[str, Any] = {
        "channel": "gov_hotline",
        "received_at": RECEIVED,
        "regulator_reference": "12345-GZ-2026-000731",
        "regulator_due_at": DUE,
    }
    values.update(overrides)
    with clock.frozen(RECEIVED + HOUR):
        return make_ticket(**values)


def regulator_clock(ticket: Ticket) -> Clock:
    return Clock.objects.select_related("target").get(ticket=ticket, name="regulator")


def regulator_alerts(ticket: Ticket) -> list[tuple[int, str, list[str]]]:
    return list(
        Alert.objects.filter(ticket=ticket, clock__name="regulator")
        .order_by("threshold")
        .values_list("threshold", "kind", "notified")
    )


def take_up(ticket: Ticket, staff: dict[str, User], when: datetime) -> None:
    """Accepted, assigned to the agent and started: the early clocks stop."""
    with clock.frozen(when):
        actions.accept(staff["agent"], ticket.number)
        actions.assign(
            staff["dispatcher"], ticket.number, department="CUSTOMER_SER", assignee="agent"
        )
        actions.start(staff["agent"], ticket.number)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "channel"),
    [("complaint", "gov_hotline"), ("complaint", "regulator"), ("appeal", "hotline")],
)
def test_registration_starts_the_clock_with_the_exact_due_date(
    policy: PolicyVersion, make_ticket: MakeTicket, kind: str, channel: str
) -> None:
    row = regulator_clock(regulated(make_ticket, kind=kind, channel=channel))
    assert (row.state, row.started_at, row.deadline) == (ClockState.RUNNING, RECEIVED, DUE)
    assert row.budget_us == engine.to_us(96 * HOUR)
    assert row.next_alert_at == at("2026-11-25 09:00")
    assert (row.target.code, row.target.calendar) == ("complaint-regulator-due", "24x7")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values",
    [
        {"kind": "complaint", "channel": "hotline"},
        {"kind": "inquiry", "channel": "gov_hotline", "category": "other"},
        {"kind": "fault", "channel": "regulator", "subtype": "network"},
        {"kind": "suggestion", "channel": "gov_hotline", "category": "service_quality"},
    ],
)
def test_other_tickets_have_no_regulator_clock(
    policy: PolicyVersion, make_ticket: MakeTicket, values: dict[str, Any]
) -> None:
    with clock.frozen(RECEIVED + HOUR):
        ticket = make_ticket(received_at=RECEIVED, **values)
    names = set(ticket.clocks.values_list("name", flat=True))
    assert names and "regulator" not in names


@pytest.mark.django_db
def test_warnings_breach_and_escalation_fire_through_the_sweeper(
    policy: PolicyVersion, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    Department.objects.filter(code="CUSTOMER_SER").update(head=staff["admin"])
    ticket = regulated(make_ticket)
    take_up(ticket, staff, RECEIVED + 2 * HOUR)
    sweep(now=at("2026-11-25 08:59"))
    assert regulator_alerts(ticket) == []
    sweep(now=at("2026-11-25 09:00"))  # 50 %, at the instant
    assert regulator_alerts(ticket) == [(50, "warning", ["agent"])]
    assert regulator_clock(ticket).next_alert_at == at("2026-11-26 13:48")
    sweep(now=at("2026-11-26 13:48"))
    sweep(now=at("2026-11-26 13:48"))  # twice: still once
    assert regulator_alerts(ticket)[1:] == [(80, "warning", ["agent"])]
    sweep(now=at("2026-11-27 09:01"))
    assert regulator_alerts(ticket)[2:] == [(100, "breach", ["agent", "supervisor"])]
    row = regulator_clock(ticket)
    assert (row.state, row.breached_at, row.deadline) == (ClockState.BREACHED, DUE, DUE)
    sweep(now=at("2026-11-29 09:00"))
    assert regulator_alerts(ticket)[3:] == [(150, "escalation", ["admin"])]
    assert regulator_clock(ticket).next_alert_at is None

    timeline = list(
        ticket.events.filter(changes__clock="regulator")
        .order_by("id")
        .values_list("action", "changes__threshold")
    )
    assert timeline == [
        (Action.SLA_WARNING, 50),
        (Action.SLA_WARNING, 80),
        (Action.SLA_BREACH, 100),
        (Action.SLA_ESCALATION, 150),
    ]
    told = Notification.objects.filter(object_id=ticket.number, context__clock="regulator")
    assert sorted(told.values_list("template", "recipient__username")) == [
        ("sla_breach", "agent"),
        ("sla_breach", "supervisor"),
        ("sla_escalation", "admin"),
        ("sla_warning", "agent"),
        ("sla_warning", "agent"),
    ]
    assert {n.context["clock_label"] for n in told} == {"Regulator's due date"}
    assert {datetime.fromisoformat(n.context["deadline"]) for n in told} == {DUE}


@pytest.mark.django_db
def test_resolving_stops_it_and_closing_or_cancelling_leaves_nothing_running(
    policy: PolicyVersion, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = regulated(make_ticket)
    take_up(ticket, staff, RECEIVED + 2 * HOUR)
    with clock.frozen(at("2026-11-26 10:00")):
        actions.resolve(staff["agent"], ticket.number, resolution="已退还多扣话费。")
    row = regulator_clock(ticket)
    assert (row.state, row.stopped_at, row.next_alert_at) == (
        ClockState.MET,
        at("2026-11-26 10:00"),
        None,
    )
    assert engine.from_us(row.used_us) == 73 * HOUR
    sweep(now=at("2026-11-30 09:00"))
    assert [threshold for threshold, _, _ in regulator_alerts(ticket)] == []
    with clock.frozen(at("2026-11-26 11:00")):
        actions.close(staff["agent"], ticket.number)
    assert regulator_clock(ticket).state == ClockState.MET

    withdrawn = regulated(make_ticket)
    with clock.frozen(RECEIVED + 3 * HOUR):
        actions.cancel(staff["agent"], withdrawn.number, reason="用户撤诉。")
    row = regulator_clock(withdrawn)
    assert (row.state, row.next_alert_at) == (ClockState.CANCELLED, None)


@pytest.mark.django_db
def test_reopening_counts_on_towards_the_same_due_date(
    policy: PolicyVersion, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = regulated(make_ticket)
    take_up(ticket, staff, RECEIVED + 2 * HOUR)
    with clock.frozen(at("2026-11-24 09:00")):
        actions.resolve(staff["agent"], ticket.number, resolution="已退还多扣话费。")
    with clock.frozen(at("2026-11-28 09:00")):  # the customer is not satisfied, after the date
        actions.reopen(staff["agent"], ticket.number, reason="用户不认可处理结果。")
    row = regulator_clock(ticket)
    assert (row.state, row.deadline, row.breached_at) == (ClockState.BREACHED, DUE, DUE)
    assert row.next_alert_at == at("2026-11-28 09:00")  # the thresholds not yet alerted: now
    sweep(now=at("2026-11-28 09:00"))
    assert regulator_alerts(ticket) == [
        (50, "warning", ["agent"]),
        (80, "warning", ["agent"]),
        (100, "breach", ["agent", "supervisor"]),
    ]


@pytest.mark.django_db
def test_a_corrected_due_date_re_times_the_clock_and_its_alerts(
    policy: PolicyVersion, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = regulated(make_ticket)
    sweep(now=at("2026-11-25 09:00"))
    assert [a[0] for a in regulator_alerts(ticket)] == [50]

    later = at("2026-11-30 09:00")  # 168 hours from the time received: 80 % on 28th 23:24
    with clock.frozen(at("2026-11-25 10:00")):
        actions.update_ticket(staff["agent"], ticket.number, regulator_due_at=later)
    row = regulator_clock(ticket)
    assert (row.deadline, row.budget_us) == (later, engine.to_us(168 * HOUR))
    assert (row.thresholds_passed, row.next_alert_at) == (50, at("2026-11-28 23:24"))
    rebuild = ticket.events.get(action=Action.SLA_REBUILD)
    moved = rebuild.changes["clocks"]["regulator"]["deadline"]
    assert [datetime.fromisoformat(value) for value in moved] == [DUE, later]
    sweep(now=at("2026-11-28 23:23"))
    assert [a[0] for a in regulator_alerts(ticket)] == [50]  # 50 % is not told twice
    sweep(now=at("2026-11-28 23:24"))
    assert [a[0] for a in regulator_alerts(ticket)] == [50, 80]

    # Brought forward past what was used: the thresholds passed fire at the next pass.
    sooner = at("2026-11-29 12:00")  # 147 h budget; 134 h 25 min used at 23:25 on the 28th
    with clock.frozen(at("2026-11-28 23:25")):
        actions.update_ticket(staff["agent"], ticket.number, regulator_due_at=sooner)
    row = regulator_clock(ticket)
    assert (row.deadline, row.state) == (sooner, ClockState.RUNNING)
    assert row.next_alert_at == sooner
    sweep(now=at("2026-11-29 12:01"))
    assert [a[0] for a in regulator_alerts(ticket)] == [50, 80, 100]
    assert regulator_clock(ticket).breached_at == sooner


@pytest.mark.django_db
def test_a_refused_correction_changes_neither_the_ticket_nor_its_clock(
    policy: PolicyVersion, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = regulated(make_ticket)
    before = (regulator_clock(ticket).deadline, TicketEvent.objects.count())
    for due in (DUE.replace(tzinfo=None) + 24 * HOUR, RECEIVED - HOUR, None):
        with pytest.raises(InvalidInput) as refused:
            actions.update_ticket(staff["agent"], ticket.number, regulator_due_at=due)
        assert set(refused.value.fields) == {"regulator_due_at"}
    # Another field refused in the same call: the due date is not moved either.
    with pytest.raises(InvalidInput):
        actions.update_ticket(
            staff["agent"], ticket.number, regulator_due_at=DUE + HOUR, title="  "
        )
    ticket.refresh_from_db()
    assert (ticket.version, ticket.regulator_due_at) == (1, DUE)
    assert (regulator_clock(ticket).deadline, TicketEvent.objects.count()) == before


# --- where clocks show: the API, the queues -------------------------------------------------


@pytest.mark.django_db
def test_the_api_patch_re_times_it_and_shows_it_with_the_other_clocks(
    policy: PolicyVersion, make_ticket: MakeTicket, api: Callable[[str], APIClient]
) -> None:
    ticket = regulated(make_ticket)
    response = api("agent").patch(
        f"/api/v1/tickets/{ticket.number}/",
        {"regulator_due_at": "2026-11-30T09:00:00+08:00", "version": ticket.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert regulator_clock(ticket).deadline == at("2026-11-30 09:00")
    shown = (
        api("agent")
        .get(f"/api/v1/tickets/{ticket.number}/clocks/", HTTP_ACCEPT_LANGUAGE="en")
        .json()
    )
    (regulator,) = [item for item in shown if item["clock"] == "regulator"]
    assert regulator["label"] == "Regulator's due date"
    assert regulator["limit"] == "Regulator's due date"
    assert regulator["calendar"] == "24x7"
    assert regulator["deadline"].startswith("2026-11-30T09:00:00")
    assert regulator["budget_seconds"] == 168 * 3600


@pytest.mark.django_db
def test_the_queue_and_next_deadline_follow_the_due_date(
    policy: PolicyVersion,
    make_ticket: MakeTicket,
    staff: dict[str, User],
    api: Callable[[str], APIClient],
    browse: Callable[..., Any],
) -> None:
    now = clock.now()
    # Serious (7 working days) but due in two hours, against a general one (5 working days).
    urgent = make_ticket(
        channel="gov_hotline",
        received_at=now - HOUR,
        regulator_reference="12345-GZ-2026-000733",
        regulator_due_at=now + 2 * HOUR,
    )
    plain = make_ticket(received_at=now - HOUR)
    for ticket in (plain, urgent):
        take_up(ticket, staff, now)
    order = listed(browse("agent").get("/tickets/?segment=all&sort=deadline"))
    assert order == [urgent.number, plain.number]
    body = api("agent").get(f"/api/v1/tickets/{urgent.number}/").json()
    assert body["next_deadline"]["clock"] == "regulator"
    assert datetime.fromisoformat(body["next_deadline"]["deadline"]) == now + 2 * HOUR
