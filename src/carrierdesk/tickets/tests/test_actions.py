"""Ticket actions: each writes its timeline event and audit entry, or nothing (R-WF-1..6)."""

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile

from carrierdesk.audit.models import AuditEntry
from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.core.errors import (
    Conflict,
    IllegalTransition,
    InvalidInput,
    PermissionDenied,
)
from carrierdesk.customers import actions as customer_actions
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.tickets import actions, workflow
from carrierdesk.tickets.choices import Action
from carrierdesk.tickets.models import Attachment, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return Ticket.objects.count(), TicketEvent.objects.count(), AuditEntry.objects.count()


def test_register_assigns_number_first_owner_and_event(
    staff: dict[str, User], make_ticket: Callable[..., Ticket]
) -> None:
    with clock.frozen(at("2026-11-23 10:15")):
        ticket = make_ticket(received_at=at("2026-11-22 16:00"))
    assert ticket.number.startswith("TS20261123")
    assert len(ticket.number) == 16
    assert ticket.status == "new"
    assert ticket.first_owner == staff["agent"]  # R-WF-5
    assert ticket.urgency == "general"  # the first severity is the default
    assert ticket.received_at == at("2026-11-22 16:00")
    assert ticket.registered_at == at("2026-11-23 10:15")
    event = ticket.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "register",
        "",
        "new",
        staff["agent"],
    )
    assert (
        AuditEntry.objects.filter(event_type="ticket.register", object_id=ticket.number).count()
        == 1
    )


def test_ticket_numbers_are_unique_and_sortable_across_kinds(
    make_ticket: Callable[..., Ticket],
) -> None:
    with clock.frozen(at("2026-11-23 10:15")):
        numbers = [
            make_ticket(kind=kind, **extra).number
            for kind, extra in [
                ("complaint", {}),
                ("fault", {"subtype": "network"}),
                ("inquiry", {}),
                ("service_order", {"subtype": "open"}),
            ]
        ]
    assert [n[:2] for n in numbers] == ["TS", "GZ", "ZX", "YW"]
    assert [n[2:] for n in numbers] == [f"20261123{i:06d}" for i in range(1, 5)]


def test_number_date_is_local_shanghai_date(make_ticket: Callable[..., Ticket]) -> None:
    with clock.frozen(at("2026-11-24 00:30")):  # 2026-11-23 16:30 UTC
        assert make_ticket().number[2:10] == "20261124"


def test_received_at_in_the_future_is_refused(make_ticket: Callable[..., Ticket]) -> None:
    before = counts()
    with clock.frozen(at("2026-11-23 10:00")), pytest.raises(InvalidInput) as info:
        make_ticket(received_at=at("2026-11-23 10:05"))
    assert set(info.value.fields) == {"received_at"}
    assert counts() == before


def test_received_at_slightly_ahead_is_read_as_now(make_ticket: Callable[..., Ticket]) -> None:
    now = at("2026-11-23 10:00")
    with clock.frozen(now):
        ticket = make_ticket(received_at=now + timedelta(seconds=20))
    assert ticket.received_at == now


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "gossip"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"category": "weather"}, "category"),
        ({"urgency": "urgent"}, "urgency"),  # a fault class on a complaint (R-CLS-3)
        ({"kind": "fault", "subtype": ""}, "subtype"),  # faults need a type (R-CLS-2)
        ({"kind": "complaint", "subtype": "open"}, "subtype"),
        ({"title": "  "}, "title"),
        ({"description": ""}, "description"),
        ({"contact_phone": "12345"}, "contact_phone"),
    ],
)
def test_register_refuses_bad_fields(
    make_ticket: Callable[..., Ticket], overrides: dict[str, Any], field: str
) -> None:
    before = counts()
    with pytest.raises(InvalidInput) as info:
        make_ticket(**overrides)
    assert field in info.value.fields
    assert counts() == before


def test_register_refuses_another_customers_subscription(
    make_ticket: Callable[..., Ticket], subscription: Subscription
) -> None:
    other = customer_actions.create_customer(
        None, customer_type="individual", name="李娜", id_type="passport", id_number="E12345678"
    )
    before = counts()
    with pytest.raises(InvalidInput) as info:
        make_ticket(customer=other, subscription=subscription)
    assert set(info.value.fields) == {"subscription"}
    assert counts() == before


def test_technician_may_not_register(staff: dict[str, User], customer: Customer) -> None:
    with pytest.raises(PermissionDenied):
        actions.register_ticket(
            staff["technician"],
            kind="complaint",
            channel="hotline",
            category="billing",
            customer=customer,
            title="t",
            description="d",
        )
    assert Ticket.objects.count() == 0


