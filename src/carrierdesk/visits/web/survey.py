"""The customers' survey page (R-RV-3): public, no account, mobile-first; Chinese by default,
English on request (`?lang=en`). The link is the only key: an altered or unknown one answers
404, one already answered, expired or replaced answers 410, each with a plain message."""

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from carrierdesk.core.errors import ActionError, InvalidInput, NotFound
from carrierdesk.tickets.choices import Kind
from carrierdesk.visits.actions import MAX_COMMENT
from carrierdesk.visits.choices import Satisfaction
from carrierdesk.visits.surveys import SurveyClosed, answer_survey, open_invitation
from carrierdesk.web.access import show_errors
from carrierdesk.web.forms import StyledMixin

TEMPLATE = "visits/survey.html"
CLOSED_TEMPLATE = "visits/survey_closed.html"
LANGUAGES = {code for code, _name in settings.LANGUAGES}

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
NPS_CHOICES = [(str(score), str(score)) for score in range(11)]


class SurveyForm(StyledMixin, forms.Form):
    """The answer: solved, satisfaction (five levels, best first), NPS 0–10, comment."""

    solved = forms.ChoiceField(
        label=_("Is your problem solved?"), choices=YES_NO, widget=forms.RadioSelect
    )
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled it?"),
        choices=Satisfaction.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    nps = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to friends or family? (optional)"),
        help_text=_("0 = not at all likely, 10 = extremely likely"),
        choices=NPS_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us? (optional)"),
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_controls()
        for name in ("solved", "satisfaction", "nps"):
            self.fields[name].widget.attrs["class"] = "btn-check"


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in LANGUAGES else settings.LANGUAGE_CODE


def _private(response: HttpResponse) -> HttpResponse:
    """The link is a key: never cached, never passed on to another site as a referrer, never
    indexed. (`same-origin`, not `no-referrer`: with no referrer at all the browser sends the
    form's Origin as "null", which the CSRF check rightly refuses.)"""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _closed(request: HttpRequest, error: ActionError, thanks: bool = False) -> HttpResponse:
    status = 200 if thanks else error.http_status
    context = {"message": error.message, "thanks": thanks}
    return _private(render(request, CLOSED_TEMPLATE, context, status=status))


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    language = _language(request)
    with translation.override(language):
        try:
            invitation = open_invitation(token)
        except (NotFound, SurveyClosed) as exc:
            thanks = request.GET.get("thanks") == "1" and exc.code == "survey_answered"
            return _closed(request, exc, thanks)
        form = SurveyForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                answer_survey(
                    token,
                    solved=data["solved"] == "yes",
                    satisfaction=data["satisfaction"],
                    nps=data["nps"],
                    comment=data["comment"],
                )
            except InvalidInput as exc:
                show_errors(form, exc)
            except (NotFound, SurveyClosed) as exc:
                return _closed(request, exc)
            else:
                query = urlencode({"lang": language, "thanks": "1"})
                return _private(HttpResponseRedirect(f"{request.path}?{query}"))
        context = {
            "form": form,
            "ticket": invitation.ticket.number,
            "kind": Kind(invitation.ticket.kind).label,
            "expires_at": invitation.expires_at,
            "language": language,
            "other_language": "en" if language != "en" else settings.LANGUAGE_CODE,
        }
        # A refused answer is shown again with 200, as the staff pages do without htmx.
        return _private(render(request, TEMPLATE, context))
