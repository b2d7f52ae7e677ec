"""Forms of the ticket workspace (issue 5 §4): one per verb, each asking for what its action
needs (R-WF-1: a reason to reject, pend, reopen or cancel; a resolution to resolve) and carrying
the ticket's `version`, so a form shown before someone else's change is refused, not applied.

The forms parse; the actions validate again and decide (STYLE habit 1).
"""

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from carrierdesk.customers.models import Customer
from carrierdesk.privacy import policy
from carrierdesk.tickets import workflow
from carrierdesk.tickets.actions import MAX_REASON, MAX_TEXT
from carrierdesk.tickets.choices import Action, ContactChannel, FeedbackStage
from carrierdesk.tickets.web.intake_forms import local_time_field, regulator_due_field
from carrierdesk.web.forms import StaffForm


def _text(label: Any, *, required: bool, limit: int, rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class VersionedForm(StaffForm):
    """A verb's form: the ticket version it was shown with travels along (stale forms)."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def params(self) -> dict[str, Any]:
        """The action's keyword arguments."""
        data = dict(self.cleaned_data)
        data["expected_version"] = data.pop("version")
        return data


class NoteActionForm(VersionedForm):
    """Accept, start, resume, close: an optional note."""

    note = _text(_("Note (optional)"), required=False, limit=MAX_TEXT)


class ReasonActionForm(VersionedForm):
    """Reject, pend, reopen, cancel (workflow.NEEDS_REASON)."""

    reason = _text(_("Reason"), required=True, limit=MAX_REASON)


class ResolveActionForm(VersionedForm):
    """Resolve (workflow.NEEDS_RESOLUTION): what the customer is told, and a note."""

    resolution = _text(_("Resolution"), required=True, limit=MAX_TEXT, rows=3)
    note = _text(_("Note (optional)"), required=False, limit=MAX_TEXT)


#: One candidate of the assignee list: username, display name, department code and name, and
#: their open load (tickets.queries.assignment_candidates).
Candidate = tuple[str, str, str | None, str | None, int]


class AssignActionForm(VersionedForm):
    """Dispatch to a department, a person, or both (R-DSP-1); people show their open load,
    grouped by department. With `candidates_url`, choosing a department brings that
    department's people in (htmx); without JavaScript every candidate is listed."""

    department = forms.ChoiceField(label=_("Department"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    note = _text(_("Note (optional)"), required=False, limit=MAX_TEXT)

    def __init__(
        self,
        *args: Any,
        departments: Iterable[tuple[str, str]] = (),
        candidates: Iterable[Candidate] = (),
        candidates_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        blank = ("", "—")
        department_field = cast(forms.ChoiceField, self.fields["department"])
        department_field.choices = [blank, *departments]
        if candidates_url:
            department_field.widget.attrs.update(
                {
                    "hx-get": candidates_url,
                    "hx-trigger": "change",
                    "hx-target": "#cd-assignee",
                    "hx-swap": "innerHTML",
                }
            )
        groups: dict[str, list[tuple[str, str]]] = {}
        for username, name, _code, department, load in candidates:
            label = _("%(name)s (open: %(load)d)") % {"name": name or username, "load": load}
            groups.setdefault(department or "—", []).append((username, label))
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [blank, *groups.items()]


def action_form_class(action: str) -> type[VersionedForm]:
    """The form that asks for what `action` needs."""
    if action == Action.ASSIGN:
        return AssignActionForm
    if action in workflow.NEEDS_RESOLUTION:
        return ResolveActionForm
    if action in workflow.NEEDS_REASON:
        return ReasonActionForm
    return NoteActionForm


class FeedbackForm(VersionedForm):
    """Result feedback to the complainant (R-CMP-2); `stages` are those still to be given."""

    ACCEPTS = (("", _("Not asked")), ("yes", _("Accepts")), ("no", _("Does not accept")))

    stage = forms.ChoiceField(label=_("Stage"))
    channel = forms.ChoiceField(label=_("Reached by"), choices=ContactChannel.choices)
    cause = _text(_("Cause"), required=True, limit=MAX_TEXT)
    measures = _text(_("Measures"), required=True, limit=MAX_TEXT)
    expected_completion = local_time_field(_("Expected completion"))
    follow_up_needed = forms.BooleanField(label=_("Follow-up needed"), required=False)
    customer_accepts = forms.ChoiceField(
        label=_("Does the customer accept the result?"),
        choices=ACCEPTS,
        required=False,
        help_text=_("Required on the final feedback; “does not accept” reopens the complaint."),
    )

    def __init__(self, *args: Any, stages: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["stage"]).choices = [
            (stage, FeedbackStage(stage).label) for stage in stages
        ]

    def params(self) -> dict[str, Any]:
        data = super().params()
        data["customer_accepts"] = {"yes": True, "no": False}.get(data["customer_accepts"])
        return data


class RegulatorForm(VersionedForm):
    """Correct a regulated complaint's case: the regulator's (or 12345's) reference and due
    date (R-CMP-1), through `update_ticket`; a new due date re-times the regulator clock.

    Nothing is required here: the action says what is missing, next to its field."""

    regulator_reference = forms.CharField(
        label=_("Regulator's reference"), max_length=64, required=False
    )
    regulator_due_at = regulator_due_field()
    note = _text(_("Note (optional)"), required=False, limit=MAX_TEXT)


class NoteForm(StaffForm):
    """A note on the timeline (R-WF-6)."""

    note = _text(_("Note"), required=True, limit=MAX_TEXT, rows=3)


class AttachForm(StaffForm):
    """A file on the ticket (R-INT-6)."""

    file = forms.FileField(label=_("File"))


def _customer_field_choices() -> list[tuple[str, str]]:
    """The personal-data fields, named as the customer model names them (translated)."""
    return [
        (name, str(capfirst(getattr(Customer._meta.get_field(name), "verbose_name", name))))
        for name in policy.CUSTOMER_FIELDS
    ]


class UnmaskForm(StaffForm):
    """Show the customer's personal data in clear: why, and which fields (R-SEC-2)."""

    reason = forms.CharField(
        label=_("Why do you need the data in clear?"),
        max_length=policy.MAX_REASON,
        widget=forms.TextInput(),
    )
    show = forms.MultipleChoiceField(
        label=_("Fields to show"),
        required=False,
        choices=_customer_field_choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(policy.CUSTOMER_FIELDS),
    )
