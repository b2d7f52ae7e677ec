"""Every write to a security incident (STYLE habit 1, R-SEC-6).

Each function owns its transaction: it validates its input, locks the incident row, checks the
actor's role and the workflow table (`workflow.MOVES`), applies the change, appends the
timeline event and the audit entry (R-SEC-3), queues the admins' and auditors' alert when an
incident is major or involves personal data — or raises a coded error having written nothing
(R-SEC-7). Incidents are handled by people: every action needs a staff user as its actor.
Free text (notes, root cause, measures) is kept on the incident and its timeline; what reaches
the audit trail has phone and ID numbers masked (R-SEC-2).
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.roles import roles_of
from carrierdesk.audit.actions import record
from carrierdesk.core import clock
from carrierdesk.core.actors import Actor
from carrierdesk.core.errors import (
    Conflict,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from carrierdesk.core.masking import mask_field, mask_text
from carrierdesk.core.models import next_value
from carrierdesk.core.rows import check_version, clean_text, lock_row
from carrierdesk.customers.queries import access_customer
from carrierdesk.incidents import workflow
from carrierdesk.incidents.choices import NUMBER_PREFIX, EventAction, Level, ResponseLevel, Stage
from carrierdesk.incidents.models import (
    IncidentCustomer,
    IncidentEvent,
    IncidentTicket,
    SecurityIncident,
)
from carrierdesk.incidents.queries import INCIDENT_RELATED
from carrierdesk.notifications.actions import enqueue
from carrierdesk.tickets.queries import access_ticket

#: A client clock a little ahead of ours is read as "now", not refused.
CLOCK_SKEW = timedelta(seconds=60)
MAX_TEXT = 10_000
MAX_TITLE = 200
#: Most customers or tickets linked in one call.
MAX_LINKS = 500
OBJECT_TYPE = "security_incident"
#: Free-text fields: kept in clear on the incident, masked (phone and ID numbers) in the audit.
TEXT_FIELDS = frozenset({"title", "description", "root_cause", "measures"})


# --- validation -------------------------------------------------------------------------------


def _text(value: Any, field: str, *, required: bool, limit: int = MAX_TEXT) -> str:
    return clean_text(value, field, required=required, limit=limit)


def _collect(errors: dict[str, list[Any]], check: Any, *args: Any, **kw: Any) -> Any:
    """Run one field's check, adding its messages to `errors` instead of raising; None then."""
    try:
        return check(*args, **kw)
    except InvalidInput as exc:
        for name, messages in exc.fields.items():
            errors.setdefault(name, []).extend(messages)
        return None


def _clean_instant(value: datetime | None, field: str, now: datetime) -> datetime:
    """An aware time not in the future (a little client clock skew is read as now)."""
    if value is None:
        return now
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise InvalidInput.field(field, _("Give the time with its time zone."))
    if value > now + CLOCK_SKEW:
        raise InvalidInput.field(field, _("This time cannot be in the future."))
    return min(value, now)


def _clean_level(value: Any) -> str:
    if value not in Level.values:
        raise InvalidInput.field(
            "level", _("Choose one of: %(choices)s.") % {"choices": ", ".join(Level.values)}
        )
    return str(value)


