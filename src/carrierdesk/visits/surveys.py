"""Satisfaction surveys by one-time link (满意度调查, R-RV-3).

When a ticket is resolved its customer is sent a link (by SMS, through the notification
senders) to a public page that needs no account. The link works once, expires, and cannot be
forged or altered: it carries a random key signed with the site's secret (Django's `Signer`),
and only the key's SHA-256 is stored. The answer — solved or not, satisfaction on the
five-level scale, optional NPS and comment — lands on the ticket's timeline and in its
return-visit record (R-RV-1); unsolved or dissatisfied reopens the ticket (R-RV-2).

Sending respects the customers' quiet hours (no survey SMS at night: the message waits until
they end) and a per-customer frequency cap (settings.SURVEY_CAP, "N/D": at most N surveys in D
days). A capped resolution sends none, and says so on the timeline.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carrierdesk.core import clock
from carrierdesk.core.actors import Actor
from carrierdesk.core.errors import ActionError, NotFound
from carrierdesk.core.masking import mask_text
from carrierdesk.notifications.actions import enqueue_to_customer
from carrierdesk.tickets import actions as tickets
from carrierdesk.tickets.choices import Action, ContactChannel, Status
from carrierdesk.tickets.models import Ticket
from carrierdesk.visits.actions import clean_outcome, is_dissatisfied
from carrierdesk.visits.choices import VisitStatus
from carrierdesk.visits.models import ReturnVisit, SurveyInvitation

SALT = "carrierdesk.visits.survey"
TEMPLATE = "survey_invitation"
#: The statuses in which an answer still reopens the ticket: it is not being handled again.
REOPENABLE = frozenset({Status.RESOLVED, Status.CLOSED})


class SurveyClosed(ActionError):
    """A survey link that worked once: answered, expired, or replaced by a newer one."""

    code = "survey_closed"
    http_status = 410
    default_message = _("This survey is closed.")


#: The reasons a survey answer reopens a ticket with.
NOT_SOLVED = _("Survey: the customer says the problem is not solved (R-RV-2).")
DISSATISFIED = _("Survey: the customer is dissatisfied (R-RV-2).")
INVALID_LINK = _("This survey link is not valid. Please check that it was copied completely.")


# --- pure parts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuietHours:
    """Local hours in which no survey is sent, e.g. 21:00–08:00 (may wrap past midnight)."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> "QuietHours | None":
        """ "21:00-08:00" → QuietHours; "" → None (no quiet hours). ValueError if malformed."""
        text = text.strip()
        if not text:
            return None
        start, sep, end = text.partition("-")
        if not sep:
            raise ValueError(f"quiet hours must look like 21:00-08:00, not {text!r}")
        quiet = cls(time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))
        if quiet.start == quiet.end:
            raise ValueError(f"quiet hours must not start and end at once: {text!r}")
        return quiet

    def contains(self, moment: time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


def send_time(now: datetime, quiet: QuietHours | None) -> datetime:
    """When a survey message queued at `now` (aware) may go out: now, or the end of the quiet
    hours it falls in (local time of `now`'s zone)."""
    if quiet is None or not quiet.contains(now.timetz().replace(tzinfo=None)):
        return now
    end = datetime.combine(now.date(), quiet.end, tzinfo=now.tzinfo)
    if end <= now:  # the quiet hours wrap past midnight and it is evening
        end = datetime.combine(now.date() + timedelta(days=1), quiet.end, tzinfo=now.tzinfo)
    return end


def parse_cap(text: str) -> tuple[int, int]:
    """ "1/7" → (at most 1 survey, within 7 days). ValueError if malformed (`visits.checks`
    reports it at start-up)."""
    count, sep, days = text.partition("/")
    if not sep or not count.strip().isdigit() or not days.strip().isdigit():
        raise ValueError(f"the survey cap must look like 1/7 (N surveys in D days), not {text!r}")
    if int(count) < 1 or int(days) < 1:
        raise ValueError(f"the survey cap needs at least 1 survey in at least 1 day: {text!r}")
    return int(count), int(days)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def make_token() -> tuple[str, str]:
    """A new link token and the digest to store. The token is `<key>:<signature>`; one that
    could be mistaken for a phone or ID number in a message (and masked) is drawn again."""
    while True:
        key = secrets.token_urlsafe(16)
        token = _signer().sign(key)
        if mask_text(token) == token:
            return token, digest(key)


def read_token(token: str) -> str:
    """The stored digest a token stands for. NotFound if it was altered or is not a token."""
    try:
        key = _signer().unsign(token)
    except signing.BadSignature:
        raise NotFound(INVALID_LINK) from None
    return digest(key)


# --- sending ----------------------------------------------------------------------------------


def survey_link(token: str) -> str:
    return f"{settings.PUBLIC_URL}{reverse('web:survey', args=[token])}"


def invite(ticket: Ticket, actor: Actor, now: datetime) -> SurveyInvitation | None:
    """R-RV-3: the survey of a ticket just resolved, in the caller's transaction (the
    resolution's). Nothing is sent to a ticket without a customer or mobile number; nor to a
    customer past the frequency cap, which the timeline says (an earlier link of the ticket
    then keeps working). A new link withdraws the ticket's earlier unanswered one."""
    customer = ticket.customer
    if customer is None or not customer.mobile or tickets.is_recording_history():
        return None  # history (demo data, imports): the customer was asked at the time
    count, days = parse_cap(settings.SURVEY_CAP)
    recent = SurveyInvitation.objects.filter(
        customer=customer, created_at__gt=now - timedelta(days=days)
    ).count()
    if recent >= count:
        _note(ticket, actor, now, {"survey": "capped", "cap": settings.SURVEY_CAP})
        return None
    SurveyInvitation.objects.filter(
        ticket=ticket, answered_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)
    local_now = timezone.localtime(now)
    send_at = send_time(local_now, QuietHours.parse(settings.SURVEY_QUIET_HOURS))
    expires_at = send_at + timedelta(days=settings.SURVEY_VALID_DAYS)
    token, key_digest = make_token()
    invitation = SurveyInvitation.objects.create(
        ticket=ticket,
        customer=customer,
        digest=key_digest,
        created_at=now,
        send_at=send_at,
        expires_at=expires_at,
    )
    enqueue_to_customer(
        customer,
        template=TEMPLATE,
        context={
            "ticket": ticket.number,
            "link": survey_link(token),
            "deadline": expires_at.isoformat(),
        },
        not_before=send_at if send_at > now else None,
        object_type="ticket",
        object_id=ticket.number,
    )
    _note(
        ticket,
        actor,
        now,
        {
            "survey": "sent",
            "invitation": invitation.pk,
            "send_at": send_at.isoformat(),
            "expires_at": expires_at.isoformat(),
        },
    )
    return invitation


def _note(ticket: Ticket, actor: Actor, now: datetime, changes: dict[str, object]) -> None:
    tickets.append_event(
        ticket, actor, Action.SURVEY_SENT, ticket.status, ticket.status, changes, "", now
    )


# --- answering --------------------------------------------------------------------------------


def open_invitation(token: str, now: datetime | None = None) -> SurveyInvitation:
    """The invitation a link opens, if it may still be answered: NotFound for an altered or
    unknown link, SurveyClosed for one answered, expired or withdrawn."""
    invitation = (
        SurveyInvitation.objects.select_related("ticket").filter(digest=read_token(token)).first()
    )
    if invitation is None:
        raise NotFound(INVALID_LINK)
    _check_open(invitation, now or clock.now())
    return invitation


def _check_open(invitation: SurveyInvitation, now: datetime) -> None:
    if invitation.answered_at is not None:
        raise SurveyClosed(
            _("This survey has already been answered. Thank you."), code="survey_answered"
        )
    if invitation.withdrawn_at is not None:
        raise SurveyClosed(
            _("This survey has been replaced by a newer one, sent to you by SMS."),
            code="survey_withdrawn",
        )
    if now >= invitation.expires_at:
        raise SurveyClosed(_("This survey link has expired."), code="survey_expired")


@transaction.atomic
def answer_survey(
    token: str,
    *,
    solved: bool | None,
    satisfaction: int | None,
    nps: int | None = None,
    comment: str = "",
) -> ReturnVisit:
    """Record a customer's answer (R-RV-3), once: in the ticket's waiting return visit (or a
    new, done one), on its timeline, and — unsolved or dissatisfied — reopen the ticket if it
    is resolved or closed (R-RV-2). Refused, with nothing written, for a bad link, a link that
    no longer works, or an answer out of range."""
    comment = clean_outcome(solved, satisfaction, nps, comment)
    found = open_invitation(token)
    ticket = tickets.lock_ticket(found.ticket.number)  # the ticket first, as every writer
    invitation = SurveyInvitation.objects.select_for_update().get(pk=found.pk)
    now = clock.now()
    _check_open(invitation, now)  # a second answer racing the first waited for the lock
    visit = ReturnVisit.objects.filter(ticket=ticket, status=VisitStatus.SCHEDULED).first()
    if visit is None:
        visit = ReturnVisit(
            ticket=ticket,
            channel=ContactChannel.SMS,
            not_before=invitation.send_at,
            due_at=invitation.expires_at,
            max_attempts=1,
            created_at=invitation.created_at,
        )
    visit.status = VisitStatus.DONE
    visit.attempts += 1
    visit.by_survey = True
    visit.visited_by = None
    visit.visited_at = now
    visit.solved, visit.satisfaction, visit.nps, visit.comment = solved, satisfaction, nps, comment
    visit.save()
    invitation.answered_at = now
    invitation.visit = visit
    invitation.save(update_fields=["answered_at", "visit"])
    changes = {
        "invitation": invitation.pk,
        "visit": visit.pk,
        "solved": solved,
        "satisfaction": satisfaction,
        "nps": nps,
    }
    tickets.touch_and_record(ticket, None, Action.SURVEY_ANSWERED, changes, comment, now)
    if ticket.status in REOPENABLE:
        if not solved:
            tickets.reopen(None, ticket.number, reason=str(NOT_SOLVED))
        elif is_dissatisfied(satisfaction):
            tickets.reopen(None, ticket.number, reason=str(DISSATISFIED))
    return visit
