"""What the ticket workspace shows (issue 5 §4), read in a fixed number of queries: the ticket
with its related rows (one), its clocks (one, plus one per calendar), the newest timeline
events (one), the attachments (one), the people named on the page (one) and, for those who may
dispatch, the departments and assignment candidates (two).

Personal data are masked here, once, before a template sees them (R-SEC-2): the customer panel
shows clear values only from `privacy.actions.unmask_customer`'s answer.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.timezone import localtime

from carrierdesk.accounts.models import Department
from carrierdesk.accounts.roles import roles_of
from carrierdesk.core.masking import mask_field, mask_text
from carrierdesk.customers.models import Customer
from carrierdesk.privacy import policy
from carrierdesk.sla.choices import ClockName
from carrierdesk.sla.models import Alert, Clock
from carrierdesk.sla.queries import Summaries, clocks_of
from carrierdesk.tickets import workflow
from carrierdesk.tickets.choices import COMPLAINT_KINDS, Action, Status, is_regulated
from carrierdesk.tickets.feedback import stages_given, stages_open
from carrierdesk.tickets.models import Attachment, Ticket, TicketEvent
from carrierdesk.tickets.queries import assignment_candidates
from carrierdesk.tickets.web.workspace_forms import (
    AssignActionForm,
    AttachForm,
    Candidate,
    FeedbackForm,
    NoteForm,
    RegulatorForm,
    UnmaskForm,
    VersionedForm,
    action_form_class,
)
from carrierdesk.visits.web.ticket_section import EVENT_LABELS, EVENT_VALUES, visits_section
from carrierdesk.web.templatetags.carrierdesk_web import remaining_text

#: The newest events shown; a ticket with more says so (a page stays bounded).
TIMELINE_LIMIT = 200

#: Status badges: the colour helps, the text says it (not by colour alone).
STATUS_BADGES: dict[str, str] = {
    Status.NEW: "text-bg-secondary",
    Status.ACCEPTED: "text-bg-info",
    Status.ASSIGNED: "text-bg-primary",
    Status.IN_PROGRESS: "text-bg-primary",
    Status.PENDING: "text-bg-warning",
    Status.RESOLVED: "text-bg-success",
    Status.CLOSED: "text-bg-dark",
    Status.REOPENED: "text-bg-warning",
    Status.REJECTED: "text-bg-light border",
    Status.CANCELLED: "text-bg-light border",
}

#: Buttons of the verbs that end or undo work stand out.
DANGER_ACTIONS = frozenset({Action.REJECT, Action.CANCEL})


@dataclass
class ActionPanel:
    """A button for one allowed verb and the form it opens."""

    action: str
    label: str
    form: forms.Form
    is_open: bool = False
    style: str = "btn-outline-primary"


@dataclass
class Slots:
    """Forms already bound by the request being answered (shown with their errors, open)."""

    action: str = ""
    action_form: VersionedForm | None = None
    note_form: NoteForm | None = None
    feedback_form: FeedbackForm | None = None
    regulator_form: RegulatorForm | None = None
    attach_form: AttachForm | None = None
    unmask_form: UnmaskForm | None = None
    revealed: dict[str, str] = field(default_factory=dict)


@cache
def field_labels(model: Any) -> dict[str, str]:
    """Each field's verbose name, capitalised (lazy: translated where it is shown)."""
    return {f.name: capfirst(f.verbose_name) for f in model._meta.fields}


def _version_data(form: forms.Form, version: int) -> None:
    """Keep what was typed but carry the current version (after a Conflict, the person checks
    the reloaded ticket and sends again deliberately)."""
    if isinstance(form.data, QueryDict):
        data = form.data.copy()
        data["version"] = str(version)
        form.data = data


