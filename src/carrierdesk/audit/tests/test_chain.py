"""The audit trail's hash chain (R-SEC-3): every entry chained; `audit verify` finds the first
edited, removed or inserted entry; PostgreSQL refuses UPDATE and DELETE."""

import io
import itertools
from collections.abc import Callable, Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from carrierdesk.audit import chain
from carrierdesk.audit.actions import record, record_many
from carrierdesk.audit.models import AuditChainHead, AuditEntry
from carrierdesk.audit.verify import verify_chain
from carrierdesk.conftest import at
from carrierdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def trail(make_ticket: Callable[..., Ticket]) -> list[AuditEntry]:
    """A few entries written by real actions, and some by the bulk path."""
    make_ticket()
    make_ticket()
    record_many(
        [
            {
                "created_at": at("2025-10-11 06:00"),
                "event_type": "ticket.sla_warning",
                "object_type": "ticket",
                "object_id": "TS1",
                "changes": {"threshold": 50},
            }
        ]
    )
    return list(AuditEntry.objects.order_by("sequence"))


def raw(sql: str, params: list[str | int]) -> None:
    """Change the table behind the application's back (what a tamperer would do)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of this test's inserts must run before ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_append_only")


def verify() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_r_sec_3_entries_are_numbered_and_chained(trail: list[AuditEntry]) -> None:
    assert [entry.sequence for entry in trail] == list(range(1, len(trail) + 1))
    assert trail[0].previous_hash == chain.GENESIS
    for before, entry in itertools.pairwise(trail):
        assert entry.previous_hash == before.entry_hash
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.entry_hash) == (trail[-1].sequence, trail[-1].entry_hash)
    assert f"{len(trail)} entries checked" in verify()


def test_r_sec_3_an_edited_entry_is_reported(trail: list[AuditEntry]) -> None:
    raw("UPDATE audit_auditentry SET object_id = %s WHERE sequence = %s", ["TS-forged", 2])
    verdict = verify_chain()
    assert (verdict.broken_at, verdict.checked) == (2, 1)
    assert verdict.reason == "entry 2 was changed"
    with pytest.raises(CommandError) as caught:
        verify()
    assert "broken at entry 2: entry 2 was changed" in str(caught.value)
    assert caught.value.returncode == 1


def test_r_sec_3_a_deleted_entry_is_reported(trail: list[AuditEntry]) -> None:
    raw("DELETE FROM audit_auditentry WHERE sequence = %s", [2])
    assert verify_chain().reason == "entry 2 is missing"


def test_r_sec_3_a_deleted_last_entry_is_reported(trail: list[AuditEntry]) -> None:
    raw("DELETE FROM audit_auditentry WHERE sequence = %s", [len(trail)])
    verdict = verify_chain()
    assert verdict.broken_at == len(trail)
    assert "were removed" in verdict.reason


def test_r_sec_3_a_rehashed_entry_without_the_key_is_reported(trail: list[AuditEntry]) -> None:
    second = trail[1]
    values = {name: getattr(second, name) for name in chain.CHAINED_FIELDS}
    values["object_id"] = "TS-forged"
    forged = chain.entry_hash("a guessed key", second.previous_hash, values)
    raw(
        "UPDATE audit_auditentry SET object_id = %s, entry_hash = %s WHERE sequence = %s",
        ["TS-forged", forged, 2],
    )
    assert verify_chain().broken_at == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_r_sec_3_postgresql_refuses_update_and_delete(trail: list[AuditEntry]) -> None:
    for sql in (
        "UPDATE audit_auditentry SET object_id = 'x' WHERE sequence = 1",
        "DELETE FROM audit_auditentry WHERE sequence = 1",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert verify_chain().intact


def test_the_orm_refuses_to_change_an_entry(trail: list[AuditEntry]) -> None:
    with pytest.raises(TypeError):
        trail[0].save()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(sequence=1).update(object_id="x")


def test_record_returns_the_sealed_entry(trail: list[AuditEntry]) -> None:
    entry = record(actor=None, event_type="test", object_type="test", object_id=7)
    assert entry.sequence == len(trail) + 1
    assert entry.previous_hash == trail[-1].entry_hash
    assert verify_chain().intact
