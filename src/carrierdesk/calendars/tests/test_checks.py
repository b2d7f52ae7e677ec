"""The system check (R-CAL-2): from 1 November, warn about calendars not covering next year."""

from datetime import date
from unittest import mock

import pytest
from django.core import checks
from django.db.utils import OperationalError
from django.utils import translation

from carrierdesk.calendars import actions
from carrierdesk.calendars.checks import check_next_year_covered
from carrierdesk.calendars.formats import ScheduleRow
from carrierdesk.calendars.models import Calendar
from carrierdesk.calendars.tests.schedules import at
from carrierdesk.core import clock

pytestmark = pytest.mark.django_db


def warned(instant: str) -> list[str]:
    """The W101 hints given at local time `instant` (Asia/Shanghai)."""
    with clock.frozen(at(instant)), translation.override("en"):
        messages = check_next_year_covered()
    assert all(message.id == "carrierdesk.W101" for message in messages)
    assert all(message.level == checks.WARNING for message in messages)
    return [str(message.hint) for message in messages]


def test_r_cal_2_no_warning_before_november() -> None:
    assert warned("2026-10-31 23:59") == []


def test_r_cal_2_warns_from_1_november_local_time_for_each_holiday_calendar() -> None:
    # 1 November 00:00 in Shanghai is still 31 October in UTC: the local date counts.
    assert warned("2026-11-01 00:00") == [
        f"Import the State Council schedule: carrierdesk calendar import FILE --calendar {code} "
        "--year 2027"
        for code in ("cn", "cn-business")
    ]
    assert len(warned("2026-12-31 23:59")) == 2


def test_r_cal_2_importing_next_year_silences_the_warning() -> None:
    actions.import_schedule(None, "cn", [ScheduleRow(date(2027, 1, 1), False)], source="x")
    assert warned("2026-11-23 09:00") == [
        "Import the State Council schedule: carrierdesk calendar import FILE --calendar "
        "cn-business --year 2027"
    ]


def test_r_cal_2_no_warning_when_next_year_is_covered() -> None:
    assert warned("2025-11-23 09:00") == []


def test_calendars_without_holidays_are_never_warned_about() -> None:
    Calendar.objects.filter(code__startswith="cn").update(observes_holidays=False)
    assert warned("2026-11-23 09:00") == []


def test_the_check_is_registered() -> None:
    with clock.frozen(at("2026-11-23 09:00")):
        messages = checks.run_checks()
    assert [m.id for m in messages if m.id == "carrierdesk.W101"] == ["carrierdesk.W101"] * 2


def test_the_check_says_nothing_without_its_tables() -> None:
    manager = mock.patch.object(
        Calendar.objects, "filter", side_effect=OperationalError("no such table")
    )
    with manager, clock.frozen(at("2026-11-23 09:00")):
        assert check_next_year_covered() == []