def people_names(ids: set[int | None]) -> dict[int, str]:
    """Display names (username when there is no profile) of these users, in one query."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return {}
    rows = User.objects.filter(pk__in=wanted).values_list(
        "pk", "username", "staff_profile__display_name"
    )
    return {pk: name or username for pk, username, name in rows}


# --- clocks -----------------------------------------------------------------------------------


def clock_rows(ticket: Ticket) -> list[dict[str, Any]]:
    """Every clock of the ticket (R-SLA-1) with its summary; paused and stopped ones carry
    what is left of their budget as text."""
    summaries = Summaries()
    rows = []
    for row in clocks_of(ticket):
        summary = summaries.of(row)
        running = row.paused_at is None and row.stopped_at is None
        rows.append(
            {
                "row": row,
                "summary": summary,
                "running": running,
                "left": remaining_text(summary["remaining_seconds"]),
            }
        )
    return rows


# --- customer ---------------------------------------------------------------------------------


def customer_panel(
    ticket: Ticket, roles: frozenset[str], slots: Slots, *, unmask_url: str
) -> dict[str, Any]:
    """The customer masked, with the values `unmask_customer` returned in clear (this response
    only), and the unmask form for roles that may use it."""
    customer = ticket.customer
    ticket_labels = field_labels(Ticket)
    labels = {
        **field_labels(Customer),
        "subscription": ticket_labels["subscription"],
        "contact": ticket_labels["contact_name"],
    }
    revealed = slots.revealed
    rows = [
        {
            "name": name,
            "label": labels[name],
            "value": revealed[name]
            if name in revealed
            else mask_field(name, getattr(customer, name)),
            "clear": name in revealed,
        }
        for name in policy.CUSTOMER_FIELDS
    ]
    may_unmask = policy.can_unmask(roles)
    form = slots.unmask_form
    if form is None and may_unmask:
        form = UnmaskForm(auto_id="id_unmask_%s")
    subscription = ticket.subscription
    return {
        "customer": customer,
        "customer_type": customer.get_customer_type_display(),
        "labels": labels,
        "rows": rows,
        "subscription": subscription,
        "service_number": subscription.masked_service_number if subscription else "",
        "contact_name": mask_field("contact_name", ticket.contact_name),
        "contact_phone": mask_field("contact_phone", ticket.contact_phone),
        "may_unmask": may_unmask,
        "unmask_form": form if may_unmask else None,
        "unmask_open": slots.unmask_form is not None and bool(slots.unmask_form.errors),
        "revealed": bool(revealed),
        "unmask_url": unmask_url,
        "ticket": ticket,
    }


# --- timeline ---------------------------------------------------------------------------------


def _value_text(value: Any, choices: dict[Any, Any] | None = None) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_value_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_value_text(item, choices) for item in value)
    if value in (None, ""):
        return "—"
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, str) and _ISO_INSTANT.match(value):
        try:
            return date_format(localtime(datetime.fromisoformat(value)), "Y-m-d H:i")
        except ValueError:
            return value
    return str(value)


_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@cache
def _coded_values() -> dict[str, dict[Any, Any]]:
    """The labels (lazy) of the coded values a ticket event's changes may carry."""
    coded = {f.name: dict(f.flatchoices) for f in Ticket._meta.fields if f.choices}
    coded["clock"] = dict(ClockName.choices)
    coded.update(EVENT_VALUES)  # return visits and surveys (R-RV-1..3)
    return coded


#: Action labels by code (lazy).
ACTION_LABELS = dict(Action.choices)
#: Status labels by code (lazy).
STATUS_LABELS = dict(Status.choices)


#: Events whose changes are a snapshot (registration) or facts (time-limit alerts, rebuilds),
#: not {field: [old, new]} pairs.
SNAPSHOT_EVENTS = frozenset(
    {
        Action.REGISTER,
        Action.ATTACH,
        Action.SLA_WARNING,
        Action.SLA_BREACH,
        Action.SLA_ESCALATION,
        Action.SLA_REBUILD,
    }
)


def describe_changes(
    action: str, changes: dict[str, Any], labels: dict[str, str]
) -> list[dict[str, Any]]:
    """An event's changes as (label, old, new) or (label, value) rows, coded values by their
    label; numbers in the values are masked once more in case a value is free text (they were
    masked when written)."""
    choices = _coded_values()
    pairs = action not in SNAPSHOT_EVENTS
    described: list[dict[str, Any]] = []
    for name, value in (changes or {}).items():
        label = labels.get(name) or name.replace("_", " ")
        known = choices.get(name)
        if pairs and isinstance(value, list) and len(value) == 2:
            old, new = (mask_text(_value_text(item, known)) for item in value)
            described.append({"label": label, "value": None, "old": old, "new": new})
        else:
            described.append({"label": label, "value": mask_text(_value_text(value, known))})
    return described


