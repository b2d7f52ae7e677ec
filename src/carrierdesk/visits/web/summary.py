"""The satisfaction summary page (R-RV-2, R-QM-1, R-QM-2): the return visits finished per day,
week or month, each batch against its 85 % target and the whole range against 90 %; for
quality inspectors, supervisors, auditors and admins, over the tickets they may see.

A GET form (period, range, department, kind, channel); the figures come from
`visits.summary`, the same as the API's.
"""

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.models import Department
from carrierdesk.core.errors import InvalidInput
from carrierdesk.tickets.choices import ContactChannel, Kind
from carrierdesk.visits.summary import (
    BATCH_TARGET,
    OVERALL_TARGET,
    SUMMARY_ROLES,
    Filters,
    Period,
    read_filters,
    satisfaction_summary,
    shown,
)
from carrierdesk.web.access import show_errors, staff_view
from carrierdesk.web.forms import StaffForm

#: The filters in the order the form and a query string list them.
FILTER_KEYS = ("period", "from", "to", "department", "kind", "channel")


def _any(choices: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class SatisfactionFilterForm(StaffForm):
    """The summary's filters, all optional (a week's batches over the last 12 weeks). The
    fields are named as the API's parameters; `from` is added below (a Python keyword)."""

    period = forms.ChoiceField(label=_("Batches by"), choices=Period.choices, required=False)
    to = _date_field(_("Finished until (inclusive)"))
    department = forms.ChoiceField(label=_("Department"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_any(Kind.choices), required=False)
    channel = forms.ChoiceField(
        label=_("Return-visit channel"), choices=_any(ContactChannel.choices), required=False
    )

    def __init__(self, data: Any, *, departments: Iterable[Department]) -> None:
        super().__init__(data)
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _any((each.code, each.name) for each in departments)
        self.filters: Filters | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        params = {key: _as_text(cleaned.get(key)) for key in FILTER_KEYS}
        try:
            self.filters = read_filters(params)
        except InvalidInput as exc:
            show_errors(self, exc)
        return cleaned


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


SatisfactionFilterForm.base_fields = {
    "period": SatisfactionFilterForm.base_fields["period"],
    "from": _date_field(_("Finished from")),
    **{
        name: field
        for name, field in SatisfactionFilterForm.base_fields.items()
        if name != "period"
    },
}


def target_text(target: Fraction) -> str:
    """85 rather than 85.0 for a whole target."""
    return str(target.numerator) if target.denominator == 1 else str(shown(target))


@staff_view(roles=SUMMARY_ROLES)
def satisfaction(request: HttpRequest) -> HttpResponse:
    departments = list(Department.objects.only("code", "name").order_by("code"))
    form = SatisfactionFilterForm(request.GET, departments=departments)
    summary = None
    if form.is_valid() and form.filters is not None:
        summary = satisfaction_summary(request.user, form.filters)
        # The form shows what was counted: the default period and range filled in.
        shown = request.GET.copy()
        shown["period"] = form.filters.period
        shown["from"] = form.filters.start.isoformat()
        shown["to"] = form.filters.end.isoformat()
        form.data = shown
    return render(
        request,
        "visits/satisfaction.html",
        {
            "form": form,
            "filters": form.filters,
            "summary": summary,
            "period_label": Period(form.filters.period).label if form.filters else "",
            "batch_target": target_text(BATCH_TARGET),
            "overall_target": target_text(OVERALL_TARGET),
            "filtered": any(request.GET.get(key) for key in FILTER_KEYS),
        },
    )
