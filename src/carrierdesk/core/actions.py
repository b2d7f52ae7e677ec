"""Writes of the personal-data keys (R-SEC-2): a new data key, re-encryption under the current
key (`carrierdesk keys rotate`), and the first encryption of rows written in clear (the data
migrations that brought encryption in).

Every encrypted column of every installed model is covered: `encrypted_columns()` finds the
`EncryptedTextField`s. Re-encryption reads and writes the stored form directly (one SELECT … FOR
UPDATE and one prepared UPDATE per batch, each batch its own transaction), so an interrupted run
loses nothing and a rerun carries on with what is left.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.apps import apps as installed_apps
from django.apps.registry import Apps
from django.db import connections, models, router, transaction
from django.db.models import ExpressionWrapper, F, Q, TextField

from carrierdesk.audit.actions import record
from carrierdesk.core import crypto
from carrierdesk.core.actors import Actor
from carrierdesk.core.fields import EncryptedTextField, LookupHashField

#: Rows per transaction of `rotate_data_keys` and `encrypt_existing_rows`.
DEFAULT_BATCH = 1000
#: How a value in clear (never encrypted) is counted.
CLEAR = "clear"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class EncryptedModel:
    """A model and its encrypted fields."""

    model: type[models.Model]
    fields: tuple[EncryptedTextField, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def encrypted_columns(registry: Apps | None = None) -> list[EncryptedModel]:
    """Every concrete model with encrypted fields, in a stable order."""
    found = []
    for model in (registry or installed_apps).get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = tuple(f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField))
        if fields:
            found.append(EncryptedModel(model, fields))
    return sorted(found, key=lambda item: item.label)


def raw_alias(field: EncryptedTextField) -> str:
    return f"stored_{field.attname}"


def stored_values(target: EncryptedModel) -> dict[str, ExpressionWrapper]:
    """Annotations reading each encrypted column as stored, undecrypted."""
    return {
        raw_alias(f): ExpressionWrapper(F(f.attname), output_field=TextField())
        for f in target.fields
    }


def _update_rows(
    model: type[models.Model], names: list[str], rows: list[list[Any]], using: str
) -> None:
    """Write the text columns `names` of each row `[*values, pk]`, in one statement per batch.

    PostgreSQL: `UPDATE … FROM unnest(%s::bigint[], %s::text[], …)`, through psycopg's own
    cursor (server-side binding: Django's cursor would quote every value in Python, which
    cost as much as the update). SQLite (3.33+): `WITH v(pk, …) AS (VALUES …) UPDATE … FROM v`
    in chunks under its parameter limit. A thousand one-row UPDATEs cost several times more.
    """
    if not rows:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    table = quote(meta.db_table)
    key = f"{table}.{quote(meta.pk.column)}"
    aliases = [f"c{i}" for i in range(len(names))]
    column_of = {f.attname: f.column for f in meta.concrete_fields}
    assignments = ", ".join(
        f"{quote(column_of[name])} = v.{alias}" for name, alias in zip(names, aliases, strict=True)
    )
    if connection.vendor == "postgresql":
        arrays = ", ".join(["%s::bigint[]", *(["%s::text[]"] * len(names))])
        sql = (
            f"UPDATE {table} SET {assignments} "  # noqa: S608  # names are quoted
            f"FROM unnest({arrays}) AS v (pk, {', '.join(aliases)}) WHERE {key} = v.pk"
        )
        columns = [[row[-1] for row in rows]] + [
            [row[i] for row in rows] for i in range(len(names))
        ]
        connection.ensure_connection()
        # A plain psycopg cursor: Django makes the connection's default a client-side one.
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, columns)
        return
    width = len(names) + 1
    chunk = max(1, min(len(rows), 30_000 // width))  # SQLite: at most 32,766 parameters
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            marks = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(part))
            sql = (
                f"WITH v (pk, {', '.join(aliases)}) AS (VALUES {marks}) "  # noqa: S608
                f"UPDATE {table} SET {assignments} FROM v WHERE {key} = v.pk"
            )
            cursor.execute(sql, [value for row in part for value in (row[-1], *row[:-1])])


@dataclass
class RotationReport:
    """What one run of `rotate_data_keys` did."""

    key: str
    rows: int = 0
    batches: int = 0
    complete: bool = False
    #: column → {key id it was under (or "clear") → values re-encrypted}
    values: dict[str, Counter[str]] = field(default_factory=dict)

    def as_changes(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "rows": self.rows,
            "batches": self.batches,
            "complete": self.complete,
            "values": {
                column: dict(sorted(counts.items())) for column, counts in self.values.items()
            },
        }


def _stale_condition(target: EncryptedModel, current_prefix: str) -> Q:
    condition = Q(pk__in=[])
    for f in target.fields:
        alias = raw_alias(f)
        condition |= ~Q(**{alias: ""}) & ~Q(**{f"{alias}__startswith": current_prefix})
    return condition


def _locked_batch(
    target: EncryptedModel,
    using: str,
    cursor: Any,
    batch_size: int,
    condition: Q | None = None,
) -> list[tuple[Any, ...]]:
    """The next `batch_size` rows after primary key `cursor` (those meeting `condition`), locked
    until the transaction ends: `(pk, *stored values of the encrypted fields)`."""
    rows = (
        target.model._base_manager.using(using)
        .select_for_update()
        .annotate(**stored_values(target))
        .filter(pk__gt=cursor)
    )
    if condition is not None:
        rows = rows.filter(condition)
    aliases = [raw_alias(f) for f in target.fields]
    return list(rows.order_by("pk").values_list("pk", *aliases)[:batch_size])


def _rotate_model(
    target: EncryptedModel,
    ring: crypto.Keyring,
    batch_size: int,
    report: RotationReport,
    progress: Progress | None,
) -> None:
    model = target.model
    using = router.db_for_write(model)
    prefix = f"{crypto.PREFIX}:{ring.current}:"
    stale = _stale_condition(target, prefix)
    labels = [f.column_label for f in target.fields]
    names = [f.attname for f in target.fields]
    cursor, done = 0, 0
    while True:
        with transaction.atomic(using=using):
            rows = _locked_batch(target, using, cursor, batch_size, stale)
            if not rows:
                return
            updates = []
            for pk, *stored in rows:
                values = []
                for label, value in zip(labels, stored, strict=True):
                    if value and not ring.is_current(value):
                        key_id = crypto.key_id_of(value)
                        clear = ring.decrypt(value, label) if key_id is not None else value
                        counts = report.values.get(label)
                        if counts is None:
                            counts = report.values[label] = Counter()
                        counts[key_id or CLEAR] += 1
                        value = ring.encrypt(clear, label)
                    values.append(value)
                updates.append([*values, pk])
            _update_rows(model, names, updates, using)
        cursor = rows[-1][0]
        done += len(rows)
        report.rows += len(rows)
        report.batches += 1
        if progress is not None:
            progress(target.label, done, cursor)


def rotate_data_keys(
    actor: Actor,
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    targets: Iterable[EncryptedModel] | None = None,
) -> RotationReport:
    """Re-encrypt under the current key every value that is not (values in clear included).

    Batches of `batch_size` rows by primary key, each locked and written in its own
    transaction; a rerun after an interruption continues with the rows still under an older
    key. Audited once per run, with the counts, also when the run stops on an error.
    A value that cannot be decrypted (its key missing, or altered) stops the run there.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    ring = crypto.keyring()
    report = RotationReport(key=ring.current)
    try:
        for target in targets if targets is not None else encrypted_columns():
            _rotate_model(target, ring, batch_size, report, progress)
        report.complete = True
    finally:
        with transaction.atomic():
            record(
                actor=actor,
                event_type="data_keys.rotated",
                object_type="data_key",
                object_id=ring.current,
                changes=report.as_changes(),
            )
    return report


