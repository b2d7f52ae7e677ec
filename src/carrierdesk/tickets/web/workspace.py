"""The ticket workspace (issue 5 §4): the page, and the posts its forms make.

Each post reads the ticket through `access_ticket` (out of scope: 404, as missing), asks the
action's role table (403 whatever was sent: auditors change nothing), parses with a form, calls
the action and redirects back to the page (POST/redirect/GET). A refusal is shown next to its
field with what was typed kept; a stale form (Conflict) is refused with a message, the page
reloaded and nothing overwritten.
"""

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from carrierdesk.accounts.models import Department
from carrierdesk.accounts.roles import roles_of
from carrierdesk.core.errors import ActionError, Conflict, InvalidInput
from carrierdesk.privacy import policy
from carrierdesk.privacy.actions import unmask_customer
from carrierdesk.tickets import actions
from carrierdesk.tickets.choices import Action, FeedbackStage, is_regulated
from carrierdesk.tickets.feedback import record_feedback
from carrierdesk.tickets.queries import access_ticket
from carrierdesk.tickets.web.workspace_forms import (
    AssignActionForm,
    AttachForm,
    FeedbackForm,
    NoteForm,
    RegulatorForm,
    UnmaskForm,
    action_form_class,
)
from carrierdesk.tickets.web.workspace_page import (
    Slots,
    assign_choices,
    candidate_rows,
    render_customer_panel,
    render_page,
)
from carrierdesk.web.access import show_errors, staff_view

STALE = _("This ticket changed meanwhile — reloaded; check and try again.")


@staff_view()
def ticket(request: HttpRequest, number: str) -> HttpResponse:
    return render_page(request, access_ticket(request.user, number))


def _carry_out(
    request: HttpRequest,
    number: str,
    form: Form,
    slots: Slots,
    call: Callable[[], Any],
    done: str,
) -> HttpResponse:
    """Call the action; on success back to the page, else the page with the refusal shown
    (the ticket read again: after a Conflict, as it is now)."""
    if form.is_valid():
        try:
            call()
        except Conflict:
            messages.warning(request, STALE)
            return render_page(request, access_ticket(request.user, number), slots, status=409)
        except InvalidInput as exc:
            show_errors(form, exc)
            return render_page(request, access_ticket(request.user, number), slots)
        except ActionError as exc:  # not allowed now, or not for this role: said at the top
            messages.error(request, str(exc.message))
            return render_page(request, access_ticket(request.user, number), slots, exc.http_status)
        messages.success(request, done)
        return redirect("web:ticket", number=number)
    return render_page(request, access_ticket(request.user, number), slots)


