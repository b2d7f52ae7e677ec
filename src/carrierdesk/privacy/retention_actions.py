"""Writes of retention (R-SEC-5): rule changes, legal holds and the retention run.

Each function owns its transaction and audit entry (STYLE habit 1). The run is a registered,
idempotent, batched job (STYLE habit 8): a `RetentionRun` row holds its cursor and counts,
each batch anonymises its customers and moves the cursor in one transaction, and a rerun after
an interruption continues the unfinished run from its cursor.
"""

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.roles import roles_of
from carrierdesk.audit.actions import record
from carrierdesk.core import clock
from carrierdesk.core.actors import Actor, acting_user
from carrierdesk.core.changes import apply_changes
from carrierdesk.core.errors import ActionError, Conflict, InvalidInput, NotFound, PermissionDenied
from carrierdesk.core.masking import mask_text
from carrierdesk.customers.models import Customer
from carrierdesk.privacy import policy
from carrierdesk.privacy.anonymise import anonymise_customer
from carrierdesk.privacy.choices import SUBSCRIPTIONS, AnonymisationSource, RecordType
from carrierdesk.privacy.models import (
    AnonymisedCustomer,
    LegalHold,
    RetentionRule,
    RetentionRun,
)
from carrierdesk.privacy.queries import (
    PastRetention,
    Rules,
    customers_past_retention,
    list_past_retention,
)
from carrierdesk.privacy.retention import LEGAL_MINIMUM_MONTHS, MAX_MONTHS
from carrierdesk.tickets.choices import Kind

MIN_REASON = 4
MAX_REASON = 2000
MAX_SOURCE = 255
DEFAULT_BATCH_SIZE = 100
MAX_BATCH_SIZE = 10_000
#: Errors kept on the run row (all are counted).
MAX_RECORDED_ERRORS = 1000


def _require(actor: Actor, allowed: Callable[[frozenset[str]], bool], message: Any) -> None:
    """The system itself (actor None: jobs, migrations) may; a user needs the role."""
    if actor is not None and not allowed(roles_of(actor)):
        raise PermissionDenied(message)