def encrypt_existing_rows(model: type[models.Model], batch_size: int = DEFAULT_BATCH) -> int:
    """Encrypt the values still in clear and fill every lookup hash, for the data migrations
    that introduce encryption (works on historical models). Already encrypted values are kept
    as they are, so running it twice changes nothing. Returns the rows written."""
    fields = tuple(f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField))
    hashes = [f for f in model._meta.concrete_fields if isinstance(f, LookupHashField)]
    target = EncryptedModel(model, fields)
    ring = crypto.keyring()
    using = router.db_for_write(model)
    names = [f.attname for f in fields] + [f.attname for f in hashes]
    by_name = {f.name: index for index, f in enumerate(fields)}
    cursor, written = 0, 0
    while True:
        with transaction.atomic(using=using):
            rows = _locked_batch(target, using, cursor, batch_size)
            if not rows:
                return written
            updates = []
            for pk, *stored in rows:
                clear = [
                    ring.decrypt(value, f.column_label)
                    if crypto.key_id_of(value) is not None
                    else value
                    for f, value in zip(fields, stored, strict=True)
                ]
                values = [
                    value
                    if crypto.key_id_of(value) is not None
                    else ring.encrypt(text, f.column_label)
                    for f, value, text in zip(fields, stored, clear, strict=True)
                ]
                sources = [clear[by_name[h.source]] for h in hashes]
                updates.append([*values, *(crypto.lookup_hash(s) for s in sources), pk])
            _update_rows(model, names, updates, using)
        cursor = rows[-1][0]
        written += len(rows)


def add_data_key(actor: Actor, path: Path) -> str:
    """Add a fresh key to the key file and make it current; return its id. Audited (the id
    only). Processes started before keep the old ring: restart them before rotating."""
    content = crypto.read_key_file(path)
    keys = dict(content["keys"])
    key_id = crypto.next_key_id(keys)
    keys[key_id] = crypto.new_key()
    crypto.write_key_file(path, {"current": key_id, "keys": keys}, replace=True)
    with transaction.atomic():
        record(
            actor=actor,
            event_type="data_keys.key_added",
            object_type="data_key",
            object_id=key_id,
            changes={"current": key_id, "previous": content["current"], "keys": sorted(keys)},
        )
    return key_id
