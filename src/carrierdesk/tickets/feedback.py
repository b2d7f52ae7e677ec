"""Result feedback to the complainant (结果反馈, R-CMP-2, issue 6 §3).

When a complaint's handling is finished (resolved), whoever keeps the customer relationship
tells the complainant the result: the cause, the measures, when it will be complete, whether
follow-up is needed, and asks whether they accept it. A first feedback stops the 2-working-day
clock and the final one the 5-working-day clock (the policy pack's `complaint-feedback-*`
targets); a customer who does not accept the result reopens the complaint (R-RV-2), which
starts its handling clocks again with the time already used.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carrierdesk.core import clock
from carrierdesk.core.actors import Actor, acting_user
from carrierdesk.core.errors import IllegalTransition, InvalidInput, PermissionDenied
from carrierdesk.core.rows import check_version, clean_text
from carrierdesk.sla.actions import clocks_follow
from carrierdesk.tickets import actions
from carrierdesk.tickets.choices import (
    COMPLAINT_KINDS,
    Action,
    ContactChannel,
    FeedbackStage,
    Status,
)
from carrierdesk.tickets.models import ResultFeedback

#: The timeline event of each stage: the clocks of the policy pack stop on it.
STAGE_EVENTS = {
    FeedbackStage.FIRST: Action.FEEDBACK_FIRST,
    FeedbackStage.FINAL: Action.FEEDBACK_FINAL,
}
#: The reason a refused result reopens the complaint with.
NOT_ACCEPTED = _("The customer does not accept the result (R-CMP-2).")


def stages_given(rows: Iterable[ResultFeedback], resolved_at: datetime | None) -> set[str]:
    """The stages fed back for the current result: given since the ticket was last resolved
    (a reopened and resolved-again complaint is fed back again)."""
    if resolved_at is None:
        return set()
    return {row.stage for row in rows if row.given_at >= resolved_at}


def stages_open(given: set[str]) -> list[str]:
    """The stages still to give: none after the final one (which also stands for the first)."""
    if FeedbackStage.FINAL in given:
        return []
    return [stage for stage in FeedbackStage.values if stage not in given]


def _clean(
    stage: str,
    channel: str,
    cause: str,
    measures: str,
    expected_completion: datetime | None,
    customer_accepts: bool | None,
) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    if stage not in FeedbackStage.values:
        errors["stage"] = [_("Choose the first or the final feedback.")]
    if channel not in ContactChannel.values:
        errors["channel"] = [_("Choose how the customer was reached.")]
    texts = {}
    for field, value in (("cause", cause), ("measures", measures)):
        try:
            texts[field] = clean_text(value, field, required=True, limit=actions.MAX_TEXT)
        except InvalidInput as exc:
            errors.update(exc.fields)
    if expected_completion is not None and timezone.is_naive(expected_completion):
        errors["expected_completion"] = [_("Give the time with its time zone.")]
    if stage == FeedbackStage.FINAL and customer_accepts is None:
        errors["customer_accepts"] = [_("Record whether the customer accepts the result.")]
    if errors:
        raise InvalidInput(fields=errors)
    return texts


@transaction.atomic
def record_feedback(
    actor: Actor,
    number: str,
    *,
    stage: str,
    channel: str,
    cause: str,
    measures: str,
    expected_completion: datetime | None = None,
    follow_up_needed: bool = False,
    customer_accepts: bool | None = None,
    expected_version: int | None = None,
) -> ResultFeedback:
    """Record the result fed back to the complainant of a resolved complaint (R-CMP-2).

    One first and one final feedback per resolution, the final one recording whether the
    customer accepts; a final feedback given without a first one meets both limits. A result
    the customer does not accept reopens the complaint, in the same transaction.
    """
    texts = _clean(stage, channel, cause, measures, expected_completion, customer_accepts)
    event = STAGE_EVENTS[FeedbackStage(stage)]
    ticket = actions.lock_ticket(number)
    actions.require_role(actor, event)
    check_version(ticket.version, expected_version)
    if ticket.kind not in COMPLAINT_KINDS:
        raise IllegalTransition(
            _("Result feedback is given on complaints."), extra={"status": ticket.status}
        )
    if ticket.status != Status.RESOLVED:
        raise IllegalTransition(
            _("The result is fed back once the complaint is resolved."),
            extra={"status": ticket.status},
        )
    given = stages_given(
        ticket.feedback.filter(given_at__gte=ticket.resolved_at), ticket.resolved_at
    )
    if stage not in stages_open(given):
        raise IllegalTransition(
            _("This feedback was already given for the current result."),
            extra={"status": ticket.status, "given": sorted(given)},
        )
    giver = acting_user(actor)
    if giver is None:
        raise PermissionDenied(_("Result feedback is given by a staff member."))
    now = clock.now()
    feedback = ResultFeedback.objects.create(
        ticket=ticket,
        stage=stage,
        channel=channel,
        expected_completion=expected_completion,
        follow_up_needed=follow_up_needed,
        customer_accepts=customer_accepts,
        given_by=giver,
        given_at=now,
        **texts,
    )
    ticket.updated_at = now
    ticket.version += 1
    ticket.save(update_fields=["updated_at", "version"])
    clocks_follow(ticket, event, now)  # clocks before the audit: see actions.append_event
    changes = {
        "stage": stage,
        "channel": channel,
        "follow_up_needed": follow_up_needed,
        "customer_accepts": customer_accepts,
    }
    actions.append_event(ticket, actor, event, ticket.status, ticket.status, changes, "", now)
    if customer_accepts is False:
        actions.reopen(actor, ticket.number, reason=str(NOT_ACCEPTED))
    return feedback
