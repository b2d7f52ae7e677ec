"""Calendars ready for arithmetic, for the rest of the system (the SLA engine calls these).

`schedule_for(code)` reads the calendar's `revision` on every call (one small query) and
rebuilds its `Schedule` from the tables only when the revision changed since the process last
built it (a process-local cache; a rebuild takes a few milliseconds). The actions forget the
cached schedule of a calendar they change, so a schedule read inside a transaction that is then
rolled back is not reused under a revision number a later change gets again.

`compute_deadline(code, start, ...)` is the one entry point for "when is this limit due".
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carrierdesk.calendars.arithmetic import FIRST_DAY, LAST_DAY, Deadline, Schedule
from carrierdesk.calendars.models import Calendar, CalendarDay, CalendarYear, WorkingPeriod
from carrierdesk.core.errors import InvalidInput, NotFound

#: The largest amount of (working) hours a limit may have: more than the 2000–2100 range.
MAX_HOURS = 1_000_000
LIMIT_FIELDS = ("working_days", "working_hours", "hours")

# code -> (calendar id, revision, schedule). Replacing an entry is atomic under the GIL; two
# threads that miss at once both build, and one result wins — same data, no harm.
_schedules: dict[str, tuple[int, int, Schedule]] = {}


def forget(code: str | None = None) -> None:
    """Drop the cached schedule of `code` (of every calendar if None)."""
    if code is None:
        _schedules.clear()
    else:
        _schedules.pop(code, None)


def _revision_sql(quote: Callable[[str], str]) -> str:
    """SELECT id, revision ... WHERE code = %s: names from the model, the code a parameter."""
    meta = Calendar._meta
    columns = (meta.pk.column, meta.get_field("revision").column, meta.get_field("code").column)
    key, revision, code = (quote(column) for column in columns)
    table = quote(meta.db_table)
    return f"SELECT {key}, {revision} FROM {table} WHERE {code} = %s"  # noqa: S608


def schedule_for(code: str) -> Schedule:
    """The calendar's current schedule; NotFound for an unknown code."""
    # The revision is read on every call, by the SLA engine for every clock it computes: a
    # plain cursor query costs 40 µs where the ORM's costs 450 µs (bench/calendar.py).
    connection = connections[router.db_for_read(Calendar)]
    with connection.cursor() as cursor:
        cursor.execute(_revision_sql(connection.ops.quote_name), [code])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("No such calendar."))
    pk, revision = row
    cached = _schedules.get(code)
    if cached is not None and cached[0] == pk and cached[1] == revision:
        return cached[2]
    schedule = build_schedule(pk)
    _schedules[code] = (pk, revision, schedule)
    return schedule


class Schedules(dict[str, Schedule]):
    """Schedules by calendar code, each looked up once for a unit of work (a transaction, a
    sweep batch, a response), however many clocks use it."""

    def __missing__(self, code: str) -> Schedule:
        schedule = schedule_for(code)
        self[code] = schedule
        return schedule


def build_schedule(calendar_id: int) -> Schedule:
    """Read a calendar's tables (four queries) and build its schedule."""
    calendar = Calendar.objects.get(pk=calendar_id)
    weekly: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in WorkingPeriod.objects.filter(calendar_id=calendar_id).values_list(
        "weekday", "start_minute", "end_minute"
    ):
        weekly.setdefault(weekday, []).append((start, end))
    exceptions = dict(
        CalendarDay.objects.filter(calendar_id=calendar_id).values_list("date", "is_working")
    )
    covered: frozenset[int] | None = None
    if calendar.observes_holidays:
        covered = frozenset(
            CalendarYear.objects.filter(calendar_id=calendar_id).values_list("year", flat=True)
        )
    return Schedule.build(
        time_zone=calendar.time_zone,
        weekly=weekly,
        exceptions=exceptions,
        covered_years=covered,
        code=calendar.code,
    )


def _hours(name: str, value: float | Decimal) -> timedelta:
    """A non-negative, finite number of hours (fractions allowed) as a timedelta."""
    try:
        if isinstance(value, bool):
            raise TypeError
        hours = value if isinstance(value, Decimal) else Decimal(str(float(value)))
    except (TypeError, ValueError, InvalidOperation):
        raise InvalidInput.field(name, _("Give a number of hours.")) from None
    if not hours.is_finite() or hours < 0:
        raise InvalidInput.field(name, _("Give a number of hours that is not negative."))
    if hours > MAX_HOURS:
        raise InvalidInput.field(name, _("At most %(limit)d hours.") % {"limit": MAX_HOURS})
    microseconds = int((hours * 3_600_000_000).to_integral_value())
    return timedelta(microseconds=microseconds)


def compute_deadline(
    code: str,
    start: datetime,
    *,
    working_days: int | None = None,
    working_hours: float | Decimal | None = None,
    hours: float | Decimal | None = None,
) -> Deadline:
    """When a limit counted from `start` on calendar `code` is due.

    Exactly one of: `working_days` (an integer >= 1, by the working-day convention of
    `arithmetic`: the day of receipt does not count, the limit ends at close of business of the
    Nth working day), `working_hours` (working time, fractions allowed) or `hours` (plain
    calendar hours: `start` + hours of elapsed time, never uncovered). The deadline is in the
    calendar's zone.
    """
    values = {"working_days": working_days, "working_hours": working_hours, "hours": hours}
    given = [name for name, value in values.items() if value is not None]
    if len(given) != 1:
        message = _("Give exactly one of working_days, working_hours and hours.")
        raise InvalidInput(fields={name: [message] for name in (given or LIMIT_FIELDS)})
    if not isinstance(start, datetime) or timezone.is_naive(start):
        raise InvalidInput.field("start", _("Give the time with its time zone."))
    if working_days is not None and (
        isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1
    ):
        raise InvalidInput.field("working_days", _("Give a whole number of at least 1."))
    amount = timedelta(0)
    if working_hours is not None:
        amount = _hours("working_hours", working_hours)
    elif hours is not None:
        amount = _hours("hours", hours)
    schedule = schedule_for(code)
    try:
        if working_days is not None:
            return schedule.add_working_days(start, working_days)
        if working_hours is not None:
            return schedule.add_working_time(start, amount)
        return Deadline((start.astimezone(UTC) + amount).astimezone(schedule.zone), False)
    except (ValueError, OverflowError):
        raise InvalidInput.field(
            "start",
            _("Calendar arithmetic covers %(first)d to %(last)d.")
            % {"first": FIRST_DAY.year, "last": LAST_DAY.year},
        ) from None
