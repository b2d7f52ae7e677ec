"""Working-time arithmetic on a business calendar (R-CAL-3). Pure: no database access.

A `Schedule` is built once from a calendar's data (weekly working periods, exception days,
covered years, time zone) and answers, timezone-aware:

- `add_working_time(start, amount)`: the earliest instant at which `amount` of working time has
  elapsed after `start` ("N working hours after t");
- `working_time_between(start, end)`: working time in [start, end) (pausing clocks, R-SLA-2);
- `add_working_days(start, days)`: "N working days after t", by the one working-day convention
  below;
- `is_working_time(instant)`, `next_working_instant(instant)`.

Conventions, applied everywhere:

- **Working days (R-CAL-3; Civil Code arts. 201 and 203).** The day of receipt does not count:
  a limit of N working days ends at the close of business of the Nth working day after the
  local date of `start`, whatever the time of day `start` is. Close of business is the end of
  that day's last working period; on whole-day calendars (periods running to 24:00) that is
  24:00, written as 00:00 of the next day. A working day is a day with any working time.
- **Adjusted working days (调休).** An exception day marked working has the working periods of
  its own weekday if that weekday has any, otherwise those of an ordinary working weekday: the
  first of Monday..Friday that has periods. A day marked off has no working time.
- **Wall clock.** Working time is measured on the calendar's local wall clock: a period
  08:30–12:00 is 3.5 hours even on a day a daylight-saving shift falls into (Asia/Shanghai has
  none). Results are in the calendar's zone; a wall time that a shift skips is read with the
  offset before the shift (it lands after the gap).
- **Coverage (R-CAL-2).** Days in a year the calendar does not cover (`covered_years` given and
  the year not in it) follow the weekly pattern alone, exceptions ignored, and any result whose
  counted span — from the local date of `start` to the day holding the deadline — touches such
  a year is returned with `calendar_uncovered=True`. `covered_years=None` means the calendar
  needs no holiday data (24x7): never uncovered.
- **Range.** Local dates from `FIRST_DAY` to `LAST_DAY`; anything outside raises ValueError, as
  does a naive datetime.

Implementation: tables over the whole range, built once per schedule — the cumulative working
time (integer microseconds) at the start of each day and the cumulative count of working days —
so every question is a bisection on a table plus a walk over at most one day's periods.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from carrierdesk.calendars.choices import MINUTES_PER_DAY

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
_FIRST_ORDINAL = FIRST_DAY.toordinal()
_DAY_COUNT = LAST_DAY.toordinal() - _FIRST_ORDINAL + 1
_MICROSECONDS_PER_MINUTE = 60_000_000
_MICROSECONDS_PER_DAY = MINUTES_PER_DAY * _MICROSECONDS_PER_MINUTE
_ONE_MICROSECOND = timedelta(microseconds=1)

#: A working period in minutes after local midnight, [start, end), 0 <= start < end <= 1440.
Period = tuple[int, int]
#: The same in microseconds after local midnight.
_Span = tuple[int, int]


class Deadline(NamedTuple):
    """A computed deadline."""

    at: datetime
    """Aware, in the calendar's zone."""
    calendar_uncovered: bool
    """R-CAL-2: some day counted lies in a year the calendar does not cover."""


def _check_weekly(weekly: Mapping[int, Sequence[Period]]) -> list[tuple[Period, ...]]:
    """The weekly pattern as seven sorted tuples; ValueError if a period is malformed."""
    pattern: list[tuple[Period, ...]] = [() for _ in range(7)]
    for weekday, periods in weekly.items():
        if weekday not in range(7):
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
        ordered = tuple(sorted((int(start), int(end)) for start, end in periods))
        previous_end = 0
        for start, end in ordered:
            if not 0 <= start < end <= MINUTES_PER_DAY:
                raise ValueError(f"working period {start}-{end} is not within 0..1440 minutes")
            if start < previous_end:
                raise ValueError(f"working periods of weekday {weekday} overlap")
            previous_end = end
        pattern[weekday] = ordered
    return pattern


def _in_microseconds(periods: tuple[Period, ...]) -> tuple[_Span, ...]:
    return tuple(
        (start * _MICROSECONDS_PER_MINUTE, end * _MICROSECONDS_PER_MINUTE) for start, end in periods
    )


