"""Message templates: a code → a subject and a body, in every language of the site. Pure.

Subjects and bodies are `gettext_lazy` strings with `%(name)s` placeholders, rendered inside
`translation.override(language)` with the notification's stored context. Besides the context
keys themselves, a template may use values derived from them at render time, in the
recipient's language:

- `clock_label` is passed by the caller as the clock's English source string (the msgid of its
  label, e.g. "Resolution time limit") and translated here, by `gettext`, inside the override.
  The label must therefore be marked for translation where it is defined (the SLA app's
  choices), so that it is in the catalogue.
- `deadline` is an ISO 8601 string with its offset; it is shown as local time
  (`YYYY-MM-DD HH:MM`, settings.TIME_ZONE).
- `remaining_minutes` and `overdue_minutes` (int) become `remaining` and `overdue`, a short
  duration text such as "2h 10m".
- `kind_label` is, like `clock_label`, an English source string (a ticket kind's label, e.g.
  "Complaint") translated here; so is `status_label` (a ticket status's label).

`validate()` checks a context against its template and is called at enqueue time, so a wrong
call fails in the caller's transaction instead of at delivery.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from carrierdesk.core.masking import mask_text


@dataclass(frozen=True)
class Template:
    """A message: its subject and body, and the context keys they need with their types."""

    code: str
    subject: str | Promise
    body: str | Promise
    keys: Mapping[str, type | tuple[type, ...]]


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


class RenderError(ValueError):
    """The context does not fit the template (a missing key, a wrong type, a bad time)."""


SLA_KEYS: dict[str, type | tuple[type, ...]] = {
    "ticket": str,
    "clock": str,
    "clock_label": str,
    "deadline": str,
}

INCIDENT_KEYS: dict[str, type | tuple[type, ...]] = {
    "incident": str,
    "reporter": str,
    "response_level": int,
    "affected_customers": int,
}

TEMPLATES: dict[str, Template] = {
    template.code: template
    for template in (
        Template(
            code="sla_warning",
            subject=_("[%(ticket)s] %(clock_label)s: %(threshold)d%% of the time limit used"),
            body=_(
                "Ticket %(ticket)s has used %(threshold)d%% of its time limit "
                '"%(clock_label)s". Deadline: %(deadline)s (%(remaining)s left).'
            ),
            keys={**SLA_KEYS, "threshold": int, "remaining_minutes": int},
        ),
        Template(
            code="sla_breach",
            subject=_("[%(ticket)s] %(clock_label)s: time limit exceeded"),
            body=_(
                'Ticket %(ticket)s has exceeded its time limit "%(clock_label)s". '
                "Deadline: %(deadline)s (overdue by %(overdue)s)."
            ),
            keys={**SLA_KEYS, "overdue_minutes": int},
        ),
        Template(
            code="sla_escalation",
            subject=_("[%(ticket)s] Escalation level %(level)s: %(clock_label)s"),
            body=_(
                "Ticket %(ticket)s is escalated to level %(level)s: its time limit "
                '"%(clock_label)s" was exceeded by %(overdue)s (deadline: %(deadline)s).'
            ),
            keys={**SLA_KEYS, "overdue_minutes": int, "level": (int, str)},
        ),
        Template(
            code="security_alert",
            subject=_("Security alert: %(user)s unmasked personal data %(count)d times"),
            body=_(
                "Staff member %(user)s has unmasked customers' personal data %(count)d times "
                "within %(window_minutes)d minutes (the alert threshold is %(threshold)d). "
                "Check the personal data access log."
            ),
            keys={"user": str, "count": int, "window_minutes": int, "threshold": int},
        ),
        # R-SEC-6: a major incident, or one involving personal data (incidents/actions.py).
        Template(
            code="security_incident_major",
            subject=_("[%(incident)s] Major security incident"),
            body=_(
                "Security incident %(incident)s, reported by %(reporter)s, is rated major "
                "(response level %(response_level)d; about %(affected_customers)d customers "
                "affected). Only an administrator can close it."
            ),
            keys=INCIDENT_KEYS,
        ),
        Template(
            code="security_incident_personal_data",
            subject=_("[%(incident)s] Security incident involving personal data"),
            body=_(
                "Security incident %(incident)s, reported by %(reporter)s, involves customers' "
                "personal data (response level %(response_level)d; about "
                "%(affected_customers)d customers affected). Decide whether the regulator and "
                "the customers must be notified."
            ),
            keys=INCIDENT_KEYS,
        ),
        Template(
            code="privacy_request_warning",
            subject=_("[%(request)s] Data-subject request: %(threshold)d%% of the time used"),
            body=_(
                "Data-subject request %(request)s has used %(threshold)d%% of its 15 working "
                "days and is not answered yet. Answer it by %(deadline)s."
            ),
            keys={"request": str, "deadline": str, "threshold": int},
        ),
        Template(
            code="privacy_request_breach",
            subject=_("[%(request)s] Data-subject request overdue"),
            body=_(
                "Data-subject request %(request)s was due %(deadline)s and is not answered yet."
            ),
            keys={"request": str, "deadline": str},
        ),
        # R-INT-4: the customer's acknowledgement of registration (受理确认), by SMS. Only the
        # ticket number and the kind: the message may pass through a gateway and sit in logs.
        Template(
            code="ticket_acknowledged",
            subject=_("[%(ticket)s] Your request has been registered"),
            body=_(
                "Your request (%(kind_label)s) has been registered as ticket %(ticket)s. We will "
                "keep you informed of its progress; please quote this number when you contact us."
            ),
            keys={"ticket": str, "kind_label": str},
        ),
        # R-WF-5: the first owner keeps the customer relationship (首问负责制) whoever handles
        # the ticket, so they are told of every change of status someone else makes.
        Template(
            code="ticket_owner_update",
            subject=_("[%(ticket)s] Now: %(status_label)s"),
            body=_(
                'Ticket %(ticket)s, which you registered, is now "%(status_label)s" (by '
                "%(actor)s). You remain the customer's contact for it until it is closed."
            ),
            keys={"ticket": str, "status_label": str, "actor": str},
        ),
        # R-RV-3: the customer's one-time survey link after resolution, by SMS. Only the
        # ticket number, the link and when it expires.
        Template(
            code="survey_invitation",
            subject=_("[%(ticket)s] How did we do?"),
            body=_(
                "Your ticket %(ticket)s has been resolved. Please tell us whether the problem is "
                "solved and how satisfied you are: %(link)s (one use, until %(deadline)s)."
            ),
            keys={"ticket": str, "link": str, "deadline": str},
        ),
        # R-RV-1: a return visit's own limit, to the quality inspectors of its region.
        Template(
            code="visit_warning",
            subject=_("[%(ticket)s] Return visit: %(threshold)d%% of its time used"),
            body=_(
                "The return visit of ticket %(ticket)s has used %(threshold)d%% of its time "
                "and is not made yet. It is due %(deadline)s."
            ),
            keys={"ticket": str, "deadline": str, "threshold": int},
        ),
        Template(
            code="visit_overdue",
            subject=_("[%(ticket)s] Return visit overdue"),
            body=_(
                "The return visit of ticket %(ticket)s was due %(deadline)s and is not made yet."
            ),
            keys={"ticket": str, "deadline": str},
        ),
        Template(
            code="test",
            subject=_("carrierdesk test notification"),
            body=_("This is a test message from carrierdesk: %(text)s"),
            keys={"text": str},
        ),
    )
}


def format_minutes(minutes: int) -> str:
    """A short duration, such as "2h 10m", "1d 3h" or "0m"; negative counts as zero."""
    days, rest = divmod(max(minutes, 0), 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(gettext("%(count)dd") % {"count": days})
    if hours:
        parts.append(gettext("%(count)dh") % {"count": hours})
    if minutes or not parts:
        parts.append(gettext("%(count)dm") % {"count": minutes})
    return " ".join(parts)


def format_deadline(value: str) -> str:
    """ISO 8601 with its offset → local "YYYY-MM-DD HH:MM"."""
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise RenderError(f"deadline is not an ISO 8601 time: {value!r}") from None
    if timezone.is_naive(instant):
        raise RenderError("deadline has no time zone offset")
    return timezone.localtime(instant).strftime("%Y-%m-%d %H:%M")


#: Values derived at render time: key in the context → (key in the template, how to derive it).
DERIVED: dict[str, tuple[str, Callable[[Any], str]]] = {
    "clock_label": ("clock_label", gettext),
    "kind_label": ("kind_label", gettext),
    "status_label": ("status_label", gettext),
    "deadline": ("deadline", format_deadline),
    "remaining_minutes": ("remaining", format_minutes),
    "overdue_minutes": ("overdue", format_minutes),
}


def get_template(code: str) -> Template:
    try:
        return TEMPLATES[code]
    except KeyError:
        raise RenderError(f"unknown template {code!r}") from None


def _as_tuple(expected: type | tuple[type, ...]) -> tuple[type, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


def check_context(template: Template, context: Mapping[str, Any]) -> list[str]:
    """What is wrong with `context` for `template`: one message per key, empty if all is well."""
    problems = []
    for key, expected in template.keys.items():
        if key not in context:
            problems.append(f"missing key {key!r}")
            continue
        value = context[key]
        # bool is an int to Python, never a percentage or a number of minutes to us.
        if not isinstance(value, expected) or isinstance(value, bool):
            names = " or ".join(kind.__name__ for kind in _as_tuple(expected))
            problems.append(f"key {key!r} must be {names}")
    return problems


def render(code: str, context: Mapping[str, Any], language: str) -> Rendered:
    """The subject (one line) and body of template `code` in `language`."""
    template = get_template(code)
    problems = check_context(template, context)
    if problems:
        raise RenderError("; ".join(problems))
    with translation.override(language):
        # Free text (a ticket's title, a reason) may carry phone or ID numbers: masked (R-SEC-2).
        values = {
            key: mask_text(value) if isinstance(value, str) else value
            for key, value in context.items()
        }
        for key, (name, derive) in DERIVED.items():
            if key in context:
                values[name] = derive(context[key])
        try:
            subject = str(template.subject) % values
            body = str(template.body) % values
        except (KeyError, TypeError, ValueError) as exc:
            raise RenderError(f"template {code!r} does not render: {exc}") from None
    return Rendered(subject=" ".join(subject.split()), body=body)
