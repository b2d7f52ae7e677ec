"""The return visits' own limit (R-RV-1): a waiting visit past 80 % of its window, and one past
due, is told once each to the quality inspectors whose region holds the ticket (their scope,
R-SEC-1). Run on the time-limit sweeper's beat (`carrierdesk sla sweep`), like the
data-subject requests' warnings; each batch in its own transaction, rows locked and stamped, so
two sweepers never tell twice."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from carrierdesk.accounts.choices import Role
from carrierdesk.core import clock
from carrierdesk.notifications.actions import Message, queue_system_messages
from carrierdesk.visits.actions import WARNING_SHARE
from carrierdesk.visits.choices import VisitStatus
from carrierdesk.visits.models import ReturnVisit

BATCH = 500
WARNING = "visit_warning"
OVERDUE = "visit_overdue"


@dataclass
class VisitSweepReport:
    warnings: int = 0
    overdue: int = 0
    notifications: int = 0


def _due_ids(now: datetime, *, overdue: bool) -> Sequence[int]:
    rows = ReturnVisit.objects.filter(status=VisitStatus.SCHEDULED)
    if overdue:
        rows = rows.filter(due_at__lte=now, overdue_warned_at__isnull=True).order_by("due_at")
    else:
        rows = rows.filter(warning_at__lte=now, warned_at__isnull=True).order_by("warning_at")
    return list(rows.values_list("id", flat=True)[:BATCH])


def _inspectors() -> list[tuple[User, str]]:
    """Active quality inspectors with the region path their scope starts from."""
    people = (
        User.objects.filter(is_active=True, groups__name=Role.QUALITY_INSPECTOR)
        .select_related("staff_profile__region", "staff_profile__department__region")
        .distinct()
        .order_by("pk")
    )
    found = []
    for person in people:
        profile = getattr(person, "staff_profile", None)
        region = None
        if profile is not None:
            region = profile.region or (profile.department.region if profile.department else None)
        if region is not None:
            found.append((person, region.path))
    return found


@transaction.atomic
def _batch(now: datetime, *, overdue: bool) -> tuple[int, int]:
    ids = _due_ids(now, overdue=overdue)
    if not ids:
        return 0, 0
    stamp = "overdue_warned_at" if overdue else "warned_at"
    visits = list(
        ReturnVisit.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, status=VisitStatus.SCHEDULED, **{f"{stamp}__isnull": True})
        .select_related("ticket__region")
        .order_by("pk")
    )
    if not visits:
        return 0, 0
    updates = {stamp: now}
    if overdue:  # past due: the 80 % warning would say less, so it is never given after
        updates["warned_at"] = now
    ReturnVisit.objects.filter(pk__in=[visit.pk for visit in visits]).update(**updates)
    inspectors = _inspectors()
    messages = []
    for visit in visits:
        path = visit.ticket.region.path if visit.ticket.region else None
        told = [person for person, scope in inspectors if path and path.startswith(scope)]
        if not told:
            continue
        context: dict[str, object] = {
            "ticket": visit.ticket.number,
            "deadline": timezone.localtime(visit.due_at).isoformat(),
        }
        if not overdue:
            context["threshold"] = WARNING_SHARE
        messages.append(
            Message(
                recipients=told,
                template=OVERDUE if overdue else WARNING,
                context=context,
                object_type="ticket",
                object_id=visit.ticket.number,
            )
        )
    return len(visits), queue_system_messages(messages) if messages else 0


def sweep_visits(now: datetime | None = None) -> VisitSweepReport:
    """One pass: every warning due at `now` (default: the current time)."""
    now = now or clock.now()
    report = VisitSweepReport()
    for overdue in (True, False):  # overdue first: they skip their 80 % warning
        while True:
            taken, queued = _batch(now, overdue=overdue)
            if overdue:
                report.overdue += taken
            else:
                report.warnings += taken
            report.notifications += queued
            if taken < BATCH:
                break
    return report
