"""Changing the return-visit rules (R-RV-1): which share of a kind's resolved tickets is
visited, by which channel, not before and by when, and after how many attempts a customer is
unreachable.

Only admins change them (actor None, the system itself, may too); each change is audited with
the values before and after (R-SEC-3), and bad input changes nothing (R-SEC-7). A rule is read
when a ticket is resolved and its values are copied onto the visit then scheduled
(`actions.schedule_after_resolution`), so a change applies to visits scheduled after it: the
visits already waiting keep their channel, dates and attempts.

A kind without a rule gets no return visits; `create_visit_rule` gives it one (the defaults
seeded by migration 0002 cover every kind). `update_visit_rule` never creates a rule: a kind
without one answers NotFound, like an unknown kind.
"""

from typing import Any, TypeGuard

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.roles import roles_of
from carrierdesk.audit.actions import record
from carrierdesk.core.actors import Actor
from carrierdesk.core.changes import apply_changes
from carrierdesk.core.errors import InvalidInput, NotFound, PermissionDenied
from carrierdesk.tickets.choices import ContactChannel, Kind
from carrierdesk.visits.models import VisitRule

#: Who reads the rules (the page and the API), and who changes them.
READ_ROLES = frozenset(
    {Role.QUALITY_INSPECTOR.value, Role.SUPERVISOR.value, Role.AUDITOR.value, Role.ADMIN.value}
)
CHANGE_ROLES = frozenset({Role.ADMIN.value})

#: The fields of a rule that can be changed, in the order forms and audit entries list them.
FIELDS = ("share_percent", "channel", "delay_hours", "within_hours", "max_attempts")
#: Limits: the visit is due within 30 days of the resolution at most; a few attempts.
MAX_WITHIN_HOURS = 720
MAX_ATTEMPTS = 10


def can_read_rules(roles: frozenset[str]) -> bool:
    return bool(roles & READ_ROLES)


def can_change_rules(roles: frozenset[str]) -> bool:
    return bool(roles & CHANGE_ROLES)


def _require_admin(actor: Actor) -> None:
    if actor is not None and not can_change_rules(roles_of(actor)):
        raise PermissionDenied(_("Only admins change return-visit rules."))


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(values: dict[str, Any]) -> dict[str, list[Any]]:
    """The problems of a rule's complete set of values, by field (none: it may be saved)."""
    errors: dict[str, list[Any]] = {}
    share = values.get("share_percent")
    if not _is_int(share) or not 0 <= share <= 100:
        errors["share_percent"] = [_("Give a whole percentage from 0 to 100.")]
    if values.get("channel") not in ContactChannel.values:
        errors["channel"] = [
            _("Choose a channel among: %(channels)s.")
            % {"channels": ", ".join(ContactChannel.values)}
        ]
    within = values.get("within_hours")
    if not _is_int(within) or not 1 <= within <= MAX_WITHIN_HOURS:
        errors["within_hours"] = [
            _("Give a whole number of hours from 1 to %(maximum)d.") % {"maximum": MAX_WITHIN_HOURS}
        ]
        within = None
    delay = values.get("delay_hours")
    if not _is_int(delay) or delay < 0:
        errors["delay_hours"] = [_("Give a whole number of hours, 0 or more.")]
    elif within is not None and delay >= within:
        errors["delay_hours"] = [_("A visit must be allowed to start before its limit.")]
    attempts = values.get("max_attempts")
    if not _is_int(attempts) or not 1 <= attempts <= MAX_ATTEMPTS:
        errors["max_attempts"] = [
            _("Give a number of attempts from 1 to %(maximum)d.") % {"maximum": MAX_ATTEMPTS}
        ]
    return errors


def _values(rule: VisitRule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in FIELDS}


@transaction.atomic
def update_visit_rule(
    actor: Actor,
    kind: str,
    *,
    share_percent: int | None = None,
    channel: str | None = None,
    delay_hours: int | None = None,
    within_hours: int | None = None,
    max_attempts: int | None = None,
) -> VisitRule:
    """Change the return-visit rule of ticket kind `kind` (R-RV-1; admins only): each value
    given replaces the rule's, the others stay. Refused as a whole (InvalidInput, by field) if
    any value is out of range: share 0–100 %, a contact channel, `delay_hours` (not before)
    under `within_hours` (the limit, 1–720 hours), 1–10 attempts. Audited with the values
    before and after; nothing is written when nothing changes. Visits already scheduled keep
    the values they were scheduled with."""
    _require_admin(actor)
    rule = VisitRule.objects.select_for_update().filter(kind=kind).first()
    if rule is None:
        raise NotFound(_("No return-visit rule for this kind."))
    given = {
        "share_percent": share_percent,
        "channel": channel,
        "delay_hours": delay_hours,
        "within_hours": within_hours,
        "max_attempts": max_attempts,
    }
    changed = {name: value for name, value in given.items() if value is not None}
    errors = _check({**_values(rule), **changed})
    if errors:
        raise InvalidInput(_("The return-visit rule was not changed."), fields=errors)
    before = _values(rule)
    changes = apply_changes(rule, changed)
    if not changes:
        return rule
    rule.save(update_fields=list(changes))
    record(
        actor=actor,
        event_type="visit_rule.changed",
        object_type="visit_rule",
        object_id=rule.kind,
        changes={**changes, "before": before, "after": _values(rule)},
    )
    return rule


@transaction.atomic
def create_visit_rule(
    actor: Actor,
    kind: str,
    *,
    share_percent: int,
    channel: str,
    within_hours: int,
    delay_hours: int = 0,
    max_attempts: int = 3,
) -> VisitRule:
    """Give a ticket kind that has none a return-visit rule (R-RV-1; admins only), checked as
    `update_visit_rule` checks a change, and audited. A kind that already has one is refused:
    change it instead."""
    _require_admin(actor)
    if kind not in Kind.values:
        raise NotFound(_("No such ticket kind."))
    values = {
        "share_percent": share_percent,
        "channel": channel,
        "delay_hours": delay_hours,
        "within_hours": within_hours,
        "max_attempts": max_attempts,
    }
    errors = _check(values)
    if VisitRule.objects.filter(kind=kind).exists():
        errors["kind"] = [_("This kind already has a return-visit rule; change it instead.")]
    if errors:
        raise InvalidInput(_("The return-visit rule was not created."), fields=errors)
    try:
        with transaction.atomic():
            rule = VisitRule.objects.create(kind=kind, **values)
    except IntegrityError:  # created meanwhile by someone else
        raise InvalidInput.field(
            "kind", _("This kind already has a return-visit rule; change it instead.")
        ) from None
    record(
        actor=actor,
        event_type="visit_rule.created",
        object_type="visit_rule",
        object_id=kind,
        changes={"before": None, "after": values},
    )
    return rule
