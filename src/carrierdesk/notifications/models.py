"""Notifications: one row per message to one destination, which is also its delivery queue."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carrierdesk.customers.models import Customer
from carrierdesk.notifications.addresses import mask_address
from carrierdesk.notifications.choices import Channel, State


class Notification(models.Model):
    """One message to one destination (a user or a customer on a channel, or the webhook), and
    its delivery.

    Written by `actions.enqueue` inside the caller's transaction, so a message exists only if
    the change it reports was committed (a transactional outbox); delivered afterwards by
    `delivery.deliver_due`, outside any transaction. `context` holds only what the template
    needs (ticket numbers, clock names, times), never unmasked personal data; `address` holds
    the staff member's email address or mobile number, or the webhook URL, as given, shown only
    through `masked_address`. A message to a customer (R-INT-4) stores no address: it names the
    `customer`, and their mobile number is read from the customer's encrypted record when the
    message is sent (`destination`), so the number is never copied here in clear and follows
    corrections and anonymisation of the record (R-SEC-2). `attempts` counts delivery attempts
    started, `next_attempt_at` is when the row is next due (or, while `sending`, when the
    worker's lease on it ends), and `not_before` holds a message back (quiet hours).
    `dedupe_key`, when set, is unique: it lets a caller enqueue the same message twice and get
    it once.
    """

    created_at = models.DateTimeField(_("created"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("customer"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    template = models.CharField(_("template"), max_length=64)
    context = models.JSONField(_("context"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=16)
    address = models.CharField(_("address"), max_length=500, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    dedupe_key = models.CharField(
        _("deduplication key"), max_length=255, null=True, blank=True, unique=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # "Due notifications" (delivery.due) is one range scan per state on this index.
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["created_at"]),
        ]
        constraints = [
            # A message goes to a staff member or to a customer, never both.
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=True) | models.Q(customer__isnull=True),
                name="notification_one_kind_of_recipient",
            ),
            # A customer's address is read from their record, never stored (R-SEC-2).
            models.CheckConstraint(
                condition=models.Q(customer__isnull=True) | models.Q(address=""),
                name="notification_customer_address_not_stored",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} ({self.channel}) #{self.pk}"

    @property
    def destination(self) -> str:
        """Where the message goes now: the stored address, or a customer's mobile number read
        from their (decrypted) record — "" once the record holds none."""
        if self.customer_id is not None:
            return self.customer.mobile if self.customer is not None else ""
        return self.address

    @property
    def masked_address(self) -> str:
        if self.customer_id is not None:
            # The console stands in for SMS to a customer: show the (masked) number either way.
            return mask_address(Channel.SMS, self.destination)
        return mask_address(self.channel, self.address)
