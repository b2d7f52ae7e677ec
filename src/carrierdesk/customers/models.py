"""Customers and their subscriptions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.models import Region
from carrierdesk.core.masking import mask_phone
from carrierdesk.customers.choices import CustomerType, IdType, Product, SlaTier, SubscriptionStatus

#: Products whose service number is the customer's phone number.
NUMBER_IS_PHONE = frozenset({Product.MOBILE, Product.FIXED_VOICE})


class Customer(models.Model):
    """A customer (individual or enterprise). Name, numbers and address are personal data."""

    number = models.CharField(_("customer number"), max_length=20, unique=True)
    customer_type = models.CharField(_("type"), max_length=16, choices=CustomerType.choices)
    name = models.CharField(_("name"), max_length=128)
    mobile = models.CharField(_("mobile number"), max_length=20, blank=True, db_index=True)
    id_type = models.CharField(_("ID type"), max_length=16, choices=IdType.choices)
    id_number = models.CharField(_("ID number"), max_length=32, db_index=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region")
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["number"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number"], name="customer_unique_id")
        ]

    def __str__(self) -> str:
        return self.number


class Subscription(models.Model):
    """A service the customer holds (a mobile line, a broadband account, a leased line …)."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("customer"),
    )
    service_number = models.CharField(_("service number"), max_length=32, unique=True)
    product = models.CharField(_("product"), max_length=16, choices=Product.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.ACTIVE,
    )
    sla_tier = models.CharField(
        _("SLA tier"), max_length=16, choices=SlaTier.choices, default=SlaTier.STANDARD
    )
    installation_address = models.CharField(_("installation address"), max_length=255, blank=True)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region")
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["service_number"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return self.service_number

    @property
    def record_key(self) -> str:
        """How timelines and the audit trail name this subscription (no personal data)."""
        return f"{self.pk}:{self.masked_service_number}"

    @property
    def masked_service_number(self) -> str:
        """Mobile and fixed-line service numbers are phone numbers: personal data (R-SEC-2)."""
        if self.product in NUMBER_IS_PHONE:
            return mask_phone(self.service_number)
        return self.service_number
