"""Who saw which personal data in clear, when and why (R-SEC-2, R-SEC-3); retention rules,
legal holds, retention runs, anonymised customers and data-subject requests (R-SEC-5)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carrierdesk.audit.models import AppendOnlyModel
from carrierdesk.privacy.choices import (
    AnonymisationSource,
    RecordType,
    RequestKind,
    RequestStatus,
)
from carrierdesk.tickets.choices import Channel


class PersonalDataAccess(AppendOnlyModel):
    """One unmasking (查看明文): the fields shown in clear, the reason given, and where from.
    Holds no personal value itself, only the names of the fields shown."""

    created_at = models.DateTimeField(_("time"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    object_type = models.CharField(_("object type"), max_length=32)
    object_id = models.CharField(_("object id"), max_length=64)
    fields = models.JSONField(_("fields shown"), default=list)
    reason = models.TextField(_("reason"))
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    client_address = models.CharField(_("client address"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        indexes = [
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["object_type", "object_id", "created_at"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.user_id} {self.object_type}:{self.object_id} {self.created_at:%Y-%m-%d %H:%M}"
        )


class RetentionRule(models.Model):
    """How long a record type is kept (R-SEC-5): months after the record's closing time.

    `applies_to` lists the ticket kinds of the rule, or `["subscription"]` for acceptance
    records, which count from the subscription's end. Seeded by migration; an admin may
    lengthen a period (`retention_actions.update_retention_rule`), each change audited.
    """

    record_type = models.CharField(
        _("record type"), max_length=32, choices=RecordType.choices, unique=True
    )
    months = models.PositiveIntegerField(_("months kept"))
    applies_to = models.JSONField(_("applies to"), default=list)
    source = models.CharField(_("source"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["months", "record_type"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return f"{self.record_type} {self.months}"


class LegalHold(models.Model):
    """A legal hold 诉讼保全/依法留存 on a customer: nothing of theirs is anonymised while it is
    in place (R-SEC-5). At most one active hold per customer; a released hold stays as record.
    """

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="legal_holds",
        verbose_name=_("customer"),
    )
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("placed by"),
    )
    placed_at = models.DateTimeField(_("placed"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("released by"),
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    release_reason = models.TextField(_("release reason"), blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(released_at__isnull=True),
                name="legal_hold_one_active_per_customer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.placed_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class RetentionRun(models.Model):
    """One run of `carrierdesk retention run` (R-SEC-5: the job leaves a record).

    `as_of` is the moment eligibility is judged at, fixed when the run starts, so a run
    resumed after an interruption judges by the same moment. `cursor` is the primary key of
    the last customer handled; each batch moves it in the transaction that anonymises the
    batch, so a rerun continues exactly where the last committed batch ended.
    """

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    as_of = models.DateTimeField(_("judged as of"))
    dry_run = models.BooleanField(_("dry run"), default=False)
    batch_size = models.PositiveIntegerField(_("batch size"))
    cursor = models.BigIntegerField(_("cursor"), default=0)
    found = models.PositiveIntegerField(_("customers past retention"), default=0)
    anonymised = models.PositiveIntegerField(_("customers anonymised"), default=0)
    failed = models.PositiveIntegerField(_("customers failed"), default=0)
    batches = models.PositiveIntegerField(_("batches"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    report_path = models.CharField(_("report file"), max_length=255, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.pk} {self.started_at:%Y-%m-%d %H:%M}{' dry' if self.dry_run else ''}"


class DataSubjectRequest(models.Model):
    """A data-subject request 个人信息主体请求 (R-SEC-5): access and copy 查阅/复制, correction
    更正 or deletion 删除 (anonymise-and-keep), answered within 15 working days.

    The verification note says how the requester's identity was checked; corrected values
    are not stored here, only applied to the customer (and audited masked).
    """

    number = models.CharField(_("request number"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RequestKind.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="subject_requests",
        verbose_name=_("customer"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    received_at = models.DateTimeField(_("received"))
    registered_at = models.DateTimeField(_("registered"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    verification_note = models.TextField(_("requester verification"))
    description = models.TextField(_("request"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    due_at = models.DateTimeField(_("due"))
    warning_at = models.DateTimeField(_("warning time"))
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    breach_warned_at = models.DateTimeField(_("breach warned"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handled by"),
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    refusal_reason = models.TextField(_("refusal reason"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        indexes = [
            models.Index(fields=["status", "warning_at"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["customer", "received_at"]),
        ]

    def __str__(self) -> str:
        return self.number


class AnonymisedCustomer(models.Model):
    """The mark of an anonymised customer (anonymise-and-keep, R-SEC-5): when, why, by what.

    The customer row and their records stay, without personal data; `counts` says how many
    subscriptions, tickets and timeline notes were rewritten.
    """

    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="anonymisation",
        verbose_name=_("customer"),
    )
    at = models.DateTimeField(_("anonymised"))
    reason = models.TextField(_("reason"))
    source = models.CharField(_("source"), max_length=16, choices=AnonymisationSource.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    run = models.ForeignKey(
        RetentionRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="anonymised_customers",
        verbose_name=_("retention run"),
    )
    request = models.ForeignKey(
        DataSubjectRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("data-subject request"),
    )
    counts = models.JSONField(_("records rewritten"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("anonymised customer")
        verbose_name_plural = _("anonymised customers")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.at:%Y-%m-%d}"
