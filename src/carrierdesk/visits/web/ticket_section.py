"""The ticket workspace's return-visit section (R-RV-1..3): the ticket's visits and its survey
link, and the words the timeline needs for the visits' and surveys' events."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import Role
from carrierdesk.core import clock
from carrierdesk.core.masking import mask_text
from carrierdesk.tickets.models import Ticket
from carrierdesk.visits.choices import Satisfaction, VisitStatus
from carrierdesk.visits.models import ReturnVisit, SurveyInvitation
from carrierdesk.visits.worklist import countdown_of

#: Who opens a visit's page from the ticket (the worklist's readers).
VISITORS = frozenset({Role.QUALITY_INSPECTOR, Role.SUPERVISOR, Role.ADMIN})

#: Labels of the keys the visits' and surveys' timeline events carry.
EVENT_LABELS: dict[str, Any] = {
    "visit": _("Return visit"),
    "visit_status": _("Visit"),
    "invitation": _("Survey"),
    "survey": _("Survey"),
    "send_at": _("Sent from"),
    "expires_at": _("Expires"),
    "cap": _("At most (surveys/days)"),
    "attempts": _("Attempts"),
    "solved": _("Solved"),
    "satisfaction": _("Satisfaction"),
    "nps": _("NPS score"),
}
#: Coded values in those events.
EVENT_VALUES: dict[str, dict[Any, Any]] = {
    "satisfaction": dict(Satisfaction.choices),
    "survey": {
        "sent": _("link sent"),
        "capped": _("not sent: the customer had their surveys for the period"),
    },
    "solved": {True: _("yes"), False: _("no")},
    "visit_status": dict(VisitStatus.choices),
}


def visits_section(ticket: Ticket, roles: frozenset[str]) -> dict[str, Any] | None:
    """The ticket's return visits and its newest survey link; None when it has neither (a
    ticket never resolved has neither: no query then)."""
    if ticket.resolved_at is None and not ticket.reopen_count:
        return None
    visits = list(ReturnVisit.objects.filter(ticket=ticket).order_by("created_at", "id")[:20])
    survey = SurveyInvitation.objects.filter(ticket=ticket).order_by("-created_at", "-id").first()
    if not visits and survey is None:
        return None
    now = clock.now()
    rows = [
        {
            "visit": visit,
            "comment": mask_text(visit.comment),
            "countdown": countdown_of(visit, now)
            if visit.status == VisitStatus.SCHEDULED
            else None,
        }
        for visit in visits
    ]
    state = None
    if survey is not None:
        if survey.answered_at:
            state = _("answered")
        elif survey.withdrawn_at:
            state = _("replaced by a newer link")
        elif survey.expires_at <= now:
            state = _("expired unanswered")
        elif survey.send_at > now:
            state = _("held until the end of the quiet hours")
        else:
            state = _("sent, not answered yet")
    return {
        "rows": rows,
        "survey": survey,
        "survey_state": state,
        "may_visit": bool(roles & VISITORS),
        "now": now,
    }
