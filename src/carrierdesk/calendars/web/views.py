"""Business calendars (issue 5 §7, R-CAL-1, R-CAL-2): the calendars, a year's working days,
public holidays and adjusted working days (调休), and the import of a year's official schedule
through the same parser and action as `carrierdesk calendar import`.

Admins and supervisors read them; only admins import.
"""

import calendar as month_calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.roles import roles_of
from carrierdesk.calendars import actions
from carrierdesk.calendars.arithmetic import FIRST_DAY, LAST_DAY
from carrierdesk.calendars.choices import Weekday
from carrierdesk.calendars.formats import FORMATS, detect_format, format_minute, parse_schedule
from carrierdesk.calendars.management.commands.calendar import year_ranges
from carrierdesk.calendars.models import Calendar, CalendarDay, CalendarYear
from carrierdesk.core import clock
from carrierdesk.core.errors import ActionError
from carrierdesk.web.access import staff_view
from carrierdesk.web.forms import StaffForm

READ_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
IMPORT_ROLES = frozenset({Role.ADMIN})
#: A year's schedule is a few dozen lines; anything much larger is not one.
MAX_FILE_BYTES = 1_000_000
_LINE_KEY = re.compile(r"^(line|row) (\d+)$")
#: Column heads of a month grid, Monday first.
WEEKDAY_SHORT = (
    pgettext_lazy("weekday", "Mo"),
    pgettext_lazy("weekday", "Tu"),
    pgettext_lazy("weekday", "We"),
    pgettext_lazy("weekday", "Th"),
    pgettext_lazy("weekday", "Fr"),
    pgettext_lazy("weekday", "Sa"),
    pgettext_lazy("weekday", "Su"),
)


def _today() -> date:
    return timezone.localdate(clock.now())


def weekly_hours(periods: list[Any]) -> list[tuple[str, str]]:
    """Working hours per run of weekdays with the same hours: [("Monday–Friday", "08:30–12:00,
    13:30–17:30"), ...]; weekdays without hours are left out."""
    spans: dict[int, list[str]] = {}
    for period in sorted(periods, key=lambda p: (p.weekday, p.start_minute)):
        spans.setdefault(period.weekday, []).append(
            f"{format_minute(period.start_minute)}–{format_minute(period.end_minute)}"
        )
    runs: list[tuple[int, int, str]] = []
    for weekday in Weekday:
        text = ", ".join(spans.get(weekday.value, []))
        if not text:
            continue
        if runs and runs[-1][1] == weekday.value - 1 and runs[-1][2] == text:
            runs[-1] = (runs[-1][0], weekday.value, text)
        else:
            runs.append((weekday.value, weekday.value, text))
    return [
        (
            str(Weekday(first).label)
            if first == last
            else f"{Weekday(first).label}–{Weekday(last).label}",
            text,
        )
        for first, last, text in runs
    ]


@staff_view(roles=READ_ROLES)
def calendars(request: HttpRequest) -> HttpResponse:
    rows = [
        {
            "calendar": calendar,
            "covered": year_ranges(sorted(entry.year for entry in calendar.years.all())),
            "hours": weekly_hours(list(calendar.periods.all())),
        }
        for calendar in Calendar.objects.prefetch_related("years", "periods").order_by("code")
    ]
    return render(request, "calendars/web/calendars.html", {"rows": rows, "year": _today().year})


# --- a year's view ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    date: date
    #: "work" (an ordinary working day), "rest" (a weekday without hours), "holiday",
    #: "adjusted" (a rest weekday worked, 调休)
    kind: str
    name: str = ""


@dataclass(frozen=True)
class Month:
    number: int
    label: str
    weeks: list[list[Day | None]]
    holidays: int
    adjusted: int


def year_months(year: int, working_weekdays: set[int], exceptions: dict[date, Any]) -> list[Month]:
    """Twelve month grids, Monday first, each day marked (pure)."""
    months = []
    for number in range(1, 13):
        weeks: list[list[Day | None]] = []
        for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, number):
            cells: list[Day | None] = []
            for day in week:
                if day.month != number:
                    cells.append(None)
                    continue
                exception = exceptions.get(day)
                if exception is not None:
                    kind = "adjusted" if exception.is_working else "holiday"
                    cells.append(Day(day, kind, exception.name))
                else:
                    cells.append(Day(day, "work" if day.weekday() in working_weekdays else "rest"))
            weeks.append(cells)
        in_month = [day for week in weeks for day in week if day is not None]
        months.append(
            Month(
                number=number,
                label=date_format(date(year, number, 1), "F"),
                weeks=weeks,
                holidays=sum(1 for day in in_month if day.kind == "holiday"),
                adjusted=sum(1 for day in in_month if day.kind == "adjusted"),
            )
        )
    return months