def _reason(value: str, field_name: str = "reason", *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and len(text) < MIN_REASON:
        raise InvalidInput.field(field_name, _("Give a reason (a few words at least)."))
    if len(text) > MAX_REASON:
        raise InvalidInput.field(
            field_name, _("At most %(limit)d characters.") % {"limit": MAX_REASON}
        )
    return text


# --- rules ------------------------------------------------------------------------------------


@transaction.atomic
def update_retention_rule(
    actor: Actor,
    record_type: str,
    *,
    months: int | None = None,
    applies_to: list[str] | None = None,
    source: str | None = None,
) -> RetentionRule:
    """Change a retention rule (admins; R-SEC-5), audited with old and new values.

    Months may not fall below the seeds' minimum for the record type. A ticket rule applies to
    ticket kinds no other rule claims; the acceptance rule always applies to subscriptions.
    """
    _require(actor, policy.can_change_retention_rules, _("Only admins change retention rules."))
    try:
        rule = RetentionRule.objects.select_for_update().get(record_type=record_type)
    except RetentionRule.DoesNotExist:
        raise NotFound(_("No such retention rule.")) from None
    errors: dict[str, list[Any]] = {}
    values: dict[str, Any] = {}
    if months is not None:
        minimum = LEGAL_MINIMUM_MONTHS.get(rule.record_type, 1)
        if isinstance(months, bool) or not isinstance(months, int):
            errors["months"] = [_("Give a whole number of months.")]
        elif not minimum <= months <= MAX_MONTHS:
            errors["months"] = [
                _("Between %(minimum)d (the legal minimum) and %(maximum)d months.")
                % {"minimum": minimum, "maximum": MAX_MONTHS}
            ]
        else:
            values["months"] = months
    if applies_to is not None:
        kinds = list(dict.fromkeys(applies_to))
        if rule.record_type == RecordType.ACCEPTANCE:
            if kinds != [SUBSCRIPTIONS]:
                errors["applies_to"] = [_("Acceptance records are subscriptions.")]
        elif not kinds or any(kind not in Kind.values for kind in kinds):
            errors["applies_to"] = [
                _("Choose ticket kinds among: %(kinds)s.") % {"kinds": ", ".join(Kind.values)}
            ]
        else:
            claimed = {
                kind
                for other in RetentionRule.objects.exclude(pk=rule.pk)
                for kind in other.applies_to
            }
            taken = [kind for kind in kinds if kind in claimed]
            if taken:
                errors["applies_to"] = [
                    _("Already covered by another rule: %(kinds)s.") % {"kinds": ", ".join(taken)}
                ]
            else:
                values["applies_to"] = kinds
    if source is not None:
        if len(source.strip()) > MAX_SOURCE:
            errors["source"] = [_("At most %(limit)d characters.") % {"limit": MAX_SOURCE}]
        else:
            values["source"] = source.strip()
    if errors:
        raise InvalidInput(fields=errors)
    changes = apply_changes(rule, values)
    if not changes:
        return rule
    rule.updated_at = clock.now()
    rule.save()
    record(
        actor=actor,
        event_type="retention.rule_changed",
        object_type="retention_rule",
        object_id=rule.record_type,
        changes=changes,
    )
    return rule


# --- legal holds ------------------------------------------------------------------------------


@transaction.atomic
def place_legal_hold(actor: Actor, customer: Customer, *, reason: str) -> LegalHold:
    """Hold a customer's data (supervisors, admins): no anonymisation until released."""
    _require(actor, policy.can_place_legal_hold, _("Your role may not place legal holds."))
    reason = _reason(reason)
    try:
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
    except Customer.DoesNotExist:
        raise NotFound(_("No such customer.")) from None
    if AnonymisedCustomer.objects.filter(customer=customer).exists():
        raise Conflict(_("The customer is already anonymised."), code="already_anonymised")
    if LegalHold.objects.filter(customer=customer, released_at__isnull=True).exists():
        raise Conflict(_("The customer is already under a legal hold."), code="already_held")
    try:
        with transaction.atomic():
            hold = LegalHold.objects.create(
                customer=customer,
                reason=reason,
                placed_by=acting_user(actor),
                placed_at=clock.now(),
            )
    except IntegrityError:  # a concurrent hold won the one-active-hold constraint
        raise Conflict(
            _("The customer is already under a legal hold."), code="already_held"
        ) from None
    record(
        actor=actor,
        event_type="privacy.legal_hold_placed",
        object_type="legal_hold",
        object_id=hold.pk,
        changes={"customer": customer.number, "reason": mask_text(reason)},
    )
    return hold


@transaction.atomic
def release_legal_hold(actor: Actor, hold: LegalHold, *, reason: str = "") -> LegalHold:
    """Release a hold (supervisors, admins); the hold stays as a record."""
    _require(actor, policy.can_place_legal_hold, _("Your role may not release legal holds."))
    reason = _reason(reason, "reason", required=False)
    try:
        hold = LegalHold.objects.select_for_update().select_related("customer").get(pk=hold.pk)
    except LegalHold.DoesNotExist:
        raise NotFound(_("No such legal hold.")) from None
    if hold.released_at is not None:
        raise Conflict(_("The legal hold is already released."), code="already_released")
    hold.released_at = clock.now()
    hold.released_by = acting_user(actor)
    hold.release_reason = reason
    hold.save(update_fields=["released_at", "released_by", "release_reason"])
    record(
        actor=actor,
        event_type="privacy.legal_hold_released",
        object_type="legal_hold",
        object_id=hold.pk,
        changes={"customer": hold.customer.number, "reason": mask_text(reason)},
    )
    return hold


def active_hold_of(customer: Customer) -> LegalHold:
    hold = LegalHold.objects.filter(customer=customer, released_at__isnull=True).first()
    if hold is None:
        raise NotFound(_("The customer is not under a legal hold."))
    return hold


# --- the retention run ------------------------------------------------------------------------


@dataclass
class RunOutcome:
    run: RetentionRun
    resumed: bool = False
    #: The customers a dry run found (none for a real run: see the report).
    customers: list[PastRetention] = field(default_factory=list)


def _batch_size(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_BATCH_SIZE:
        raise InvalidInput.field(
            "batch_size",
            _("Give a whole number between 1 and %(limit)d.") % {"limit": MAX_BATCH_SIZE},
        )
    return value


def dry_run_retention(actor: Actor = None, *, batch_size: int = DEFAULT_BATCH_SIZE) -> RunOutcome:
    """The customers a run would anonymise now, each with the latest retention end of their
    records; changes no customer data. Leaves a finished dry-run row, an audit entry and a
    report."""
    batch_size = _batch_size(batch_size)
    now = clock.now()
    customers = list(list_past_retention(now))
    with transaction.atomic():
        run = RetentionRun.objects.create(
            started_at=now,
            finished_at=clock.now(),
            as_of=now,
            dry_run=True,
            batch_size=batch_size,
            found=len(customers),
        )
        record(
            actor=actor,
            event_type="retention.dry_run",
            object_type="retention_run",
            object_id=run.pk,
            changes={"as_of": now.isoformat(), "found": len(customers)},
        )
    _write_report(run, [customer.as_dict() for customer in customers])
    return RunOutcome(run=run, customers=customers)


def run_retention(
    actor: Actor = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[RetentionRun], None] | None = None,
) -> RunOutcome:
    """Anonymise every customer past retention (R-SEC-5), in batches of `batch_size`.

    Continues the unfinished run if there is one (it keeps its `as_of`), else starts one. Each
    batch is its own transaction: it locks the run row, takes the next customers past retention
    after the cursor (the set-based query, judged at `as_of`), anonymises each in a savepoint
    (one refused — a hold placed meanwhile — is counted and recorded, the others go on), and
    moves the cursor. When no customer is left, the run is finished, audited and reported.
    """
    batch_size = _batch_size(batch_size)
    run, resumed = _start_or_resume(actor, batch_size)
    rules = Rules.load()
    while not _run_batch(actor, run.pk, rules):
        if progress is not None:
            progress(RetentionRun.objects.get(pk=run.pk))
    run = RetentionRun.objects.get(pk=run.pk)
    numbers = list(
        AnonymisedCustomer.objects.filter(run=run)
        .order_by("customer_id")
        .values_list("customer__number", flat=True)
    )
    _write_report(run, [{"customer": number} for number in numbers])
    return RunOutcome(run=RetentionRun.objects.get(pk=run.pk), resumed=resumed)


@transaction.atomic
def _start_or_resume(actor: Actor, batch_size: int) -> tuple[RetentionRun, bool]:
    unfinished = (
        RetentionRun.objects.select_for_update()
        .filter(dry_run=False, finished_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if unfinished is not None:
        unfinished.batch_size = batch_size
        unfinished.save(update_fields=["batch_size"])
        record(
            actor=actor,
            event_type="retention.run_resumed",
            object_type="retention_run",
            object_id=unfinished.pk,
            changes={"cursor": unfinished.cursor, "anonymised": unfinished.anonymised},
        )
        return unfinished, True
    now = clock.now()
    run = RetentionRun.objects.create(
        started_at=now,
        as_of=now,
        dry_run=False,
        batch_size=batch_size,
        found=customers_past_retention(now).count(),
    )
    record(
        actor=actor,
        event_type="retention.run_started",
        object_type="retention_run",
        object_id=run.pk,
        changes={"as_of": now.isoformat(), "found": run.found, "batch_size": batch_size},
    )
    return run, False


@transaction.atomic
def _run_batch(actor: Actor, run_id: int, rules: Rules) -> bool:
    """One batch; whether the run is finished."""
    run = RetentionRun.objects.select_for_update().get(pk=run_id)
    if run.finished_at is not None:
        return True
    batch = list(
        customers_past_retention(run.as_of, rules)
        .filter(pk__gt=run.cursor)
        .order_by("pk")
        .only("pk", "number")[: run.batch_size]
    )
    if not batch:
        run.finished_at = clock.now()
        run.save(update_fields=["finished_at"])
        record(
            actor=actor,
            event_type="retention.run_finished",
            object_type="retention_run",
            object_id=run.pk,
            changes={
                "found": run.found,
                "anonymised": run.anonymised,
                "failed": run.failed,
                "batches": run.batches,
            },
        )
        return True
    for customer in batch:
        try:
            with transaction.atomic():
                anonymise_customer(
                    actor,
                    customer,
                    reason=f"retention run {run.pk}",
                    source=AnonymisationSource.RETENTION,
                    run=run,
                )
        except ActionError as exc:
            run.failed += 1
            if len(run.errors) < MAX_RECORDED_ERRORS:
                run.errors.append({"customer": customer.number, "code": exc.code})
        else:
            run.anonymised += 1
    run.cursor = batch[-1].pk
    run.batches += 1
    run.save(update_fields=["cursor", "batches", "anonymised", "failed", "errors"])
    return False


def report_path(run: RetentionRun) -> Path:
    return Path(settings.RETENTION_REPORT_DIR) / f"retention-{run.pk}.json"


def run_summary(run: RetentionRun) -> dict[str, Any]:
    return {
        "run": run.pk,
        "dry_run": run.dry_run,
        "as_of": run.as_of.isoformat(),
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "batch_size": run.batch_size,
        "batches": run.batches,
        "found": run.found,
        "anonymised": run.anonymised,
        "failed": run.failed,
        "errors": run.errors,
    }


def _write_report(run: RetentionRun, customers: list[dict[str, str]]) -> None:
    """The run's JSON report (no personal data: numbers, masked names, times), written to a
    temporary file and renamed, so a report is whole or absent."""
    path = report_path(run)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.part")
    body = {**run_summary(run), "report": str(path), "customers": customers}
    temporary.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, path)
    RetentionRun.objects.filter(pk=run.pk).update(report_path=str(path))
    run.report_path = str(path)
