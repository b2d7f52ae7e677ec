"""The audit trail's hash chain (R-SEC-3). Pure: no database access.

Each entry's hash is HMAC-SHA256, under a key kept outside the database, of the previous
entry's hash and the entry's own content in a canonical form. Editing an entry changes its
hash; removing or inserting one breaks the link of the next; recomputing the chain over an
edit needs the key.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

#: The "previous hash" of the first entry.
GENESIS = "0" * 64

#: What the hash covers, in this order.
CHAINED_FIELDS = (
    "sequence",
    "created_at",
    "actor_id",
    "request_id",
    "client_address",
    "channel",
    "event_type",
    "object_type",
    "object_id",
    "changes",
)


def normalise_changes(changes: Mapping[str, Any] | None) -> dict[str, Any]:
    """`changes` as they read back from the JSON column (so the hash matches on reading)."""
    normalised: dict[str, Any] = json.loads(json.dumps(changes or {}, default=str))
    return normalised


def canonical(values: Mapping[str, Any]) -> bytes:
    """The entry's content as bytes: a JSON list in CHAINED_FIELDS order, times in UTC."""
    items = []
    for name in CHAINED_FIELDS:
        value = values[name]
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat(timespec="microseconds")
        items.append(value)
    return json.dumps(items, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(key: str, previous_hash: str, values: Mapping[str, Any]) -> str:
    message = previous_hash.encode() + b"\n" + canonical(values)
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