def timeline(ticket: Ticket) -> tuple[list[TicketEvent], bool]:
    """The newest events first (bounded), and whether older ones were left out."""
    events = list(ticket.events.order_by("-created_at", "-id")[: TIMELINE_LIMIT + 1])
    return events[:TIMELINE_LIMIT], len(events) > TIMELINE_LIMIT


def timeline_rows(events: list[TicketEvent], names: dict[int, str]) -> list[dict[str, Any]]:
    # Alerts' facts (clock, threshold, deadline, notified) under their own names.
    labels = {
        **field_labels(Alert),
        **field_labels(Clock),
        **field_labels(Ticket),
        **EVENT_LABELS,
    }
    rows = []
    for event in events:
        moved = event.from_status != event.to_status and event.to_status
        before = STATUS_LABELS.get(event.from_status, "") if moved else ""
        rows.append(
            {
                "event": event,
                "actor": names.get(event.actor_id, "") if event.actor_id else "",
                "label": ACTION_LABELS.get(event.action, event.action),
                "from_status": before,
                "to_status": STATUS_LABELS.get(event.to_status, "") if moved else "",
                "note": mask_text(event.note),
                "changes": describe_changes(event.action, event.changes, labels),
                "system": event.action.startswith("sla_"),
            }
        )
    return rows


# --- actions ----------------------------------------------------------------------------------


def candidate_rows(department: Department | None = None) -> list[Candidate]:
    """The people a ticket may be assigned to (of `department`, if given), least loaded
    first, with their open load (R-DSP-1); one query."""
    return list(
        assignment_candidates(department).values_list(
            "username",
            "staff_profile__display_name",
            "staff_profile__department__code",
            "staff_profile__department__name",
            "open_load",  # type: ignore[misc]  # annotated by assignment_candidates
        )
    )


def assign_choices(ticket: Ticket) -> dict[str, Any]:
    """The assign form's departments and candidates (two queries), and where a chosen
    department's people come from."""
    departments = list(Department.objects.order_by("name", "code").values_list("code", "name"))
    return {
        "departments": departments,
        "candidates": candidate_rows(),
        "candidates_url": reverse("web:ticket-candidates", args=[ticket.number]),
    }


def allowed_for(ticket: Ticket, roles: frozenset[str]) -> list[str]:
    """Exactly the verbs the workflow allows now that one of these roles may take."""
    approved = ticket.closure_approved_at is not None
    return [
        action
        for action in workflow.open_actions(ticket.kind, ticket.status, ticket.urgency, approved)
        if workflow.can_role_act(roles, action)
    ]


def action_panels(ticket: Ticket, roles: frozenset[str], slots: Slots) -> list[ActionPanel]:
    panels = []
    for action in allowed_for(ticket, roles):
        form: VersionedForm
        if slots.action == action and slots.action_form is not None:
            form = slots.action_form
            _version_data(form, ticket.version)
        else:
            form_class = action_form_class(action)
            extra = assign_choices(ticket) if form_class is AssignActionForm else {}
            form = form_class(
                initial={"version": ticket.version}, auto_id=f"id_{action}_%s", **extra
            )
        panels.append(
            ActionPanel(
                action=action,
                label=str(Action(action).label),
                form=form,
                is_open=form is slots.action_form,
                style="btn-outline-danger" if action in DANGER_ACTIONS else "btn-outline-primary",
            )
        )
    return panels


def feedback_section(ticket: Ticket, roles: frozenset[str], slots: Slots) -> dict[str, Any] | None:
    """Result feedback of a complaint (R-CMP-2): what was fed back, masked, and the form for
    the stages still to give while it is resolved (for the roles that feed back)."""
    if ticket.kind not in COMPLAINT_KINDS:
        return None
    rows = list(ticket.feedback.order_by("given_at", "id"))
    stages = stages_open(stages_given(rows, ticket.resolved_at))
    form = None
    may_give = workflow.can_role_act(roles, Action.FEEDBACK_FIRST)
    if ticket.status == Status.RESOLVED and stages and may_give:
        form = slots.feedback_form
        if form is None:
            form = FeedbackForm(
                initial={"version": ticket.version}, stages=stages, auto_id="id_feedback_%s"
            )
        else:
            _version_data(form, ticket.version)
    return {
        "rows": [
            {"row": row, "cause": mask_text(row.cause), "measures": mask_text(row.measures)}
            for row in rows
        ],
        "form": form,
    }


