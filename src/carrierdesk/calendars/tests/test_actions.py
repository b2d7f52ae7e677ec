"""The calendar actions (R-CAL-2): import a year's schedule, set working hours; audit; refusals
that write nothing."""

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from carrierdesk.audit.models import AuditEntry
from carrierdesk.calendars import actions, services
from carrierdesk.calendars.formats import ScheduleRow
from carrierdesk.calendars.models import Calendar, CalendarDay, CalendarYear, WorkingPeriod
from carrierdesk.calendars.tests.schedules import at
from carrierdesk.core import clock
from carrierdesk.core.errors import ActionError, InvalidInput, NotFound

pytestmark = pytest.mark.django_db

#: 2027 as a State Council notice might have it (the weekdays are real, the days invented).
SCHEDULE_2027 = [
    ScheduleRow(date(2027, 1, 1), False, "元旦", 2),
    ScheduleRow(date(2027, 10, 1), False, "国庆节", 3),
    ScheduleRow(date(2027, 10, 4), False, "国庆节", 4),
    ScheduleRow(date(2027, 10, 9), True, "国庆节", 5),  # a Saturday worked
]


def state() -> tuple[Any, ...]:
    return (
        tuple(Calendar.objects.order_by("code").values_list("revision", flat=True)),
        CalendarDay.objects.count(),
        tuple(CalendarYear.objects.values_list("calendar__code", "year", "source")),
        tuple(WorkingPeriod.objects.values_list("calendar__code", "weekday", "start_minute")),
        AuditEntry.objects.count(),
    )


def test_r_cal_2_import_covers_the_year_bumps_the_revision_and_audits(
    staff: dict[str, User],
) -> None:
    with clock.frozen(at("2026-11-23 09:00")) as now:
        covered = actions.import_schedule(
            staff["admin"], "cn", SCHEDULE_2027, source="国办发明电〔2026〕X号", year=2027
        )
    assert [(entry.year, entry.source, entry.loaded_at) for entry in covered] == [
        (2027, "国办发明电〔2026〕X号", now)
    ]
    calendar = Calendar.objects.get(code="cn")
    assert calendar.revision == 2
    assert list(
        CalendarDay.objects.filter(calendar=calendar, date__year=2027).values_list(
            "date", "is_working", "name"
        )
    ) == [(row.date, row.is_working, row.name) for row in SCHEDULE_2027]
    entry = AuditEntry.objects.get(event_type="calendar.imported")
    assert (entry.actor, entry.object_type, entry.object_id) == (staff["admin"], "calendar", "cn")
    assert entry.changes == {
        "years": [2027],
        "source": "国办发明电〔2026〕X号",
        "days_off": 3,
        "working_days": 1,
        "days_replaced": 0,
        "revision": [1, 2],
    }
    # The arithmetic sees it: from Thursday 30 September 2027, 1–4 October are skipped, 5 and 6
    # October are the two working days.
    result = services.schedule_for("cn").add_working_days(at("2027-09-30 10:00"), 2)
    assert (result.at, result.calendar_uncovered) == (at("2027-10-07 00:00"), False)
    # cn-business is a calendar of its own: unchanged.
    assert (
        services.schedule_for("cn-business")
        .add_working_days(at("2027-09-30 10:00"), 2)
        .calendar_uncovered
    )


def test_import_replaces_the_year_and_leaves_other_years_alone() -> None:
    before_2024 = CalendarDay.objects.filter(calendar__code="cn", date__year=2024).count()
    old_2025 = CalendarDay.objects.filter(calendar__code="cn", date__year=2025).count()
    actions.import_schedule(
        None, "cn", [ScheduleRow(date(2025, 12, 31), False, "跨年")], source="fix", year=2025
    )
    assert list(
        CalendarDay.objects.filter(calendar__code="cn", date__year=2025).values_list(
            "date", flat=True
        )
    ) == [date(2025, 12, 31)]
    assert CalendarDay.objects.filter(calendar__code="cn", date__year=2024).count() == before_2024
    assert AuditEntry.objects.get().changes["days_replaced"] == old_2025
    assert CalendarYear.objects.get(calendar__code="cn", year=2025).source == "fix"


