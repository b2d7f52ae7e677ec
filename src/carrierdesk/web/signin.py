"""Sign-in with the second factor where the role requires it (R-SEC-4), sign-out, language.

Two steps: the password (Django's AuthenticationForm, so django-axes counts failures and locks
out), then — only for the roles in OTP_REQUIRED_ROLES or a user with an authenticator — the
one-time code, checked by `accounts.otp.verify_second_factor`. Between the two the session
holds only the pending user's id, for five minutes; nobody is signed in until the code passes.
"""

import time
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from carrierdesk.accounts import actions as accounts
from carrierdesk.accounts import otp
from carrierdesk.accounts.models import StaffProfile
from carrierdesk.core.errors import ActionError
from carrierdesk.web.access import staff_view
from carrierdesk.web.forms import StaffForm, StyledMixin
from carrierdesk.web.middleware import SESSION_LANGUAGE

PENDING_USER = "carrierdesk_signin_user"
PENDING_SINCE = "carrierdesk_signin_since"
PENDING_BACKEND = "carrierdesk_signin_backend"
PENDING_SECONDS = 300


class SignInForm(StyledMixin, AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class CodeForm(StaffForm):
    code = forms.CharField(
        label=_("Authentication code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
            }
        ),
        help_text=_("The 6-digit code of your authenticator app, or a backup code."),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _complete(request: HttpRequest, user: User, backend: str) -> HttpResponse:
    login(request, user, backend=backend)
    language = StaffProfile.objects.filter(user=user).values_list("language", flat=True).first()
    if language:
        request.session[SESSION_LANGUAGE] = language
    return HttpResponseRedirect(_next_url(request))


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and otp.session_passes(request.user):
        return HttpResponseRedirect(_next_url(request))
    form = SignInForm(request, data=request.POST or None)
    form.style_controls()
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        backend = getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1])
        if not otp.otp_required(user):
            return _complete(request, user, backend)
        request.session.cycle_key()
        request.session[PENDING_USER] = user.pk
        request.session[PENDING_SINCE] = time.time()
        request.session[PENDING_BACKEND] = backend
        target = resolve_url("web:sign-in-code")
        next_url = request.POST.get("next", "")
        return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
    return render(request, "web/sign_in.html", {"form": form, "next": request.GET.get("next", "")})


def _pending_user(request: HttpRequest) -> User | None:
    since = request.session.get(PENDING_SINCE, 0)
    if time.time() - since > PENDING_SECONDS:
        return None
    pending = request.session.get(PENDING_USER)
    if pending is None:
        return None
    return User.objects.filter(pk=pending, is_active=True).first()


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        for key in (PENDING_USER, PENDING_SINCE, PENDING_BACKEND):
            request.session.pop(key, None)
        return redirect("web:sign-in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = otp.verify_second_factor(user, form.cleaned_data["code"], request=request)
        except ActionError as exc:
            form.add_error("code", str(exc.message))
        else:
            backend = request.session.pop(PENDING_BACKEND)
            for key in (PENDING_USER, PENDING_SINCE):
                request.session.pop(key, None)
            # django-otp's user_logged_in handler keeps the device in the session: verified.
            user.otp_device = device  # type: ignore[attr-defined]  # django-otp's attribute
            return _complete(request, user, backend)
    context: dict[str, Any] = {"form": form, "next": request.GET.get("next", "")}
    return render(request, "web/sign_in_code.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:sign-in")


@require_POST
@staff_view()
def set_language(request: HttpRequest) -> HttpResponse:
    """Keep the staff member's choice of language on their profile and in the session."""
    language = request.POST.get("language", "")
    try:
        accounts.set_language(request.user, request.user, language)  # type: ignore[arg-type]
    except ActionError:
        pass  # an unknown language changes nothing; the page shows as before
    else:
        if language:
            request.session[SESSION_LANGUAGE] = language
        else:
            request.session.pop(SESSION_LANGUAGE, None)
    return HttpResponseRedirect(_next_url(request))