def _clean_estimate(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput.field("affected_customers_estimate", _("Give a number, 0 or more."))
    return value


def _check_response_level(level: str, response_level: Any) -> int:
    """R-SEC-6: a response level of 1–3, never weaker than the level's default."""
    if isinstance(response_level, bool) or response_level not in ResponseLevel.values:
        raise InvalidInput.field("response_level", _("Choose 1, 2 or 3."))
    if not workflow.response_level_allowed(level, response_level):
        raise InvalidInput.field(
            "response_level",
            _("This level needs response level %(level)d or stronger (a smaller number).")
            % {"level": workflow.default_response_level(level)},
        )
    return int(response_level)


def _staff_roles(actor: Actor) -> frozenset[str]:
    """The actor's roles; incidents are handled by people, so anything else holds none."""
    return roles_of(actor) if isinstance(actor, User) else frozenset()


def _require_handler(actor: Actor) -> User:
    """The actor, if a supervisor or an admin; else PermissionDenied."""
    if not isinstance(actor, User) or not workflow.can_handle(roles_of(actor)):
        raise PermissionDenied(_("Only supervisors and admins handle security incidents."))
    return actor


# --- the record -------------------------------------------------------------------------------


def incident_number(instant: datetime) -> str:
    """`AQ20261123000001`: the prefix, the local date and a daily counter (`next_value`)."""
    day = clock.local_date_string(instant)
    return f"{NUMBER_PREFIX}{day}{next_value(f'incident-{day}'):06d}"


def _audit_value(field: str, value: Any) -> Any:
    return mask_text(value) if field in TEXT_FIELDS and isinstance(value, str) else value


def _append_event(
    incident: SecurityIncident,
    actor: Actor,
    action: str,
    changes: dict[str, Any],
    note: str,
    now: datetime,
    from_stage: str | None = None,
) -> IncidentEvent:
    """The timeline event and the audit entry of one action, in the caller's transaction.

    The audit entry locks the audit chain head until the transaction ends, so it comes last
    (the order of `tickets.actions.append_event`).
    """
    before = incident.stage if from_stage is None else from_stage
    event = IncidentEvent.objects.create(
        incident=incident,
        created_at=now,
        actor=actor if isinstance(actor, User) else None,
        action=action,
        from_stage=before,
        to_stage=incident.stage,
        changes=changes,
        note=note,
    )
    audit_changes = {
        field: [_audit_value(field, item) for item in value] if isinstance(value, list) else value
        for field, value in changes.items()
    }
    if before != incident.stage:
        audit_changes["stage"] = [before or None, incident.stage]
    record(
        actor=actor,
        event_type=f"incident.{action}",
        object_type=OBJECT_TYPE,
        object_id=incident.number,
        changes=audit_changes,
    )
    return event


def _lock(number: str) -> SecurityIncident:
    """The incident row, locked until the transaction ends (only its own row: `of=self`)."""
    return lock_row(
        SecurityIncident.objects.select_related(*INCIDENT_RELATED),
        _("No such security incident."),
        number=number,
    )


def _refuse_if_closed(incident: SecurityIncident) -> None:
    if workflow.is_closed(incident.stage):
        raise IllegalTransition(
            _("A closed security incident cannot be changed."),
            extra={"stage": incident.stage, "next_stage": None},
        )


def _save(incident: SecurityIncident, now: datetime) -> None:
    incident.updated_at = now
    incident.version += 1
    incident.save()


def _changes(incident: SecurityIncident, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set each value that differs; return {field: [old, new]} (personal fields masked)."""
    changes: dict[str, list[Any]] = {}
    for field, value in values.items():
        old = getattr(incident, field)
        if old != value:
            changes[field] = [mask_field(field, old), mask_field(field, value)]
            setattr(incident, field, value)
    return changes


# --- alerts -----------------------------------------------------------------------------------

#: Why admins and auditors are told about an incident, and the template that tells them.
ALERT_TEMPLATES = {
    "major": "security_incident_major",
    "personal_data": "security_incident_personal_data",
}


def _alerts_due(incident: SecurityIncident, was_major: bool, had_personal_data: bool) -> list[str]:
    reasons = []
    if incident.level == Level.MAJOR and not was_major:
        reasons.append("major")
    if incident.personal_data_involved and not had_personal_data:
        reasons.append("personal_data")
    return reasons


def _alert_watchers(incident: SecurityIncident, reasons: Iterable[str]) -> None:
    """Tell the admins and auditors, once per incident and reason (the dedupe key), after
    commit: the notification rows are the outbox, written in this transaction."""
    reasons = list(reasons)
    if not reasons:
        return
    watchers = list(
        User.objects.filter(is_active=True, groups__name__in=[Role.ADMIN, Role.AUDITOR])
        .select_related("staff_profile")
        .distinct()
        .order_by("pk")
    )
    context = {
        "incident": incident.number,
        "reporter": incident.reporter.username,
        "response_level": incident.response_level,
        "affected_customers": incident.affected_customers_estimate,
    }
    for reason in reasons:
        enqueue(
            recipients=watchers,
            template=ALERT_TEMPLATES[reason],
            context=context,
            object_type=OBJECT_TYPE,
            object_id=incident.number,
            dedupe_key=f"incident-{reason}:{incident.number}",
        )


# --- the verbs --------------------------------------------------------------------------------


@transaction.atomic
def report_incident(
    actor: Actor,
    *,
    title: str,
    description: str,
    level: str,
    discovered_at: datetime | None = None,
    response_level: int | None = None,
    affected_customers_estimate: int = 0,
    personal_data_involved: bool = False,
) -> SecurityIncident:
    """Register an incident in its discovery stage (发现); the caller is its reporter.

    Any staff role but the auditor reports (R-SEC-6). `discovered_at` may precede the
    registration, never lie in the future (default: now); the response level defaults to the
    level's (general → 3, larger → 2, major → 1) and may be given stronger.
    """
    if not isinstance(actor, User) or not workflow.can_report(_staff_roles(actor)):
        raise PermissionDenied(_("Your role may not report security incidents."))
    now = clock.now()
    errors: dict[str, list[Any]] = {}
    title = _collect(errors, _text, title, "title", required=True, limit=MAX_TITLE)
    description = _collect(errors, _text, description, "description", required=True)
    level = _collect(errors, _clean_level, level)
    discovered = _collect(errors, _clean_instant, discovered_at, "discovered_at", now)
    estimate = _collect(errors, _clean_estimate, affected_customers_estimate)
    response = None
    if level is not None:
        response = (
            workflow.default_response_level(level)
            if response_level is None
            else _collect(errors, _check_response_level, level, response_level)
        )
    if not isinstance(personal_data_involved, bool):
        errors.setdefault("personal_data_involved", []).append(_("Give true or false."))
    if errors:
        raise InvalidInput(fields=errors)
    incident = SecurityIncident.objects.create(
        number=incident_number(now),
        title=title,
        description=description,
        level=level,
        response_level=response,
        stage=Stage.DISCOVERY,
        discovered_at=discovered,
        reported_at=now,
        stage_changed_at=now,
        updated_at=now,
        reporter=actor,
        affected_customers_estimate=estimate,
        personal_data_involved=personal_data_involved,
    )
    snapshot = {
        field: mask_field(field, getattr(incident, field))
        for field in (
            "level",
            "response_level",
            "discovered_at",
            "affected_customers_estimate",
            "personal_data_involved",
        )
    }
    _alert_watchers(incident, _alerts_due(incident, was_major=False, had_personal_data=False))
    _append_event(incident, actor, EventAction.REPORT, snapshot, "", now, from_stage="")
    return incident


@transaction.atomic
def advance_incident(
    actor: Actor,
    number: str,
    *,
    to: str,
    note: str,
    root_cause: str = "",
    measures: str = "",
    expected_version: int | None = None,
) -> SecurityIncident:
    """Move the incident to its next stage (`workflow.MOVES`), saying what was done in the
    stage it leaves. Leaving analysis records the root cause, leaving rectification the
    measures; only an admin closes a major incident. The first handler to advance an incident
    becomes its handler.
    """
    if to not in Stage.values:
        raise InvalidInput.field(
            "to", _("Choose one of: %(choices)s.") % {"choices": ", ".join(Stage.values)}
        )
    note = _text(note, "note", required=True)
    given = {
        "root_cause": _text(root_cause, "root_cause", required=False),
        "measures": _text(measures, "measures", required=False),
    }
    incident = _lock(number)
    handler = _require_handler(actor)
    check_version(incident.version, expected_version)
    current, target = incident.stage, workflow.next_stage(incident.stage)
    if target is None or to != target:
        message = (
            _("A closed security incident moves no further.")
            if target is None
            else _("From “%(stage)s” a security incident moves only to “%(next)s”.")
            % {"stage": Stage(current).label, "next": Stage(target).label}
        )
        raise IllegalTransition(message, extra={"stage": current, "next_stage": target})
    if not workflow.can_advance(roles_of(handler), current, incident.level):
        raise PermissionDenied(_("Only an administrator closes a major security incident."))
    required = workflow.required_field(current)
    for field, value in given.items():
        if value and field != required:
            raise InvalidInput.field(
                field, _("This is recorded when the incident leaves the stage it belongs to.")
            )
    values = {field: value for field, value in given.items() if value}
    if required is not None and not (values.get(required) or getattr(incident, required)):
        raise InvalidInput.field(required, _("Required before the incident leaves this stage."))
    now = clock.now()
    changes = _changes(incident, values)
    if incident.handler_id is None:
        changes.update(_changes(incident, {"handler": handler}))
    incident.stage = target
    setattr(incident, workflow.STAGE_STARTED_FIELD[target], now)
    incident.stage_changed_at = now
    _save(incident, now)
    _append_event(incident, actor, EventAction.ADVANCE, changes, note, now, from_stage=current)
    return incident


@transaction.atomic
def change_incident_level(
    actor: Actor,
    number: str,
    *,
    note: str,
    level: str | None = None,
    response_level: int | None = None,
    affected_customers_estimate: int | None = None,
    personal_data_involved: bool | None = None,
    expected_version: int | None = None,
) -> SecurityIncident:
    """Re-assess an open incident: its level, response level, estimate of customers affected,
    whether personal data are involved — with a note saying why.

    Without a response level, a new level never weakens the response: it becomes the stronger
    of the current one and the new level's default. Becoming major, or involving personal data,
    alerts the admins and auditors (once per incident and reason).
    """
    note = _text(note, "note", required=True)
    errors: dict[str, list[Any]] = {}
    if level is not None:
        level = _collect(errors, _clean_level, level)
    if affected_customers_estimate is not None:
        affected_customers_estimate = _collect(errors, _clean_estimate, affected_customers_estimate)
    if personal_data_involved is not None and not isinstance(personal_data_involved, bool):
        errors.setdefault("personal_data_involved", []).append(_("Give true or false."))
    if errors:
        raise InvalidInput(fields=errors)
    incident = _lock(number)
    _require_handler(actor)
    check_version(incident.version, expected_version)
    _refuse_if_closed(incident)
    new_level = level or incident.level
    if response_level is None:
        response_level = min(incident.response_level, workflow.default_response_level(new_level))
    values: dict[str, Any] = {
        "level": new_level,
        "response_level": _check_response_level(new_level, response_level),
    }
    if affected_customers_estimate is not None:
        values["affected_customers_estimate"] = affected_customers_estimate
    if personal_data_involved is not None:
        values["personal_data_involved"] = personal_data_involved
    was_major = incident.level == Level.MAJOR
    had_personal_data = incident.personal_data_involved
    changes = _changes(incident, values)
    if not changes:
        raise InvalidInput(_("Nothing to change: every value given is the current one."))
    now = clock.now()
    _save(incident, now)
    _alert_watchers(incident, _alerts_due(incident, was_major, had_personal_data))
    _append_event(incident, actor, EventAction.LEVEL, changes, note, now)
    return incident


@transaction.atomic
def add_incident_note(actor: Actor, number: str, *, note: str) -> IncidentEvent:
    """A note on the timeline, in any stage, closed included: by a handler, or by the staff
    member who reported the incident."""
    note = _text(note, "note", required=True)
    incident = _lock(number)
    is_reporter = isinstance(actor, User) and incident.reporter_id == actor.pk
    if not workflow.can_add_note(_staff_roles(actor), is_reporter=is_reporter):
        raise PermissionDenied(
            _("Only handlers and the staff member who reported it add notes to an incident.")
        )
    now = clock.now()
    _save(incident, now)
    return _append_event(incident, actor, EventAction.NOTE, {}, note, now)


def _numbers(values: Any, field: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise InvalidInput.field(field, _("Give a list of numbers."))
    numbers = list(dict.fromkeys(str(value).strip() for value in values))
    if len(numbers) > MAX_LINKS:
        raise InvalidInput.field(field, _("At most %(limit)d at once.") % {"limit": MAX_LINKS})
    if any(not number or len(number) > 32 for number in numbers):
        raise InvalidInput.field(field, _("Give a list of numbers."))
    return numbers


@transaction.atomic
def link_objects(
    actor: Actor,
    number: str,
    *,
    customers: Iterable[str] | None = None,
    tickets: Iterable[str] | None = None,
    note: str = "",
) -> SecurityIncident:
    """Link the affected customers and related tickets, by number, to an open incident.

    Each must be one the actor can see (`access_customer`, `access_ticket`); one that is not
    (or does not exist) answers NotFound naming it, and nothing is linked. Ones already linked
    are skipped; the timeline records those newly linked, by number only.
    """
    customer_numbers = _numbers(customers, "customers")
    ticket_numbers = _numbers(tickets, "tickets")
    note = _text(note, "note", required=False)
    if not customer_numbers and not ticket_numbers:
        message = _("Give customers, tickets or both.")
        raise InvalidInput(fields={"customers": [message], "tickets": [message]})
    incident = _lock(number)
    user = _require_handler(actor)
    _refuse_if_closed(incident)
    found_customers, found_tickets = [], []
    missing: dict[str, list[str]] = {}
    for customer_number in customer_numbers:
        try:
            found_customers.append(access_customer(user, customer_number))
        except NotFound:
            missing.setdefault("customers", []).append(customer_number)
    for ticket_number in ticket_numbers:
        try:
            found_tickets.append(access_ticket(user, ticket_number))
        except NotFound:
            missing.setdefault("tickets", []).append(ticket_number)
    if missing:
        raise NotFound(
            _("No such customer or ticket: %(numbers)s.")
            % {"numbers": ", ".join(n for numbers in missing.values() for n in numbers)},
            extra={"missing": missing},
        )
    linked_customers = set(incident.customer_links.values_list("customer_id", flat=True))
    linked_tickets = set(incident.ticket_links.values_list("ticket_id", flat=True))
    new_customers = [c for c in found_customers if c.pk not in linked_customers]
    new_tickets = [t for t in found_tickets if t.pk not in linked_tickets]
    if not new_customers and not new_tickets:
        return incident
    now = clock.now()
    IncidentCustomer.objects.bulk_create(
        IncidentCustomer(incident=incident, customer=c, linked_by=user, linked_at=now)
        for c in new_customers
    )
    IncidentTicket.objects.bulk_create(
        IncidentTicket(incident=incident, ticket=t, linked_by=user, linked_at=now)
        for t in new_tickets
    )
    _save(incident, now)
    changes: dict[str, Any] = {}
    if new_customers:
        changes["customers"] = [c.number for c in new_customers]
    if new_tickets:
        changes["tickets"] = [t.number for t in new_tickets]
    _append_event(incident, actor, EventAction.LINK, changes, note, now)
    return incident


def link_customers(
    actor: Actor, number: str, customers: Iterable[str], *, note: str = ""
) -> SecurityIncident:
    """Link affected customers by customer number (see `link_objects`)."""
    return link_objects(actor, number, customers=list(customers), note=note)


def link_tickets(
    actor: Actor, number: str, tickets: Iterable[str], *, note: str = ""
) -> SecurityIncident:
    """Link related tickets by ticket number (see `link_objects`)."""
    return link_objects(actor, number, tickets=list(tickets), note=note)


@transaction.atomic
def record_regulator_notice(
    actor: Actor, number: str, *, note: str, notified_at: datetime | None = None
) -> SecurityIncident:
    """Record that the regulator was notified (when, with a note on what was reported and to
    whom). Once per incident; in any stage, since it records a fact that may be entered late.
    """
    note = _text(note, "note", required=True)
    now = clock.now()
    notified = _clean_instant(notified_at, "notified_at", now)
    incident = _lock(number)
    _require_handler(actor)
    if incident.regulator_notified:
        raise Conflict(
            _("The regulator's notification is already recorded."),
            extra={"regulator_notified_at": mask_field("", incident.regulator_notified_at)},
        )
    if notified < incident.discovered_at:
        raise InvalidInput.field(
            "notified_at", _("The regulator cannot be notified before the discovery.")
        )
    changes = _changes(incident, {"regulator_notified": True, "regulator_notified_at": notified})
    _save(incident, now)
    _append_event(incident, actor, EventAction.REGULATOR, changes, note, now)
    return incident
