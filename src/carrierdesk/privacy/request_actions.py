"""Writes of data-subject requests 个人信息主体请求 (R-SEC-5): register, start, complete,
refuse, export, and the sweep that warns supervisors before and at the 15-working-day limit.

Lifecycle: received → in_progress → completed; received or in_progress → refused (with a
reason). Each step is one transaction with the request row locked and one audit entry;
completing applies the request: an access request produces the export (a clear read, logged
as a `PersonalDataAccess` row), a correction goes through `customers.actions.update_customer`,
a deletion through `anonymise.anonymise_customer` (anonymise-and-keep).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.roles import roles_of
from carrierdesk.audit.actions import record, record_many
from carrierdesk.calendars.services import compute_deadline
from carrierdesk.core import clock, context
from carrierdesk.core.actors import Actor, acting_user
from carrierdesk.core.errors import (
    Conflict,
    IllegalTransition,
    InvalidInput,
    PermissionDenied,
)
from carrierdesk.core.masking import mask_text
from carrierdesk.core.models import next_value
from carrierdesk.core.rows import clean_text, lock_row
from carrierdesk.customers.actions import update_customer
from carrierdesk.customers.models import Customer
from carrierdesk.notifications.actions import Message, queue_system_messages
from carrierdesk.privacy import export, policy
from carrierdesk.privacy.anonymise import anonymise_customer
from carrierdesk.privacy.choices import (
    OPEN_REQUEST_STATUSES,
    AnonymisationSource,
    RequestKind,
    RequestStatus,
)
from carrierdesk.privacy.models import AnonymisedCustomer, DataSubjectRequest, PersonalDataAccess
from carrierdesk.privacy.queries import requests_needing_breach_warning, requests_needing_warning
from carrierdesk.privacy.retention import (
    REQUEST_CALENDAR,
    REQUEST_WARNING_FRACTION,
    REQUEST_WORKING_DAYS,
    warning_time,
)
from carrierdesk.tickets.choices import Channel

MAX_NOTE = 2000
MAX_DESCRIPTION = 10_000
#: A client clock a little ahead of ours is read as "now", not refused.
RECEIVED_AT_SKEW = timedelta(seconds=60)
#: The customer fields a correction request may change (through `update_customer`).
CORRECTABLE_FIELDS = ("name", "mobile", "id_type", "id_number", "address")
#: Requests warned about per sweep transaction.
SWEEP_BATCH = 500


def _require(actor: Actor, allowed: Any, message: Any) -> None:
    if actor is not None and not allowed(roles_of(actor)):
        raise PermissionDenied(message)


def request_number(instant: datetime) -> str:
    """`GR20251009000001`: 个人信息 request prefix, local date, a daily counter."""
    day = clock.local_date_string(instant)
    return f"GR{day}{next_value(f'subject-request-{day}'):06d}"


def _lock(number: str) -> DataSubjectRequest:
    return lock_row(
        DataSubjectRequest.objects.select_related("customer"),
        _("No such data-subject request."),
        number=number,
    )


def _illegal(subject_request: DataSubjectRequest, allowed: str) -> IllegalTransition:
    return IllegalTransition(
        _("This step is not allowed while the request is “%(status)s”.")
        % {"status": RequestStatus(subject_request.status).label},
        extra={"status": subject_request.status, "allowed_from": allowed},
    )


def _audit(actor: Actor, event: str, subject_request: DataSubjectRequest, **changes: Any) -> None:
    record(
        actor=actor,
        event_type=f"privacy.request_{event}",
        object_type="data_subject_request",
        object_id=subject_request.number,
        changes={"customer": subject_request.customer.number, **changes},
    )


# --- the lifecycle ----------------------------------------------------------------------------


@transaction.atomic
def register_request(
    actor: Actor,
    *,
    customer: Customer,
    kind: str,
    channel: str,
    verification_note: str,
    description: str = "",
    received_at: datetime | None = None,
) -> DataSubjectRequest:
    """Register a request (agents, supervisors, admins); due 15 working days after receipt on
    the `cn` calendar, warned at 80% of that time."""
    _require(actor, policy.can_register_request, _("Your role may not register these requests."))
    errors: dict[str, list[Any]] = {}
    if kind not in RequestKind.values:
        errors["kind"] = [_("Unknown kind.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if errors:
        raise InvalidInput(fields=errors)
    verification_note = clean_text(
        verification_note, "verification_note", required=True, limit=MAX_NOTE
    )
    description = clean_text(description, "description", required=False, limit=MAX_DESCRIPTION)
    now = clock.now()
    if received_at is None:
        received_at = now
    elif timezone.is_naive(received_at):
        raise InvalidInput.field("received_at", _("Give the time with its time zone."))
    elif received_at > now + RECEIVED_AT_SKEW:
        raise InvalidInput.field("received_at", _("The time received cannot be in the future."))
    received_at = min(received_at, now)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if AnonymisedCustomer.objects.filter(customer=customer).exists():
        raise Conflict(_("The customer is already anonymised."), code="already_anonymised")
    due_at = compute_deadline(REQUEST_CALENDAR, received_at, working_days=REQUEST_WORKING_DAYS).at
    subject_request = DataSubjectRequest.objects.create(
        number=request_number(now),
        kind=kind,
        customer=customer,
        channel=channel,
        received_at=received_at,
        registered_at=now,
        registered_by=acting_user(actor),
        verification_note=verification_note,
        description=description,
        due_at=due_at,
        warning_at=warning_time(received_at, due_at),
        updated_at=now,
    )
    _audit(
        actor,
        "registered",
        subject_request,
        kind=kind,
        channel=channel,
        received_at=received_at.isoformat(),
        due_at=due_at.isoformat(),
        verification_note=mask_text(verification_note),
    )
    return subject_request


@transaction.atomic
def start_request(actor: Actor, number: str) -> DataSubjectRequest:
    """Take the request in hand (supervisors, admins): received → in_progress."""
    _require(actor, policy.can_handle_request, _("Your role may not handle these requests."))
    subject_request = _lock(number)
    if subject_request.status != RequestStatus.RECEIVED:
        raise _illegal(subject_request, RequestStatus.RECEIVED)
    now = clock.now()
    subject_request.status = RequestStatus.IN_PROGRESS
    subject_request.started_at = now
    subject_request.handled_by = acting_user(actor)
    subject_request.updated_at = now
    subject_request.save()
    _audit(
        actor, "started", subject_request, status=[RequestStatus.RECEIVED, subject_request.status]
    )
    return subject_request


@transaction.atomic
def complete_request(
    actor: Actor,
    number: str,
    *,
    note: str = "",
    corrections: dict[str, Any] | None = None,
) -> DataSubjectRequest:
    """Answer the request (supervisors, admins): in_progress → completed, applying it.

    Access: the export is produced (and its clear read logged); correction: `corrections`
    (some of name, mobile, id_type, id_number, address) go through `update_customer`, whose
    validation refuses bad values; deletion: the customer is anonymised and kept, refused under
    a legal hold or with an open ticket or a live subscription. A refusal changes nothing.
    """
    _require(actor, policy.can_handle_request, _("Your role may not handle these requests."))
    note = clean_text(note, "note", required=False, limit=MAX_NOTE)
    subject_request = _lock(number)
    if subject_request.status != RequestStatus.IN_PROGRESS:
        raise _illegal(subject_request, RequestStatus.IN_PROGRESS)
    if corrections and subject_request.kind != RequestKind.CORRECTION:
        raise InvalidInput.field("corrections", _("Only a correction request takes corrections."))
    now = clock.now()
    customer = subject_request.customer
    result: dict[str, Any] = {}
    if subject_request.kind == RequestKind.ACCESS:
        if not isinstance(actor, User):
            raise PermissionDenied(_("An export is produced for a named staff member."))
        data = _export_for(actor, subject_request, "complete")
        body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
        result = {"export": export.summary(data), "sha256": hashlib.sha256(body).hexdigest()}
    elif subject_request.kind == RequestKind.CORRECTION:
        result = {"corrected_fields": _correct(actor, customer, corrections or {})}
    else:
        mark = anonymise_customer(
            actor,
            customer,
            reason=f"data-subject request {subject_request.number}",
            source=AnonymisationSource.REQUEST,
            request=subject_request,
        )
        result = {"anonymised_at": mark.at.isoformat()}
    if note:
        result["note"] = note
    subject_request.status = RequestStatus.COMPLETED
    subject_request.completed_at = now
    subject_request.handled_by = subject_request.handled_by or acting_user(actor)
    subject_request.result = result
    subject_request.updated_at = now
    subject_request.save()
    audited = {key: value for key, value in result.items() if key != "note"}
    _audit(
        actor,
        "completed",
        subject_request,
        status=[RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED],
        note=mask_text(note),
        **audited,
    )
    return subject_request


def _correct(actor: Actor, customer: Customer, corrections: dict[str, Any]) -> list[str]:
    if not isinstance(corrections, dict) or not corrections:
        raise InvalidInput.field("corrections", _("Say which fields to correct, and to what."))
    unknown = sorted(set(corrections) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            fields={
                f"corrections.{field}": [
                    _("Choose among: %(fields)s.") % {"fields": ", ".join(CORRECTABLE_FIELDS)}
                ]
                for field in unknown
            }
        )
    update_customer(actor, customer, **corrections)
    return sorted(corrections)


@transaction.atomic
def refuse_request(actor: Actor, number: str, *, reason: str) -> DataSubjectRequest:
    """Refuse the request with a reason (supervisors, admins): nothing is applied."""
    _require(actor, policy.can_handle_request, _("Your role may not handle these requests."))
    reason = clean_text(reason, "reason", required=True, limit=MAX_NOTE)
    subject_request = _lock(number)
    if subject_request.status not in OPEN_REQUEST_STATUSES:
        raise _illegal(subject_request, f"{RequestStatus.RECEIVED}, {RequestStatus.IN_PROGRESS}")
    now = clock.now()
    before = subject_request.status
    subject_request.status = RequestStatus.REFUSED
    subject_request.refusal_reason = reason
    subject_request.completed_at = now
    subject_request.handled_by = subject_request.handled_by or acting_user(actor)
    subject_request.updated_at = now
    subject_request.save()
    _audit(
        actor,
        "refused",
        subject_request,
        status=[before, RequestStatus.REFUSED],
        reason=mask_text(reason),
    )
    return subject_request


# --- the export -------------------------------------------------------------------------------


def access_reason(subject_request: DataSubjectRequest) -> str:
    return f"data-subject access request {subject_request.number}"


def _export_for(user: User, subject_request: DataSubjectRequest, purpose: str) -> dict[str, Any]:
    """Collect the export and log the clear read (R-SEC-2, R-SEC-3), in the caller's
    transaction."""
    now = clock.now()
    bound = context.current()
    data = export.collect(
        subject_request.customer, generated_at=now, request_number=subject_request.number
    )
    PersonalDataAccess.objects.create(
        created_at=now,
        user=user,
        object_type="customer",
        object_id=subject_request.customer.number,
        fields=list(export.EXPORTED_FIELDS),
        reason=access_reason(subject_request),
        request_id=bound.request_id,
        client_address=bound.client_address,
        channel=bound.channel,
    )
    record(
        actor=user,
        event_type="privacy.request_exported",
        object_type="data_subject_request",
        object_id=subject_request.number,
        changes={"customer": subject_request.customer.number, "purpose": purpose},
    )
    return data


@transaction.atomic
def export_request(user: User, number: str, *, purpose: str) -> dict[str, Any]:
    """The access export of an access request in progress or completed, for its handlers
    (supervisors, admins); each one produced is logged. `purpose` is the format asked for."""
    _require(user, policy.can_handle_request, _("Your role may not download exports."))
    subject_request = _lock(number)
    if subject_request.kind != RequestKind.ACCESS:
        raise Conflict(_("Only an access request has an export."), code="not_an_access_request")
    if subject_request.status not in (RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED):
        raise _illegal(subject_request, f"{RequestStatus.IN_PROGRESS}, {RequestStatus.COMPLETED}")
    return _export_for(user, subject_request, purpose)


# --- the sweep --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepReport:
    warnings: int
    breaches: int
    notifications: int

    def as_dict(self) -> dict[str, int]:
        return {
            "warnings": self.warnings,
            "breaches": self.breaches,
            "notifications": self.notifications,
        }


def sweep_requests(now: datetime | None = None) -> SweepReport:
    """Warn the supervisors, once each, of open requests past 80% of their time and of those
    past their due time (R-SEC-5). Idempotent: a request's warning time is stamped in the
    transaction that queues its messages, so a second sweep finds nothing more to say."""
    now = now or clock.now()
    warnings = breaches = notifications = 0
    while True:
        count, queued = _sweep_batch(now, breach=False)
        warnings, notifications = warnings + count, notifications + queued
        if count < SWEEP_BATCH:
            break
    while True:
        count, queued = _sweep_batch(now, breach=True)
        breaches, notifications = breaches + count, notifications + queued
        if count < SWEEP_BATCH:
            break
    return SweepReport(warnings, breaches, notifications)


@transaction.atomic
def _sweep_batch(now: datetime, *, breach: bool) -> tuple[int, int]:
    find = requests_needing_breach_warning if breach else requests_needing_warning
    stamp = "breach_warned_at" if breach else "warned_at"
    ids = find(now, SWEEP_BATCH)
    if not ids:
        return 0, 0
    rows = list(
        DataSubjectRequest.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, **{f"{stamp}__isnull": True}, status__in=OPEN_REQUEST_STATUSES)
        .select_related("customer")
        .order_by("pk")
    )
    if not rows:
        return 0, 0
    DataSubjectRequest.objects.filter(pk__in=[row.pk for row in rows]).update(**{stamp: now})
    supervisors = list(
        User.objects.filter(is_active=True, groups__name=Role.SUPERVISOR)
        .select_related("staff_profile")
        .distinct()
        .order_by("pk")
    )
    template = "privacy_request_breach" if breach else "privacy_request_warning"
    messages = []
    for row in rows:
        extra: dict[str, Any] = {} if breach else {"threshold": int(REQUEST_WARNING_FRACTION * 100)}
        messages.append(
            Message(
                recipients=supervisors,
                template=template,
                context={
                    "request": row.number,
                    "deadline": timezone.localtime(row.due_at).isoformat(),
                    **extra,
                },
                object_type="data_subject_request",
                object_id=row.number,
            )
        )
    queued = queue_system_messages(messages) if supervisors else 0
    record_many(
        [
            {
                "created_at": now,
                "event_type": f"privacy.request_{'breached' if breach else 'warned'}",
                "object_type": "data_subject_request",
                "object_id": row.number,
                "changes": {
                    "customer": row.customer.number,
                    "due_at": timezone.localtime(row.due_at).isoformat(),
                    "recipients": len(supervisors),
                },
            }
            for row in rows
        ]
    )
    return len(rows), queued
