"""Calendars in the staff UI (issue 5 §7, R-CAL-1, R-CAL-2): the list, a year's view with
holidays and adjusted working days, and the import of a year's schedule — all or nothing."""

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from carrierdesk.audit.models import AuditEntry
from carrierdesk.calendars.models import Calendar, CalendarDay, CalendarYear
from carrierdesk.web.tests import conftest as web_fixtures

pytestmark = pytest.mark.django_db

browse = web_fixtures.browse

GOOD_CSV = """date,type,name
# 2027 (an example schedule)
2027-01-01,off,元旦
2027-02-06,work,春节
2027-02-08,off,春节
2027-02-09,off,春节
"""
GOOD_JSON = """[
  {"date": "2027-10-01", "type": "off", "name": "国庆节"},
  {"date": "2027-10-09", "type": "work", "name": "国庆节"}
]
"""
BAD_CSV = """date,type,name
2027-01-01,off,元旦
2027-02-30,off,春节
2027-03-01,holiday,x
2026-12-31,off,跨年
"""


def upload(name: str, content: str | bytes) -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/plain")


def cell(body: str, day: str) -> str:
    """The class attribute of a day's cell in the year view."""
    match = re.search(rf'<td class="([^"]+)"\s*(?:title="[^"]*")?\s*data-date="{day}"', body)
    assert match, day
    return match[1]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("supervisor", 200),
        ("agent", 403),
        ("dispatcher", 403),
        ("technician", 403),
        ("quality_inspector", 403),
        ("auditor", 403),
    ],
)
def test_who_reads_calendars(
    role: str, status: int, staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    client = browse(role)
    assert client.get("/calendars/").status_code == status
    assert client.get("/calendars/cn/2025/").status_code == status


@pytest.mark.parametrize("role", ["supervisor", "agent", "auditor"])
def test_only_admins_import(
    role: str, staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    response = browse(role).post(
        "/calendars/cn/import/", {"year": 2027, "file": upload("2027.csv", GOOD_CSV)}
    )
    assert response.status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_supervisor_reads_the_year_without_the_import_form(
    staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    body = browse("supervisor").get("/calendars/cn/2025/").content.decode()
    assert 'id="import"' not in body


def test_list_shows_calendars_with_hours_and_covered_years(
    staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    body = browse("admin").get("/calendars/").content.decode()
    rows = re.findall(r"<tr tabindex=\"-1\">(.*?)</tr>", body, re.S)
    text = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]
    covered = CalendarYear.objects.filter(calendar__code="cn").order_by("year")
    first, last = covered.first(), covered.last()
    assert first and last
    assert text[0].startswith("24x7 ")
    assert "Monday–Sunday: 00:00–24:00" in text[0]
    assert "not needed (no holidays)" in text[0]
    assert text[1].startswith("cn ") and f"{first.year}–{last.year}" in text[1]
    assert "Monday–Friday: 08:30–12:00, 13:30–17:30" in text[2]


def test_r_cal_1_year_view_marks_holidays_adjusted_days_and_rest_days(
    staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    body = browse("supervisor").get("/calendars/cn/2025/").content.decode()
    assert "cd-day-holiday" in cell(body, "2025-10-01")  # National Day, Wednesday
    assert 'title="国庆节" data-date="2025-10-01"' in body
    assert "cd-day-holiday" in cell(body, "2025-10-08")
    assert "cd-day-adjusted" in cell(body, "2025-09-28")  # a Sunday worked
    assert "cd-day-adjusted" in cell(body, "2025-10-11")  # a Saturday worked
    assert "cd-day-rest" in cell(body, "2025-09-27")  # an ordinary Saturday
    assert "cd-day-work" in cell(body, "2025-09-30")
    assert len(re.findall(r'<table[^>]*id="month-\d+"', body)) == 12
    assert 'href="/calendars/cn/2024/"' in body and 'href="/calendars/cn/2026/"' in body
    assert "Covered: " in body


def test_an_uncovered_year_says_so(staff: dict[str, User], browse: Callable[..., Client]) -> None:
    body = browse("admin").get("/calendars/cn/2030/").content.decode()
    assert "Not covered: no official schedule is loaded for 2030." in body
    assert "cd-day-rest" in cell(body, "2030-01-05")  # Saturday
    assert "cd-day-work" in cell(body, "2030-01-01")  # no holiday data: a plain Tuesday


def test_unknown_calendar_and_years_out_of_range_are_not_found(
    staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    client = browse("admin")
    assert client.get("/calendars/nowhere/2025/").status_code == 404
    assert client.get("/calendars/cn/1999/").status_code == 404
    assert client.get("/calendars/cn/2101/").status_code == 404


def test_r_cal_2_importing_a_csv_loads_the_year_and_says_how_much(
    staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    client = browse("admin")
    response = client.post(
        "/calendars/cn/import/", {"year": 2027, "file": upload("gov-2027.csv", GOOD_CSV)}
    )
    assert response.status_code == 302
    assert response["Location"] == "/calendars/cn/2027/"
    entry = CalendarYear.objects.get(calendar__code="cn", year=2027)
    assert entry.source == "gov-2027.csv (csv)"
    days = CalendarDay.objects.filter(calendar__code="cn", date__year=2027).order_by("date")
    assert [(day.date.isoformat(), day.is_working, day.name) for day in days] == [
        ("2027-01-01", False, "元旦"),
        ("2027-02-06", True, "春节"),
        ("2027-02-08", False, "春节"),
        ("2027-02-09", False, "春节"),
    ]
    audit = AuditEntry.objects.filter(event_type="calendar.imported").latest("sequence")
    assert audit.actor == staff["admin"]
    body = client.get(response["Location"]).content.decode()
    assert "cn 2027 loaded from gov-2027.csv: 3 days off and 1 adjusted working days." in body
    assert "cd-day-adjusted" in cell(body, "2027-02-06")


def test_importing_json_with_the_format_from_the_name(
    staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    response = browse("admin").post(
        "/calendars/cn-business/import/", {"year": 2027, "file": upload("2027.json", GOOD_JSON)}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(calendar__code="cn-business", date__year=2027).count() == 2


def test_a_bad_file_is_refused_whole_with_each_bad_line_named(
    staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    before = CalendarDay.objects.count()
    revision = Calendar.objects.get(code="cn").revision
    response = browse("admin").post(
        "/calendars/cn/import/", {"year": 2027, "file": upload("2027.csv", BAD_CSV)}
    )
    assert response.status_code == 200
    body = response.content.decode()
    errors = body[body.index("alert alert-danger") : body.index('<div class="mb-3')]
    lines = [
        " ".join(re.sub(r"<[^>]+>", " ", item).split())
        for item in re.findall(r"<div>(.*?)</div>", errors, re.S)
    ]
    assert lines == [
        "The schedule file is not valid; nothing was loaded.",
        "Line 3: There is no such date.",
        "Line 4: The type must be “off” or “work”.",
    ]
    assert 'value="2027"' in body  # the year typed stays
    assert CalendarDay.objects.count() == before
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert Calendar.objects.get(code="cn").revision == revision


def test_a_day_outside_the_year_is_refused_with_its_line(
    staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    content = "date,type,name\n2027-01-01,off,元旦\n2026-12-31,off,跨年\n"
    response = browse("admin").post(
        "/calendars/cn/import/", {"year": 2027, "file": upload("2027.csv", content)}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Line 3: 2026-12-31 is not in 2027." in body
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_file_that_is_not_utf8_is_refused_next_to_the_field(
    staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    content = "date,type,name\n2027-01-01,off,元旦\n".encode("gb18030")
    response = browse("admin").post(
        "/calendars/cn/import/", {"year": 2027, "file": upload("2027.csv", content)}
    )
    body = response.content.decode()
    assert 'id="id_file_error">The file is not UTF-8 text.' in body
    assert 'aria-invalid="true"' in body
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_missing_file_and_year_are_shown_next_to_their_fields(
    staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    body = browse("admin").post("/calendars/cn/import/", {}).content.decode()
    assert 'id="id_file_error"' in body and 'id="id_year_error"' in body


def test_a_calendar_without_holidays_offers_no_import(
    staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    client = browse("admin")
    assert 'id="import"' not in client.get("/calendars/24x7/2025/").content.decode()
    response = client.post(
        "/calendars/24x7/import/", {"year": 2027, "file": upload("2027.csv", GOOD_CSV)}
    )
    assert response.status_code == 200
    assert "does not observe public holidays" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_year_view_query_count_is_pinned(
    staff: dict[str, User], browse: Callable[..., Client], django_assert_num_queries: Callable
) -> None:
    client = browse("admin")
    client.get("/calendars/cn/2025/")
    # Session, user, OTP device, roles, profile (menu); the calendar, its weekly hours, the
    # year's days, the covered years.
    with django_assert_num_queries(9):
        assert client.get("/calendars/cn/2025/").status_code == 200
    # … the calendars with their covered years and hours.
    with django_assert_num_queries(8):
        assert client.get("/calendars/").status_code == 200
