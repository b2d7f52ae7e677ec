"""The admin site: a privileged user's session must have passed the second factor (R-SEC-4).

The default admin site (`AdminConfig.default_site`), so every `@admin.register` lands here.
Like django-otp's OTPAdminSite, but only for users who need a code (`otp.otp_required`), and
with one sign-in form: username, password and the code, checked by `otp.verify_second_factor`.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts import otp
from carrierdesk.core.errors import ActionError


class AdminLoginForm(AdminAuthenticationForm):
    """The admin sign-in, with the one-time code for the roles that need one."""

    otp_token = forms.CharField(
        label=_("Authentication code"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
        help_text=_(
            "Supervisors, auditors and admins: the 6-digit code of your authenticator app, or "
            "a backup code."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # the password, the lockout, a staff account
        user = self.get_user()
        if user is not None:
            try:
                device = otp.verify_second_factor(
                    user, cleaned.get("otp_token"), request=self.request
                )
            except ActionError as exc:
                raise ValidationError(str(exc.message), code=exc.code) from None
            if device is not None:
                # django-otp's user_logged_in handler keeps it in the session: verified.
                user.otp_device = device  # type: ignore[attr-defined]  # django-otp's attribute
        return cleaned


class AdminSite(admin.AdminSite):
    login_form = AdminLoginForm
    login_template = "accounts/admin_login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and otp.session_passes(request.user)
