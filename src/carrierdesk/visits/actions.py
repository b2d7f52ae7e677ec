"""Return visits (回访, R-RV-1, R-RV-2): scheduled when a ticket is resolved, recorded by the
quality inspectors; a dissatisfied or unsolved visit reopens the ticket (重新处理)."""

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from carrierdesk.core import clock
from carrierdesk.core.actors import Actor, acting_user
from carrierdesk.core.errors import IllegalTransition, InvalidInput, NotFound
from carrierdesk.core.rows import clean_text
from carrierdesk.tickets import actions as tickets
from carrierdesk.tickets.choices import Action, Status
from carrierdesk.tickets.models import Ticket
from carrierdesk.visits.choices import DISSATISFIED_AT_MOST, Satisfaction, VisitStatus
from carrierdesk.visits.models import ReturnVisit, VisitRule

MAX_COMMENT = 2_000
#: The share of a visit's window at which the quality inspectors are warned (R-SLA-3's ladder).
WARNING_SHARE = 80
#: The reason a visit reopens a ticket with.
NOT_SOLVED = _("Return visit: the problem is not solved (R-RV-2).")
DISSATISFIED = _("Return visit: the customer is dissatisfied (R-RV-2).")


def sampled(number: str, share_percent: int) -> bool:
    """Whether ticket `number` falls in a rule's sample: a fixed share of the numbers, the same
    on every run (so a rebuild or a test sees the same visits)."""
    bucket = int.from_bytes(hashlib.sha256(number.encode()).digest()[:4], "big") % 100
    return bucket < share_percent


def schedule_after_resolution(ticket: Ticket, now: datetime) -> ReturnVisit | None:
    """R-RV-1: the return visit of a ticket just resolved, if its kind's rule samples it; a
    visit still waiting from an earlier resolution is cancelled. In the caller's transaction."""
    cancel_waiting(ticket)
    rule = VisitRule.objects.filter(kind=ticket.kind).first()
    if rule is None or not sampled(ticket.number, rule.share_percent):
        return None
    window = timedelta(hours=rule.within_hours)
    return ReturnVisit.objects.create(
        ticket=ticket,
        channel=rule.channel,
        not_before=now + timedelta(hours=rule.delay_hours),
        due_at=now + window,
        warning_at=now + window * WARNING_SHARE / 100,
        max_attempts=rule.max_attempts,
        created_at=now,
    )


def cancel_waiting(ticket: Ticket) -> int:
    """Cancel the ticket's waiting return visit: the ticket was archived, withdrawn or
    reopened before it was made (a new resolution schedules a new one)."""
    return ReturnVisit.objects.filter(ticket=ticket, status=VisitStatus.SCHEDULED).update(
        status=VisitStatus.CANCELLED
    )


def clean_outcome(
    solved: bool | None, satisfaction: int | None, nps: int | None, comment: str
) -> str:
    errors: dict[str, list[Any]] = {}
    if solved is None:
        errors["solved"] = [_("Record whether the problem is solved.")]
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = [_("Choose a level from 1 (very dissatisfied) to 5.")]
    if nps is not None and not 0 <= nps <= 10:
        errors["nps"] = [_("The NPS score is from 0 to 10.")]
    try:
        comment = clean_text(comment, "comment", required=False, limit=MAX_COMMENT)
    except InvalidInput as exc:
        errors.update(exc.fields)
    if errors:
        raise InvalidInput(fields=errors)
    return comment


def is_dissatisfied(satisfaction: int | None) -> bool:
    """At or below "dissatisfied" the ticket is handled again (R-RV-2)."""
    return satisfaction is not None and satisfaction <= DISSATISFIED_AT_MOST


@transaction.atomic
def record_visit(
    actor: Actor,
    visit_id: int,
    *,
    reached: bool,
    solved: bool | None = None,
    satisfaction: int | None = None,
    nps: int | None = None,
    comment: str = "",
) -> ReturnVisit:
    """Record a return visit (R-RV-1): an attempt that did not reach the customer (after
    `max_attempts` the visit is unreachable), or the outcome — solved or not, satisfaction on
    the five-level scale, optional NPS 0–10 and a comment. Unsolved or dissatisfied reopens
    the ticket (R-RV-2), in the same transaction."""
    if reached:
        comment = clean_outcome(solved, satisfaction, nps, comment)
    visit = ReturnVisit.objects.filter(pk=visit_id).select_related("ticket").first()
    if visit is None:
        raise NotFound(_("No such return visit."))
    ticket = tickets.lock_ticket(visit.ticket.number)  # the ticket first, as every writer
    tickets.require_role(actor, Action.RETURN_VISIT)
    visit = ReturnVisit.objects.select_for_update().get(pk=visit_id)
    if visit.status != VisitStatus.SCHEDULED:
        raise IllegalTransition(
            _("This return visit is already finished."), extra={"status": visit.status}
        )
    if ticket.status != Status.RESOLVED:
        raise IllegalTransition(
            _("A return visit is recorded on a resolved ticket."), extra={"status": ticket.status}
        )
    now = clock.now()
    visit.attempts += 1
    visit.visited_by = acting_user(actor)
    visit.visited_at = now
    if not reached:
        if visit.attempts >= visit.max_attempts:
            visit.status = VisitStatus.UNREACHABLE
    else:
        visit.status = VisitStatus.DONE
        visit.solved, visit.satisfaction, visit.nps, visit.comment = (
            solved,
            satisfaction,
            nps,
            comment,
        )
    visit.save()
    changes = {
        "visit": visit.pk,
        "visit_status": visit.status,
        "attempts": visit.attempts,
        "solved": visit.solved,
        "satisfaction": visit.satisfaction,
        "nps": visit.nps,
    }
    tickets.touch_and_record(ticket, actor, Action.RETURN_VISIT, changes, comment, now)
    if reached and not solved:
        tickets.reopen(actor, ticket.number, reason=str(NOT_SOLVED))
    elif reached and is_dissatisfied(satisfaction):
        tickets.reopen(actor, ticket.number, reason=str(DISSATISFIED))
    return visit
