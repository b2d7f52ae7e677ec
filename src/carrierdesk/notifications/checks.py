"""System checks (`carrierdesk check`) of the NOTIFICATION_* settings."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from carrierdesk.notifications.choices import Channel


@register()
def check_notification_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    channels = list(settings.NOTIFICATION_CHANNELS)
    for channel in channels:
        if channel not in Channel.values:
            messages.append(
                Error(
                    f"NOTIFICATION_CHANNELS names an unknown channel: {channel!r}",
                    hint=f"Use some of: {', '.join(Channel.values)}.",
                    id="notifications.E001",
                )
            )
    if settings.NOTIFICATION_MAX_ATTEMPTS < 1:
        messages.append(
            Error("NOTIFICATION_MAX_ATTEMPTS must be at least 1.", id="notifications.E002")
        )
    if Channel.SMS in channels and not settings.NOTIFICATION_SMS_URL:
        messages.append(
            Warning(
                "The sms channel is on but NOTIFICATION_SMS_URL is empty: every SMS will fail.",
                id="notifications.W001",
            )
        )
    if Channel.WEBHOOK in channels and not settings.NOTIFICATION_WEBHOOK_URL:
        messages.append(
            Warning(
                "The webhook channel is on but NOTIFICATION_WEBHOOK_URL is empty: no webhook "
                "notification is queued.",
                id="notifications.W002",
            )
        )
    if settings.NOTIFICATION_WEBHOOK_URL and not settings.NOTIFICATION_WEBHOOK_SECRET:
        messages.append(
            Warning(
                "NOTIFICATION_WEBHOOK_URL is set but NOTIFICATION_WEBHOOK_SECRET is empty: "
                "webhooks are never sent unsigned, so every one will fail.",
                id="notifications.W003",
            )
        )
    return messages
