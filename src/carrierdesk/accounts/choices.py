"""Enumerations of the organisation: roles (SPEC §0), departments (R-DSP-2), region levels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The staff roles of SPEC §0; each is a Django group of the same name."""

    AGENT = "agent", _("Agent")
    DISPATCHER = "dispatcher", _("Dispatcher")
    TECHNICIAN = "technician", _("Technician")
    SUPERVISOR = "supervisor", _("Supervisor")
    QUALITY_INSPECTOR = "quality_inspector", _("Quality inspector")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")
    CUSTOMER = "customer", _("Customer")


#: The roles of the carrier's own staff (everyone but customers).
STAFF_ROLES = frozenset(role.value for role in Role if role != Role.CUSTOMER)


class DepartmentKind(models.TextChoices):
    """R-DSP-2."""

    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    NETWORK_OPERATIONS = "network_operations", _("Network operations")
    PROVISIONING = "provisioning", _("Business and provisioning")
    BILLING = "billing", _("Billing")
    TECHNICAL_SUPPORT = "technical_support", _("Technical support")
    QUALITY_MANAGEMENT = "quality_management", _("Quality management")
    SECURITY = "security", _("Security")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