def test_full_complaint_lifecycle_writes_one_event_per_step(
    staff: dict[str, User], make_ticket: Callable[..., Ticket]
) -> None:
    number = make_ticket(urgency="serious").number
    agent, dispatcher, tech = staff["agent"], staff["dispatcher"], staff["technician"]
    steps: list[tuple[Any, User, dict[str, Any], str]] = [
        (actions.accept, agent, {}, "accepted"),
        (actions.assign, dispatcher, {"assignee": "technician"}, "assigned"),
        (actions.start, tech, {}, "in_progress"),
        (actions.pend, tech, {"reason": "等待用户提供账单"}, "pending"),
        (actions.resume, tech, {}, "in_progress"),
        (actions.resolve, tech, {"resolution": "已退还多扣费用"}, "resolved"),
        (actions.close, agent, {}, "closed"),
    ]
    for function, actor, params, status in steps:
        assert function(actor, number, **params).status == status
    ticket = Ticket.objects.get(number=number)
    assert ticket.assignee == tech
    assert ticket.department is not None and ticket.department.kind == "network_operations"
    assert ticket.resolution == "已退还多扣费用"
    assert ticket.closed_at is not None and ticket.resolved_at is not None
    assert ticket.version == 8
    events = list(ticket.events.values_list("action", "from_status", "to_status"))
    assert events == [
        ("register", "", "new"),
        ("accept", "new", "accepted"),
        ("assign", "accepted", "assigned"),
        ("start", "assigned", "in_progress"),
        ("pend", "in_progress", "pending"),
        ("resume", "pending", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("survey_sent", "resolved", "resolved"),  # the customer's survey link (R-RV-3)
        ("close", "resolved", "closed"),
    ]
    assert ticket.events.get(action="pend").note == "等待用户提供账单"
    assert ticket.events.get(action="assign").changes == {
        "department": [None, ticket.department.code],
        "assignee": [None, "technician"],
    }


def test_close_on_new_is_illegal_and_changes_nothing(
    staff: dict[str, User], make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket()
    before = counts()
    with pytest.raises(IllegalTransition) as info:
        actions.close(staff["agent"], ticket.number)
    assert info.value.extra["allowed_actions"] == ["accept", "cancel"]
    assert counts() == before
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("new", 1)


#: Statuses from which each verb can be taken on a service order (the kind with every verb).
_PATH_TO: dict[str, list[str]] = {
    Action.REJECT: [],
    Action.CANCEL: [],
    Action.PEND: [Action.ACCEPT, Action.ASSIGN, Action.START],
    Action.RESOLVE: [Action.ACCEPT, Action.ASSIGN, Action.START],
    Action.REOPEN: [Action.ACCEPT, Action.ASSIGN, Action.START, Action.RESOLVE],
}
_PARAMS: dict[str, dict[str, str]] = {
    Action.ASSIGN: {"department": "NETWORK_OPER"},
    Action.RESOLVE: {"resolution": "r"},
}


@pytest.mark.parametrize(
    ("action", "field"),
    [(action, "reason") for action in sorted(workflow.NEEDS_REASON)]
    + [(action, "resolution") for action in sorted(workflow.NEEDS_RESOLUTION)],
)
def test_reason_and_resolution_are_required(
    staff: dict[str, User], make_ticket: Callable[..., Ticket], action: str, field: str
) -> None:
    """The verbs workflow.NEEDS_REASON / NEEDS_RESOLUTION name refuse a blank one (R-WF-1)."""
    number = make_ticket(kind="service_order", subtype="open").number
    for step in _PATH_TO[action]:
        actions.TRANSITION_FUNCTIONS[step](staff["admin"], number, **_PARAMS.get(step, {}))
    before = counts()
    with pytest.raises(InvalidInput) as info:
        actions.TRANSITION_FUNCTIONS[action](staff["supervisor"], number, **{field: " "})
    assert set(info.value.fields) == {field}
    assert counts() == before


def test_reopen_counts_and_clears_resolution_times(
    staff: dict[str, User], make_ticket: Callable[..., Ticket]
) -> None:
    number = make_ticket(kind="inquiry").number
    actions.resolve(staff["agent"], number, resolution="已解答")
    ticket = actions.reopen(staff["quality_inspector"], number, reason="回访用户不满意")
    assert (ticket.status, ticket.reopen_count, ticket.resolved_at) == ("reopened", 1, None)
    assert ticket.events.last().changes == {"reopen_count": [0, 1]}  # type: ignore[union-attr]


def test_stale_version_is_refused(
    staff: dict[str, User], make_ticket: Callable[..., Ticket]
) -> None:
    number = make_ticket().number
    actions.accept(staff["agent"], number, expected_version=1)
    with pytest.raises(Conflict) as info:
        actions.cancel(staff["agent"], number, reason="用户撤销", expected_version=1)
    assert info.value.extra == {"current_version": 2}
    assert Ticket.objects.get(number=number).status == "accepted"


def test_assign_checks_department_and_person(
    staff: dict[str, User], make_ticket: Callable[..., Ticket]
) -> None:
    number = make_ticket().number
    actions.accept(staff["agent"], number)
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "department"),
        ({"department": "NOPE"}, "department"),
        ({"assignee": "nobody"}, "assignee"),
        ({"assignee": "auditor"}, "assignee"),
        ({"department": "CUSTOMER_SER", "assignee": "technician"}, "assignee"),
    ]
    for params, field in cases:
        with pytest.raises(InvalidInput) as info:
            actions.assign(staff["dispatcher"], number, **params)
        assert field in info.value.fields, params
    assert Ticket.objects.get(number=number).status == "accepted"


