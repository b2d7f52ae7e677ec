"""Customers and their subscriptions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.models import Region
from carrierdesk.core.fields import EncryptedTextField, HashedModel, LookupHashField
from carrierdesk.core.masking import mask_phone
from carrierdesk.customers.choices import CustomerType, IdType, Product, SlaTier, SubscriptionStatus

#: Products whose service number is the customer's phone number.
NUMBER_IS_PHONE = frozenset({Product.MOBILE, Product.FIXED_VOICE})


class Customer(HashedModel):
    """A customer (individual or enterprise). Name, numbers and address are personal data,
    encrypted at rest; the mobile and ID numbers are found through their keyed hashes
    (R-SEC-2)."""

    number = models.CharField(_("customer number"), max_length=20, unique=True)
    customer_type = models.CharField(_("type"), max_length=16, choices=CustomerType.choices)
    name = EncryptedTextField(_("name"), max_length=128)
    mobile = EncryptedTextField(_("mobile number"), max_length=20, blank=True)
    mobile_hash = LookupHashField(_("mobile number lookup hash"), source="mobile", db_index=True)
    id_type = models.CharField(_("ID type"), max_length=16, choices=IdType.choices)
    id_number = EncryptedTextField(_("ID number"), max_length=32)
    id_number_hash = LookupHashField(_("ID number lookup hash"), source="id_number", db_index=True)
    address = EncryptedTextField(_("address"), max_length=255, blank=True)
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
            models.UniqueConstraint(
                fields=["id_type", "id_number_hash"], name="customer_unique_id_hash"
            )
        ]

    def __str__(self) -> str:
        return self.number


class Subscription(HashedModel):
    """A service the customer holds (a mobile line, a broadband account, a leased line …).

    The service number is often a phone number: encrypted, found through its keyed hash, and
    unique by that hash (R-SEC-2)."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("customer"),
    )
    service_number = EncryptedTextField(_("service number"), max_length=32)
    service_number_hash = LookupHashField(
        _("service number lookup hash"), source="service_number", unique=True
    )
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
    installation_address = EncryptedTextField(_("installation address"), max_length=255, blank=True)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region")
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        # By id: the service number is encrypted, its order means nothing in the database.
        ordering = ["id"]
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
