"""System checks (`carrierdesk check`, run by `serve` and at every start) of the SURVEY_* and
PUBLIC_URL settings: a mistake there would otherwise refuse every resolution (R-RV-3)."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from carrierdesk.visits.surveys import QuietHours, parse_cap


@register()
def check_survey_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    try:
        parse_cap(settings.SURVEY_CAP)
    except ValueError as exc:
        messages.append(Error(f"CARRIERDESK_SURVEY_CAP: {exc}", id="visits.E001"))
    try:
        QuietHours.parse(settings.SURVEY_QUIET_HOURS)
    except ValueError as exc:
        messages.append(Error(f"CARRIERDESK_SURVEY_QUIET_HOURS: {exc}", id="visits.E002"))
    if settings.SURVEY_VALID_DAYS < 1:
        messages.append(
            Error("CARRIERDESK_SURVEY_VALID_DAYS must be at least 1.", id="visits.E003")
        )
    address = urlsplit(settings.PUBLIC_URL)
    if address.scheme not in ("http", "https") or not address.netloc:
        messages.append(
            Error(
                f"CARRIERDESK_PUBLIC_URL must be an http(s) address, not {settings.PUBLIC_URL!r}.",
                hint="The address customers reach the site at, e.g. https://desk.example.cn",
                id="visits.E004",
            )
        )
    return messages
