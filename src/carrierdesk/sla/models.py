"""Time-limit policy versions, their targets, the clocks on tickets and the alerts they fired."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carrierdesk.audit.models import AppendOnlyModel
from carrierdesk.sla.choices import AlertKind, ClockName, ClockState, LimitUnit


class PolicyVersion(models.Model):
    """One loaded version of a policy pack (R-POL-1). Never changed after loading: a ticket
    keeps the version in force at its time received, so later versions cannot move its limits."""

    pack = models.CharField(_("pack"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    label = models.CharField(_("label"), max_length=64)
    effective_from = models.DateField(_("effective from"))
    description = models.TextField(_("description"), blank=True)
    document = models.JSONField(_("document"), default=dict)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded"))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("loaded by"),
    )

    class Meta:
        ordering = ["-effective_from", "-loaded_at"]
        verbose_name = _("time-limit policy version")
        verbose_name_plural = _("time-limit policy versions")
        constraints = [
            models.UniqueConstraint(fields=["pack", "version"], name="policy_pack_version_unique")
        ]
        indexes = [models.Index(fields=["effective_from", "loaded_at"])]

    def __str__(self) -> str:
        return f"{self.pack} {self.label} (v{self.version})"


class Target(models.Model):
    """A time limit of a policy version: the tickets it covers, the clock it drives, the
    events that start, stop, pause and resume it, the limit, its calendar and alert ladder."""

    policy = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="targets", verbose_name=_("policy")
    )
    position = models.PositiveIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=64)
    clock = models.CharField(_("clock"), max_length=32, choices=ClockName.choices)
    match = models.JSONField(_("applies to"), default=dict)
    start_events = models.JSONField(_("start events"), default=list)
    stop_events = models.JSONField(_("stop events"), default=list)
    pause_events = models.JSONField(_("pause events"), default=list)
    resume_events = models.JSONField(_("resume events"), default=list)
    limit_value = models.DecimalField(_("limit"), max_digits=9, decimal_places=3)
    limit_unit = models.CharField(_("limit unit"), max_length=16, choices=LimitUnit.choices)
    calendar = models.CharField(_("calendar"), max_length=32)
    warnings = models.JSONField(_("warning thresholds (%)"), default=list)
    escalation = models.JSONField(_("escalation chain"), default=list)
    escalate_after = models.PositiveIntegerField(_("escalate after (%)"))
    enabled = models.BooleanField(_("enabled"), default=True)
    source = models.TextField(_("source"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["policy", "position"]
        verbose_name = _("time-limit target")
        verbose_name_plural = _("time-limit targets")
        constraints = [
            models.UniqueConstraint(fields=["policy", "code"], name="target_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Clock(models.Model):
    """One time limit running on one ticket (R-SLA-1): state, deadline, time used and the
    next alert instant, stored and indexed so "what is due" is one indexed query (R-SLA-4).

    Times used and budgets are working time on the target's calendar, in microseconds.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="clocks", verbose_name=_("ticket")
    )
    target = models.ForeignKey(
        Target, on_delete=models.PROTECT, related_name="+", verbose_name=_("target")
    )
    name = models.CharField(_("clock"), max_length=32, choices=ClockName.choices)
    state = models.CharField(_("state"), max_length=16, choices=ClockState.choices)
    started_at = models.DateTimeField(_("clock started"))
    running_since = models.DateTimeField(_("running since"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"))
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    budget_us = models.BigIntegerField(_("limit (µs of working time)"))
    used_us = models.BigIntegerField(_("used (µs of working time)"), default=0)
    paused_us = models.BigIntegerField(_("paused (µs of working time)"), default=0)
    thresholds_passed = models.PositiveIntegerField(_("highest threshold passed (%)"), default=0)
    next_alert_at = models.DateTimeField(_("next alert"), null=True, blank=True)
    calendar_uncovered = models.BooleanField(_("calendar did not cover the limit"), default=False)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["ticket", "deadline"]
        verbose_name = _("time-limit clock")
        verbose_name_plural = _("time-limit clocks")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "name"], name="clock_per_ticket_unique")
        ]
        indexes = [
            # The sweeper's queue: only clocks with an alert ahead are in it.
            models.Index(
                fields=["next_alert_at"],
                name="clock_due_alert",
                condition=models.Q(next_alert_at__isnull=False),
            ),
            # "What breaches in the next hour" (R-SLA-4): active clocks by deadline.
            models.Index(
                fields=["deadline"],
                name="clock_active_deadline",
                condition=models.Q(stopped_at__isnull=True, paused_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.name} {self.state}"

    @property
    def is_active(self) -> bool:
        return self.stopped_at is None


class Alert(AppendOnlyModel):
    """A threshold a clock passed (R-SLA-3), fired exactly once: unique per clock and share."""

    clock = models.ForeignKey(
        Clock, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("clock")
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="+", verbose_name=_("ticket")
    )
    threshold = models.PositiveIntegerField(_("threshold (%)"))
    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices)
    due_at = models.DateTimeField(_("due"))
    fired_at = models.DateTimeField(_("fired"))
    notified = models.JSONField(_("notified"), default=list)

    class Meta:
        ordering = ["fired_at", "id"]
        verbose_name = _("time-limit alert")
        verbose_name_plural = _("time-limit alerts")
        constraints = [
            models.UniqueConstraint(fields=["clock", "threshold"], name="alert_once_per_threshold")
        ]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.threshold}%"