@staff_view()
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One verb of the workflow (R-WF-1, R-CMP-1's approval), for the version of the ticket
    the form showed; `update` is the correction of a regulated complaint's case."""
    if action == Action.UPDATE:
        return correct_regulator(request, number)
    function = actions.VERB_FUNCTIONS.get(action)
    if function is None:
        raise Http404()
    current = access_ticket(request.user, number)
    actions.require_role(request.user, action)
    form_class = action_form_class(action)
    extra = assign_choices(current) if form_class is AssignActionForm else {}
    form = form_class(request.POST, auto_id=f"id_{action}_%s", **extra)
    slots = Slots(action=action, action_form=form)
    done = _("%(action)s: done.") % {"action": Action(action).label}

    def call() -> Any:
        return function(request.user, current.number, **form.params())

    return _carry_out(request, current.number, form, slots, call, done)


def correct_regulator(request: HttpRequest, number: str) -> HttpResponse:
    """Correct the regulator's reference and due date of a regulated complaint (R-CMP-1)
    through `update_ticket`, which re-times the regulator clock in the same transaction.
    Reached through `act` (POST, signed-in staff) as the `update` verb."""
    current = access_ticket(request.user, number)
    actions.require_role(request.user, Action.UPDATE)
    if not is_regulated(current.kind, current.channel):  # no such form on other tickets
        raise Http404()
    form = RegulatorForm(request.POST, auto_id="id_regulator_%s")
    slots = Slots(regulator_form=form)
    done = _("%(action)s: done.") % {"action": Action.UPDATE.label}

    def call() -> Any:
        return actions.update_ticket(request.user, current.number, **form.params())

    return _carry_out(request, current.number, form, slots, call, done)


@staff_view()
def candidates(request: HttpRequest, number: str) -> HttpResponse:
    """The assign form's people of the department chosen (all for none), with their open
    load: the htmx answer to choosing a department."""
    current = access_ticket(request.user, number)
    actions.require_role(request.user, Action.ASSIGN)
    department = Department.objects.filter(code=request.GET.get("department", "")).first()
    form = AssignActionForm(
        initial={"version": current.version},
        auto_id="id_assign_%s",
        candidates=candidate_rows(department),
    )
    return render(request, "tickets/web/ticket_assignee.html", {"field": form["assignee"]})


@staff_view()
@require_POST
def note(request: HttpRequest, number: str) -> HttpResponse:
    current = access_ticket(request.user, number)
    actions.require_role(request.user, Action.NOTE)
    form = NoteForm(request.POST, auto_id="id_note_%s")

    def call() -> Any:
        return actions.add_note(request.user, current.number, note=form.cleaned_data["note"])

    slots = Slots(note_form=form)
    return _carry_out(request, current.number, form, slots, call, str(_("Note added.")))


@staff_view()
@require_POST
def feedback(request: HttpRequest, number: str) -> HttpResponse:
    """Record a result feedback to the complainant (R-CMP-2)."""
    current = access_ticket(request.user, number)
    actions.require_role(request.user, Action.FEEDBACK_FIRST)
    form = FeedbackForm(request.POST, stages=FeedbackStage.values, auto_id="id_feedback_%s")

    def call() -> Any:
        return record_feedback(request.user, current.number, **form.params())

    slots = Slots(feedback_form=form)
    done = str(_("The result feedback is recorded."))
    return _carry_out(request, current.number, form, slots, call, done)


@staff_view()
@require_POST
def attach(request: HttpRequest, number: str) -> HttpResponse:
    current = access_ticket(request.user, number)
    actions.require_role(request.user, Action.ATTACH)
    form = AttachForm(request.POST, request.FILES, auto_id="id_attach_%s")

    def call() -> Any:
        upload = form.cleaned_data["file"]
        return actions.attach(
            request.user,
            current.number,
            file=upload,
            filename=upload.name or "",
            content_type=upload.content_type or "",
        )

    slots = Slots(attach_form=form)
    return _carry_out(request, current.number, form, slots, call, str(_("File attached.")))


@staff_view()
def attachment(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    """A file of a ticket in scope, as a download with its stored type (never shown inline)."""
    current = access_ticket(request.user, number)
    stored = current.attachments.filter(pk=attachment_id).first()
    if stored is None:
        raise Http404()
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.filename,
        content_type=stored.content_type,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response  # type: ignore[return-value]  # a streaming response, as staff_view passes on


@staff_view()
@require_POST
def unmask(request: HttpRequest, number: str) -> HttpResponse:
    """The customer's personal data in clear, in this response only (R-SEC-2): never stored
    in the session or a cache. The action logs the access, and audits a refused role."""
    current = access_ticket(request.user, number)
    form = UnmaskForm(request.POST, auto_id="id_unmask_%s")
    slots = Slots(unmask_form=form)
    valid = form.is_valid()
    # A role that may not unmask is refused (and audited) by the action, whatever it sent.
    if valid or not policy.can_unmask(roles_of(request.user)):
        try:
            slots.revealed = unmask_customer(
                cast(User, request.user),  # staff_view let only a signed-in user through
                current.customer.number,
                reason=form.cleaned_data.get("reason", ""),
                fields=form.cleaned_data.get("show") or None,
            )
        except InvalidInput as exc:
            show_errors(form, exc)
    if request.htmx:  # type: ignore[attr-defined]  # django-htmx's middleware
        # 200 with the errors too: htmx 2 swaps no 4xx answer unless configured to.
        response = render_customer_panel(request, current, slots)
    else:
        response = render_page(request, current, slots)
    patch_cache_control(response, private=True, no_store=True)
    return response
