"""Return visits (回访, R-RV-1, R-RV-2): which resolved tickets are visited, and each visit."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from carrierdesk.customers.models import Customer
from carrierdesk.tickets.choices import ContactChannel, Kind
from carrierdesk.visits.choices import Satisfaction, VisitStatus


class VisitRule(models.Model):
    """Which resolved tickets of a kind get a return visit, how soon, how, and by when
    (R-RV-1). Data, one row per kind, seeded with defaults (migration 0002); shown read-only
    in the admin like every domain table."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, unique=True)
    share_percent = models.PositiveSmallIntegerField(
        _("share visited (%)"), validators=[MaxValueValidator(100)]
    )
    channel = models.CharField(_("channel"), max_length=16, choices=ContactChannel.choices)
    delay_hours = models.PositiveIntegerField(_("not before (hours after resolution)"), default=0)
    within_hours = models.PositiveIntegerField(_("limit (hours after resolution)"))
    max_attempts = models.PositiveSmallIntegerField(_("attempts before unreachable"), default=3)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("return-visit rule")
        verbose_name_plural = _("return-visit rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share_percent__lte=100), name="visit_rule_share_percent"
            ),
            models.CheckConstraint(
                condition=models.Q(max_attempts__gte=1), name="visit_rule_attempts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.share_percent}%"


class ReturnVisit(models.Model):
    """One return visit of a resolved ticket: reachability over its attempts, whether the
    problem is solved, satisfaction on the five-level scale, optional NPS and free text."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.PROTECT,
        related_name="return_visits",
        verbose_name=_("ticket"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED
    )
    channel = models.CharField(_("channel"), max_length=16, choices=ContactChannel.choices)
    not_before = models.DateTimeField(_("not before"))
    due_at = models.DateTimeField(_("due"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("attempts before unreachable"))
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), choices=Satisfaction.choices, null=True, blank=True
    )
    nps = models.PositiveSmallIntegerField(_("NPS score (0-10)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visited by"),
    )
    visited_at = models.DateTimeField(_("visited"), null=True, blank=True)
    created_at = models.DateTimeField(_("scheduled"))
    #: Answered by the customer through a survey link (R-RV-3) rather than by a visitor.
    by_survey = models.BooleanField(_("answered by survey"), default=False)
    #: The visit's own limit warns at 80 % of its window and when it is overdue (the sweep,
    #: `visits.sweep`): when the warning is due, and when each was given.
    warning_at = models.DateTimeField(_("warning due"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    overdue_warned_at = models.DateTimeField(_("overdue warning given"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="visit_satisfaction_scale",
            ),
            models.CheckConstraint(
                condition=models.Q(nps__isnull=True) | models.Q(nps__lte=10),
                name="visit_nps_scale",
            ),
            # One visit waiting per ticket at a time.
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(status="scheduled"),
                name="visit_one_scheduled_per_ticket",
            ),
        ]
        indexes = [
            # The quality inspectors' worklist: the waiting visits by due date.
            models.Index(
                fields=["due_at"],
                name="visit_scheduled_due",
                condition=models.Q(status="scheduled"),
            ),
            # The satisfaction summary (R-RV-2): finished visits by time, covering what is
            # counted (the batches are read off the index alone).
            models.Index(
                fields=["status", "visited_at", "satisfaction", "solved", "nps", "ticket"],
                name="visit_finished",
            ),
            # The sweep: waiting visits whose warning is due and not given.
            models.Index(
                fields=["warning_at"],
                name="visit_warning_due",
                condition=models.Q(status="scheduled", warned_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.status} {self.due_at:%Y-%m-%d %H:%M}"


class SurveyInvitation(models.Model):
    """A one-time survey link (满意度调查, R-RV-3) sent to the customer of a resolved ticket.

    The link carries a random key signed with the site's secret; only the key's SHA-256 is
    stored (`digest`), so the table cannot be read back into working links. It works once
    (`answered_at`), until `expires_at`, and is replaced when the ticket is resolved again.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.PROTECT,
        related_name="survey_invitations",
        verbose_name=_("ticket"),
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    digest = models.CharField(_("key digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"))
    send_at = models.DateTimeField(_("sent from"))
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    visit = models.OneToOneField(
        ReturnVisit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey",
        verbose_name=_("return visit"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        indexes = [
            # The per-customer frequency cap: this customer's invitations since a time.
            models.Index(fields=["customer", "created_at"], name="survey_customer_created"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.created_at:%Y-%m-%d %H:%M}"
