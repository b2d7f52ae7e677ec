"""The queues (issue 5 §3): my tickets, my team's, my department's, the unassigned ones and
all I can see, filtered, sorted and paged, each row with its nearest deadline counting down;
saved views; bulk assignment for dispatchers, supervisors and admins (§5).

The filter form is a GET form; with htmx the whole queue block is swapped on change and the
URL pushed, without JS it submits normally. Reads go through `tickets_visible_to`.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.models import Department
from carrierdesk.accounts.roles import roles_of
from carrierdesk.accounts.scope import scope_of
from carrierdesk.core import clock
from carrierdesk.core.errors import ActionError
from carrierdesk.tickets.queries import assignment_candidates, tickets_visible_to
from carrierdesk.tickets.web import queue_queries as queries
from carrierdesk.tickets.web.queue_assign import assign_submitted
from carrierdesk.tickets.web.queue_forms import AssignForm, QueueFilterForm, SavedViewForm
from carrierdesk.web import actions as web_actions
from carrierdesk.web.access import show_errors, staff_view
from carrierdesk.web.models import SavedView

#: Who may assign from a queue (as `tickets.actions.assign` allows).
ASSIGNERS = frozenset({Role.DISPATCHER.value, Role.SUPERVISOR.value, Role.ADMIN.value})

#: The sortable columns: (sort key, heading).
COLUMNS = ("number", "urgency", "status", "received", "deadline")


def department_id_of(user: Any) -> int | None:
    scope_of(user)  # reads the staff profile once and keeps it on the user
    profile = getattr(user, "staff_profile", None)
    return profile.department_id if profile is not None else None


def is_partial(request: HttpRequest) -> bool:
    """An htmx swap (not a history restore, which needs the whole page)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"
    )


def filter_form(request: HttpRequest, params: QueryDict, departments: list[Any]) -> QueueFilterForm:
    user = request.user
    roles = roles_of(user)
    department_id = department_id_of(user)
    segments = [
        segment.value
        for segment in queries.Segment
        if department_id is not None or segment not in queries.DEPARTMENT_SEGMENTS
    ]
    return QueueFilterForm(
        params,
        regions=queries.visible_regions(user),
        departments=departments,
        segments=segments,
        default_segment=queries.default_segment(roles),
    )


def queue_context(
    request: HttpRequest,
    params: QueryDict,
    *,
    assign_form: AssignForm | None = None,
    view_form: SavedViewForm | None = None,
) -> dict[str, Any]:
    user = request.user
    can_assign = bool(roles_of(user) & ASSIGNERS)
    departments: list[Any] = list(
        queries.departments_with_load() if can_assign else Department.objects.only("code", "name")
    )
    form = filter_form(request, params, departments)
    department_id = department_id_of(user)
    user_id = int(user.pk)  # type: ignore[arg-type]  # staff_view: signed in
    segments = []
    page = None
    if form.is_valid():
        visible = tickets_visible_to(user)
        for segment in form.segments:
            subset = visible.filter(
                form.condition(segment),
                queries.segment_condition(segment, user_id, department_id),
            )
            count = queries.bounded_count(subset)
            segments.append(
                {
                    "value": segment,
                    "label": queries.Segment(segment).label,
                    "help": queries.SEGMENT_HELP[queries.Segment(segment)],
                    "count": count,
                    "query": form.query(segment=segment, page=""),
                    "active": segment == form.current_segment,
                }
            )
            if segment == form.current_segment:
                page = queries.queue_page(
                    subset, form.current_sort, form.cleaned_data["page"], count, segment=segment
                )
    if can_assign and assign_form is None:
        assign_form = AssignForm(departments=departments, candidates=assignment_candidates())
    if view_form is None:
        view_form = SavedViewForm(initial={"query": form.query(page="")})
    return {
        "form": form,
        "segments": segments,
        "page": page,
        "columns": _columns(form),
        "can_assign": can_assign,
        "assign_form": assign_form if can_assign else None,
        "view_form": view_form,
        "saved_views": SavedView.objects.filter(user_id=user_id).only("id", "name", "query"),
        "query": form.query(),
        "view_query": form.query(page=""),
        "page_links": _page_links(form, page),
        "picked": assign_form.picked if assign_form else set(),
        "now": clock.now(),
    }


def _page_links(form: QueueFilterForm, page: queries.Page | None) -> dict[str, str]:
    if page is None:
        return {}
    return {
        "previous": form.query(page=page.number - 1 if page.number > 2 else ""),
        "next": form.query(page=page.number + 1),
    }


def _columns(form: QueueFilterForm) -> dict[str, dict[str, str]]:
    """Each sortable column's link (toggling the direction where there are two), its
    aria-sort, and what activating it does, for screen readers."""
    current = form.current_sort
    columns = {}
    for key in COLUMNS:
        if key == "deadline":  # nearest first only
            following, aria = key, "ascending" if current == key else "none"
            hint = _("sorted, nearest first") if current == key else _("activate to sort")
        elif current == key:
            following, aria = f"-{key}", "ascending"
            hint = _("sorted ascending; activate to sort descending")
        elif current == f"-{key}":
            following, aria = key, "descending"
            hint = _("sorted descending; activate to sort ascending")
        else:
            following, aria = ("-" if key == "received" else "") + key, "none"
            hint = _("activate to sort")
        columns[key] = {"query": form.query(sort=following, page=""), "aria": aria, "hint": hint}
    return columns


def render_queue(request: HttpRequest, params: QueryDict, **forms: Any) -> HttpResponse:
    context = queue_context(request, params, **forms)
    template = "tickets/web/queue_body.html" if is_partial(request) else "tickets/web/queue.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_view()
def queue(request: HttpRequest) -> HttpResponse:
    return render_queue(request, request.GET)


def _queue_url(query: str) -> str:
    return reverse("web:queue") + (f"?{query}" if query else "")


def _filters_from(request: HttpRequest, query: str) -> QueueFilterForm:
    """The queue's filters a POST came from (its `back` or `query` field), canonicalised."""
    return filter_form(request, QueryDict(query), list(Department.objects.only("code", "name")))


@staff_view(roles=ASSIGNERS)
@require_POST
def assign_selected(request: HttpRequest) -> HttpResponse:
    """Bulk assignment from the queue; each ticket its own action call (issue 5 §5)."""
    departments = list(queries.departments_with_load())
    form = AssignForm(request.POST, departments=departments, candidates=assignment_candidates())
    back = _filters_from(request, str(request.POST.get("back", ""))).query()
    if assign_submitted(request, form) is None:
        return render_queue(request, QueryDict(back), assign_form=form)
    return HttpResponseRedirect(_queue_url(back))


@staff_view()
@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    filters = _filters_from(request, str(request.POST.get("query", "")))
    query = filters.query(page="")
    if not filters.is_valid():
        form.add_error(None, _("The filters have errors: correct them before saving."))
    elif form.is_valid():
        try:
            view = web_actions.save_view(request.user, name=form.cleaned_data["name"], query=query)
        except ActionError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Saved view “%(name)s” kept.") % {"name": view.name})
            return HttpResponseRedirect(_queue_url(query))
    return render_queue(request, QueryDict(query), view_form=form)


@staff_view()
@require_POST
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    web_actions.delete_view(request.user, view_id)
    messages.success(request, _("Saved view deleted."))
    back = _filters_from(request, str(request.POST.get("back", ""))).query()
    return HttpResponseRedirect(_queue_url(back))
