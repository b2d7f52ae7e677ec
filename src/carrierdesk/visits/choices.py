"""Enumerations of return visits (R-RV-1, R-RV-2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    UNREACHABLE = "unreachable", _("Unreachable")
    CANCELLED = "cancelled", _("Cancelled")


class Satisfaction(models.IntegerChoices):
    """The five-level scale of R-RV-1."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    NEUTRAL = 3, _("Neutral")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


#: At or below this level the customer is dissatisfied: the ticket is handled again (R-RV-2).
DISSATISFIED_AT_MOST = Satisfaction.DISSATISFIED
