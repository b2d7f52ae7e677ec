"""Clocks follow the ticket's timeline (R-SLA-1, R-SLA-2, R-SLA-4) through the real actions."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.sla.choices import ClockState
from carrierdesk.sla.models import Clock, PolicyVersion
from carrierdesk.tickets import actions
from carrierdesk.tickets.choices import Action
from carrierdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def clocks(ticket: Ticket) -> dict[str, Clock]:
    return {row.name: row for row in Clock.objects.filter(ticket=ticket)}


def complaint(
    make_ticket: Callable[..., Ticket], when: str = "2025-09-30 10:05", **values: Any
) -> Ticket:
    with clock.frozen(at(when)):
        return make_ticket(received_at=at("2025-09-30 10:00"), urgency="general", **values)


Step = tuple[str, str, dict[str, Any]]

#: Accepted, assigned to the technician and started within half an hour of receipt.
TAKEN_UP: tuple[Step, ...] = (
    ("2025-09-30 10:10", "accept", {"as": "agent"}),
    ("2025-09-30 10:20", "assign", {"as": "dispatcher", "assignee": "technician"}),
    ("2025-09-30 10:30", "start", {"as": "technician"}),
)


def walk(ticket: Ticket, staff: dict[str, User], *steps: Step) -> None:
    for when, verb, given in steps:
        params = dict(given)
        with clock.frozen(at(when)):
            actions.TRANSITION_FUNCTIONS[verb](staff[params.pop("as")], ticket.number, **params)


def test_a_general_complaint_received_before_national_day_closes_by_15_october(
    policy: PolicyVersion, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = complaint(make_ticket)
    assert ticket.sla_policy == policy
    rows = clocks(ticket)
    assert set(rows) == {"first_response", "initial_check", "first_handling", "resolution"}
    assert rows["resolution"].deadline.isoformat() == "2025-10-14T16:00:00+00:00"  # 15 Oct 00:00+08
    assert rows["resolution"].state == ClockState.RUNNING
    assert rows["first_handling"].deadline == at("2025-10-10 00:00")  # 1 working day: 9 Oct
    assert rows["first_response"].deadline == at("2025-09-30 10:15")  # from the time received


def test_r_sla_2_pending_two_working_days_moves_the_closure_by_two_working_days(
    policy: PolicyVersion, make_ticket: Callable[..., Ticket], staff: dict[str, User]
) -> None:
    ticket = complaint(make_ticket)
    walk(
        ticket,
        staff,
        *TAKEN_UP,
        ("2025-10-09 10:00", "pend", {"as": "technician", "reason": "等待用户提供账单"}),
    )
    paused = clocks(ticket)["resolution"]
    assert paused.state == ClockState.PAUSED and paused.next_alert_at is None
    walk(ticket, staff, ("2025-10-11 10:00", "resume", {"as": "technician"}))
    resumed = clocks(ticket)["resolution"]
    assert resumed.deadline == at("2025-10-17 00:00")
    assert resumed.paused_us == 2 * 86_400 * 10**6
    rows = clocks(ticket)
    assert rows["first_response"].state == ClockState.MET
    assert rows["initial_check"].state == ClockState.MET
    assert rows["first_handling"].state == ClockState.MET
    walk(
        ticket, staff, ("2025-10-16 09:00", "resolve", {"as": "technician", "resolution": "已退费"})
    )
    rows = clocks(ticket)
    assert rows["resolution"].state == ClockState.MET
    assert {"feedback_first", "feedback_final"} <= set(rows)  # started by `resolve`
    assert rows["feedback_first"].deadline == at("2025-10-21 00:00")  # 17 and 20 Oct


def test_r_sla_2_a_change_of_urgency_recomputes_limits_and_keeps_time_used_and_paused(
    policy: PolicyVersion, make_ticket: Callable[..., Ticket], staff: dict[str, User]
) -> None:
    ticket = complaint(make_ticket)
    walk(
        ticket,
        staff,
        *TAKEN_UP,
        ("2025-10-09 10:00", "pend", {"as": "technician", "reason": "等待"}),
        ("2025-10-11 10:00", "resume", {"as": "technician"}),
    )
    before = clocks(ticket)["resolution"]
    with clock.frozen(at("2025-10-13 09:00")):
        actions.update_ticket(staff["agent"], ticket.number, urgency="major")
    after = clocks(ticket)["resolution"]
    assert after.pk == before.pk
    assert after.paused_us == before.paused_us  # the two paused working days are kept
    # 10 working days from 30 Sep (9-11, 13-17, 20, 21 Oct) end 21 Oct 24:00; plus the two
    # paused working days: 23 Oct 24:00.
    assert after.deadline == at("2025-10-24 00:00")
    assert after.target.code == "complaint-major-closure"
    events = list(ticket.events.filter(action=Action.SLA_REBUILD))
    assert len(events) == 1 and "resolution" in events[0].changes["clocks"]


def test_r_sla_2_reopening_starts_resolution_again_and_counts(
    policy: PolicyVersion, make_ticket: Callable[..., Ticket], staff: dict[str, User]
) -> None:
    ticket = complaint(make_ticket)
    walk(
        ticket,
        staff,
        *TAKEN_UP,
        ("2025-10-09 00:00", "resolve", {"as": "technician", "resolution": "已处理"}),
        ("2025-10-10 00:00", "reopen", {"as": "agent", "reason": "用户不满意"}),
    )
    ticket.refresh_from_db()
    rows = clocks(ticket)
    assert ticket.reopen_count == 1
    assert rows["resolution"].state == ClockState.RUNNING
    # 14 h used on 30 Sep (resolved at the very start of 9 Oct): 5 working days are left.
    assert rows["resolution"].used_us == 14 * 3600 * 10**6
    assert rows["resolution"].deadline == at("2025-10-16 00:00")
    # Result feedback ran from the resolution to the reopening, one of its two working days.
    assert rows["feedback_first"].state == ClockState.MET
    assert rows["feedback_first"].stopped_at == at("2025-10-10 00:00")


def test_cancelling_a_ticket_cancels_its_running_clocks(
    policy: PolicyVersion, make_ticket: Callable[..., Ticket], staff: dict[str, User]
) -> None:
    ticket = complaint(make_ticket)
    walk(ticket, staff, ("2025-10-09 09:00", "cancel", {"as": "agent", "reason": "用户撤销"}))
    rows = clocks(ticket)
    assert rows["resolution"].state == ClockState.CANCELLED
    assert all(row.next_alert_at is None for row in rows.values())


def test_no_policy_no_clocks(make_ticket: Callable[..., Ticket]) -> None:
    ticket = make_ticket()
    assert ticket.sla_policy is None
    assert not Clock.objects.filter(ticket=ticket).exists()


def test_rebuild_recomputes_from_the_timeline_and_records_only_real_changes(
    policy: PolicyVersion, make_ticket: Callable[..., Ticket], staff: dict[str, User]
) -> None:
    ticket = complaint(make_ticket)
    walk(ticket, staff, ("2025-09-30 10:10", "accept", {"as": "agent"}))
    with clock.frozen(at("2025-10-01 12:00")):
        assert actions.recompute_time_limits(None, ticket.number) == {}
        # A correction (here: a clock deadline damaged by hand) is repaired from the timeline.
        Clock.objects.filter(ticket=ticket, name="resolution").update(
            deadline=at("2030-01-01 00:00")
        )
        changes = actions.recompute_time_limits(None, ticket.number)
    assert set(changes) == {"resolution"}
    assert clocks(ticket)["resolution"].deadline == at("2025-10-15 00:00")


def test_the_api_shows_each_clock_and_the_next_deadline(
    policy: PolicyVersion, make_ticket: Callable[..., Ticket], api: Callable[[str], APIClient]
) -> None:
    ticket = complaint(make_ticket)
    with clock.frozen(at("2025-09-30 10:10")):
        detail = (
            api("agent").get(f"/api/v1/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en").json()
        )
        listed = api("agent").get("/api/v1/tickets/").json()["results"][0]
        own = (
            api("agent")
            .get(f"/api/v1/tickets/{ticket.number}/clocks/", HTTP_ACCEPT_LANGUAGE="en")
            .json()
        )
    resolution = next(item for item in detail["clocks"] if item["clock"] == "resolution")
    assert resolution["deadline"] == "2025-10-15T00:00:00+08:00"
    assert resolution["state"] == "running"
    assert resolution["limit"] == "5 working days"
    assert resolution["calendar"] == "cn"
    assert resolution["policy"] == "cn-telecom 2025.3 (v1)"
    assert resolution["source"].startswith("[002 §6.2]")
    assert (
        resolution["remaining_seconds"]
        == (at("2025-10-15 00:00") - at("2025-09-30 10:10")).total_seconds()
    )
    assert listed["next_deadline"] == {
        "clock": "first_response",
        "deadline": "2025-09-30T10:15:00+08:00",
        "state": "running",
    }
    assert own == detail["clocks"]


def test_r_sla_4_at_risk_lists_clocks_due_within_the_window(
    policy: PolicyVersion, make_ticket: Callable[..., Ticket], api: Callable[[str], APIClient]
) -> None:
    ticket = complaint(make_ticket)
    with clock.frozen(at("2025-09-30 10:10")):
        hour = api("supervisor").get("/api/v1/sla/at-risk/?within=60m").json()
        week = api("supervisor").get("/api/v1/sla/at-risk/?within=10d").json()
        bad = api("supervisor").get("/api/v1/sla/at-risk/?within=soon")
    assert [(row["ticket"], row["clock"]) for row in hour["results"]] == [
        (ticket.number, "first_response")
    ]
    assert [row["clock"] for row in week["results"]] == [
        "first_response",  # 30 Sep 10:15
        "initial_check",  # 1 Oct 10:00
        "first_handling",  # 10 Oct 00:00
    ]
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["within"]


def test_policy_versions_are_readable_with_targets_and_sources(
    policy: PolicyVersion, api: Callable[[str], APIClient]
) -> None:
    listed = api("admin").get("/api/v1/sla/policies/").json()
    assert listed["results"][0]["label"] == "2025.3"
    detail = api("admin").get(f"/api/v1/sla/policies/{policy.pk}/").json()
    assert len(detail["targets"]) == 38
    assert {"code": "termination-notice"}.items() <= detail["figures"][0].items()


def test_at_risk_costs_the_same_queries_for_one_or_many_clocks_and_is_for_staff(
    policy: PolicyVersion, make_ticket: Callable[..., Ticket], api: Callable[[str], APIClient]
) -> None:
    def queries_for(count: int) -> int:
        for _ in range(count):
            complaint(make_ticket)
        with clock.frozen(at("2025-09-30 10:10")), CaptureQueriesContext(connection) as seen:
            response = api("supervisor").get("/api/v1/sla/at-risk/?within=1d")
        assert response.status_code == 200
        return len(seen)

    queries_for(0)  # tokens, cached schedules
    assert queries_for(1) == queries_for(4)
    assert api("customer").get("/api/v1/sla/at-risk/").status_code == 403
