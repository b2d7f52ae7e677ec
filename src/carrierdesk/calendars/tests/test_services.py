"""Seeded calendars, the schedule cache and `compute_deadline` (R-CAL-1..3), on the database."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import chinese_calendar  # type: ignore[import-untyped]  # the package has no type hints
import pytest
from django.db import transaction
from django.utils import translation

from carrierdesk.calendars import actions, services
from carrierdesk.calendars.arithmetic import Deadline
from carrierdesk.calendars.formats import ScheduleRow
from carrierdesk.calendars.models import Calendar, CalendarDay, CalendarYear, WorkingPeriod
from carrierdesk.calendars.tests.schedules import at
from carrierdesk.core.errors import InvalidInput, NotFound

pytestmark = pytest.mark.django_db
START = datetime.fromisoformat("2025-09-30T10:00:00+08:00")
NAIVE = datetime(2025, 9, 30, 10)  # noqa: DTZ001 - naive on purpose


def last_covered(code: str) -> int:
    return max(CalendarYear.objects.filter(calendar__code=code).values_list("year", flat=True))


# --- R-CAL-1: the seeded calendars -------------------------------------------------------------


def test_r_cal_1_seeded_calendars() -> None:
    assert list(Calendar.objects.values_list("code", "time_zone", "observes_holidays")) == [
        ("24x7", "Asia/Shanghai", False),
        ("cn", "Asia/Shanghai", True),
        ("cn-business", "Asia/Shanghai", True),
    ]
    hours = {
        code: sorted(
            WorkingPeriod.objects.filter(calendar__code=code).values_list(
                "weekday", "start_minute", "end_minute"
            )
        )
        for code in ("cn", "cn-business", "24x7")
    }
    assert hours["cn"] == [(day, 0, 1440) for day in range(5)]
    assert hours["cn-business"] == [
        period for day in range(5) for period in ((day, 510, 720), (day, 810, 1050))
    ]
    assert hours["24x7"] == [(day, 0, 1440) for day in range(7)]
    years = set(chinese_calendar.holidays) | set(chinese_calendar.workdays)
    expected_years = list(range(min(years).year, max(years).year + 1))
    for code in ("cn", "cn-business"):
        covered = CalendarYear.objects.filter(calendar__code=code).values_list("year", flat=True)
        assert list(covered) == expected_years
        assert CalendarDay.objects.filter(calendar__code=code).count() == len(years)
    assert not CalendarYear.objects.filter(calendar__code="24x7").exists()
    national_day = dict(
        CalendarDay.objects.filter(
            calendar__code="cn", date__range=("2025-09-28", "2025-10-11")
        ).values_list("date", "is_working")
    )
    assert national_day[date(2025, 9, 28)] is True
    assert national_day[date(2025, 10, 11)] is True
    assert all(not national_day[date(2025, 10, day)] for day in range(1, 9))
    assert CalendarDay.objects.get(calendar__code="cn", date="2025-10-01").name == "国庆节"


def test_r_cal_3_worked_example_on_the_seeded_calendars() -> None:
    assert services.schedule_for("cn").add_working_days(START, 5) == Deadline(
        at("2025-10-15 00:00"), False
    )
    assert services.schedule_for("cn-business").add_working_days(START, 5) == Deadline(
        at("2025-10-14 17:30"), False
    )


def test_r_cal_2_seeded_calendar_flags_the_first_year_it_does_not_cover() -> None:
    year = last_covered("cn") + 1
    start = datetime(year - 1, 12, 31, 10, tzinfo=at("2025-01-01 00:00").tzinfo)
    result = services.schedule_for("cn").add_working_days(start, 3)
    assert result.calendar_uncovered
    assert not services.schedule_for("24x7").add_working_days(start, 3).calendar_uncovered


# --- the cache ----------------------------------------------------------------------------------


def test_schedule_is_cached_until_the_revision_changes(
    django_assert_num_queries: Any,
) -> None:
    first = services.schedule_for("cn")
    with django_assert_num_queries(1):
        assert services.schedule_for("cn") is first
    actions.import_schedule(
        None, "cn", [ScheduleRow(date(2025, 9, 30), False, "假")], source="test", year=2025
    )
    changed = services.schedule_for("cn")
    assert changed is not first
    # 30 September is now off; 28 September and 1–8 October are no longer exceptions.
    assert changed.add_working_days(at("2025-09-29 10:00"), 1).at == at("2025-10-02 00:00")
    with django_assert_num_queries(1):
        assert services.schedule_for("cn") is changed


def test_a_rolled_back_change_is_not_reused_under_its_revision_number() -> None:
    def import_one(day: date) -> None:
        actions.import_schedule(None, "cn", [ScheduleRow(day, False)], source="t", year=2025)

    with pytest.raises(RuntimeError), transaction.atomic():
        import_one(date(2025, 9, 30))
        assert not services.schedule_for("cn").is_working_time(at("2025-09-30 10:00"))
        raise RuntimeError("roll back")
    import_one(date(2025, 10, 1))  # the same revision number as the rolled-back change
    schedule = services.schedule_for("cn")
    assert schedule.is_working_time(at("2025-09-30 10:00"))
    assert not schedule.is_working_time(at("2025-10-01 10:00"))


def test_unknown_calendar_is_not_found() -> None:
    with pytest.raises(NotFound):
        services.schedule_for("mars")
    with pytest.raises(NotFound):
        services.compute_deadline("mars", START, hours=1)


# --- compute_deadline ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ({"working_days": 5}, Deadline(at("2025-10-14 17:30"), False)),
        ({"working_hours": 0.25}, Deadline(at("2025-09-30 10:15"), False)),
        ({"working_hours": Decimal("8")}, Deadline(at("2025-10-09 10:30"), False)),
        ({"hours": 0.25}, Deadline(at("2025-09-30 10:15"), False)),
        ({"hours": 48}, Deadline(at("2025-10-02 10:00"), False)),  # calendar hours: no holidays
        ({"hours": 0}, Deadline(at("2025-09-30 10:00"), False)),
    ],
)
def test_compute_deadline(limit: dict[str, Any], expected: Deadline) -> None:
    result = services.compute_deadline("cn-business", START, **limit)
    assert result == expected
    assert result.at.utcoffset() == timedelta(hours=8)


def test_calendar_hours_are_elapsed_time_in_the_calendar_zone() -> None:
    start = datetime.fromisoformat("2025-09-30T00:00:00+00:00")
    result = services.compute_deadline("24x7", start, hours=1.5)
    assert result.at.isoformat() == "2025-09-30T09:30:00+08:00"
    assert not result.calendar_uncovered
    far = services.compute_deadline("cn", datetime(2040, 1, 1, tzinfo=start.tzinfo), hours=1)
    assert not far.calendar_uncovered


def refusal(**kwargs: Any) -> dict[str, list[str]]:
    arguments = {"start": START, **kwargs}
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        services.compute_deadline("cn", **arguments)
    return caught.value.fields


ONE_OF = ["Give exactly one of working_days, working_hours and hours."]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, {"working_days": ONE_OF, "working_hours": ONE_OF, "hours": ONE_OF}),
        ({"working_days": 1, "hours": 2}, {"working_days": ONE_OF, "hours": ONE_OF}),
        (
            {"start": NAIVE, "hours": 1},
            {"start": ["Give the time with its time zone."]},
        ),
        ({"working_days": 0}, {"working_days": ["Give a whole number of at least 1."]}),
        ({"working_days": -3}, {"working_days": ["Give a whole number of at least 1."]}),
        ({"working_days": 1.5}, {"working_days": ["Give a whole number of at least 1."]}),
        ({"working_days": True}, {"working_days": ["Give a whole number of at least 1."]}),
        ({"hours": -1}, {"hours": ["Give a number of hours that is not negative."]}),
        ({"hours": float("nan")}, {"hours": ["Give a number of hours that is not negative."]}),
        (
            {"working_hours": float("inf")},
            {"working_hours": ["Give a number of hours that is not negative."]},
        ),
        ({"hours": "abc"}, {"hours": ["Give a number of hours."]}),
        ({"hours": 10**7}, {"hours": ["At most 1000000 hours."]}),
        ({"working_days": 100_000}, {"start": ["Calendar arithmetic covers 2000 to 2100."]}),
        (
            {"start": datetime(1999, 6, 1, tzinfo=START.tzinfo), "working_hours": 1},
            {"start": ["Calendar arithmetic covers 2000 to 2100."]},
        ),
    ],
)
def test_compute_deadline_refusals_name_the_fields(
    kwargs: dict[str, Any], expected: dict[str, list[str]]
) -> None:
    assert refusal(**kwargs) == expected