def regulator_section(ticket: Ticket, roles: frozenset[str], slots: Slots) -> dict[str, Any] | None:
    """The form correcting a regulated complaint's case reference and due date (R-CMP-1), for
    the roles that may update an unfinished ticket; None on every other ticket."""
    if not is_regulated(ticket.kind, ticket.channel) or workflow.is_frozen(ticket.status):
        return None
    if not workflow.can_role_act(roles, Action.UPDATE):
        return None
    form = slots.regulator_form
    if form is None:
        form = RegulatorForm(
            initial={
                "version": ticket.version,
                "regulator_reference": ticket.regulator_reference,
                "regulator_due_at": ticket.regulator_due_at,  # shown in local time
            },
            auto_id="id_regulator_%s",
        )
    else:
        _version_data(form, ticket.version)
    return {"form": form, "is_open": slots.regulator_form is not None}


# --- the page ---------------------------------------------------------------------------------


def attachments_of(ticket: Ticket) -> list[Attachment]:
    return list(
        ticket.attachments.only(
            "id", "ticket_id", "filename", "content_type", "size", "uploaded_by_id", "uploaded_at"
        ).order_by("uploaded_at", "id")
    )


def page_context(request: HttpRequest, ticket: Ticket, slots: Slots) -> dict[str, Any]:
    roles = roles_of(request.user)
    events, truncated = timeline(ticket)
    attachments = attachments_of(ticket)
    names = people_names(
        {ticket.first_owner_id, ticket.assignee_id, ticket.closure_approved_by_id}
        | {event.actor_id for event in events}
        | {attachment.uploaded_by_id for attachment in attachments}
    )
    may_write = workflow.can_role_act(roles, Action.NOTE)
    may_attach = workflow.can_role_act(roles, Action.ATTACH)
    return {
        "ticket": ticket,
        "labels": field_labels(Ticket),
        "status_badge": STATUS_BADGES.get(ticket.status, "text-bg-secondary"),
        "title": mask_text(ticket.title),
        "description": mask_text(ticket.description),
        "resolution": mask_text(ticket.resolution),
        "first_owner": names.get(ticket.first_owner_id, ""),
        "assignee": names.get(ticket.assignee_id or 0, ""),
        "closure_approver": names.get(ticket.closure_approved_by_id or 0, ""),
        "clocks": clock_rows(ticket),
        "panel": customer_panel(
            ticket,
            roles,
            slots,
            unmask_url=reverse("web:ticket-unmask", args=[ticket.number]),
        ),
        "timeline": timeline_rows(events, names),
        "timeline_truncated": truncated,
        "timeline_limit": TIMELINE_LIMIT,
        "actions": action_panels(ticket, roles, slots),
        "feedback": feedback_section(ticket, roles, slots),
        "visits": visits_section(ticket, roles),
        "regulator": regulator_section(ticket, roles, slots),
        "note_form": (slots.note_form or NoteForm(auto_id="id_note_%s")) if may_write else None,
        "attach_form": (slots.attach_form or AttachForm(auto_id="id_attach_%s"))
        if may_attach
        else None,
        "attachments": [
            {"attachment": attachment, "uploaded_by": names.get(attachment.uploaded_by_id, "")}
            for attachment in attachments
        ],
    }


def render_page(
    request: HttpRequest, ticket: Ticket, slots: Slots | None = None, status: int = 200
) -> HttpResponse:
    context = page_context(request, ticket, slots or Slots())
    return render(request, "tickets/web/ticket.html", context, status=status)


def render_customer_panel(
    request: HttpRequest, ticket: Ticket, slots: Slots, status: int = 200
) -> HttpResponse:
    """The customer panel alone, for an htmx swap."""
    panel = customer_panel(
        ticket,
        roles_of(request.user),
        slots,
        unmask_url=reverse("web:ticket-unmask", args=[ticket.number]),
    )
    return render(request, "tickets/web/ticket_customer.html", {"panel": panel}, status=status)
