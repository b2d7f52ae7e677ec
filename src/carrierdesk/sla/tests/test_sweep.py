"""The sweeper (R-SLA-3): each threshold fires once, on the timeline, to the right people."""

import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from carrierdesk.accounts.models import Department
from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.notifications.models import Notification
from carrierdesk.sla.choices import ClockState
from carrierdesk.sla.models import Alert, Clock, PolicyVersion
from carrierdesk.sla.sweep import sweep
from carrierdesk.tickets import actions
from carrierdesk.tickets.choices import Action
from carrierdesk.tickets.models import Ticket

#: The sweeper's messages (registration also queues the customer's acknowledgement, R-INT-4).
SLA_NOTIFICATIONS = Notification.objects.filter(template__startswith="sla_")


def handled_complaint(
    make_ticket: Callable[..., Ticket], staff: dict[str, User], urgency: str = "general"
) -> Ticket:
    """Received 30 Sep 2025 10:00, assigned to the agent in customer service, in progress: only
    the resolution clock is still counting (deadline 15 Oct 00:00 for a general one)."""
    with clock.frozen(at("2025-09-30 10:05")):
        ticket = make_ticket(received_at=at("2025-09-30 10:00"), urgency=urgency)
    with clock.frozen(at("2025-09-30 10:10")):
        actions.accept(staff["agent"], ticket.number)
        actions.assign(
            staff["dispatcher"], ticket.number, department="CUSTOMER_SER", assignee="agent"
        )
        actions.start(staff["agent"], ticket.number)
    return ticket


def resolution_alerts(ticket: Ticket) -> list[tuple[int, str, list[str]]]:
    return [
        (alert.threshold, alert.kind, alert.notified)
        for alert in Alert.objects.filter(ticket=ticket, clock__name="resolution").order_by(
            "threshold"
        )
    ]


@pytest.mark.django_db
def test_r_sla_3_warnings_breach_and_escalation_fire_once_each_to_the_chain(
    policy: PolicyVersion, make_ticket: Callable[..., Ticket], staff: dict[str, User]
) -> None:
    Department.objects.filter(code="CUSTOMER_SER").update(head=staff["admin"])
    ticket = handled_complaint(make_ticket, staff)
    # Budget 134 working hours from 30 Sep 10:00: 50% on 11 Oct 05:00 (an adjusted working
    # Saturday), 80% on 13 Oct 21:12, 100% on 15 Oct 00:00, 150% on 17 Oct 19:00.
    assert sweep(now=at("2025-10-11 04:59")).alerts == 0
    assert sweep(now=at("2025-10-11 06:00")).alerts == 1
    assert sweep(now=at("2025-10-11 06:00")).alerts == 0  # twice: still once
    assert resolution_alerts(ticket) == [(50, "warning", ["agent"])]

    report = sweep(now=at("2025-10-15 00:30"))  # the sweeper missed 80%: both fire now
    assert report.alerts == 2
    assert resolution_alerts(ticket)[1:] == [
        (80, "warning", ["agent"]),
        (100, "breach", ["agent", "supervisor"]),
    ]
    row = Clock.objects.get(ticket=ticket, name="resolution")
    assert row.state == ClockState.BREACHED
    assert row.breached_at == at("2025-10-15 00:00")
    assert row.next_alert_at == at("2025-10-17 19:00")

    sweep(now=at("2025-10-17 19:00"))
    assert resolution_alerts(ticket)[-1] == (150, "escalation", ["admin"])
    assert Clock.objects.get(ticket=ticket, name="resolution").next_alert_at is None

    timeline = list(
        ticket.events.filter(
            action__in=[Action.SLA_WARNING, Action.SLA_BREACH, Action.SLA_ESCALATION]
        ).values_list("action", "changes__threshold")
    )
    assert timeline == [
        ("sla_warning", 50),
        ("sla_warning", 80),
        ("sla_breach", 100),
        ("sla_escalation", 150),
    ]
    told = sorted(
        (n.template, n.recipient.username if n.recipient else "")
        for n in SLA_NOTIFICATIONS.filter(object_id=ticket.number).select_related("recipient")
    )
    assert told == [
        ("sla_breach", "agent"),
        ("sla_breach", "supervisor"),
        ("sla_escalation", "admin"),
        ("sla_warning", "agent"),
        ("sla_warning", "agent"),
    ]


@pytest.mark.django_db
def test_warnings_outside_business_hours_wait_except_for_the_top_urgency(
    policy: PolicyVersion, make_ticket: Callable[..., Ticket], staff: dict[str, User]
) -> None:
    general = handled_complaint(make_ticket, staff)
    sweep(now=at("2025-10-11 06:00"))  # 06:00 on a working Saturday
    waiting = SLA_NOTIFICATIONS.get(object_id=general.number)
    assert waiting.not_before == at("2025-10-11 08:30")

    major = handled_complaint(make_ticket, staff, urgency="major")
    # Major: 10 working days, a budget of 254 h; 50% on 14 Oct 17:00 and 80% on 17 Oct 21:12,
    # both passed by 23:00 that Friday.
    sweep(now=at("2025-10-17 23:00"))
    urgent = SLA_NOTIFICATIONS.filter(object_id=major.number)
    assert [n.context["threshold"] for n in urgent.order_by("id")] == [50, 80]
    assert {n.not_before for n in urgent} == {None}


@pytest.mark.django_db
def test_a_pass_costs_the_same_queries_for_few_or_many_due_alerts(
    policy: PolicyVersion, make_ticket: Callable[..., Ticket], staff: dict[str, User]
) -> None:
    def queries_for(count: int, now: str) -> int:
        for _ in range(count):
            handled_complaint(make_ticket, staff)
        with CaptureQueriesContext(connection) as captured:
            assert sweep(now=at(now)).alerts == count
        return len(captured)

    assert queries_for(2, "2025-10-11 06:00") == queries_for(8, "2025-10-11 06:00")


@pytest.mark.django_db(transaction=True)
def test_parallel_sweepers_fire_each_threshold_once(
    seeded_calendars: None,
    policy: PolicyVersion,
    make_ticket: Callable[..., Ticket],
    staff: dict[str, User],
) -> None:
    tickets = [handled_complaint(make_ticket, staff) for _ in range(12)]
    errors: list[BaseException] = []

    def run() -> None:
        try:
            sweep(now=at("2025-10-11 06:00"), batch_size=3)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Alert.objects.filter(clock__name="resolution").count() == len(tickets)
    assert SLA_NOTIFICATIONS.count() == len(tickets)
