"""Every write to a ticket (STYLE habit 1). Each function owns its transaction: it locks the
ticket row, checks role, version and the kind's transition table (R-WF-1), applies the change,
appends the timeline event (R-WF-6) and the audit entry (R-SEC-3), and commits — or raises a
coded error having written nothing.
"""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.models import Department, Region
from carrierdesk.accounts.roles import roles_of
from carrierdesk.audit.actions import record
from carrierdesk.core import clock, identity
from carrierdesk.core.actors import Actor, acting_user
from carrierdesk.core.changes import apply_changes
from carrierdesk.core.errors import (
    IllegalTransition,
    InvalidInput,
    PermissionDenied,
)
from carrierdesk.core.masking import mask_field
from carrierdesk.core.models import next_value
from carrierdesk.core.rows import check_version, clean_text, lock_row
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.notifications.actions import enqueue, enqueue_to_customer
from carrierdesk.sla.actions import CLOCK_FIELDS, clocks_follow, policy_in_force, rebuild_clocks
from carrierdesk.tickets import hooks, workflow
from carrierdesk.tickets.choices import (
    COMPLAINT_KINDS,
    NUMBER_PREFIX,
    REPEAT_DAYS,
    Action,
    Category,
    Channel,
    Kind,
    Status,
    Urgency,
    is_regulated,
)
from carrierdesk.tickets.models import Attachment, Ticket, TicketEvent, content_path
from carrierdesk.tickets.queries import TICKET_RELATED

#: A client clock a little ahead of ours is read as "now", not refused.
RECEIVED_AT_SKEW = timedelta(seconds=60)
MAX_TEXT = 10_000
MAX_REASON = 2_000

#: Fields `update_ticket` may change, while the ticket is not finished.
EDITABLE_FIELDS = (
    "title",
    "description",
    "category",
    "urgency",
    "subtype",
    "subscription",
    "region",
    "contact_name",
    "contact_phone",
    "external_reference",
    # R-CMP-1: a regulated complaint's case number or due date typed wrong at intake.
    "regulator_reference",
    "regulator_due_at",
)

#: Content types accepted as attachments: documents, images, call recordings (R-INT-6).
ALLOWED_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "text/plain",
        "text/csv",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/tiff",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/zip",
        "audio/mpeg",
        "audio/wav",
        "audio/x-wav",
        "audio/amr",
        "message/rfc822",
    }
)


# --- validation -------------------------------------------------------------------------------


def require_role(actor: Actor, action: str) -> None:
    if actor is None:  # the system itself (jobs, integrations acting on their own account)
        return
    if not workflow.can_role_act(roles_of(actor), action):
        raise PermissionDenied(
            _("Your role may not perform “%(action)s”.") % {"action": Action(action).label}
        )


def _clean_received_at(value: datetime | None, now: datetime) -> datetime:
    """R-INT-3 / issue 2 §4: may lie before registration, never in the future."""
    if value is None:
        return now
    if timezone.is_naive(value):
        raise InvalidInput.field("received_at", _("Give the time with its time zone."))
    if value > now + RECEIVED_AT_SKEW:
        raise InvalidInput.field("received_at", _("The time received cannot be in the future."))
    return min(value, now)


def _clean_classification(
    kind: str, values: dict[str, Any], errors: dict[str, list[Any]], *, regulated: bool = False
) -> None:
    """Check urgency and subtype against the kind (R-CLS-1..3); fill the default urgency
    (serious for a complaint through the regulator or 12345, which is never general: R-CMP-1)."""
    urgencies = workflow.URGENCIES[kind]
    if not values.get("urgency"):
        values["urgency"] = Urgency.SERIOUS if regulated else urgencies[0]
    elif values["urgency"] not in urgencies:
        errors.setdefault("urgency", []).append(
            _("For this kind choose one of: %(choices)s.") % {"choices": ", ".join(urgencies)}
        )
    elif regulated and values["urgency"] == Urgency.GENERAL:
        errors.setdefault("urgency", []).append(
            _(
                "A complaint through the regulator or the 12345 hotline is at least serious "
                "(R-CMP-1)."
            )
        )
    subtypes = workflow.SUBTYPES[kind]
    subtype = values.get("subtype") or ""
    values["subtype"] = subtype
    if subtypes and subtype not in subtypes:
        errors.setdefault("subtype", []).append(
            _("For this kind choose one of: %(choices)s.") % {"choices": ", ".join(subtypes)}
        )
    elif not subtypes and subtype:
        errors.setdefault("subtype", []).append(_("This kind has no subtypes."))