@dataclass(frozen=True, slots=True, eq=False)
class Schedule:
    """A calendar ready for arithmetic; immutable. Build it with `Schedule.build`."""

    code: str
    time_zone: str
    covered_years: frozenset[int] | None = field(repr=False)
    zone: ZoneInfo = field(repr=False)
    # Per day index (0 = FIRST_DAY): that day's working periods in microseconds.
    _periods: list[tuple[_Span, ...]] = field(repr=False)
    # _cumulative_time[i]: working microseconds from FIRST_DAY to the start of day i (i <= N).
    _cumulative_time: list[int] = field(repr=False)
    # _cumulative_days[i]: working days from FIRST_DAY up to, not including, day i.
    _cumulative_days: list[int] = field(repr=False)
    # _cumulative_uncovered[i]: days in uncovered years before day i (all zero if none).
    _cumulative_uncovered: list[int] = field(repr=False)
    # False if the zone's offset is the same every 1 January and 1 July of the range (Asia/
    # Shanghai): no daylight saving, no wall time skipped, results need no normalising.
    _shifts: bool = field(repr=False)

    @classmethod
    def build(
        cls,
        *,
        time_zone: str,
        weekly: Mapping[int, Sequence[Period]],
        exceptions: Mapping[date, bool],
        covered_years: frozenset[int] | None,
        code: str = "",
    ) -> "Schedule":
        """Build the tables. `weekly` maps weekday (0 = Monday) to its working periods in
        minutes; `exceptions` maps a date to whether it is a working day (holidays and 调休);
        `covered_years` are the years whose exceptions are loaded (None: needs none)."""
        try:
            zone = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {time_zone!r}") from None
        pattern = [_in_microseconds(periods) for periods in _check_weekly(weekly)]
        ordinary = next((pattern[day] for day in range(5) if pattern[day]), ())
        if not ordinary:
            ordinary = next((periods for periods in pattern if periods), ())
        totals = [sum(end - start for start, end in periods) for periods in pattern]

        # The weekly pattern over the whole range, rotated to start on FIRST_DAY's weekday.
        first = FIRST_DAY.weekday()
        repeats = _DAY_COUNT // 7 + 1
        day_periods = ((pattern[first:] + pattern[:first]) * repeats)[:_DAY_COUNT]
        day_totals = ((totals[first:] + totals[:first]) * repeats)[:_DAY_COUNT]

        for day, is_working in exceptions.items():
            if covered_years is not None and day.year not in covered_years:
                continue  # R-CAL-2: an uncovered year follows the weekly pattern alone.
            index = day.toordinal() - _FIRST_ORDINAL
            if not 0 <= index < _DAY_COUNT:
                continue
            periods = (pattern[day.weekday()] or ordinary) if is_working else ()
            day_periods[index] = periods
            day_totals[index] = sum(end - start for start, end in periods)

        uncovered = [False] * _DAY_COUNT
        if covered_years is not None:
            for year in range(FIRST_DAY.year, LAST_DAY.year + 1):
                if year not in covered_years:
                    first_index = date(year, 1, 1).toordinal() - _FIRST_ORDINAL
                    last_index = date(year, 12, 31).toordinal() - _FIRST_ORDINAL
                    uncovered[first_index : last_index + 1] = [True] * (
                        last_index - first_index + 1
                    )
        offsets = {
            datetime(year, month, 1, tzinfo=zone).utcoffset()
            for year in range(FIRST_DAY.year, LAST_DAY.year + 1)
            for month in (1, 7)
        }

        return cls(
            code=code,
            time_zone=time_zone,
            covered_years=frozenset(covered_years) if covered_years is not None else None,
            zone=zone,
            _periods=day_periods,
            _cumulative_time=list(accumulate(day_totals, initial=0)),
            _cumulative_days=list(accumulate(map(bool, day_totals), initial=0)),
            _cumulative_uncovered=list(accumulate(uncovered, initial=0)),
            _shifts=len(offsets) > 1,
        )

    # --- the questions ------------------------------------------------------------------------

    def add_working_time(self, start: datetime, amount: timedelta) -> Deadline:
        """The earliest instant at which `amount` of working time has elapsed after `start`
        (`start` itself, in the calendar's zone, for a zero amount)."""
        index, micro = self._local(start)
        needed = amount // _ONE_MICROSECOND
        if needed < 0:
            raise ValueError("the amount of working time must not be negative")
        if needed == 0:
            return Deadline(start.astimezone(self.zone), self._uncovered(index, index))
        target = self._position(index, micro) + needed
        # The day whose working time holds the target: cum[day] < target <= cum[day + 1].
        end_index = bisect_left(self._cumulative_time, target) - 1
        if end_index >= _DAY_COUNT:
            raise ValueError(self._range_message())
        remaining = target - self._cumulative_time[end_index]
        at = 0
        for period_start, period_end in self._periods[end_index]:
            if remaining <= period_end - period_start:
                at = period_start + remaining
                break
            remaining -= period_end - period_start
        return Deadline(self._instant(end_index, at), self._uncovered(index, end_index))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in [start, end); zero when `end` is not after `start`."""
        start_position = self._position(*self._local(start))
        end_position = self._position(*self._local(end))
        return timedelta(microseconds=max(0, end_position - start_position))

    def add_working_days(self, start: datetime, days: int) -> Deadline:
        """R-CAL-3 (Civil Code arts. 201, 203): the close of business of the `days`-th working
        day after the local date of `start` (the day of receipt does not count)."""
        if days < 1:
            raise ValueError("the number of working days must be at least 1")
        index, _micro = self._local(start)
        target = self._cumulative_days[index + 1] + days
        # The first day at whose end `target` working days have passed.
        end_index = bisect_left(self._cumulative_days, target) - 1
        if end_index >= _DAY_COUNT:
            raise ValueError(self._range_message())
        close = self._periods[end_index][-1][1]
        return Deadline(self._instant(end_index, close), self._uncovered(index, end_index))

    def is_working_time(self, instant: datetime) -> bool:
        index, micro = self._local(instant)
        return any(start <= micro < end for start, end in self._periods[index])

    def next_working_instant(self, instant: datetime) -> datetime:
        """`instant` itself (in the calendar's zone) if it is working time, else the start of
        the next working period ("in the next business hour")."""
        index, micro = self._local(instant)
        for start, end in self._periods[index]:
            if micro < end:
                return (
                    instant.astimezone(self.zone) if micro >= start else self._instant(index, start)
                )
        # The first later day with working time: the first cumulative value above this day's end.
        following = bisect_right(self._cumulative_time, self._cumulative_time[index + 1]) - 1
        if following >= _DAY_COUNT:
            raise ValueError(self._range_message())
        return self._instant(following, self._periods[following][0][0])

    # --- helpers ------------------------------------------------------------------------------

    def _local(self, instant: datetime) -> tuple[int, int]:
        """(day index, microseconds after local midnight) of an aware instant."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("calendar arithmetic needs timezone-aware datetimes")
        local = instant.astimezone(self.zone)
        index = local.toordinal() - _FIRST_ORDINAL
        if not 0 <= index < _DAY_COUNT:
            raise ValueError(self._range_message())
        seconds = (local.hour * 60 + local.minute) * 60 + local.second
        return index, seconds * 1_000_000 + local.microsecond

    def _position(self, index: int, micro: int) -> int:
        """Working microseconds from the start of FIRST_DAY to the given local moment."""
        worked = 0
        for start, end in self._periods[index]:
            if micro <= start:
                break
            worked += min(micro, end) - start
        return self._cumulative_time[index] + worked

    def _instant(self, index: int, micro: int) -> datetime:
        """The aware instant at `micro` microseconds after local midnight of day `index`
        (`micro` may be a whole day: 24:00 is the next day's 00:00)."""
        if micro == _MICROSECONDS_PER_DAY:
            index, micro = index + 1, 0
        day = date.fromordinal(index + _FIRST_ORDINAL)
        seconds, microsecond = divmod(micro, 1_000_000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        wall = datetime(
            day.year, day.month, day.day, hour, minute, second, microsecond, tzinfo=self.zone
        )
        # A wall time a shift skips is read with the offset before it: normalise it.
        return wall.astimezone(UTC).astimezone(self.zone) if self._shifts else wall

    def _uncovered(self, first_index: int, last_index: int) -> bool:
        """R-CAL-2: does a day from `first_index` to `last_index` lie in an uncovered year?"""
        uncovered = self._cumulative_uncovered
        return uncovered[last_index + 1] > uncovered[first_index]

    @staticmethod
    def _range_message() -> str:
        return (
            f"calendar arithmetic covers local dates {FIRST_DAY.isoformat()} to "
            f"{LAST_DAY.isoformat()} only"
        )
