"""Time-limit policy versions, read-only (issue 5 §7, R-POL-1): the versions loaded, and each
version's targets with the manual's section they come from. Versions are loaded with
`carrierdesk sla load`, never edited here."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.fields.json import KT
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import Role
from carrierdesk.core import clock
from carrierdesk.sla.choices import Escalee
from carrierdesk.sla.models import PolicyVersion, Target
from carrierdesk.sla.policy import MATCH_DIMENSIONS, Limit
from carrierdesk.tickets.choices import Action, Category, Channel, Kind, Subtype, Urgency
from carrierdesk.web.access import staff_view

#: Everyone but technicians (web/navigation.py): they work to the limits their tickets show.
POLICY_ROLES = frozenset(role.value for role in Role) - {Role.TECHNICIAN, Role.CUSTOMER}

#: The labels of the values a target is matched on (its `applies to`).
_MATCH_LABELS: dict[str, dict[str, Any]] = {
    "kinds": dict(Kind.choices),
    "subtypes": dict(Subtype.choices),
    "urgencies": dict(Urgency.choices),
    "categories": dict(Category.choices),
    "channels": dict(Channel.choices),
    "sla_tiers": {},
}
_DIMENSION_LABELS: dict[str, Promise] = {
    "kinds": _("Kinds"),
    "subtypes": _("Subtypes"),
    "urgencies": _("Urgencies"),
    "categories": _("Categories"),
    "channels": _("Channels"),
    "sla_tiers": _("SLA tiers"),
}
_EVENT_LABELS = dict(Action.choices)
_ESCALEE_LABELS = dict(Escalee.choices)


#: What the list shows of a version (its document, the whole pack, stays unread).
VERSION_FIELDS = (
    "pack",
    "version",
    "label",
    "effective_from",
    "description",
    "sha256",
    "loaded_at",
    "loaded_by__username",
    "loaded_by__staff_profile__display_name",
)


def versions() -> QuerySet[PolicyVersion]:
    """Every loaded version with its target count and source file."""
    return (
        PolicyVersion.objects.select_related("loaded_by__staff_profile")
        .annotate(target_count=Count("targets"), source_file=KT("document__source_file"))
        .order_by("pack", "-effective_from", "-version")
    )


def in_force_ids(rows: list[PolicyVersion]) -> set[int]:
    """The version of each pack in force today (the latest effective one; a ticket keeps
    the version in force when it was received)."""
    today = timezone.localdate(clock.now())
    chosen: dict[str, PolicyVersion] = {}
    for row in rows:
        best = chosen.get(row.pack)
        if row.effective_from <= today and (
            best is None or (row.effective_from, row.version) > (best.effective_from, best.version)
        ):
            chosen[row.pack] = row
    return {row.pk for row in chosen.values()}


@staff_view(roles=POLICY_ROLES)
def policies(request: HttpRequest) -> HttpResponse:
    rows = list(versions().only(*VERSION_FIELDS))
    return render(
        request, "sla/web/policies.html", {"versions": rows, "in_force": in_force_ids(rows)}
    )


@dataclass(frozen=True)
class Matcher:
    dimension: str | Promise
    values: list[str | Promise]


@dataclass(frozen=True)
class TargetRow:
    target: Target
    limit: str
    matchers: list[Matcher]
    start: list[str | Promise]
    stop: list[str | Promise]
    pause: list[str | Promise]
    resume: list[str | Promise]
    escalation: list[str | Promise]


def _labels(values: list[str], labels: dict[str, Any]) -> list[str | Promise]:
    return [labels.get(value, value) for value in values]


def target_row(target: Target) -> TargetRow:
    matchers = [
        Matcher(
            _DIMENSION_LABELS.get(dimension, dimension),
            _labels(list(target.match[dimension]), _MATCH_LABELS.get(dimension, {})),
        )
        for dimension in MATCH_DIMENSIONS
        if target.match.get(dimension)
    ]
    return TargetRow(
        target=target,
        limit=str(Limit(target.limit_value, target.limit_unit)),
        matchers=matchers,
        start=_labels(target.start_events, _EVENT_LABELS),
        stop=_labels(target.stop_events, _EVENT_LABELS),
        pause=_labels(target.pause_events, _EVENT_LABELS),
        resume=_labels(target.resume_events, _EVENT_LABELS),
        escalation=_labels(target.escalation, _ESCALEE_LABELS),
    )


@staff_view(roles=POLICY_ROLES)
def policy(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(versions(), pk=pk)
    targets = Target.objects.filter(policy=version).order_by("position")
    same_pack = PolicyVersion.objects.filter(pack=version.pack).only(
        "pack", "version", "effective_from"
    )
    return render(
        request,
        "sla/web/policy.html",
        {
            "version": version,
            "targets": [target_row(target) for target in targets],
            "figures": version.document.get("figures", []),
            "in_force": version.pk in in_force_ids(list(same_pack)),
        },
    )
