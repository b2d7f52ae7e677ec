"""Tickets, their append-only timeline and their attachments."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.models import Department, Region
from carrierdesk.audit.models import AppendOnlyModel
from carrierdesk.core.fields import EncryptedTextField
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.tickets.choices import (
    OPEN_LOAD_STATUSES,
    OPEN_STATUSES,
    Action,
    Category,
    Channel,
    ContactChannel,
    FeedbackStage,
    Kind,
    Status,
    Subtype,
    Urgency,
)


class Ticket(models.Model):
    """A customer's request of any kind (R-INT-2), registered once and carried to closure.

    `received_at` is when the customer's request reached the carrier (a letter or a regulator's
    transfer may be registered later); every time limit counts from it. `first_owner` is the
    agent who registered it (首问负责制, R-WF-5). `version` increases with every change, so a
    client can refuse to overwrite a ticket that changed meanwhile.
    """

    number = models.CharField(_("ticket number"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    subtype = models.CharField(_("subtype"), max_length=16, choices=Subtype.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("customer")
    )
    subscription = models.ForeignKey(
        Subscription,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("subscription"),
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    # Personal data, encrypted at rest (R-SEC-2).
    contact_name = EncryptedTextField(_("contact person"), max_length=64, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), max_length=20, blank=True)
    received_at = models.DateTimeField(_("received"))
    registered_at = models.DateTimeField(_("registered"))
    first_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="first_owned_tickets",
        verbose_name=_("first owner"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("department"),
    )
    resolution = models.TextField(_("resolution"), blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"))
    updated_at = models.DateTimeField(_("updated"))
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0)
    # R-CMP-3: the complaint of the same customer and category it repeats (within 30 days).
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("repeats complaint"),
    )
    external_reference = models.CharField(
        _("external reference"), max_length=64, blank=True, db_index=True
    )
    # R-CMP-1: a complaint through the regulator (工信部申诉) or the 12345 hotline carries the
    # case reference and the due date they set.
    regulator_reference = models.CharField(_("regulator's reference"), max_length=64, blank=True)
    regulator_due_at = models.DateTimeField(_("regulator's due date"), null=True, blank=True)
    # R-CMP-1: a major complaint is closed only after a supervisor approves (cleared on reopening).
    closure_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closure approved by"),
    )
    closure_approved_at = models.DateTimeField(_("closure approved"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    sla_policy = models.ForeignKey(
        "sla.PolicyVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("time-limit policy"),
        help_text=_("The policy version in force when the request was received (SPEC §4)."),
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["registered_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["customer", "received_at"]),
            models.Index(fields=["first_owner", "status"]),
            # Queues of open tickets newest first (web UI): a few percent of the table.
            models.Index(
                fields=["received_at"],
                name="ticket_open_received",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            # The supervisor board's open tickets by department and status, counted off this
            # index alone: it holds every column of a scope's condition (accounts/scope.py).
            models.Index(
                fields=["department", "status", "region", "first_owner", "assignee"],
                name="ticket_open_scope",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            # Open load per person and per department (R-DSP-1, dispatch and queue pages):
            # each counted off a small index of the tickets being worked on.
            models.Index(
                fields=["assignee"],
                name="ticket_open_load_assignee",
                condition=models.Q(status__in=OPEN_LOAD_STATUSES),
            ),
            models.Index(
                fields=["department"],
                name="ticket_open_load_department",
                condition=models.Q(status__in=OPEN_LOAD_STATUSES),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(received_at__lte=models.F("registered_at")),
                name="ticket_received_not_after_registered",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class TicketEvent(AppendOnlyModel):
    """One step on a ticket's timeline (R-WF-6): who, when, what changed, note. Append-only."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="events", verbose_name=_("ticket")
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
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("from status"), max_length=16, blank=True)
    to_status = models.CharField(_("to status"), max_length=16, blank=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"


def content_path(sha256: str) -> str:
    """Where a file with this SHA-256 is stored.

    Content-addressed: a file left behind by a rolled-back upload is reused, never wrong.
    """
    return f"attachments/{sha256[:2]}/{sha256}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return content_path(instance.sha256)


class ResultFeedback(AppendOnlyModel):
    """Result feedback (结果反馈) to the complainant (R-CMP-2): complaint number (the ticket),
    cause, measures, expected completion, whether follow-up is needed and whether the customer
    accepts. Append-only: what the customer was told stays as it was told."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="feedback", verbose_name=_("ticket")
    )
    stage = models.CharField(_("stage"), max_length=8, choices=FeedbackStage.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=ContactChannel.choices)
    cause = models.TextField(_("cause"))
    measures = models.TextField(_("measures"))
    expected_completion = models.DateTimeField(_("expected completion"), null=True, blank=True)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    # None: not asked (a first feedback may leave it open); the final one always records it.
    customer_accepts = models.BooleanField(_("customer accepts"), null=True, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("given by"),
    )
    given_at = models.DateTimeField(_("given"))

    class Meta:
        ordering = ["ticket", "given_at", "id"]
        verbose_name = _("result feedback")
        verbose_name_plural = _("result feedback")
        indexes = [models.Index(fields=["ticket", "given_at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.stage} {self.given_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A file on a ticket (R-INT-6): stored once by content, with its SHA-256 for integrity."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("ticket")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=128)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
