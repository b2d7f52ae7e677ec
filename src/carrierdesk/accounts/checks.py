"""System checks (`carrierdesk check`) of the sign-in settings (R-SEC-4)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from carrierdesk.accounts.choices import Role


@register()
def check_sign_in_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    required = sorted(settings.OTP_REQUIRED_ROLES)
    for role in required:
        if role not in Role.values:
            messages.append(
                Error(
                    f"OTP_REQUIRED_ROLES names an unknown role: {role!r}",
                    hint=f"Use some of: {', '.join(Role.values)}.",
                    id="accounts.E001",
                )
            )
    if not required:
        messages.append(
            Warning(
                "Two-factor sign-in is off (CARRIERDESK_OTP_REQUIRED_ROLES is empty): "
                "privileged roles sign in with a password alone.",
                hint="Leave it unset outside a development machine (R-SEC-4).",
                id="accounts.W001",
            )
        )
    return messages
