"""Schedules built straight from chinesecalendar's tables, for tests without a database.

The covered years are fixed at 2004–2026 (what chinesecalendar 1.11 holds), so the tests of
R-CAL-2's "uncovered" flag stay the same when a newer release adds 2027.
"""

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]  # the package has no type hints

from carrierdesk.calendars.arithmetic import Schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
COVERED = frozenset(range(2004, 2027))
WHOLE_DAY = {day: [(0, 1440)] for day in range(5)}
BUSINESS = {day: [(510, 720), (810, 1050)] for day in range(5)}
ALL_WEEK = {day: [(0, 1440)] for day in range(7)}


def china_exceptions() -> dict[date, bool]:
    """China's holidays (False) and adjusted working days (True) in the covered years."""
    exceptions = {day: False for day in chinese_calendar.holidays if day.year in COVERED}
    exceptions.update({day: True for day in chinese_calendar.workdays if day.year in COVERED})
    return exceptions


@cache
def cn() -> Schedule:
    return Schedule.build(
        time_zone="Asia/Shanghai",
        weekly=WHOLE_DAY,
        exceptions=china_exceptions(),
        covered_years=COVERED,
        code="cn",
    )


@cache
def cn_business() -> Schedule:
    return Schedule.build(
        time_zone="Asia/Shanghai",
        weekly=BUSINESS,
        exceptions=china_exceptions(),
        covered_years=COVERED,
        code="cn-business",
    )


@cache
def around_the_clock() -> Schedule:
    return Schedule.build(
        time_zone="Asia/Shanghai", weekly=ALL_WEEK, exceptions={}, covered_years=None, code="24x7"
    )


def at(text: str, zone: ZoneInfo = SHANGHAI) -> datetime:
    """An aware datetime from 'YYYY-MM-DD HH:MM[:SS]' in `zone` (Asia/Shanghai by default)."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)