def test_import_without_a_year_covers_every_year_of_the_rows() -> None:
    rows = [*SCHEDULE_2027, ScheduleRow(date(2028, 1, 1), False, "元旦", 6)]
    covered = actions.import_schedule(None, "cn-business", rows, source="two years")
    assert [entry.year for entry in covered] == [2027, 2028]
    assert Calendar.objects.get(code="cn-business").revision == 2


def refused(call: Any, error: type[ActionError] = InvalidInput) -> dict[str, list[str]]:
    before = state()
    with translation.override("en"), pytest.raises(error) as caught:
        call()
    assert state() == before
    return caught.value.fields


@pytest.mark.parametrize(
    ("code", "rows", "year", "expected"),
    [
        ("cn", [], 2027, {"rows": ["Give at least one day."]}),
        (
            "cn",
            [*SCHEDULE_2027, ScheduleRow(date(2026, 12, 31), False, "", 9)],
            2027,
            {"line 9": ["2026-12-31 is not in 2027."]},
        ),
        (
            "cn",
            [*SCHEDULE_2027, ScheduleRow(date(2027, 10, 1), True, "", 7)],
            2027,
            {"line 7": ["2027-10-01 is listed twice (also on line 3)."]},
        ),
        (
            "cn",
            [ScheduleRow(date(2101, 1, 1), False)],
            None,
            {"row 1": ["Calendars cover 2000 to 2100."]},
        ),
        (
            "24x7",
            SCHEDULE_2027,
            2027,
            {"calendar": ["This calendar does not observe public holidays; it needs no schedule."]},
        ),
    ],
)
def test_import_refuses_bad_schedules_and_writes_nothing(
    code: str, rows: list[ScheduleRow], year: int | None, expected: dict[str, list[str]]
) -> None:
    call = lambda: actions.import_schedule(None, code, rows, source="x", year=year)  # noqa: E731
    assert refused(call) == expected


def test_import_into_an_unknown_calendar_is_not_found() -> None:
    refused(lambda: actions.import_schedule(None, "mars", SCHEDULE_2027, source="x"), NotFound)


# --- working hours ------------------------------------------------------------------------------


def test_r_cal_1_set_working_periods(staff: dict[str, User]) -> None:
    first = services.schedule_for("cn-business")
    periods = {day: [(540, 720), (780, 1080)] for day in range(5)} | {5: [(540, 720)]}
    actions.set_working_periods(staff["admin"], "cn-business", periods)
    assert sorted(
        WorkingPeriod.objects.filter(calendar__code="cn-business", weekday__in=[0, 5]).values_list(
            "weekday", "start_minute", "end_minute"
        )
    ) == [(0, 540, 720), (0, 780, 1080), (5, 540, 720)]
    entry = AuditEntry.objects.get(event_type="calendar.hours_changed")
    assert entry.changes["periods"][0]["0"] == ["08:30-12:00", "13:30-17:30"]
    assert entry.changes["periods"][1]["5"] == ["09:00-12:00"]
    assert entry.changes["revision"] == [1, 2]
    schedule = services.schedule_for("cn-business")
    assert schedule is not first
    assert schedule.add_working_days(at("2025-09-30 10:00"), 5).at == at("2025-10-14 18:00")
    # Saturdays now have hours of their own; the worked Saturday 11 October keeps them.
    assert schedule.next_working_instant(at("2025-10-11 07:00")) == at("2025-10-11 09:00")


def test_setting_the_same_hours_changes_nothing() -> None:
    before = state()
    actions.set_working_periods(
        None, "cn-business", {day: [(810, 1050), (510, 720)] for day in range(5)}
    )
    assert state() == before


@pytest.mark.parametrize(
    ("periods", "expected"),
    [
        ({0: [(540, 720), (700, 800)]}, {"periods.0": ["Periods overlap."]}),
        (
            {1: [(720, 540)], 2: [(0, 1441)]},
            {
                "periods.1": ["A period must start before it ends, between 00:00 and 24:00."],
                "periods.2": ["A period must start before it ends, between 00:00 and 24:00."],
            },
        ),
        ({7: [(0, 60)]}, {"periods": ["Weekdays are 0 (Monday) to 6 (Sunday)."]}),
        ({0: [], 6: []}, {"periods": ["Give at least one working period in the week."]}),
    ],
)
def test_set_working_periods_refuses_and_writes_nothing(
    periods: dict[int, list[tuple[int, int]]], expected: dict[str, list[str]]
) -> None:
    assert refused(lambda: actions.set_working_periods(None, "cn", periods)) == expected
