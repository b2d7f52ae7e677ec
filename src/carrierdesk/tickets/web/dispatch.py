"""Dispatch (issue 5 §5, R-DSP-1): the tickets waiting for a handler, most urgent and oldest
first with their countdowns; for the chosen ticket the departments and people it may go to,
each with their open load, least loaded first; assign with one submit per ticket, or several
ticked tickets at once. A ticket that changed since the page was shown is refused.
"""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from carrierdesk.core import clock
from carrierdesk.core.errors import NotFound
from carrierdesk.tickets.choices import Status
from carrierdesk.tickets.queries import assignment_candidates, tickets_visible_to
from carrierdesk.tickets.web import queue_queries as queries
from carrierdesk.tickets.web.queue_assign import assign_submitted
from carrierdesk.tickets.web.queue_forms import AssignForm
from carrierdesk.tickets.web.queues import ASSIGNERS, is_partial
from carrierdesk.web.access import staff_view

#: What the dispatch page's links carry.
DISPATCH_KEYS = ("ticket", "department", "page")
#: The statuses `tickets.actions.assign` starts from (R-WF-1): a new ticket is accepted first.
ASSIGNABLE = frozenset({Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED})


@dataclass
class Selected:
    """The ticket whose candidates are shown, and whether its status allows assignment."""

    row: queries.Row
    assignable: bool


def _params(source: QueryDict) -> dict[str, str]:
    return {key: str(source.get(key, "")).strip()[:32] for key in DISPATCH_KEYS if source.get(key)}


def _page_number(value: str) -> int:
    return int(value) if value.isdigit() else 1


def dispatch_context(
    request: HttpRequest, params: dict[str, str], *, assign_form: AssignForm | None = None
) -> dict[str, Any]:
    user = request.user
    waiting = queries.waiting_for_dispatch(user)
    total = queries.bounded_count(waiting)
    page = queries.waiting_page(waiting, _page_number(params.get("page", "")), total)
    departments = list(queries.departments_with_load())
    people = list(assignment_candidates())

    selected: Selected | None = None
    if params.get("ticket"):
        found = list(queries.rows_of(tickets_visible_to(user).filter(number=params["ticket"])))
        if not found:  # out of scope and missing look the same (R-SEC-1)
            raise NotFound(_("No such ticket."))
        (row,) = queries.as_rows(found)
        selected = Selected(row, assignable=row.ticket.status in ASSIGNABLE)
    by_code = {department.code: department for department in departments}
    chosen = by_code.get(params.get("department", ""))
    if chosen is None and selected is not None:
        chosen = next((d for d in departments if d.pk == selected.row.ticket.department_id), None)
    shown_people = [
        person
        for person in people
        if chosen is None or person.staff_profile.department_id == chosen.pk
    ]
    if assign_form is None:
        assign_form = AssignForm(departments=departments, candidates=people)
    query = urlencode(params)
    return {
        "page": page,
        "page_links": {
            "previous": urlencode({**params, "page": str(page.number - 1)}),
            "next": urlencode({**params, "page": str(page.number + 1)}),
        },
        "departments": departments,
        "chosen": chosen,
        "people": shown_people,
        "selected": selected,
        "assign_form": assign_form,
        "picked": assign_form.picked,
        "params": params,
        "query": query,
        "choose_query": urlencode({k: v for k, v in params.items() if k != "ticket"}),
        "now": clock.now(),
    }


def render_dispatch(request: HttpRequest, params: dict[str, str], **forms: Any) -> HttpResponse:
    context = dispatch_context(request, params, **forms)
    partial = is_partial(request) and request.headers.get("HX-Target") == "dispatch-candidates"
    template = "tickets/web/dispatch_candidates.html" if partial else "tickets/web/dispatch.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@staff_view(roles=ASSIGNERS)
def dispatch(request: HttpRequest) -> HttpResponse:
    return render_dispatch(request, _params(request.GET))


@staff_view(roles=ASSIGNERS)
@require_POST
def assign(request: HttpRequest) -> HttpResponse:
    """Assign one ticket (a candidate's button) or the ticked ones (the bulk bar)."""
    params = _params(QueryDict(str(request.POST.get("back", ""))))
    form = AssignForm(
        request.POST,
        departments=list(queries.departments_with_load()),
        candidates=assignment_candidates(),
    )
    outcome = assign_submitted(request, form)
    if outcome is None:
        return render_dispatch(request, params, assign_form=form)
    if not outcome.refused:
        params.pop("ticket", None)
    query = urlencode(params)
    return HttpResponseRedirect(reverse("web:dispatch") + (f"?{query}" if query else ""))
