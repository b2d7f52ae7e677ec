"""Reads about the personal-data keys (R-SEC-2): which key each stored value is under."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q

from carrierdesk.core import crypto
from carrierdesk.core.actions import CLEAR, EncryptedModel, encrypted_columns, stored_values
from carrierdesk.core.actions import raw_alias as alias_of

#: How an empty value is counted.
EMPTY = "empty"


@dataclass(frozen=True)
class ColumnUsage:
    """Rows of one encrypted column per key id (plus "empty", and "clear" for values never
    encrypted)."""

    column: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def key_usage(targets: list[EncryptedModel] | None = None) -> list[ColumnUsage]:
    """For every encrypted column, how many rows are under each key id. One aggregate query
    per model for the keys of the ring; values under a key id the ring does not know (or in
    clear) are then counted one by one."""
    ring = crypto.keyring()
    key_ids = sorted(ring.keys)
    usage = []
    for target in targets if targets is not None else encrypted_columns():
        rows = target.model._base_manager.annotate(**stored_values(target))
        aggregates = {"total": Count("pk")}
        for i, f in enumerate(target.fields):
            alias = alias_of(f)
            aggregates[f"c{i}_empty"] = Count("pk", filter=Q(**{alias: ""}))
            for j, key_id in enumerate(key_ids):
                aggregates[f"c{i}_k{j}"] = Count(
                    "pk", filter=Q(**{f"{alias}__startswith": f"{crypto.PREFIX}:{key_id}:"})
                )
        result = rows.aggregate(**aggregates)
        for i, f in enumerate(target.fields):
            counts = {key_id: result[f"c{i}_k{j}"] for j, key_id in enumerate(key_ids)}
            counts[EMPTY] = result[f"c{i}_empty"]
            if result["total"] > sum(counts.values()):
                alias = alias_of(f)
                known = Q(**{alias: ""})
                for key_id in key_ids:
                    known |= Q(**{f"{alias}__startswith": f"{crypto.PREFIX}:{key_id}:"})
                others = Counter(
                    crypto.key_id_of(value) or CLEAR
                    for value in rows.exclude(known).values_list(alias, flat=True).iterator()
                    if value is not None
                )
                counts.update(others)
            usage.append(ColumnUsage(f.column_label, counts))
    return usage
