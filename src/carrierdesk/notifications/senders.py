"""One sender per channel. `send()` returns when the message was handed over and raises on any
failure; delivery.deliver_due turns the exception into a retry (its text masked and cut short).

The SMS gateway and the webhook are plain HTTP (httpx), with a timeout, never following
redirects: anything but a 2xx answer is a failure.
"""

import hashlib
import hmac
import json
import logging
from typing import Protocol

import httpx
from django.conf import settings
from django.core.mail import get_connection, send_mail

from carrierdesk.core import clock
from carrierdesk.core.masking import mask_phone, mask_text
from carrierdesk.notifications.choices import Channel
from carrierdesk.notifications.models import Notification

#: The console channel's logger (and the one operators grep for).
console_logger = logging.getLogger("carrierdesk.notifications")

#: Seconds to wait for an SMS gateway, webhook receiver or mail server (connect and each read).
SEND_TIMEOUT = 10.0

#: How much of an HTTP error answer is kept in the error message.
ANSWER_EXCERPT = 200


class DeliveryError(Exception):
    """A message was not handed over (an HTTP error answer, a missing setting)."""


class Sender(Protocol):
    def send(self, notification: Notification, subject: str, body: str) -> None: ...


def one_line(text: str) -> str:
    return " ".join(text.split())


def recipient_label(notification: Notification) -> str:
    """Who a message goes to, fit for a log line: a username, or a customer's number and
    masked mobile number (the console stands in for SMS to customers)."""
    if notification.customer is not None:
        return f"customer {notification.customer.number} ({mask_phone(notification.destination)})"
    return notification.recipient.username if notification.recipient else "-"


class ConsoleSender:
    """One INFO line on the `carrierdesk.notifications` logger, phone and ID numbers masked."""

    def send(self, notification: Notification, subject: str, body: str) -> None:
        recipient = recipient_label(notification)
        console_logger.info(
            "notification %s to %s [%s]: %s | %s",
            notification.pk,
            mask_text(recipient),
            notification.template,
            mask_text(one_line(subject)),
            mask_text(one_line(body)),
        )


class EmailSender:
    """Django's `send_mail` through settings.EMAIL_BACKEND, from settings.DEFAULT_FROM_EMAIL."""

    def send(self, notification: Notification, subject: str, body: str) -> None:
        # Without a timeout a silent mail server would hold the worker past its lease.
        connection = get_connection(timeout=settings.EMAIL_TIMEOUT or SEND_TIMEOUT)
        count = send_mail(
            one_line(subject),
            body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.address],
            connection=connection,
        )
        if count != 1:
            raise DeliveryError("the mail backend did not accept the message")


def check_answer(response: httpx.Response, what: str) -> None:
    if not response.is_success:
        excerpt = one_line(response.text[:ANSWER_EXCERPT])
        raise DeliveryError(f"{what} answered HTTP {response.status_code}: {excerpt}")


class SmsSender:
    """POST `{"to", "text", "reference"}` as JSON to settings.NOTIFICATION_SMS_URL, with
    `Authorization: Bearer <NOTIFICATION_SMS_TOKEN>` if a token is set."""

    def send(self, notification: Notification, subject: str, body: str) -> None:
        url = settings.NOTIFICATION_SMS_URL
        if not url:
            raise DeliveryError("no SMS gateway is configured (NOTIFICATION_SMS_URL)")
        headers = {"User-Agent": "carrierdesk"}
        if settings.NOTIFICATION_SMS_TOKEN:
            headers["Authorization"] = f"Bearer {settings.NOTIFICATION_SMS_TOKEN}"
        to = notification.destination
        if not to:  # a customer's record no longer holds a mobile number (corrected, anonymised)
            raise DeliveryError("no mobile number to send to")
        payload = {"to": to, "text": body, "reference": str(notification.pk)}
        response = httpx.post(url, json=payload, headers=headers, timeout=SEND_TIMEOUT)
        check_answer(response, "the SMS gateway")


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of `<timestamp>.<body>` keyed with `secret`."""
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def webhook_payload(notification: Notification) -> dict[str, object]:
    return {
        "id": notification.pk,
        "template": notification.template,
        "context": notification.context,
        "recipient": notification.recipient.username if notification.recipient else None,
        "object_type": notification.object_type,
        "object_id": notification.object_id,
        "created_at": notification.created_at.isoformat(),
    }


class WebhookSender:
    """POST the notification as JSON to its address (settings.NOTIFICATION_WEBHOOK_URL when it
    was queued), signed: `X-Carrierdesk-Timestamp: <unix seconds>` and
    `X-Carrierdesk-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` keyed with
    settings.NOTIFICATION_WEBHOOK_SECRET. Refuses to send unsigned (no secret set)."""

    def send(self, notification: Notification, subject: str, body: str) -> None:
        secret = settings.NOTIFICATION_WEBHOOK_SECRET
        if not secret:
            raise DeliveryError("no webhook secret is configured (NOTIFICATION_WEBHOOK_SECRET)")
        content = json.dumps(
            webhook_payload(notification), ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")
        timestamp = str(int(clock.now().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "carrierdesk",
            "X-Carrierdesk-Timestamp": timestamp,
            "X-Carrierdesk-Signature": "sha256=" + webhook_signature(secret, timestamp, content),
        }
        response = httpx.post(
            notification.address, content=content, headers=headers, timeout=SEND_TIMEOUT
        )
        check_answer(response, "the webhook receiver")


SENDERS: dict[str, Sender] = {
    Channel.CONSOLE: ConsoleSender(),
    Channel.EMAIL: EmailSender(),
    Channel.SMS: SmsSender(),
    Channel.WEBHOOK: WebhookSender(),
}


def sender_for(channel: str) -> Sender:
    try:
        return SENDERS[channel]
    except KeyError:
        raise DeliveryError(f"no sender for channel {channel!r}") from None