def _clean_fields(
    kind: str,
    values: dict[str, Any],
    customer: Customer,
    *,
    regulated: bool = False,
    errors: dict[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """Validate registration or update fields; raise InvalidInput naming every bad field
    (with those already in `errors`)."""
    errors = {} if errors is None else errors
    cleaned = dict(values)
    if "category" in cleaned and cleaned["category"] not in Category.values:
        errors.setdefault("category", []).append(_("Unknown category."))
    if "urgency" in cleaned or "subtype" in cleaned or "kind" in cleaned:
        _clean_classification(kind, cleaned, errors, regulated=regulated)
    for field, required, limit in (
        ("title", True, 200),
        ("description", True, MAX_TEXT),
        ("contact_name", False, 64),
        ("external_reference", False, 64),
    ):
        if field in cleaned:
            try:
                cleaned[field] = clean_text(cleaned[field], field, required=required, limit=limit)
            except InvalidInput as exc:
                errors.update(exc.fields)
    if cleaned.get("contact_phone"):
        try:
            cleaned["contact_phone"] = identity.normalise_phone(cleaned["contact_phone"])
        except ValidationError as exc:
            errors.setdefault("contact_phone", []).extend(exc.messages)
    elif "contact_phone" in cleaned:
        cleaned["contact_phone"] = ""
    subscription = cleaned.get("subscription")
    if subscription is not None and subscription.customer_id != customer.pk:
        errors.setdefault("subscription", []).append(
            _("This subscription belongs to another customer.")
        )
    if errors:
        raise InvalidInput(fields=errors)
    return cleaned


def _clean_regulator(
    regulated: bool,
    reference: str,
    due_at: datetime | None,
    received: datetime,
    errors: dict[str, list[Any]],
) -> dict[str, Any]:
    """R-CMP-1: the regulator's (or 12345's) case reference and due date, required on the
    complaints they send and refused on every other ticket."""
    if not regulated:
        for field, value in (("regulator_reference", reference), ("regulator_due_at", due_at)):
            if value:
                errors.setdefault(field, []).append(
                    _(
                        "Only a complaint through the regulator or the 12345 hotline carries "
                        "the regulator's reference and due date."
                    )
                )
        return {}
    try:
        reference = clean_text(reference, "regulator_reference", required=True, limit=64)
    except InvalidInput as exc:
        errors.update(exc.fields)
    if due_at is None:
        errors.setdefault("regulator_due_at", []).append(
            _("Give the due date the regulator or the 12345 hotline set.")
        )
    elif timezone.is_naive(due_at):
        errors.setdefault("regulator_due_at", []).append(_("Give the time with its time zone."))
    elif due_at <= received:
        errors.setdefault("regulator_due_at", []).append(
            _("The due date must come after the time received.")
        )
    return {"regulator_reference": reference, "regulator_due_at": due_at}


# --- registration -----------------------------------------------------------------------------


def ticket_number(kind: Kind, instant: datetime) -> str:
    """`TS20261123000042`: kind prefix, local date, a daily counter shared by all kinds.

    The counter is shared so the 14 digits alone are unique and sort in registration order.
    """
    day = clock.local_date_string(instant)
    return f"{NUMBER_PREFIX[kind]}{day}{next_value(f'ticket-{day}'):06d}"


@transaction.atomic
def register_ticket(
    actor: Actor,
    *,
    kind: str,
    channel: str,
    category: str,
    customer: Customer,
    title: str,
    description: str,
    urgency: str = "",
    subtype: str = "",
    subscription: Subscription | None = None,
    region: Region | None = None,
    received_at: datetime | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    external_reference: str = "",
    regulator_reference: str = "",
    regulator_due_at: datetime | None = None,
    acknowledge_customer: bool = True,
) -> Ticket:
    """Register a ticket (受理, R-INT-3); the registering agent becomes its first owner.

    The customer is sent the acknowledgement (R-INT-4) unless `acknowledge_customer` is false:
    for a ticket recorded after the fact (demo history, an import of past tickets), whose
    customer was told at the time.
    """
    require_role(actor, Action.REGISTER)
    errors: dict[str, list[Any]] = {}
    if kind not in Kind.values:
        errors["kind"] = [_("Unknown kind.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if errors:
        raise InvalidInput(fields=errors)
    now = clock.now()
    received = _clean_received_at(received_at, now)
    regulated = is_regulated(kind, channel)
    regulator = _clean_regulator(regulated, regulator_reference, regulator_due_at, received, errors)
    cleaned = _clean_fields(
        kind,
        {
            "category": category,
            "urgency": urgency,
            "subtype": subtype,
            "title": title,
            "description": description,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "external_reference": external_reference,
            "subscription": subscription,
        },
        customer,
        regulated=regulated,
        errors=errors,
    )
    if actor is None or not isinstance(actor, User):
        raise PermissionDenied(_("A ticket is registered by a staff member (its first owner)."))
    if region is None:
        region = subscription.region if subscription and subscription.region else customer.region
    repeat_of = repeated_complaint(kind, customer, cleaned["category"], received)
    ticket = Ticket.objects.create(
        number=ticket_number(Kind(kind), now),
        kind=kind,
        channel=channel,
        customer=customer,
        region=region,
        received_at=received,
        registered_at=now,
        first_owner=actor,
        status=Status.NEW,
        status_changed_at=now,
        updated_at=now,
        sla_policy=policy_in_force(received),
        repeat_of=repeat_of,
        **cleaned,
        **regulator,
    )
    snapshot = {
        field: mask_field(field, getattr(ticket, field))
        for field in (
            "kind",
            "subtype",
            "channel",
            "category",
            "urgency",
            "customer",
            "subscription",
            "region",
            "received_at",
            "contact_phone",
            *regulator,
        )
    }
    if repeat_of is not None:
        snapshot["repeat_of"] = repeat_of.number
    clocks_follow(ticket, Action.REGISTER, now)  # clocks before the audit: see append_event
    append_event(ticket, actor, Action.REGISTER, "", Status.NEW, snapshot, "", now)
    if acknowledge_customer:
        acknowledge(ticket)
    return ticket


def repeated_complaint(
    kind: str, customer: Customer, category: str, received: datetime
) -> Ticket | None:
    """R-CMP-3: the latest complaint of `customer` in `category` received within REPEAT_DAYS
    before `received`, which a new complaint repeats; one query on (customer, received_at)."""
    if kind not in COMPLAINT_KINDS:
        return None
    return (
        Ticket.objects.filter(
            customer=customer,
            kind__in=COMPLAINT_KINDS,
            category=category,
            received_at__gte=received - timedelta(days=REPEAT_DAYS),
            received_at__lte=received,
        )
        .only("id", "number")
        .order_by("-received_at", "-id")
        .first()
    )


#: Tickets no customer asked for themselves: nobody to acknowledge (R-INT-4).
UNACKNOWLEDGED_CHANNELS = frozenset({Channel.MONITORING})
ACKNOWLEDGEMENT = "ticket_acknowledged"


def acknowledge(ticket: Ticket) -> None:
    """R-INT-4: the customer's acknowledgement with the ticket number (受理确认), by SMS.

    Queued in the registration's transaction and sent by the delivery worker once it has
    committed (the notifications table is the outbox). The message holds the ticket number and
    the kind only; the customer's number is read from their record when it is sent.
    """
    if ticket.channel in UNACKNOWLEDGED_CHANNELS:
        return
    with translation.override(None):  # the source text: translated into the message's language
        kind_label = str(Kind(ticket.kind).label)
    enqueue_to_customer(
        ticket.customer,
        template=ACKNOWLEDGEMENT,
        context={"ticket": ticket.number, "kind_label": kind_label},
        object_type="ticket",
        object_id=ticket.number,
    )


# --- the transition machinery -----------------------------------------------------------------


def append_event(
    ticket: Ticket,
    actor: Actor,
    action: str,
    from_status: str,
    to_status: str,
    changes: dict[str, Any],
    note: str,
    now: datetime,
) -> TicketEvent:
    """The timeline event and the audit entry of one action, in the caller's transaction.

    The audit entry locks the audit chain head until the transaction ends, so it comes last:
    every writer takes the rows it changes (ticket, clocks) before the head, as the sweeper
    does, and no two transactions can wait on each other in a cycle.
    """
    event = TicketEvent.objects.create(
        ticket=ticket,
        created_at=now,
        actor=acting_user(actor),
        action=action,
        from_status=from_status,
        to_status=to_status,
        changes=changes,
        note=note,
    )
    audit_changes = dict(changes)
    if from_status != to_status:
        audit_changes["status"] = [from_status or None, to_status]
    record(
        actor=actor,
        event_type=f"ticket.{action}",
        object_type="ticket",
        object_id=ticket.number,
        changes=audit_changes,
    )
    return event


def lock_ticket(number: str) -> Ticket:
    """The ticket row, locked until the transaction ends (only the ticket's row: `of=self`)."""
    return lock_row(
        Ticket.objects.select_related(*TICKET_RELATED), _("No such ticket."), number=number
    )


Apply = Callable[[Ticket, datetime], dict[str, Any]]


def _transition(
    actor: Actor,
    number: str,
    action: str,
    *,
    note: str = "",
    expected_version: int | None = None,
    apply: Apply | None = None,
    prepare: Callable[[Ticket], None] | None = None,
) -> Ticket:
    """Lock, authorise, check the table, apply, record. Must run inside a transaction."""
    ticket = lock_ticket(number)
    require_role(actor, action)
    check_version(ticket.version, expected_version)
    target = workflow.target_status(ticket.kind, ticket.status, action)
    if target is None:
        raise IllegalTransition(
            _("“%(action)s” is not allowed while the ticket is “%(status)s”.")
            % {"action": Action(action).label, "status": Status(ticket.status).label},
            extra={
                "status": ticket.status,
                "allowed_actions": workflow.allowed_actions(ticket.kind, ticket.status),
            },
        )
    if prepare is not None:
        prepare(ticket)
    now = clock.now()
    changes = apply(ticket, now) if apply else {}
    from_status = ticket.status
    ticket.status = target
    if target != from_status:
        ticket.status_changed_at = now
    ticket.updated_at = now
    ticket.version += 1
    ticket.save()
    clocks_follow(ticket, action, now)  # clocks before the audit: see append_event
    tell_first_owner(ticket, actor, from_status, target)
    append_event(ticket, actor, action, from_status, target, changes, note, now)
    hooks.run(action, ticket, actor, now)  # return visits, surveys (R-RV-1, R-RV-3)
    return ticket


#: True while history is recorded after the fact (demo data, an import of past tickets): the
#: people concerned were told at the time, so nobody is told now (R-INT-4, R-WF-5).
_RECORDING_HISTORY: ContextVar[bool] = ContextVar("carrierdesk_recording_history", default=False)
OWNER_UPDATE = "ticket_owner_update"


@contextmanager
def recording_history() -> Iterator[None]:
    """Record tickets' past (demo data, imports) without telling anyone."""
    token = _RECORDING_HISTORY.set(True)
    try:
        yield
    finally:
        _RECORDING_HISTORY.reset(token)


def is_recording_history() -> bool:
    """Whether the changes being made are history recorded after the fact."""
    return _RECORDING_HISTORY.get()


def tell_first_owner(ticket: Ticket, actor: Actor, from_status: str, to_status: str) -> None:
    """R-WF-5 (首问负责制): the first owner keeps the customer relationship whoever handles the
    ticket, so a change of status made by someone else is told to them (queued in the
    transition's transaction, sent once it commits)."""
    owner = ticket.first_owner
    doer = acting_user(actor)
    if _RECORDING_HISTORY.get() or from_status == to_status or owner is None:
        return
    if doer is not None and doer.pk == owner.pk:
        return
    with translation.override(None):  # the source text: translated into the owner's language
        status_label = str(Status(to_status).label)
    enqueue(
        recipients=[owner],
        template=OWNER_UPDATE,
        context={
            "ticket": ticket.number,
            "status_label": status_label,
            "actor": doer.username if doer is not None else "carrierdesk",
        },
        object_type="ticket",
        object_id=ticket.number,
    )


def _stamp(field: str, *, only_first: bool = False) -> Apply:
    def apply(ticket: Ticket, now: datetime) -> dict[str, Any]:
        if only_first and getattr(ticket, field) is not None:
            return {}
        setattr(ticket, field, now)
        return {}

    return apply


# --- the verbs --------------------------------------------------------------------------------


@transaction.atomic
def accept(
    actor: Actor, number: str, *, note: str = "", expected_version: int | None = None
) -> Ticket:
    """Confirm the registration (已确认): the record is complete (R-INT-3)."""
    note = clean_text(note, "note", required=False, limit=MAX_TEXT)
    return _transition(
        actor,
        number,
        Action.ACCEPT,
        note=note,
        expected_version=expected_version,
        apply=_stamp("accepted_at"),
    )


@transaction.atomic
def reject(
    actor: Actor, number: str, *, reason: str, expected_version: int | None = None
) -> Ticket:
    """Refuse at review (审核不通过), with a reason (R-WF-1, R-WF-2)."""
    reason = clean_text(reason, "reason", required=True, limit=MAX_REASON)
    return _transition(
        actor,
        number,
        Action.REJECT,
        note=reason,
        expected_version=expected_version,
        apply=_stamp("closed_at"),
    )


def _assignee_user(username: str) -> User:
    try:
        user = User.objects.select_related("staff_profile").get(username=username, is_active=True)
    except User.DoesNotExist:
        raise InvalidInput.field(
            "assignee", _("No active staff member has this username.")
        ) from None
    if not roles_of(user) & {Role.TECHNICIAN, Role.AGENT, Role.SUPERVISOR, Role.DISPATCHER}:
        raise InvalidInput.field("assignee", _("This user's role does not handle tickets."))
    return user


@transaction.atomic
def assign(
    actor: Actor,
    number: str,
    *,
    department: str | None = None,
    assignee: str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Dispatch (派单) to a department and/or a person (R-DSP-1); reassignment keeps a trail."""
    note = clean_text(note, "note", required=False, limit=MAX_TEXT)
    if not department and not assignee:
        raise InvalidInput(
            fields={
                "department": [_("Give a department, an assignee or both.")],
                "assignee": [_("Give a department, an assignee or both.")],
            }
        )
    target_department: Department | None = None
    if department:
        try:
            target_department = Department.objects.get(code=department)
        except Department.DoesNotExist:
            raise InvalidInput.field("department", _("Unknown department.")) from None
    target_user = _assignee_user(assignee) if assignee else None
    if target_user is not None:
        profile_department = getattr(
            getattr(target_user, "staff_profile", None), "department", None
        )
        if target_department is None:
            target_department = profile_department
        elif profile_department is not None and profile_department != target_department:
            raise InvalidInput.field("assignee", _("This person is not in that department."))

    def apply(ticket: Ticket, now: datetime) -> dict[str, Any]:
        changes = apply_changes(ticket, {"department": target_department, "assignee": target_user})
        ticket.assigned_at = now
        return changes

    return _transition(
        actor, number, Action.ASSIGN, note=note, expected_version=expected_version, apply=apply
    )


@transaction.atomic
def start(
    actor: Actor, number: str, *, note: str = "", expected_version: int | None = None
) -> Ticket:
    """Begin handling (处理中). Whoever starts an unowned ticket becomes its assignee."""
    note = clean_text(note, "note", required=False, limit=MAX_TEXT)

    def apply(ticket: Ticket, now: datetime) -> dict[str, Any]:
        if ticket.started_at is None:
            ticket.started_at = now
        if ticket.assignee_id is None and isinstance(actor, User):
            return apply_changes(ticket, {"assignee": actor})
        return {}

    return _transition(
        actor, number, Action.START, note=note, expected_version=expected_version, apply=apply
    )


@transaction.atomic
def pend(actor: Actor, number: str, *, reason: str, expected_version: int | None = None) -> Ticket:
    """Suspend (挂起) while waiting on the customer or a third party, with a reason."""
    reason = clean_text(reason, "reason", required=True, limit=MAX_REASON)
    return _transition(actor, number, Action.PEND, note=reason, expected_version=expected_version)


@transaction.atomic
def resume(
    actor: Actor, number: str, *, note: str = "", expected_version: int | None = None
) -> Ticket:
    note = clean_text(note, "note", required=False, limit=MAX_TEXT)
    return _transition(actor, number, Action.RESUME, note=note, expected_version=expected_version)


@transaction.atomic
def resolve(
    actor: Actor,
    number: str,
    *,
    resolution: str,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Finish handling (已处理) with the resolution the customer is told."""
    resolution = clean_text(resolution, "resolution", required=True, limit=MAX_TEXT)
    note = clean_text(note, "note", required=False, limit=MAX_TEXT)

    def apply(ticket: Ticket, now: datetime) -> dict[str, Any]:
        ticket.resolved_at = now
        if ticket.started_at is None:  # first-contact resolution of an inquiry
            ticket.started_at = now
        return apply_changes(ticket, {"resolution": resolution})

    # The return visit and the survey follow through `hooks` (R-RV-1, R-RV-3).
    return _transition(
        actor, number, Action.RESOLVE, note=note, expected_version=expected_version, apply=apply
    )


@transaction.atomic
def close(
    actor: Actor, number: str, *, note: str = "", expected_version: int | None = None
) -> Ticket:
    """Archive (已归档); a major complaint only once a supervisor approved (R-CMP-1)."""
    note = clean_text(note, "note", required=False, limit=MAX_TEXT)

    def prepare(ticket: Ticket) -> None:
        if needs_closure_approval(ticket) and ticket.closure_approved_at is None:
            raise IllegalTransition(
                _("A major complaint is closed only after a supervisor approves it (R-CMP-1)."),
                extra={"status": ticket.status, "needs": Action.APPROVE_CLOSURE.value},
            )

    return _transition(
        actor,
        number,
        Action.CLOSE,
        note=note,
        expected_version=expected_version,
        apply=_stamp("closed_at"),
        prepare=prepare,
    )


def needs_closure_approval(ticket: Ticket) -> bool:
    """R-CMP-1: a major complaint's closing needs a supervisor's approval."""
    return ticket.kind in COMPLAINT_KINDS and ticket.urgency == Urgency.MAJOR


@transaction.atomic
def approve_closure(
    actor: Actor, number: str, *, note: str = "", expected_version: int | None = None
) -> Ticket:
    """A supervisor approves closing a resolved major complaint (R-CMP-1); reopening the
    complaint withdraws the approval."""
    note = clean_text(note, "note", required=False, limit=MAX_TEXT)
    ticket = lock_ticket(number)
    require_role(actor, Action.APPROVE_CLOSURE)
    check_version(ticket.version, expected_version)
    if not needs_closure_approval(ticket):
        raise IllegalTransition(
            _("Only a major complaint needs a supervisor's approval to close."),
            extra={"status": ticket.status},
        )
    if ticket.status != Status.RESOLVED:
        raise IllegalTransition(
            _("A complaint's closing is approved once it is resolved."),
            extra={"status": ticket.status},
        )
    if ticket.closure_approved_at is not None:
        raise IllegalTransition(
            _("Closing this complaint is already approved."), extra={"status": ticket.status}
        )
    now = clock.now()
    ticket.closure_approved_by = acting_user(actor)
    ticket.closure_approved_at = now
    ticket.updated_at = now
    ticket.version += 1
    ticket.save()
    changes = {"closure_approved_at": [None, now.isoformat()]}
    append_event(
        ticket, actor, Action.APPROVE_CLOSURE, ticket.status, ticket.status, changes, note, now
    )
    return ticket


@transaction.atomic
def reopen(
    actor: Actor, number: str, *, reason: str, expected_version: int | None = None
) -> Ticket:
    """Handle again (重新处理, R-RV-2, R-FLT-3), with a reason; counts the reopening."""
    reason = clean_text(reason, "reason", required=True, limit=MAX_REASON)

    def apply(ticket: Ticket, now: datetime) -> dict[str, Any]:
        ticket.reopen_count += 1
        ticket.resolved_at = None
        ticket.closed_at = None
        changes: dict[str, Any] = {"reopen_count": [ticket.reopen_count - 1, ticket.reopen_count]}
        if ticket.closure_approved_at is not None:  # handled again: approved again (R-CMP-1)
            changes["closure_approved_at"] = [ticket.closure_approved_at.isoformat(), None]
            ticket.closure_approved_at = None
            ticket.closure_approved_by = None
        return changes

    return _transition(
        actor, number, Action.REOPEN, note=reason, expected_version=expected_version, apply=apply
    )


@transaction.atomic
def cancel(
    actor: Actor, number: str, *, reason: str, expected_version: int | None = None
) -> Ticket:
    """Withdraw at the customer's request (已撤销), with a reason."""
    reason = clean_text(reason, "reason", required=True, limit=MAX_REASON)
    return _transition(
        actor,
        number,
        Action.CANCEL,
        note=reason,
        expected_version=expected_version,
        apply=_stamp("closed_at"),
    )


#: The status-changing verbs by name, for the API and the CLI.
TRANSITION_FUNCTIONS: dict[str, Callable[..., Ticket]] = {
    Action.ACCEPT: accept,
    Action.REJECT: reject,
    Action.ASSIGN: assign,
    Action.START: start,
    Action.PEND: pend,
    Action.RESUME: resume,
    Action.RESOLVE: resolve,
    Action.CLOSE: close,
    Action.REOPEN: reopen,
    Action.CANCEL: cancel,
}


# --- changes that keep the status -------------------------------------------------------------


def _touch(ticket: Ticket, now: datetime) -> None:
    ticket.updated_at = now
    ticket.version += 1
    ticket.save(update_fields=["updated_at", "version"])


def touch_and_record(
    ticket: Ticket, actor: Actor, action: str, changes: dict[str, Any], note: str, now: datetime
) -> TicketEvent:
    """An event that keeps the status (a return visit): a new version, the event, its audit.
    The caller holds the ticket's lock."""
    _touch(ticket, now)
    return append_event(ticket, actor, action, ticket.status, ticket.status, changes, note, now)


@transaction.atomic
def add_note(actor: Actor, number: str, *, note: str) -> TicketEvent:
    """A note on the timeline, in any status (R-WF-6)."""
    note = clean_text(note, "note", required=True, limit=MAX_TEXT)
    ticket = lock_ticket(number)
    require_role(actor, Action.NOTE)
    now = clock.now()
    _touch(ticket, now)
    return append_event(ticket, actor, Action.NOTE, ticket.status, ticket.status, {}, note, now)


@transaction.atomic
def update_ticket(
    actor: Actor,
    number: str,
    *,
    expected_version: int | None = None,
    note: str = "",
    **values: Any,
) -> Ticket:
    """Correct the editable fields of an unfinished ticket; the timeline keeps old and new."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            fields={field: [_("This field cannot be changed.")] for field in sorted(unknown)}
        )
    note = clean_text(note, "note", required=False, limit=MAX_TEXT)
    ticket = lock_ticket(number)
    require_role(actor, Action.UPDATE)
    check_version(ticket.version, expected_version)
    if workflow.is_frozen(ticket.status):
        raise IllegalTransition(
            _("A finished ticket cannot be changed."),
            extra={
                "status": ticket.status,
                "allowed_actions": workflow.allowed_actions(ticket.kind, ticket.status),
            },
        )
    if "urgency" in values or "subtype" in values:
        values.setdefault("urgency", ticket.urgency)
        values.setdefault("subtype", ticket.subtype)
    regulated = is_regulated(ticket.kind, ticket.channel)
    errors: dict[str, list[Any]] = {}
    regulator = {}
    if "regulator_reference" in values or "regulator_due_at" in values:
        regulator = _clean_regulator(
            regulated,
            values.pop("regulator_reference", ticket.regulator_reference),
            values.pop("regulator_due_at", ticket.regulator_due_at),
            ticket.received_at,
            errors,
        )
    cleaned = _clean_fields(
        ticket.kind, values, ticket.customer, regulated=regulated, errors=errors
    )
    changes = apply_changes(ticket, {**cleaned, **regulator})
    if not changes and not note:
        return ticket
    now = clock.now()
    ticket.updated_at = now
    ticket.version += 1
    ticket.save()
    # R-SLA-2: new urgency, new limits; time used and paused so far is kept. R-CMP-1: a new
    # regulator's due date re-times the regulator clock (alerts already fired stay fired).
    # Clocks before the audit: see append_event.
    moved = rebuild_clocks(ticket, now) if set(changes) & set(CLOCK_FIELDS) else {}
    append_event(ticket, actor, Action.UPDATE, ticket.status, ticket.status, changes, note, now)
    _record_rebuild(ticket, None, moved, now)
    return ticket


def _record_rebuild(ticket: Ticket, actor: Actor, moved: dict[str, Any], now: datetime) -> None:
    """The timeline records the clocks a rebuild moved (R-SLA-2)."""
    if moved:
        status = ticket.status
        append_event(ticket, actor, Action.SLA_REBUILD, status, status, {"clocks": moved}, "", now)


@transaction.atomic
def recompute_time_limits(actor: Actor, number: str) -> dict[str, Any]:
    """Recompute the ticket's clocks from its timeline (`carrierdesk sla rebuild`), after a
    policy or calendar correction."""
    ticket = lock_ticket(number)
    now = clock.now()
    moved = rebuild_clocks(ticket, now)
    _record_rebuild(ticket, actor, moved, now)
    return moved


def _safe_filename(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:255] or "attachment"


@transaction.atomic
def attach(
    actor: Actor, number: str, *, file: File, filename: str, content_type: str
) -> Attachment:
    """Store a file on the ticket with its size, type and SHA-256 (R-INT-6)."""
    content_type = (content_type or "").split(";")[0].strip().lower()
    if content_type not in ALLOWED_CONTENT_TYPES:
        raise InvalidInput.field("file", _("This type of file is not accepted."))
    digest = hashlib.sha256()
    size = 0
    for chunk in file.chunks():
        size += len(chunk)
        if size > settings.MAX_ATTACHMENT_BYTES:
            raise InvalidInput.field(
                "file",
                _("The file is larger than %(limit)d MiB.")
                % {"limit": settings.MAX_ATTACHMENT_BYTES // (1024 * 1024)},
            )
        digest.update(chunk)
    if size == 0:
        raise InvalidInput.field("file", _("The file is empty."))
    ticket = lock_ticket(number)
    require_role(actor, Action.ATTACH)
    if not isinstance(actor, User):
        raise PermissionDenied()
    now = clock.now()
    attachment = Attachment(
        ticket=ticket,
        filename=_safe_filename(filename),
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        uploaded_at=now,
    )
    path = content_path(attachment.sha256)
    if not default_storage.exists(path):
        file.seek(0)
        saved = default_storage.save(path, file)
        if saved != path:  # a concurrent upload of the same content won the name
            default_storage.delete(saved)
    attachment.file.name = path
    attachment.save()
    _touch(ticket, now)
    append_event(
        ticket,
        actor,
        Action.ATTACH,
        ticket.status,
        ticket.status,
        {
            "attachment": {
                "filename": attachment.filename,
                "size": size,
                "content_type": content_type,
                "sha256": attachment.sha256,
            }
        },
        "",
        now,
    )
    return attachment


#: Every verb on a ticket by name, for the API: the status-changing ones and those that keep
#: the status but follow the workflow (R-CMP-1's approval).
VERB_FUNCTIONS: dict[str, Callable[..., Ticket]] = {
    **TRANSITION_FUNCTIONS,
    Action.APPROVE_CLOSURE: approve_closure,
}
