"""The bisection tables against a slow, obviously correct reference (R-CAL-3).

The reference walks day by day and period by period from the raw calendar data (weekly
pattern, exceptions, covered years), with no tables; a few hundred random cases per question,
fixed seed, on whole-day, business-hour, round-the-clock and non-Shanghai calendars, with
starts from 2024 to 2027 (2027 is uncovered, R-CAL-2).
"""

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from carrierdesk.calendars.arithmetic import Deadline, Schedule
from carrierdesk.calendars.tests.schedules import (
    ALL_WEEK,
    BUSINESS,
    COVERED,
    WHOLE_DAY,
    china_exceptions,
)

MINUTE = 60_000_000  # microseconds
SEED = 20261123
CASES = 300


@dataclass(frozen=True)
class Reference:
    """The calendar's raw data and the slow answers."""

    zone: ZoneInfo
    weekly: Mapping[int, Sequence[tuple[int, int]]]
    exceptions: Mapping[date, bool]
    covered: frozenset[int] | None

    def periods(self, day: date) -> list[tuple[int, int]]:
        """The day's working periods in microseconds after midnight."""
        own = list(self.weekly.get(day.weekday(), []))
        if (self.covered is None or day.year in self.covered) and day in self.exceptions:
            if not self.exceptions[day]:
                own = []
            elif not own:  # an adjusted working day: an ordinary working weekday's hours
                ordinary = [w for w in range(5) if self.weekly.get(w)]
                ordinary += [w for w in range(7) if self.weekly.get(w)]
                own = list(self.weekly[ordinary[0]]) if ordinary else []
        return [(start * MINUTE, end * MINUTE) for start, end in own]

    def local(self, instant: datetime) -> tuple[date, int]:
        local = instant.astimezone(self.zone)
        micro = (local.hour * 3600 + local.minute * 60 + local.second) * 10**6 + local.microsecond
        return local.date(), micro

    def instant(self, day: date, micro: int) -> datetime:
        wall = datetime(day.year, day.month, day.day, tzinfo=self.zone)
        return (wall + timedelta(microseconds=micro)).astimezone(ZoneInfo("UTC"))

    def uncovered(self, first: date, last: date) -> bool:
        if self.covered is None:
            return False
        return any(year not in self.covered for year in range(first.year, last.year + 1))

    def add_working_time(self, start: datetime, amount: timedelta) -> Deadline:
        day, now = self.local(start)
        remaining = amount // timedelta(microseconds=1)
        if remaining == 0:
            return Deadline(start, self.uncovered(day, day))
        first = day
        while True:
            for period_start, period_end in self.periods(day):
                begin = max(period_start, now)
                if begin >= period_end:
                    continue
                if remaining <= period_end - begin:
                    return Deadline(
                        self.instant(day, begin + remaining), self.uncovered(first, day)
                    )
                remaining -= period_end - begin
            day, now = day + timedelta(days=1), 0

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        (day, begin), (last, finish) = self.local(start), self.local(end)
        total = 0
        while day <= last:
            upper = finish if day == last else 24 * 60 * MINUTE
            for period_start, period_end in self.periods(day):
                total += max(0, min(period_end, upper) - max(period_start, begin))
            day, begin = day + timedelta(days=1), 0
        return timedelta(microseconds=total)

    def add_working_days(self, start: datetime, days: int) -> Deadline:
        first, _micro = self.local(start)
        day, counted = first, 0
        while counted < days:
            day += timedelta(days=1)
            if self.periods(day):
                counted += 1
        return Deadline(self.instant(day, self.periods(day)[-1][1]), self.uncovered(first, day))


def pair(
    zone: str,
    weekly: Mapping[int, Sequence[tuple[int, int]]],
    exceptions: Mapping[date, bool],
    covered: frozenset[int] | None,
) -> tuple[Schedule, Reference]:
    schedule = Schedule.build(
        time_zone=zone, weekly=weekly, exceptions=exceptions, covered_years=covered
    )
    return schedule, Reference(ZoneInfo(zone), weekly, exceptions, covered)