class ImportForm(StaffForm):
    """A year's official schedule (R-CAL-2), as `carrierdesk calendar import` reads it."""

    file = forms.FileField(
        label=_("Schedule file"),
        help_text=mark_safe(  # noqa: S308 - a constant of ours, no user input
            _(
                "CSV with the header <code>date,type,name</code> (type <code>off</code> or "
                "<code>work</code>), or a JSON list of <code>{date, type, name}</code>; UTF-8."
            )
        ),
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=FIRST_DAY.year,
        max_value=LAST_DAY.year,
        help_text=_(
            "Every day of the file must lie in this year. The year's holidays and adjusted "
            "working days are replaced and the year counts as covered."
        ),
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("From the file name")), *((name, name.upper()) for name in FORMATS)],
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("A schedule file is at most 1 MB."))
        return upload


def show_schedule_errors(form: forms.Form, error: ActionError) -> None:
    """The refusal's message, then one line per bad line of the file, in the file's order."""
    form.add_error(None, str(error.message))
    for key, problems in error.fields.items():
        match = _LINE_KEY.match(key)
        label = gettext_now("Line %(line)s") % {"line": match[2]} if match else key
        for problem in problems:
            if key in form.fields:
                form.add_error(key, problem)
            else:
                form.add_error(None, f"{label}: {problem}")


def _calendar(code: str) -> Calendar:
    found = Calendar.objects.filter(code=code).first()
    if found is None:
        raise Http404()
    return found


def _year_page(
    request: HttpRequest, calendar: Calendar, year: int, form: ImportForm | None = None
) -> HttpResponse:
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise Http404()
    working_weekdays = set(calendar.periods.values_list("weekday", flat=True))
    exceptions = {
        day.date: day
        for day in CalendarDay.objects.filter(
            calendar=calendar, date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)
        ).only("date", "is_working", "name")
    }
    covered = list(
        CalendarYear.objects.filter(calendar=calendar).order_by("year").only("year", "source")
    )
    entry = next((row for row in covered if row.year == year), None)
    # A calendar without holidays needs no schedule; a refused import still shows why.
    can_import = bool(roles_of(request.user) & IMPORT_ROLES) and (
        calendar.observes_holidays or form is not None
    )
    if can_import and form is None:
        form = ImportForm(initial={"year": year})
    months = year_months(year, working_weekdays, exceptions)
    return render(
        request,
        "calendars/web/year.html",
        {
            "calendar": calendar,
            "year": year,
            "months": months,
            "entry": entry,
            "covered": [row.year for row in covered],
            "covered_text": year_ranges([row.year for row in covered]),
            "previous": year - 1 if year > FIRST_DAY.year else None,
            "next": year + 1 if year < LAST_DAY.year else None,
            "holidays": sum(month.holidays for month in months),
            "adjusted": sum(month.adjusted for month in months),
            "weekdays": list(zip(Weekday.labels, WEEKDAY_SHORT, strict=True)),
            "form": form if can_import else None,
        },
    )


@staff_view(roles=READ_ROLES)
def calendar_year(request: HttpRequest, code: str, year: int) -> HttpResponse:
    return _year_page(request, _calendar(code), year)


@require_POST
@staff_view(roles=IMPORT_ROLES)
def calendar_import(request: HttpRequest, code: str) -> HttpResponse:
    calendar = _calendar(code)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        year = form.cleaned_data.get("year") or _today().year
        return _year_page(request, calendar, year, form)
    upload = form.cleaned_data["file"]
    year = form.cleaned_data["year"]
    try:
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
            return _year_page(request, calendar, year, form)
        file_format = form.cleaned_data["file_format"] or detect_format(upload.name, text)
        rows = parse_schedule(text, file_format)
        actions.import_schedule(
            request.user,
            calendar.code,
            rows,
            source=f"{upload.name} ({file_format})",
            year=year,
        )
    except ActionError as exc:
        show_schedule_errors(form, exc)
        return _year_page(request, calendar, year, form)
    messages.success(
        request,
        gettext_now(
            "%(calendar)s %(year)d loaded from %(file)s: %(off)d days off and %(work)d adjusted "
            "working days."
        )
        % {
            "calendar": calendar.code,
            "year": year,
            "file": upload.name,
            "off": sum(1 for row in rows if not row.is_working),
            "work": sum(1 for row in rows if row.is_working),
        },
    )
    return redirect("web:calendar-year", code=calendar.code, year=year)
