"""Showing where a notification goes without showing personal data (R-SEC-2). Pure functions.

Mobile numbers and email addresses are stored as given (the sender needs them) but shown
masked everywhere else: logs, stored errors, the CLI and the admin.
"""

from urllib.parse import urlsplit

from carrierdesk.core.masking import mask_phone, mask_text
from carrierdesk.notifications.choices import Channel

#: Longest error text stored in `Notification.last_error`.
MAX_ERROR_LENGTH = 500


def mask_email(value: str) -> str:
    """z***@example.com: keep the first character of the local part and the domain."""
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if not at:
        return "*" * len(value)
    return local[:1] + "***@" + domain


def mask_url(value: str) -> str:
    """https://hooks.example.com/…: a URL's path and query may carry a token, so drop them."""
    if not value:
        return ""
    parts = urlsplit(value)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}/…"


def mask_address(channel: str, address: str) -> str:
    """`address` as it may be shown for a notification on `channel`."""
    if channel == Channel.SMS:
        return mask_phone(address)
    if channel == Channel.EMAIL:
        return mask_email(address)
    if channel == Channel.WEBHOOK:
        return mask_url(address)
    return mask_text(address)


def mask_error(text: str, *, channel: str, address: str) -> str:
    """An error message fit for the database and the logs: the notification's own address and
    any phone or ID number in it masked (a gateway may echo the number back), then cut short."""
    if address:
        text = text.replace(address, mask_address(channel, address))
    text = mask_text(" ".join(text.split()))
    if len(text) > MAX_ERROR_LENGTH:
        text = text[: MAX_ERROR_LENGTH - 1] + "…"
    return text
