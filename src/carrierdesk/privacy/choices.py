"""Enumerations of retention (R-SEC-5) and data-subject requests 个人信息主体请求."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordType(models.TextChoices):
    """The three record types of R-SEC-5, each with its retention period (a `RetentionRule`)."""

    SERVICE_REQUEST = "service_request", _("Service-request records")
    EXECUTION = "execution", _("Execution and complaint records")
    ACCEPTANCE = "acceptance", _("Acceptance records and application materials")


#: What an acceptance rule applies to: subscriptions, counted from their end.
SUBSCRIPTIONS = "subscription"


class AnonymisationSource(models.TextChoices):
    """Why a customer was anonymised."""

    RETENTION = "retention", _("Retention run")
    REQUEST = "request", _("Data-subject request")


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access and copy")
    CORRECTION = "correction", _("Correction")
    DELETION = "deletion", _("Deletion")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")


#: Statuses in which a request still awaits its answer (and its time limit runs).
OPEN_REQUEST_STATUSES = frozenset({RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS})
