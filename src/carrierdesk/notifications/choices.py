"""Enumerations of notifications: the channels a message goes through and its delivery states."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """How a notification reaches its recipient (senders.SENDERS has one sender per channel)."""

    CONSOLE = "console", _("Console log")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")


class State(models.TextChoices):
    """Delivery states. pending → sending → sent, or back to pending (retry), or failed.

    `sending` is a lease: a row whose lease (`next_attempt_at`) has passed is claimed again, so
    a worker that died mid-batch does not lose its messages.
    """

    PENDING = "pending", pgettext_lazy("notification state", "Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


#: States in which a notification will not be sent again.
FINAL_STATES = frozenset({State.SENT, State.FAILED, State.CANCELLED})
