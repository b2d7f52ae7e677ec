"""Enumerations of customers and subscriptions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ENTERPRISE = "enterprise", _("Enterprise")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    USCC = "uscc", _("Unified social credit code")


class Product(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    BROADBAND = "broadband", _("Broadband")
    FIXED_VOICE = "fixed_voice", _("Fixed voice")
    LEASED_LINE = "leased_line", _("Leased line")
    IOT = "iot", _("IoT")
    CLOUD = "cloud", _("Cloud")
    VALUE_ADDED = "value_added", _("Value-added service")


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", _("Pending activation")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class SlaTier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    ENTERPRISE = "enterprise", _("Enterprise")
