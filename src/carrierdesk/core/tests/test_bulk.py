"""Bulk writes store exactly what the ORM stores (core/bulk.py)."""

from collections.abc import Callable

import pytest

from carrierdesk.conftest import at
from carrierdesk.core.bulk import insert_rows, update_many
from carrierdesk.tickets.choices import Action, Status
from carrierdesk.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_inserted_rows_read_back_as_the_orm_writes_them(make_ticket: Callable[..., Ticket]) -> None:
    ticket = make_ticket()
    when = at("2025-10-11 06:00")
    insert_rows(
        TicketEvent,
        [
            {
                "ticket_id": ticket.pk,
                "created_at": when,
                "action": Action.SLA_WARNING,  # an enum: stored by value, not by name
                "from_status": Status.NEW,
                "to_status": Status.NEW,
                "changes": {"clock": "resolution", "threshold": 50, "names": ["张伟"]},
            }
        ],
    )
    event = TicketEvent.objects.get(ticket=ticket, action="sla_warning")
    assert event.created_at == when
    assert event.changes == {"clock": "resolution", "threshold": 50, "names": ["张伟"]}
    assert (event.from_status, event.note, event.actor_id) == ("new", "", None)


def test_many_rows_are_inserted(make_ticket: Callable[..., Ticket]) -> None:
    ticket = make_ticket()
    count = 5000
    insert_rows(
        TicketEvent,
        [
            {"ticket_id": ticket.pk, "created_at": at("2025-10-11 06:00"), "action": "note"}
            for _ in range(count)
        ],
    )
    assert TicketEvent.objects.filter(ticket=ticket, action="note").count() == count


def test_update_many_writes_only_the_named_fields(make_ticket: Callable[..., Ticket]) -> None:
    tickets = [make_ticket(), make_ticket()]
    for index, ticket in enumerate(tickets):
        ticket.title = f"changed {index}"
        ticket.status = Status.ACCEPTED
    update_many(tickets, ["title"])
    assert [t.title for t in Ticket.objects.order_by("id")] == ["changed 0", "changed 1"]
    assert set(Ticket.objects.values_list("status", flat=True)) == {"new"}
