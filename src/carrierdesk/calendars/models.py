"""Business calendars as data (R-CAL-1, R-CAL-2): weekly working hours, the exceptions to them
(public holidays, adjusted working days 调休) and the years whose official schedule is loaded.

The arithmetic on them is `calendars/arithmetic.py` (pure); `calendars/services.py` builds it
from these tables. Every write goes through `calendars/actions.py`, which bumps
`Calendar.revision` so cached schedules are rebuilt.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from carrierdesk.calendars.choices import MINUTES_PER_DAY, Weekday


class Calendar(models.Model):
    """A business calendar: working hours per weekday, holidays and 调休 days, a time zone.

    `observes_holidays` is false for calendars that need no holiday data (24x7): they are never
    "uncovered". `revision` increases with every change (working hours, an imported year), and
    is what the process-local schedule cache compares.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    observes_holidays = models.BooleanField(_("observes public holidays"), default=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")

    def __str__(self) -> str:
        return self.code


class WorkingPeriod(models.Model):
    """One stretch of working time on a weekday, [start_minute, end_minute) of local time.

    Minutes since midnight, so 24:00 (1440) is representable: a whole-day calendar has one
    period 0–1440. Periods of a weekday do not overlap (enforced by the action that writes them).
    """

    calendar = models.ForeignKey(
        Calendar, on_delete=models.CASCADE, related_name="periods", verbose_name=_("calendar")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_minute = models.PositiveSmallIntegerField(_("start (minutes after midnight)"))
    end_minute = models.PositiveSmallIntegerField(_("end (minutes after midnight)"))

    class Meta:
        ordering = ["calendar", "weekday", "start_minute"]
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="working_period_weekday_in_week"
            ),
            models.CheckConstraint(
                condition=models.Q(start_minute__lt=models.F("end_minute"))
                & models.Q(end_minute__lte=MINUTES_PER_DAY),
                name="working_period_start_before_end_within_day",
            ),
            models.UniqueConstraint(
                fields=["calendar", "weekday", "start_minute"],
                name="working_period_unique_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.calendar_id} {self.weekday} {self.start_minute}-{self.end_minute}"


class CalendarDay(models.Model):
    """An exception to the weekly pattern: a public holiday (`is_working` false) or an adjusted
    working day 调休 (`is_working` true, with the hours of an ordinary working weekday)."""

    calendar = models.ForeignKey(
        Calendar, on_delete=models.CASCADE, related_name="days", verbose_name=_("calendar")
    )
    date = models.DateField(_("date"))
    is_working = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.calendar_id} {self.date} {'work' if self.is_working else 'off'}"


class CalendarYear(models.Model):
    """A year whose official schedule is loaded, i.e. "covered" (R-CAL-2).

    Deadlines counted through a year a holiday-observing calendar does not cover are computed on
    the weekly pattern alone and flagged.
    """

    calendar = models.ForeignKey(
        Calendar, on_delete=models.CASCADE, related_name="years", verbose_name=_("calendar")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("loaded"))

    class Meta:
        ordering = ["calendar", "year"]
        verbose_name = _("covered year")
        verbose_name_plural = _("covered years")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "year"], name="calendar_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.calendar_id} {self.year}"
