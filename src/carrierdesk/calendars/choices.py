"""Enumerations of business calendars (R-CAL-1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    """Python's numbering (`date.weekday()`): Monday is 0."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class DayType(models.TextChoices):
    """The `type` column of a schedule file: an exception to the weekly pattern."""

    OFF = "off", _("Day off")
    WORK = "work", _("Working day")


#: Minutes in a day: a working period may end at 24:00 (minute 1440).
MINUTES_PER_DAY = 1440
