"""Enumerations of tickets (R-INT-1, R-INT-2, R-CLS-1..3, R-WF-1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """R-INT-2. The two letters are the ticket-number prefix."""

    INQUIRY = "inquiry", _("Inquiry")
    SERVICE_ORDER = "service_order", _("Service order")
    FAULT = "fault", _("Fault")
    COMPLAINT = "complaint", _("Complaint")
    APPEAL = "appeal", _("Regulator appeal")
    SUGGESTION = "suggestion", _("Suggestion")


#: Ticket-number prefixes, from the Chinese name of each kind (咨询, 业务, 故障, 投诉, 申诉, 建议).
NUMBER_PREFIX = {
    Kind.INQUIRY: "ZX",
    Kind.SERVICE_ORDER: "YW",
    Kind.FAULT: "GZ",
    Kind.COMPLAINT: "TS",
    Kind.APPEAL: "SS",
    Kind.SUGGESTION: "JY",
}


class Status(models.TextChoices):
    """R-WF-1."""

    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


#: Statuses in which a ticket is finished and its fields are frozen.
TERMINAL_STATUSES = frozenset({Status.CLOSED, Status.REJECTED, Status.CANCELLED})
#: Statuses of a ticket not finished, in the enumeration's order: the condition of the partial
#: index on open tickets, which a query must state in the same words for SQLite to use it.
OPEN_STATUSES = tuple(status.value for status in Status if status not in TERMINAL_STATUSES)
#: Statuses in which a ticket counts towards its assignee's and department's open load
#: (R-DSP-1): the condition of the open-load partial indexes, stated the same way in queries.
OPEN_LOAD_STATUSES = ("assigned", "in_progress", "pending", "reopened")
#: Statuses of a ticket still being worked on (neither resolved nor finished), in the order of
#: the lifecycle (R-WF-1).
UNRESOLVED_STATUSES = (
    Status.NEW,
    Status.ACCEPTED,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.PENDING,
    Status.REOPENED,
)


class Channel(models.TextChoices):
    """R-INT-1."""

    HOTLINE = "hotline", _("Hotline")
    APP = "app", _("Mobile app")
    WEBSITE = "website", _("Website")
    WECHAT = "wechat", _("WeChat")
    STORE = "store", _("Store")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter or fax")
    GOV_HOTLINE = "gov_hotline", _("Government hotline 12345")
    REGULATOR = "regulator", _("Regulator (MIIT appeal)")
    MONITORING = "monitoring", _("Network monitoring")
    PARTNER_API = "partner_api", _("Partner API")


class Category(models.TextChoices):
    """R-CLS-3 (used for every kind, so reports can cut across kinds)."""

    SERVICE_QUALITY = "service_quality", _("Service quality")
    NETWORK_QUALITY = "network_quality", _("Network quality")
    BILLING = "billing", _("Billing and charges")
    BUSINESS_HANDLING = "business_handling", _("Business handling")
    MARKETING = "marketing", _("Marketing")
    PRIVACY_SECURITY = "privacy_security", _("Privacy and security")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    """One field, kind-specific values: priority (R-CLS-1), fault class (R-CLS-2),
    complaint severity (R-CLS-3). `workflow.URGENCIES` says which kind takes which."""

    EMERGENCY = "emergency", _("Emergency")
    IMPORTANT = "important", _("Important")
    GENERAL = "general", _("General")
    NON_URGENT = "non_urgent", _("Non-urgent")
    URGENT = "urgent", _("Urgent")
    MINOR = "minor", _("Minor")
    SERIOUS = "serious", _("Serious")
    MAJOR = "major", _("Major")


class Subtype(models.TextChoices):
    """Service-order subtypes (R-INT-2) and fault types (R-CLS-2)."""

    OPEN = "open", _("Open service")
    CHANGE = "change", _("Change service")
    TERMINATE = "terminate", _("Terminate service")
    RELOCATE = "relocate", _("Relocate service")
    SYSTEM = "system", _("System fault")
    NETWORK = "network", _("Network fault")
    BUSINESS = "business", _("Business fault")
    USER_SIDE = "user_side", _("User-side fault")


class Action(models.TextChoices):
    """Verbs on a ticket; each one is a timeline event (R-WF-6)."""

    REGISTER = "register", _("Register")
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Reject")
    ASSIGN = "assign", _("Assign")
    START = "start", _("Start")
    PEND = "pend", _("Pend")
    RESUME = "resume", _("Resume")
    RESOLVE = "resolve", _("Resolve")
    CLOSE = "close", _("Close")
    REOPEN = "reopen", _("Reopen")
    CANCEL = "cancel", _("Cancel")
    NOTE = "note", _("Add note")
    ATTACH = "attach", _("Attach file")
    UPDATE = "update", _("Update")
    APPROVE_CLOSURE = "approve_closure", _("Approve closure")
    # R-CMP-2: the result fed back to the complainant; each stops its time limit.
    FEEDBACK_FIRST = "feedback_first", _("First result feedback")
    FEEDBACK_FINAL = "feedback_final", _("Final result feedback")
    # R-RV-1: a return visit's outcome (or an attempt that did not reach the customer).
    RETURN_VISIT = "return_visit", _("Return visit")
    # R-RV-3: the survey link sent to the customer (or why none was), and their answer.
    SURVEY_SENT = "survey_sent", _("Survey sent")
    SURVEY_ANSWERED = "survey_answered", _("Survey answered")
    # Written by the time-limit sweeper (R-SLA-3), never by a person.
    SLA_WARNING = "sla_warning", _("Time-limit warning")
    SLA_BREACH = "sla_breach", _("Time limit breached")
    SLA_ESCALATION = "sla_escalation", _("Escalated")
    SLA_REBUILD = "sla_rebuild", _("Time limits recomputed")


#: Complaints in the sense of R-CLS-3 and R-CMP-1: severity-graded, closing the loop.
COMPLAINT_KINDS = frozenset({Kind.COMPLAINT, Kind.APPEAL})
#: R-CMP-3: a complaint of the same customer and category within this many days repeats it.
REPEAT_DAYS = 30
#: Channels through which a complaint comes from the regulator (工信部申诉) or the government
#: hotline 12345 (R-CMP-1).
REGULATED_CHANNELS = frozenset({Channel.REGULATOR, Channel.GOV_HOTLINE})


def is_regulated(kind: str, channel: str) -> bool:
    """A regulator appeal, or a complaint through the regulator or 12345 (R-CMP-1): at least
    serious, with the regulator's reference and due date."""
    return kind == Kind.APPEAL or (kind == Kind.COMPLAINT and channel in REGULATED_CHANNELS)


class FeedbackStage(models.TextChoices):
    """R-CMP-2: a first feedback within 2 working days of the handling, the final one within 5."""

    FIRST = "first", _("First feedback")
    FINAL = "final", _("Final feedback")


class ContactChannel(models.TextChoices):
    """How the customer was reached (result feedback, return visits: R-CMP-2, R-RV-1)."""

    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    APP = "app", _("App")
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("In person")
