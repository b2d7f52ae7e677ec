"""Writing the audit trail. Called by every action inside its transaction (STYLE habit 5).

Appends are chained (R-SEC-3): each locks the chain head, numbers its entries after the last
one and hashes each over the one before, so entries are chained in the order their
transactions append them, whatever the number of writers.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from carrierdesk.audit import chain
from carrierdesk.audit.models import AuditChainHead, AuditEntry
from carrierdesk.core import clock, context
from carrierdesk.core.actors import Actor, acting_user
from carrierdesk.core.bulk import insert_rows


def record(
    *,
    actor: Actor,
    event_type: str,
    object_type: str,
    object_id: str | int,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry. `changes` must already have personal data masked."""
    bound = context.current()
    user = acting_user(actor)
    values = {
        "created_at": clock.now(),
        "actor_id": user.pk if user is not None else None,
        "request_id": bound.request_id,
        "client_address": bound.client_address,
        "channel": bound.channel,
        "event_type": event_type,
        "object_type": object_type,
        "object_id": str(object_id),
        "changes": changes or {},
    }
    with transaction.atomic():
        (sealed,) = _seal([values])
        return AuditEntry.objects.create(**sealed)


def record_many(entries: Sequence[dict[str, Any]]) -> None:
    """Append many entries at once (the time-limit sweeper): the same chain, one insert."""
    if not entries:
        return
    with transaction.atomic():
        insert_rows(AuditEntry, _seal(entries))


def _seal(entries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Number and hash entries after the chain head, and move the head; in a transaction."""
    head = _locked_head()
    sequence, previous = head.sequence, head.entry_hash or chain.GENESIS
    sealed = []
    for values in entries:
        sequence += 1
        entry = {
            "actor_id": None,
            "request_id": "",
            "client_address": "",
            "channel": "",
            **values,
            "changes": chain.normalise_changes(values.get("changes")),
            "sequence": sequence,
            "previous_hash": previous,
        }
        entry["entry_hash"] = previous = chain.entry_hash(
            settings.AUDIT_CHAIN_KEY, entry["previous_hash"], entry
        )
        sealed.append(entry)
    head.sequence, head.entry_hash = sequence, previous
    head.save(update_fields=["sequence", "entry_hash"])
    return sealed


def _locked_head() -> AuditChainHead:
    """The chain head, locked until the transaction ends (created on first use)."""
    try:
        return AuditChainHead.objects.select_for_update().get(pk=1)
    except AuditChainHead.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(pk=1, sequence=0, entry_hash="")
    except IntegrityError:  # another writer created it first
        pass
    return AuditChainHead.objects.select_for_update().get(pk=1)
