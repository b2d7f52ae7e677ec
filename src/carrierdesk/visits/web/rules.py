"""The return-visit rules page (R-RV-1): for each ticket kind, the share of its resolved
tickets visited, the channel, not before and by when, and the attempts before a customer is
unreachable. Quality inspectors, supervisors, auditors and admins read it; admins change a
rule (or give a kind without one a rule) through `visits.rules`, audited. A change applies to
visits scheduled after it.

The forms post with htmx: a refusal answers 422 with the rule's form and the errors next to
the fields (app.js swaps 422 answers in); without JavaScript the whole page comes back.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from carrierdesk.accounts.roles import roles_of
from carrierdesk.core.errors import InvalidInput
from carrierdesk.tickets.choices import ContactChannel, Kind
from carrierdesk.visits import rules
from carrierdesk.visits.models import VisitRule
from carrierdesk.web.access import show_errors, staff_view
from carrierdesk.web.forms import StaffForm

TEMPLATE = "visits/rules.html"
FORM_TEMPLATE = "visits/rules_form.html"


def label(name: str) -> Any:
    """A rule field's label: the model's own (translated) name, capitalised."""
    return capfirst(VisitRule._meta.get_field(name).verbose_name)  # type: ignore[union-attr]


class VisitRuleForm(StaffForm):
    """A kind's rule; the action checks it as a whole (not before under the limit)."""

    share_percent = forms.IntegerField(label=label("share_percent"), min_value=0, max_value=100)
    channel = forms.ChoiceField(label=label("channel"), choices=ContactChannel.choices)
    delay_hours = forms.IntegerField(label=label("delay_hours"), min_value=0)
    within_hours = forms.IntegerField(
        label=label("within_hours"), min_value=1, max_value=rules.MAX_WITHIN_HOURS
    )
    max_attempts = forms.IntegerField(
        label=label("max_attempts"), min_value=1, max_value=rules.MAX_ATTEMPTS
    )


def rule_form(kind: str, rule: VisitRule | None, data: Any = None) -> VisitRuleForm:
    """The form of one kind's rule (its fields' ids prefixed with the kind: one per kind on
    the page); filled with the rule's values, or the defaults for a kind without one."""
    initial = (
        {name: getattr(rule, name) for name in rules.FIELDS}
        if rule is not None
        else {"delay_hours": 0, "max_attempts": 3}
    )
    return VisitRuleForm(data, initial=initial, auto_id=f"id_{kind}_%s")


@dataclass(frozen=True)
class Row:
    kind: str
    label: str | Promise
    rule: VisitRule | None
    form: VisitRuleForm | None


def _rows(
    request: HttpRequest, posted_kind: str = "", posted: VisitRuleForm | None = None
) -> list[Row]:
    found = {rule.kind: rule for rule in VisitRule.objects.all()}
    may_change = rules.can_change_rules(roles_of(request.user))
    rows = []
    for kind, kind_label in Kind.choices:
        rule = found.get(kind)
        form = None
        if may_change:
            form = posted if kind == posted_kind and posted is not None else rule_form(kind, rule)
        rows.append(Row(kind, kind_label, rule, form))
    return rows


def _context(rows: list[Row]) -> dict[str, Any]:
    return {
        "rows": rows,
        "labels": {name: label(name) for name in rules.FIELDS},
        "may_change": any(row.form is not None for row in rows),
    }


@staff_view(roles=rules.READ_ROLES)
def visit_rules(request: HttpRequest) -> HttpResponse:
    return render(request, TEMPLATE, _context(_rows(request)))


@require_POST
@staff_view(roles=rules.CHANGE_ROLES)
def visit_rule(request: HttpRequest, kind: str) -> HttpResponse:
    """Change a kind's rule, or create it for a kind without one (admins)."""
    if kind not in Kind.values:
        raise Http404()
    rule = VisitRule.objects.filter(kind=kind).first()
    form = rule_form(kind, rule, request.POST)
    if form.is_valid():
        try:
            if rule is not None:
                rules.update_visit_rule(request.user, kind, **form.cleaned_data)
            else:
                rules.create_visit_rule(request.user, kind, **form.cleaned_data)
        except InvalidInput as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The return-visit rule for %(kind)s is saved; it applies to visits "
                    "scheduled from now on."
                )
                % {"kind": Kind(kind).label},
            )
            if request.headers.get("HX-Request") == "true":
                return HttpResponseClientRedirect(reverse("web:visit-rules"))
            return redirect("web:visit-rules")
    if request.headers.get("HX-Request") == "true":
        row = Row(kind, Kind(kind).label, rule, form)
        return render(request, FORM_TEMPLATE, {"row": row}, status=422)
    return render(request, TEMPLATE, _context(_rows(request, kind, form)), status=422)
