"""`carrierdesk calendar`: list calendars, import and export official schedules, set hours.

  carrierdesk calendar list
  carrierdesk calendar import FILE --calendar CODE [--year YYYY] [--format csv|json]
  carrierdesk calendar export --calendar CODE [--year YYYY] [--format csv|json] [--output FILE]
  carrierdesk calendar hours --calendar CODE [--set WEEKDAYS=PERIODS ...]

A schedule file (CSV `date,type,name` or a JSON list of {"date", "type", "name"}; type `off`
or `work`) lists a year's public holidays and adjusted working days, as the State Council
publishes them each November (R-CAL-2). `import` replaces the exception days of the years the
file covers — `--year`, which every row must then lie in, or else each year a row lies in —
and marks them covered, all or nothing. `export` writes the same format, so export → import
round-trips. Writes go through the actions, as the system (actor none) on channel "cli".
A refusal prints `error: <code>: <message>` and one line per bad line of the file to stderr
and exits with status 2, having written nothing.
"""

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from carrierdesk.calendars import actions
from carrierdesk.calendars.choices import Weekday
from carrierdesk.calendars.formats import (
    FORMATS,
    ScheduleRow,
    detect_format,
    format_minute,
    parse_minute,
    parse_schedule,
    render_schedule,
)
from carrierdesk.calendars.models import Calendar, CalendarDay, WorkingPeriod
from carrierdesk.core.errors import InvalidInput, NotFound
from carrierdesk.core.management.operator import OperatorCommand, Subcommand


def year_ranges(years: list[int]) -> str:
    """'2004–2026, 2028' for sorted years."""
    ranges: list[list[int]] = []
    for year in years:
        if ranges and year == ranges[-1][1] + 1:
            ranges[-1][1] = year
        else:
            ranges.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in ranges)


def parse_weekdays(text: str) -> list[int]:
    """'0-4' → [0..4], '5,6' → [5, 6] (0 = Monday)."""
    days: list[int] = []
    for part in text.split(","):
        first, _sep, last = part.strip().partition("-")
        days.extend(range(int(first), int(last or first) + 1))
    if not days or any(not 0 <= day <= 6 for day in days):
        raise ValueError(text)
    return days


def parse_periods(text: str) -> list[tuple[int, int]]:
    """'08:30-12:00,13:30-17:30' → [(510, 720), (810, 1050)]; '' → []."""
    periods = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        start, sep, end = part.partition("-")
        if not sep:
            raise ValueError(text)
        periods.append((parse_minute(start), parse_minute(end)))
    return periods


class Command(OperatorCommand):
    help = "List calendars; import and export official holiday schedules; set working hours."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        subparsers.add_parser("list", help="calendars, their zones and covered years")

        load = subparsers.add_parser("import", help="load a year's holidays and 调休 days")
        load.add_argument("file", metavar="FILE", help="schedule file (CSV or JSON), - for stdin")
        load.add_argument("--calendar", required=True, metavar="CODE")
        load.add_argument("--year", type=int, metavar="YYYY", help="every row must be in it")
        load.add_argument("--format", choices=FORMATS, help="default: from the file")

        dump = subparsers.add_parser("export", help="write a calendar's holidays and 调休 days")
        dump.add_argument("--calendar", required=True, metavar="CODE")
        dump.add_argument("--year", type=int, metavar="YYYY", help="default: every year")
        dump.add_argument("--format", choices=FORMATS, help="default: csv, or from --output")
        dump.add_argument("--output", metavar="FILE", help="default: standard output")

        hours = subparsers.add_parser("hours", help="show or set weekly working hours")
        hours.add_argument("--calendar", required=True, metavar="CODE")
        hours.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="WEEKDAYS=PERIODS",
            help="e.g. 0-4=08:30-12:00,13:30-17:30 or 5= (none); 0 is Monday; "
            "weekdays not named keep their hours",
        )

    def subcommands(self) -> Mapping[str, Subcommand]:
        return {
            "list": self.list_calendars,
            "import": self.import_schedule,
            "export": self.export_schedule,
            "hours": self.working_hours,
        }

    # --- subcommands --------------------------------------------------------------------------

    def list_calendars(self, options: dict[str, Any]) -> None:
        rows = [[_("code"), _("time zone"), _("covered years"), _("revision"), _("name")]]
        for calendar in Calendar.objects.prefetch_related("years").order_by("code"):
            if calendar.observes_holidays:
                covered = year_ranges(sorted(entry.year for entry in calendar.years.all()))
            else:
                covered = _("(not needed)")
            rows.append(
                [
                    calendar.code,
                    calendar.time_zone,
                    covered or _("none"),
                    str(calendar.revision),
                    calendar.name,
                ]
            )
        # The name, the one column that may hold wide (Chinese) characters, comes last.
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
        for row in rows:
            cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
            self.stdout.write("  ".join([*cells, row[-1]]))

    def import_schedule(self, options: dict[str, Any]) -> None:
        name = options["file"]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput.field(
                "file", _("Cannot read the file: %(error)s") % {"error": exc}
            ) from None
        file_format = options["format"] or detect_format(name, text)
        rows = parse_schedule(text, file_format)
        source = f"{Path(name).name if name != '-' else 'stdin'} ({file_format})"
        covered = actions.import_schedule(
            None, options["calendar"], rows, source=source, year=options["year"]
        )
        revision = Calendar.objects.get(code=options["calendar"]).revision
        for entry in covered:
            in_year = [row for row in rows if row.date.year == entry.year]
            self.stdout.write(
                _(
                    "%(calendar)s %(year)d loaded: days off %(off)d, working days %(work)d "
                    "(revision %(revision)d)."
                )
                % {
                    "calendar": options["calendar"],
                    "year": entry.year,
                    "off": sum(1 for row in in_year if not row.is_working),
                    "work": sum(1 for row in in_year if row.is_working),
                    "revision": revision,
                }
            )

    def export_schedule(self, options: dict[str, Any]) -> None:
        calendar = Calendar.objects.filter(code=options["calendar"]).first()
        if calendar is None:
            raise NotFound(_("No such calendar."))
        days = CalendarDay.objects.filter(calendar=calendar).order_by("date")
        if options["year"] is not None:
            days = days.filter(date__year=options["year"])
        rows = [ScheduleRow(day.date, day.is_working, day.name) for day in days]
        output = options["output"]
        file_format = options["format"] or (detect_format(output, "") if output else "csv")
        text = render_schedule(rows, file_format)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def working_hours(self, options: dict[str, Any]) -> None:
        code = options["calendar"]
        if not Calendar.objects.filter(code=code).exists():
            raise NotFound(_("No such calendar."))
        periods: dict[int, list[tuple[int, int]]] = {}
        for period in WorkingPeriod.objects.filter(calendar__code=code):
            periods.setdefault(period.weekday, []).append((period.start_minute, period.end_minute))
        if options["set"]:
            for setting in options["set"]:
                weekdays, sep, spans = setting.partition("=")
                try:
                    if not sep:
                        raise ValueError(setting)
                    days, parsed = parse_weekdays(weekdays), parse_periods(spans)
                except ValueError:
                    raise InvalidInput.field(
                        "set", _("Write e.g. 0-4=08:30-12:00,13:30-17:30 (0 is Monday).")
                    ) from None
                for day in days:
                    periods[day] = parsed
            actions.set_working_periods(None, code, periods)
        for weekday in Weekday:
            spans = periods.get(weekday.value, [])
            shown = ", ".join(f"{format_minute(s)}–{format_minute(e)}" for s, e in sorted(spans))
            self.stdout.write(f"{weekday.label}: {shown or '-'}")
