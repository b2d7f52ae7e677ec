"""Regions, departments, skills and staff profiles."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import STAFF_ROLES, DepartmentKind, RegionLevel, Role
from carrierdesk.core.fields import EncryptedTextField


class Region(models.Model):
    """An administrative region (province → city → district), coded per GB/T 2260."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    #: The codes from the root down, `/440000/440100/440106/`: a region's subtree is every
    #: region whose path starts with its own, found in one indexed query (R-SEC-1 scoping).
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department of the branch (R-DSP-2), optionally bound to a region."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=32, choices=DepartmentKind.choices)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region")
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("head of department"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """A skill used to route work to staff (e.g. fibre repair, billing disputes)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """A staff member's place in the organisation; the role is the user's group."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    employee_number = models.CharField(_("employee number"), max_length=32, unique=True)
    display_name = models.CharField(_("display name"), max_length=64)
    role = models.CharField(
        _("role"), max_length=32, choices=[c for c in Role.choices if c[0] in STAFF_ROLES]
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("department"),
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region")
    )
    skills = models.ManyToManyField(Skill, blank=True, verbose_name=_("skills"))
    # Personal data, encrypted at rest (R-SEC-2).
    mobile = EncryptedTextField(
        _("mobile number"),
        max_length=20,
        blank=True,
        help_text=_("For SMS notifications (time-limit warnings, escalations)."),
    )
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        help_text=_("Language of notifications and screens; empty means the site default."),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.employee_number})"