CALENDARS = {
    "cn": lambda: pair("Asia/Shanghai", WHOLE_DAY, china_exceptions(), COVERED),
    "cn-business": lambda: pair("Asia/Shanghai", BUSINESS, china_exceptions(), COVERED),
    "24x7": lambda: pair("Asia/Shanghai", ALL_WEEK, {}, None),
    # Split shifts and a Saturday morning, in a zone with daylight saving, with 调休 days.
    "berlin-shifts": lambda: pair(
        "Europe/Berlin",
        {**{d: [(420, 660), (720, 960), (1080, 1440)] for d in range(5)}, 5: [(540, 720)]},
        {date(2025, 3, 31): False, date(2025, 4, 6): True, date(2025, 10, 25): False},
        frozenset({2024, 2025, 2026}),
    ),
}


def random_start(rng: random.Random, zone: ZoneInfo) -> datetime:
    day = date(2024, 6, 1) + timedelta(days=rng.randrange(3 * 365))
    minute = rng.choice([rng.randrange(1440), 510, 720, 810, 1050, 0, 1439])
    micro = rng.choice([0, 0, rng.randrange(60_000_000)])
    wall = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(
        minutes=minute, microseconds=micro
    )
    return wall.astimezone(ZoneInfo("UTC")).astimezone(zone)


def agree(result: Deadline, expected: Deadline) -> bool:
    return result.at == expected.at and result.calendar_uncovered == expected.calendar_uncovered


@pytest.mark.parametrize("calendar", list(CALENDARS))
def test_add_working_time_matches_the_reference(calendar: str) -> None:
    schedule, reference = CALENDARS[calendar]()
    rng = random.Random(f"{SEED}-time-{calendar}")
    for _ in range(CASES):
        start = random_start(rng, reference.zone)
        amount = timedelta(
            minutes=rng.choice([0, rng.randrange(1, 600), rng.randrange(1, 20_000)]),
            seconds=rng.choice([0, rng.randrange(60)]),
        )
        result, expected = (
            schedule.add_working_time(start, amount),
            reference.add_working_time(start, amount),
        )
        assert agree(result, expected), (start, amount, result, expected)
        assert result.at.tzinfo == reference.zone


@pytest.mark.parametrize("calendar", list(CALENDARS))
def test_working_time_between_matches_the_reference(calendar: str) -> None:
    schedule, reference = CALENDARS[calendar]()
    rng = random.Random(f"{SEED}-between-{calendar}")
    for _ in range(CASES):
        start = random_start(rng, reference.zone)
        end = start + timedelta(minutes=rng.randrange(-600, 40_000), seconds=rng.randrange(60))
        expected = reference.working_time_between(start, end) if end > start else timedelta(0)
        assert schedule.working_time_between(start, end) == expected, (start, end)


@pytest.mark.parametrize("calendar", list(CALENDARS))
def test_add_working_days_matches_the_reference(calendar: str) -> None:
    schedule, reference = CALENDARS[calendar]()
    rng = random.Random(f"{SEED}-days-{calendar}")
    for _ in range(CASES):
        start = random_start(rng, reference.zone)
        days = rng.choice([1, 2, 3, 5, 7, 10, 15, rng.randrange(1, 300)])
        result, expected = (
            schedule.add_working_days(start, days),
            reference.add_working_days(start, days),
        )
        assert agree(result, expected), (start, days, result, expected)


@pytest.mark.parametrize("calendar", list(CALENDARS))
def test_working_time_round_trips(calendar: str) -> None:
    """Adding the working time between two instants lands at the second one, or at the
    earliest instant with the same working time before it (the end of a working period)."""
    schedule, reference = CALENDARS[calendar]()
    rng = random.Random(f"{SEED}-round-{calendar}")
    for _ in range(CASES):
        start = random_start(rng, reference.zone)
        end = start + timedelta(minutes=rng.randrange(1, 20_000))
        amount = schedule.working_time_between(start, end)
        reached = schedule.add_working_time(start, amount).at
        assert reached <= end
        assert schedule.working_time_between(start, reached) == amount
        if amount:
            assert schedule.working_time_between(reached, end) == timedelta(0)
