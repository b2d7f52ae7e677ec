"""Enumerations of time limits (R-SLA-1..4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from carrierdesk.tickets.choices import Action
from carrierdesk.tickets.workflow import TRANSITION_ACTIONS


class ClockName(models.TextChoices):
    """The stages a policy pack may put a time limit on (SPEC §4)."""

    FIRST_RESPONSE = "first_response", _("First response")
    ACCEPTANCE = "acceptance", _("Acceptance")
    REVIEW = "review", _("Review")
    PROVISIONING = "provisioning", _("Provisioning")
    DELIVERY = "delivery", _("Delivery")
    HANDLING = "handling", _("Handling")
    RESPONSE = "response", _("Response")
    REPORT = "report", _("Fault report")
    ANALYSIS = "analysis", _("Initial analysis")
    LOCATION = "location", _("Fault location")
    CLASSIFICATION = "classification", _("Classification")
    RESTORE = "restore", _("Service restoration")
    INITIAL_CHECK = "initial_check", _("Initial check")
    FIRST_HANDLING = "first_handling", _("First handling")
    RESOLUTION = "resolution", _("Resolution")
    FEEDBACK_FIRST = "feedback_first", _("First result feedback")
    FEEDBACK_FINAL = "feedback_final", _("Final result feedback")
    #: R-CMP-1: the instant the regulator or the 12345 hotline set (`Ticket.regulator_due_at`).
    REGULATOR = "regulator", _("Regulator's due date")


class ClockState(models.TextChoices):
    """R-SLA-1. `cancelled`: the ticket was withdrawn or refused before the stage ended."""

    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    CANCELLED = "cancelled", _("Cancelled")


class LimitUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")
    #: Not a duration: the deadline is the ticket's `regulator_due_at` (R-CMP-1), an instant
    #: fixed by the regulator; counted on the 24x7 calendar, never paused.
    DUE_DATE = "due_date", _("Regulator's due date")


class AlertKind(models.TextChoices):
    """R-SLA-3: early warning (预警), breach (超时), escalation past the breach (升级)."""

    WARNING = "warning", _("Early warning")
    BREACH = "breach", _("Breach")
    ESCALATION = "escalation", _("Escalation")


class Escalee(models.TextChoices):
    """Links of the escalation chain (R-SLA-3)."""

    ASSIGNEE = "assignee", _("Assignee")
    SUPERVISOR = "supervisor", _("Supervisor")
    HEAD = "head", _("Head of department")


#: Timeline actions a policy may name as the start, stop, pause or resume of a clock.
CLOCK_EVENTS: tuple[str, ...] = (
    Action.REGISTER,
    *TRANSITION_ACTIONS,
    Action.FEEDBACK_FIRST,
    Action.FEEDBACK_FINAL,
)

#: Actions that finish a ticket: clocks still running then stop (cancelled unless listed).
FINISHING_EVENTS = frozenset({Action.CLOSE, Action.CANCEL, Action.REJECT})
