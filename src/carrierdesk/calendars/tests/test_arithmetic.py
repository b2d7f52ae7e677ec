"""Working-time arithmetic (R-CAL-3), table-tested on schedules built without a database.

2025 in China: National Day and Mid-autumn Festival off 1–8 October, Sunday 28 September and
Saturday 11 October worked (调休). 2026: New Year off 1–3 January, Sunday 4 January worked.
2027 is not covered (R-CAL-2): weekdays alone, flagged.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]  # the package has no type hints
import pytest

from carrierdesk.calendars.arithmetic import FIRST_DAY, LAST_DAY, Deadline, Schedule
from carrierdesk.calendars.tests.schedules import (
    SHANGHAI,
    around_the_clock,
    at,
    cn,
    cn_business,
)

BERLIN = ZoneInfo("Europe/Berlin")
SCHEDULES: dict[str, Callable[[], Schedule]] = {
    "cn": cn,
    "cn-business": cn_business,
    "24x7": around_the_clock,
}


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def same_instant_and_offset(result: datetime, expected: datetime) -> bool:
    return result == expected and result.utcoffset() == expected.utcoffset()


# --- R-CAL-3: N working days after t (the day of receipt does not count) ----------------------

# (calendar, start, working days, expected deadline, uncovered)
WORKING_DAYS = [
    # The worked example: 9, 10, 11 (Saturday, 调休), 13, 14 October.
    ("cn", "2025-09-30 10:00", 5, "2025-10-15 00:00", False),
    ("cn-business", "2025-09-30 10:00", 5, "2025-10-14 17:30", False),
    ("24x7", "2025-09-30 10:00", 5, "2025-10-06 00:00", False),
    # The time of day of the start does not matter, only its local date.
    ("cn", "2025-09-30 00:00", 5, "2025-10-15 00:00", False),
    ("cn", "2025-09-30 23:59:59", 5, "2025-10-15 00:00", False),
    # Sunday 28 September 2025 is worked (调休).
    ("cn", "2025-09-26 15:00", 1, "2025-09-29 00:00", False),
    ("cn-business", "2025-09-26 15:00", 1, "2025-09-28 17:30", False),
    ("cn-business", "2025-09-28 10:00", 1, "2025-09-29 17:30", False),
    ("cn-business", "2025-09-27 10:00", 2, "2025-09-29 17:30", False),
    # Saturday 11 October 2025 is worked.
    ("cn", "2025-10-10 10:00", 1, "2025-10-12 00:00", False),
    ("cn-business", "2025-10-10 10:00", 1, "2025-10-11 17:30", False),
    # A start inside the holiday: the first working day after it is 9 October.
    ("cn", "2025-10-03 09:00", 1, "2025-10-10 00:00", False),
    ("cn-business", "2025-10-03 09:00", 1, "2025-10-09 17:30", False),
    ("cn-business", "2025-10-08 23:00", 1, "2025-10-09 17:30", False),
    # Year end: 1–3 January 2026 off, Sunday 4 January worked.
    ("cn", "2025-12-31 10:00", 1, "2026-01-05 00:00", False),
    ("cn-business", "2025-12-31 10:00", 1, "2026-01-04 17:30", False),
    ("cn-business", "2025-12-31 10:00", 2, "2026-01-05 17:30", False),
    # Large amounts.
    ("cn", "2020-01-02 10:00", 1000, "2024-01-06 00:00", False),
    ("cn-business", "2020-01-02 10:00", 1000, "2024-01-05 17:30", False),
    ("24x7", "2020-01-02 10:00", 1000, "2022-09-29 00:00", False),
    # R-CAL-2: counted into 2027, which is not covered: weekdays alone, flagged.
    ("cn", "2026-12-28 10:00", 2, "2026-12-31 00:00", False),
    ("cn", "2026-12-30 10:00", 1, "2027-01-01 00:00", False),  # ends at 24:00 on 31 December
    ("cn", "2026-12-30 10:00", 2, "2027-01-02 00:00", True),  # 1 January 2027 a weekday
    ("cn", "2026-12-30 10:00", 3, "2027-01-05 00:00", True),
    ("cn-business", "2027-03-01 10:00", 1, "2027-03-02 17:30", True),
    ("24x7", "2026-12-30 10:00", 5, "2027-01-05 00:00", False),  # never uncovered
]


@pytest.mark.parametrize(("calendar", "start", "days", "expected", "uncovered"), WORKING_DAYS)
def test_r_cal_3_add_working_days(
    calendar: str, start: str, days: int, expected: str, uncovered: bool
) -> None:
    result = SCHEDULES[calendar]().add_working_days(at(start), days)
    assert result == Deadline(at(expected), uncovered)
    assert result.at.tzinfo == SHANGHAI


def test_r_cal_3_worked_example_national_day_2025() -> None:
    """On `cn`, 5 working days from 2025-09-30 10:00+08:00 end at 2025-10-15T00:00+08:00."""
    start = datetime.fromisoformat("2025-09-30T10:00:00+08:00")
    assert cn().add_working_days(start, 5).at.isoformat() == "2025-10-15T00:00:00+08:00"
    assert cn_business().add_working_days(start, 5).at.isoformat() == "2025-10-14T17:30:00+08:00"


def test_r_cal_3_working_days_count_from_the_local_date_of_start() -> None:
    # 2025-09-29 16:30 UTC is 30 September 00:30 in Shanghai.
    start = datetime.fromisoformat("2025-09-29T16:30:00+00:00")
    assert cn().add_working_days(start, 5).at == at("2025-10-15 00:00")


def test_r_cal_3_large_amount_agrees_with_chinese_calendar() -> None:
    last_day = chinese_calendar.find_workday(999, date(2020, 1, 3))
    assert cn_business().add_working_days(at("2020-01-02 10:00"), 1000).at.date() == last_day


# --- R-CAL-3: N working hours after t ---------------------------------------------------------

# (calendar, start, working hours, expected, uncovered)
WORKING_TIME = [
    ("cn-business", "2025-09-30 10:00", 2, "2025-09-30 12:00", False),  # earliest instant
    ("cn-business", "2025-09-30 10:00", 2 + 1 / 60, "2025-09-30 13:31", False),
    ("cn-business", "2025-09-30 12:30", 1, "2025-09-30 14:30", False),  # start in the break
    ("cn-business", "2025-09-30 12:00", 0.5, "2025-09-30 14:00", False),  # start at 12:00
    ("cn-business", "2025-09-30 13:30", 0.25, "2025-09-30 13:45", False),
    ("cn-business", "2025-09-30 08:30", 3.5, "2025-09-30 12:00", False),  # period boundary
    ("cn-business", "2025-09-30 08:30", 7.5, "2025-09-30 17:30", False),
    ("cn-business", "2025-09-30 17:30", 1, "2025-10-09 09:30", False),  # at close: after holiday
    ("cn-business", "2025-09-29 07:00", 1, "2025-09-29 09:30", False),  # before 08:30
    ("cn-business", "2025-09-27 10:00", 1, "2025-09-28 09:30", False),  # Sunday 调休
    ("cn-business", "2025-10-04 10:00", 8, "2025-10-10 09:00", False),  # inside the holiday
    ("cn-business", "2025-12-31 17:00", 1, "2026-01-04 09:00", False),  # year end
    ("cn-business", "2025-09-30 12:30", 0, "2025-09-30 12:30", False),  # zero: start itself
    ("cn-business", "2020-01-02 10:00", 7500, "2024-01-05 10:00", False),  # 1000 days' worth
    ("cn", "2025-09-30 20:00", 4, "2025-10-01 00:00", False),  # 24:00
    ("cn", "2025-09-30 20:00", 5, "2025-10-09 01:00", False),
    ("cn", "2025-09-26 20:00", 8, "2025-09-28 04:00", False),
    ("24x7", "2025-10-01 10:00", 30, "2025-10-02 16:00", False),
    ("cn-business", "2026-12-31 17:00", 1, "2027-01-01 09:00", True),  # R-CAL-2
    ("cn-business", "2026-12-31 16:00", 1, "2026-12-31 17:00", False),
    ("24x7", "2026-12-31 17:00", 24, "2027-01-01 17:00", False),
]


@pytest.mark.parametrize(("calendar", "start", "amount", "expected", "uncovered"), WORKING_TIME)
def test_r_cal_3_add_working_time(
    calendar: str, start: str, amount: float, expected: str, uncovered: bool
) -> None:
    result = SCHEDULES[calendar]().add_working_time(at(start), hours(amount))
    assert result == Deadline(at(expected), uncovered)
    assert result.at.tzinfo == SHANGHAI


# (calendar, start, end, expected working hours)
BETWEEN = [
    ("cn-business", "2025-09-30 08:30", "2025-09-30 17:30", 7.5),
    ("cn-business", "2025-09-30 10:00", "2025-10-09 10:00", 7.5),
    ("cn-business", "2025-09-30 12:15", "2025-09-30 13:45", 0.25),
    ("cn-business", "2025-09-30 12:00", "2025-09-30 13:30", 0),
    ("cn-business", "2025-09-27 00:00", "2025-09-29 00:00", 7.5),  # Sunday 28 worked
    ("cn-business", "2025-09-30 11:00", "2025-09-30 11:00", 0),
    ("cn-business", "2025-09-30 17:00", "2025-09-30 11:00", 0),  # end before start
    ("cn-business", "2025-12-31 17:00", "2026-01-04 09:00", 1),
    ("cn", "2025-10-01 00:00", "2025-10-09 00:00", 0),
    ("cn", "2025-09-28 00:00", "2025-09-29 00:00", 24),
    ("cn", "2025-09-30 20:00", "2025-10-09 01:00", 5),
    ("24x7", "2025-10-01 00:00", "2025-10-08 00:00", 7 * 24),
]


@pytest.mark.parametrize(("calendar", "start", "end", "expected"), BETWEEN)
def test_r_cal_3_working_time_between(calendar: str, start: str, end: str, expected: float) -> None:
    assert SCHEDULES[calendar]().working_time_between(at(start), at(end)) == hours(expected)


# (calendar, instant, is working time, next working instant)
INSTANTS = [
    ("cn-business", "2025-09-30 08:30", True, "2025-09-30 08:30"),
    ("cn-business", "2025-09-30 08:29:59", False, "2025-09-30 08:30"),
    ("cn-business", "2025-09-30 07:00", False, "2025-09-30 08:30"),
    ("cn-business", "2025-09-30 11:59:59", True, "2025-09-30 11:59:59"),
    ("cn-business", "2025-09-30 12:00", False, "2025-09-30 13:30"),
    ("cn-business", "2025-09-30 17:30", False, "2025-10-09 08:30"),
    ("cn-business", "2025-10-01 10:00", False, "2025-10-09 08:30"),
    ("cn-business", "2025-09-27 10:00", False, "2025-09-28 08:30"),
    ("cn-business", "2025-09-28 10:00", True, "2025-09-28 10:00"),  # Sunday 调休
    ("cn-business", "2025-12-31 18:00", False, "2026-01-04 08:30"),
    ("cn-business", "2026-12-31 18:00", False, "2027-01-01 08:30"),  # uncovered: weekdays
    ("cn", "2025-09-30 23:59:59", True, "2025-09-30 23:59:59"),
    ("cn", "2025-10-01 00:00", False, "2025-10-09 00:00"),
    ("24x7", "2025-10-01 03:00", True, "2025-10-01 03:00"),
]


@pytest.mark.parametrize(("calendar", "instant", "working", "following"), INSTANTS)
def test_is_working_time_and_next_working_instant(
    calendar: str, instant: str, working: bool, following: str
) -> None:
    schedule = SCHEDULES[calendar]()
    assert schedule.is_working_time(at(instant)) is working
    assert schedule.next_working_instant(at(instant)) == at(following)


def test_next_working_instant_is_in_the_calendar_zone() -> None:
    utc = datetime.fromisoformat("2025-09-30T02:00:00+00:00")  # 10:00 in Shanghai
    result = cn_business().next_working_instant(utc)
    assert result == utc
    assert result.isoformat() == "2025-09-30T10:00:00+08:00"


# --- adjusted working days use an ordinary working weekday's hours ------------------------------


def test_adjusted_working_day_takes_the_first_ordinary_weekday_with_hours() -> None:
    weekly = {0: [(480, 720)], **{day: [(540, 1020)] for day in range(1, 5)}}
    exceptions = {date(2025, 10, 11): True, date(2025, 9, 30): True}  # a Saturday, a Tuesday
    schedule = Schedule.build(
        time_zone="Asia/Shanghai", weekly=weekly, exceptions=exceptions, covered_years=None
    )
    # Saturday: Monday's hours (the first weekday 0..4 with periods).
    assert schedule.next_working_instant(at("2025-10-11 00:00")) == at("2025-10-11 08:00")
    assert schedule.add_working_days(at("2025-10-10 10:00"), 1).at == at("2025-10-11 12:00")
    # A Tuesday marked working keeps its own hours.
    assert schedule.add_working_days(at("2025-09-29 10:00"), 1).at == at("2025-09-30 17:00")


def test_adjusted_working_day_when_monday_has_no_hours() -> None:
    weekly = {day: [(540, 1020)] for day in range(1, 6)}  # Tuesday to Saturday
    schedule = Schedule.build(
        time_zone="Asia/Shanghai",
        weekly=weekly,
        exceptions={date(2025, 10, 12): True, date(2025, 10, 11): False},  # Sunday on, Saturday off
        covered_years=None,
    )
    assert schedule.working_time_between(at("2025-10-11 00:00"), at("2025-10-13 00:00")) == hours(8)
    assert schedule.next_working_instant(at("2025-10-11 10:00")) == at("2025-10-12 09:00")


# --- zones other than Shanghai -----------------------------------------------------------------


def berlin(weekly: dict[int, list[tuple[int, int]]]) -> Schedule:
    return Schedule.build(
        time_zone="Europe/Berlin", weekly=weekly, exceptions={}, covered_years=None, code="de"
    )


def test_other_zone_results_are_in_that_zone_across_a_daylight_saving_change() -> None:
    office = berlin({day: [(540, 1020)] for day in range(5)})
    friday = datetime.fromisoformat("2025-03-28T15:00:00+00:00")  # 16:00 CET
    # Clocks go forward on Sunday 30 March: Monday is CEST.
    assert office.add_working_time(friday, hours(2)).at.isoformat() == "2025-03-31T10:00:00+02:00"
    assert office.add_working_days(friday, 1).at.isoformat() == "2025-03-31T17:00:00+02:00"
    assert office.is_working_time(friday)
    assert not office.is_working_time(datetime.fromisoformat("2025-03-28T16:00:00+00:00"))


def test_working_time_is_measured_on_the_wall_clock() -> None:
    always = berlin({day: [(0, 1440)] for day in range(7)})
    start = datetime.fromisoformat("2025-03-30T00:00:00+01:00")
    end = datetime.fromisoformat("2025-03-31T00:00:00+02:00")  # 23 hours later
    assert always.working_time_between(start, end) == hours(24)
    # 01:30 + 1 hour of wall clock is 02:30, which the shift skips: it lands after the gap.
    result = always.add_working_time(datetime.fromisoformat("2025-03-30T01:30:00+01:00"), hours(1))
    assert result.at.isoformat() == "2025-03-30T03:30:00+02:00"


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda s, t: s.add_working_time(t, hours(1)),
        lambda s, t: s.add_working_days(t, 1),
        lambda s, t: s.working_time_between(t, t),
        lambda s, t: s.is_working_time(t),
        lambda s, t: s.next_working_instant(t),
    ],
)
def test_naive_datetimes_are_refused(call: Callable[[Schedule, datetime], object]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call(cn(), datetime(2025, 9, 30, 10))  # noqa: DTZ001 - naive on purpose


def test_dates_outside_the_range_are_refused() -> None:
    before = datetime(FIRST_DAY.year - 1, 12, 31, 12, tzinfo=SHANGHAI)
    with pytest.raises(ValueError, match="2000-01-01 to 2100-12-31"):
        cn().add_working_days(before, 1)
    near_end = datetime(LAST_DAY.year, 12, 28, 12, tzinfo=SHANGHAI)
    with pytest.raises(ValueError, match="2000-01-01 to 2100-12-31"):
        cn().add_working_days(near_end, 10)
    with pytest.raises(ValueError, match="2000-01-01 to 2100-12-31"):
        cn().add_working_time(near_end, hours(24 * 10))


def test_negative_and_zero_amounts() -> None:
    with pytest.raises(ValueError, match="not be negative"):
        cn().add_working_time(at("2025-09-30 10:00"), hours(-1))
    with pytest.raises(ValueError, match="at least 1"):
        cn().add_working_days(at("2025-09-30 10:00"), 0)
    assert cn().add_working_time(at("2025-10-01 10:00"), timedelta(0)) == Deadline(
        at("2025-10-01 10:00"), False
    )
    assert cn().add_working_time(at("2027-01-01 10:00"), timedelta(0)).calendar_uncovered


@pytest.mark.parametrize(
    ("weekly", "zone", "message"),
    [
        ({0: [(540, 720), (700, 1020)]}, "Asia/Shanghai", "overlap"),
        ({0: [(720, 540)]}, "Asia/Shanghai", "0..1440"),
        ({0: [(0, 1441)]}, "Asia/Shanghai", "0..1440"),
        ({7: [(0, 60)]}, "Asia/Shanghai", "weekday"),
        ({0: [(0, 60)]}, "Mars/Olympus_Mons", "time zone"),
    ],
)
def test_build_refuses_malformed_calendars(
    weekly: dict[int, list[tuple[int, int]]], zone: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Schedule.build(time_zone=zone, weekly=weekly, exceptions={}, covered_years=None)


def test_schedules_are_immutable() -> None:
    with pytest.raises(AttributeError):
        cn().time_zone = "UTC"  # type: ignore[misc]