def test_update_records_old_and_new_masked(
    staff: dict[str, User], make_ticket: Callable[..., Ticket]
) -> None:
    number = make_ticket().number
    ticket = actions.update_ticket(
        staff["agent"], number, urgency="major", contact_phone="13900001111", note="升级为重大投诉"
    )
    assert ticket.urgency == "major"
    event = ticket.events.last()
    assert event is not None and event.action == "update"
    assert event.changes == {"urgency": ["general", "major"], "contact_phone": ["", "139****1111"]}
    with pytest.raises(InvalidInput):
        actions.update_ticket(staff["agent"], number, status="closed")


def test_finished_ticket_cannot_be_updated(
    staff: dict[str, User], make_ticket: Callable[..., Ticket]
) -> None:
    number = make_ticket().number
    actions.cancel(staff["agent"], number, reason="用户撤销")
    with pytest.raises(IllegalTransition):
        actions.update_ticket(staff["agent"], number, title="新标题")


def test_note_in_any_status(staff: dict[str, User], make_ticket: Callable[..., Ticket]) -> None:
    number = make_ticket().number
    actions.cancel(staff["agent"], number, reason="用户撤销")
    event = actions.add_note(staff["technician"], number, note="补充说明")
    assert (event.action, event.from_status, event.to_status) == ("note", "cancelled", "cancelled")
    with pytest.raises(PermissionDenied):
        actions.add_note(staff["auditor"], number, note="审计不可写")


def test_attach_stores_hash_size_and_type(
    staff: dict[str, User], make_ticket: Callable[..., Ticket]
) -> None:
    number = make_ticket().number
    content = b"%PDF-1.4 bill"
    attachment = actions.attach(
        staff["agent"],
        number,
        file=ContentFile(content),
        filename="../../账单.pdf",
        content_type="application/pdf",
    )
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.filename == "账单.pdf"
    assert attachment.file.read() == content


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(b"", "application/pdf"), (b"MZ...", "application/x-msdownload")],
)
def test_attach_refuses_empty_and_unknown_types(
    staff: dict[str, User], make_ticket: Callable[..., Ticket], content: bytes, content_type: str
) -> None:
    number = make_ticket().number
    before = (counts(), Attachment.objects.count())
    with pytest.raises(InvalidInput) as info:
        actions.attach(
            staff["agent"],
            number,
            file=ContentFile(content),
            filename="x",
            content_type=content_type,
        )
    assert set(info.value.fields) == {"file"}
    assert (counts(), Attachment.objects.count()) == before


def test_attach_refuses_oversize(
    settings: Any, staff: dict[str, User], make_ticket: Callable[..., Ticket]
) -> None:
    settings.MAX_ATTACHMENT_BYTES = 1024
    number = make_ticket().number
    with pytest.raises(InvalidInput):
        actions.attach(
            staff["agent"],
            number,
            file=ContentFile(b"x" * 1025),
            filename="a.txt",
            content_type="text/plain",
        )
    assert Attachment.objects.count() == 0


def test_timeline_is_append_only(make_ticket: Callable[..., Ticket]) -> None:
    event = make_ticket().events.get()
    event.note = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        TicketEvent.objects.all().update(note="x")
    with pytest.raises(TypeError):
        TicketEvent.objects.all().delete()
