"""Security incidents (R-SEC-6), their append-only timeline and their links to the customers
and tickets they affect."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carrierdesk.audit.models import AppendOnlyModel
from carrierdesk.customers.models import Customer
from carrierdesk.incidents.choices import EventAction, Level, ResponseLevel, Stage
from carrierdesk.tickets.models import Ticket


class SecurityIncident(models.Model):
    """A security incident (安全事件) from discovery to closure (R-SEC-6).

    `discovered_at` is when it was noticed (it may precede `reported_at`, when it was
    registered here, never lie in the future); each later stage stamps the time it was entered.
    `response_level` starts from the level (general → 3, larger → 2, major → 1) and may be
    raised by a handler, never weakened below the level's. `version` increases with every
    change, so a client can refuse to overwrite an incident that changed meanwhile.
    """

    number = models.CharField(_("incident number"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    response_level = models.PositiveSmallIntegerField(
        _("response level"), choices=ResponseLevel.choices
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.DISCOVERY
    )
    discovered_at = models.DateTimeField(_("discovered"))
    reported_at = models.DateTimeField(_("reported"))
    report_started_at = models.DateTimeField(_("report stage entered"), null=True, blank=True)
    response_started_at = models.DateTimeField(_("response stage entered"), null=True, blank=True)
    analysis_started_at = models.DateTimeField(_("analysis stage entered"), null=True, blank=True)
    rectification_started_at = models.DateTimeField(
        _("rectification stage entered"), null=True, blank=True
    )
    review_started_at = models.DateTimeField(_("review stage entered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    stage_changed_at = models.DateTimeField(_("stage changed"))
    updated_at = models.DateTimeField(_("updated"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reporter"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handler"),
    )
    affected_customers_estimate = models.PositiveIntegerField(
        _("customers affected (estimate)"), default=0
    )
    personal_data_involved = models.BooleanField(_("personal data involved"), default=False)
    regulator_notified = models.BooleanField(_("regulator notified"), default=False)
    regulator_notified_at = models.DateTimeField(_("regulator notified at"), null=True, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    measures = models.TextField(_("rectification measures"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("security incident")
        verbose_name_plural = _("security incidents")
        indexes = [
            models.Index(fields=["stage", "level"]),
            models.Index(fields=["discovered_at"]),
            models.Index(fields=["reported_at"]),
            models.Index(fields=["reporter", "reported_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discovered_at__lte=models.F("reported_at")),
                name="incident_discovered_not_after_reported",
            ),
            # The response is never weaker than the level's (general → 3, larger → 2, major → 1).
            models.CheckConstraint(
                condition=models.Q(level=Level.GENERAL, response_level__in=(1, 2, 3))
                | models.Q(level=Level.LARGER, response_level__in=(1, 2))
                | models.Q(level=Level.MAJOR, response_level=1),
                name="incident_response_level_fits_level",
            ),
            models.CheckConstraint(
                condition=models.Q(regulator_notified=False, regulator_notified_at__isnull=True)
                | models.Q(regulator_notified=True, regulator_notified_at__isnull=False),
                name="incident_regulator_notified_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class IncidentEvent(AppendOnlyModel):
    """One step on an incident's timeline: a stage change, a re-assessment, a note, a link,
    the regulator's notice — who, when, what changed. Append-only."""

    incident = models.ForeignKey(
        SecurityIncident,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("security incident"),
    )
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=16, choices=EventAction.choices)
    from_stage = models.CharField(_("from stage"), max_length=16, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=16, blank=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        indexes = [models.Index(fields=["incident", "created_at"])]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"


class IncidentCustomer(AppendOnlyModel):
    """A customer affected by an incident: who linked it, when. Append-only."""

    incident = models.ForeignKey(
        SecurityIncident,
        on_delete=models.PROTECT,
        related_name="customer_links",
        verbose_name=_("security incident"),
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("linked by"),
    )
    linked_at = models.DateTimeField(_("linked"))

    class Meta:
        ordering = ["linked_at", "id"]
        verbose_name = _("affected customer")
        verbose_name_plural = _("affected customers")
        constraints = [
            models.UniqueConstraint(fields=["incident", "customer"], name="incident_customer_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.customer_id}"


class IncidentTicket(AppendOnlyModel):
    """A ticket related to an incident (a complaint it caused, a fault behind it). Append-only."""

    incident = models.ForeignKey(
        SecurityIncident,
        on_delete=models.PROTECT,
        related_name="ticket_links",
        verbose_name=_("security incident"),
    )
    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="+", verbose_name=_("ticket")
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("linked by"),
    )
    linked_at = models.DateTimeField(_("linked"))

    class Meta:
        ordering = ["linked_at", "id"]
        verbose_name = _("related ticket")
        verbose_name_plural = _("related tickets")
        constraints = [
            models.UniqueConstraint(fields=["incident", "ticket"], name="incident_ticket_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.ticket_id}"
