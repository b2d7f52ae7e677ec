"""The quality inspectors' return-visit worklist (R-RV-1): the visits waiting in the reader's
scope, nearest due first, each with its limit's countdown; and the page of one visit, where
an attempt or the outcome is recorded (`record_visit`). Unsolved or dissatisfied reopens the
ticket (R-RV-2), which the page says."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import Role
from carrierdesk.core import clock
from carrierdesk.core.errors import ActionError, InvalidInput, NotFound
from carrierdesk.tickets.choices import ContactChannel, Kind, Status
from carrierdesk.visits.actions import MAX_COMMENT, record_visit
from carrierdesk.visits.choices import Satisfaction, VisitStatus
from carrierdesk.visits.models import ReturnVisit
from carrierdesk.visits.summary import midnight
from carrierdesk.visits.web.survey import NPS_CHOICES, YES_NO
from carrierdesk.visits.worklist import countdown_of, visible_visits, waiting_visits
from carrierdesk.web.access import show_errors, staff_view
from carrierdesk.web.forms import StaffForm

#: Who makes return visits (the `return_visit` verb's roles) and so sees the worklist.
VISITORS = (Role.QUALITY_INSPECTOR, Role.SUPERVISOR, Role.ADMIN)
PAGE_SIZE = 50
ANY = [("", _("Any"))]


class WorklistFilter(StaffForm):
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[*ANY, ("overdue", _("Overdue")), ("today", _("Due by the end of today"))],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[*ANY, *ContactChannel.choices]
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[*ANY, *Kind.choices])


class VisitForm(StaffForm):
    """An attempt or the outcome; the action checks what the outcome needs."""

    reached = forms.ChoiceField(
        label=_("Was the customer reached?"), choices=YES_NO, widget=forms.RadioSelect
    )
    solved = forms.ChoiceField(
        label=_("Is the problem solved?"),
        choices=[("", "—"), *YES_NO],
        required=False,
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=[("", "—"), *Satisfaction.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    nps = forms.TypedChoiceField(
        label=_("NPS score (0-10, optional)"),
        choices=[("", "—"), *NPS_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        reached = data["reached"] == "yes"
        if not reached:
            return {"reached": False}
        return {
            "reached": True,
            "solved": {"yes": True, "no": False}.get(data["solved"]),
            "satisfaction": data["satisfaction"],
            "nps": data["nps"],
            "comment": data["comment"],
        }


def _day_end(now: datetime) -> datetime:
    """The end of the local day of `now` (the "due today" filter)."""
    return midnight(timezone.localdate(now) + timedelta(days=1), timezone.get_default_timezone())


@staff_view(VISITORS)
def worklist(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    form = WorklistFilter(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    rows = waiting_visits(
        request.user,  # type: ignore[arg-type]  # staff_view: a signed-in user
        now=now,
        due=chosen.get("due", ""),
        channel=chosen.get("channel", ""),
        kind=chosen.get("kind", ""),
        day_end=_day_end(now),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    visits = [(visit, countdown_of(visit, now)) for visit in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "visits": visits,
        "now": now,
        "query": query.urlencode(),
    }
    return render(request, "visits/worklist.html", context)


def _visit_in_scope(request: HttpRequest, visit_id: int) -> ReturnVisit:
    visit = visible_visits(request.user).filter(pk=visit_id).first()  # type: ignore[arg-type]
    if visit is None:
        raise NotFound(_("No such return visit."))
    return visit


@staff_view(VISITORS)
def visit(request: HttpRequest, visit_id: int) -> HttpResponse:
    """One visit: the ticket it follows, its attempts so far, and the form while it waits."""
    found = _visit_in_scope(request, visit_id)
    form = VisitForm(request.POST or None)
    status = 200
    if request.method == "POST":  # the action decides (a finished visit is refused there)
        if form.is_valid():
            try:
                done = record_visit(request.user, found.pk, **form.params())
            except InvalidInput as exc:
                show_errors(form, exc)
            except ActionError as exc:
                messages.error(request, str(exc.message))
                status = exc.http_status
            else:
                messages.success(request, str(_done_message(done)))
                if done.status == VisitStatus.SCHEDULED:
                    return redirect("web:visit", visit_id=found.pk)
                return redirect("web:visits")
        found = _visit_in_scope(request, visit_id)
    now = clock.now()
    context = {
        "visit": found,
        "ticket": found.ticket,
        "form": form if found.status == VisitStatus.SCHEDULED else None,
        "countdown": countdown_of(found, now) if found.status == VisitStatus.SCHEDULED else None,
        "early": found.status == VisitStatus.SCHEDULED and now < found.not_before,
        "now": now,
    }
    return render(request, "visits/visit.html", context, status=status)


def _done_message(visit: ReturnVisit) -> Any:
    if visit.status == VisitStatus.SCHEDULED:
        return _("Attempt %(count)d of %(most)d recorded: the customer was not reached.") % {
            "count": visit.attempts,
            "most": visit.max_attempts,
        }
    if visit.status == VisitStatus.UNREACHABLE:
        return _("The customer could not be reached: the visit is closed as unreachable.")
    if visit.ticket.status == Status.REOPENED:
        return _("The visit is recorded and the ticket is reopened to be handled again.")
    return _("The visit is recorded.")
