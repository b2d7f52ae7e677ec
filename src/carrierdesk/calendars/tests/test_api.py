"""The calendar API: list, detail, deadline (R-CAL-1..3); 400s in the project's error format;
who may call it."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from carrierdesk.accounts.choices import STAFF_ROLES, Role
from carrierdesk.calendars.models import CalendarYear

pytestmark = pytest.mark.django_db
Api = Callable[[str], APIClient]
DEADLINE = "/api/v1/calendars/{code}/deadline/"


def get(api: Api, url: str, role: str = "agent", **params: Any) -> Any:
    return api(role).get(url, params, HTTP_ACCEPT_LANGUAGE="en")


def test_list(api: Api, django_assert_num_queries: Any) -> None:
    client = api("agent")
    client.get("/api/v1/calendars/")  # the token and role lookups are cached after this
    with django_assert_num_queries(3):  # token, roles, calendars with their covered years
        response = client.get("/api/v1/calendars/")
    assert response.status_code == 200
    body = response.json()
    last = max(CalendarYear.objects.values_list("year", flat=True))
    assert [(c["code"], c["covered_from"], c["covered_to"]) for c in body] == [
        ("24x7", None, None),
        ("cn", 2004, last),
        ("cn-business", 2004, last),
    ]
    assert body[1] == {
        "code": "cn",
        "name": "中国工作日（全天）",
        "time_zone": "Asia/Shanghai",
        "observes_holidays": True,
        "revision": 1,
        "covered_from": 2004,
        "covered_to": last,
    }


def test_detail_with_hours_and_covered_years(api: Api) -> None:
    body = get(api, "/api/v1/calendars/cn-business/").json()
    assert body["working_hours"][0] == {
        "weekday": 0,
        "periods": [{"start": "08:30", "end": "12:00"}, {"start": "13:30", "end": "17:30"}],
    }
    assert body["working_hours"][6] == {"weekday": 6, "periods": []}
    assert body["covered_years"][:2] == [2004, 2005]
    assert body["days"] is None
    assert get(api, "/api/v1/calendars/cn/").json()["working_hours"][4]["periods"] == [
        {"start": "00:00", "end": "24:00"}
    ]


def test_detail_with_a_year_lists_its_days(api: Api) -> None:
    days = get(api, "/api/v1/calendars/cn/", year=2025).json()["days"]
    assert {"date": "2025-10-11", "type": "work", "name": "国庆节"} in days
    assert {"date": "2025-10-01", "type": "off", "name": "国庆节"} in days
    assert all(day["date"].startswith("2025-") for day in days)
    assert get(api, "/api/v1/calendars/24x7/", year=2025).json()["days"] == []


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "-5"])
def test_detail_refuses_a_bad_year(api: Api, year: str) -> None:
    response = get(api, "/api/v1/calendars/cn/", year=year)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"year": ["Give a year from 2000 to 2100."]}


def test_unknown_calendar_is_404(api: Api) -> None:
    for url in ("/api/v1/calendars/mars/", DEADLINE.format(code="mars")):
        response = get(api, url, start="2025-09-30T10:00:00+08:00", hours=1)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


# --- deadline ----------------------------------------------------------------------------------


def test_r_cal_3_deadline_worked_example(api: Api) -> None:
    response = get(
        api, DEADLINE.format(code="cn"), start="2025-09-30T10:00:00+08:00", working_days=5
    )
    assert response.status_code == 200
    assert response.json() == {
        "calendar": "cn",
        "start": "2025-09-30T10:00:00+08:00",
        "deadline": "2025-10-15T00:00:00+08:00",
        "calendar_uncovered": False,
        "limit": {"working_days": 5},
    }


@pytest.mark.parametrize(
    ("code", "params", "deadline", "uncovered"),
    [
        ("cn-business", {"working_days": "5"}, "2025-10-14T17:30:00+08:00", False),
        ("cn-business", {"working_hours": "0.25"}, "2025-09-30T10:15:00+08:00", False),
        ("cn-business", {"working_hours": "8"}, "2025-10-09T10:30:00+08:00", False),
        ("cn-business", {"hours": "0.25"}, "2025-09-30T10:15:00+08:00", False),
        ("24x7", {"hours": "24"}, "2025-10-01T10:00:00+08:00", False),
    ],
)
def test_deadline_limits(
    api: Api, code: str, params: dict[str, str], deadline: str, uncovered: bool
) -> None:
    body = get(api, DEADLINE.format(code=code), start="2025-09-30T10:00:00+08:00", **params).json()
    assert (body["deadline"], body["calendar_uncovered"]) == (deadline, uncovered)
    name, value = next(iter(params.items()))
    assert body["limit"] == {name: float(value) if "hours" in name else int(value)}


def test_deadline_start_in_another_offset_answers_in_the_calendar_zone(api: Api) -> None:
    body = get(api, DEADLINE.format(code="cn"), start="2025-09-30T02:00:00Z", working_days=5).json()
    assert body["start"] == "2025-09-30T02:00:00+00:00"
    assert body["deadline"] == "2025-10-15T00:00:00+08:00"


def test_r_cal_2_deadline_flags_an_uncovered_year(api: Api) -> None:
    year = max(CalendarYear.objects.values_list("year", flat=True)) + 1
    body = get(
        api, DEADLINE.format(code="cn"), start=f"{year - 1}-12-30T10:00:00+08:00", working_days=3
    ).json()
    assert body["calendar_uncovered"] is True


ONE_OF = ["Give exactly one of working_days, working_hours and hours."]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"working_days": "5"}, {"start": ["This field is required."]}),
        (
            {"start": "2025-09-30T10:00:00", "working_days": "5"},
            {"start": ["Give the time with its time zone."]},
        ),
        (
            {"start": "tomorrow", "working_days": "5"},
            {"start": ["Give an ISO 8601 date and time, e.g. 2026-11-23T09:30:00+08:00."]},
        ),
        (
            {"start": "2025-13-45T10:00:00+08:00", "working_days": "5"},
            {"start": ["Give an ISO 8601 date and time, e.g. 2026-11-23T09:30:00+08:00."]},
        ),
        (
            {"start": "2025-09-30T10:00:00+08:00"},
            {name: ONE_OF for name in ("working_days", "working_hours", "hours")},
        ),
        (
            {"start": "2025-09-30T10:00:00+08:00", "working_days": "5", "hours": "2"},
            {"working_days": ONE_OF, "hours": ONE_OF},
        ),
        (
            {"start": "2025-09-30T10:00:00+08:00", "working_days": "five"},
            {"working_days": ["A valid integer is required."]},
        ),
        (
            {"start": "2025-09-30T10:00:00+08:00", "working_days": "1.5"},
            {"working_days": ["A valid integer is required."]},
        ),
        (
            {"start": "2025-09-30T10:00:00+08:00", "working_days": "0"},
            {"working_days": ["Ensure this value is greater than or equal to 1."]},
        ),
        (
            {"start": "2025-09-30T10:00:00+08:00", "hours": "-1"},
            {"hours": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            {"start": "2025-09-30T10:00:00+08:00", "working_hours": "abc"},
            {"working_hours": ["A valid number is required."]},
        ),
        (
            {"start": "2025-09-30T10:00:00+08:00", "working_hours": "NaN"},
            {"working_hours": ["A valid number is required."]},
        ),
        (
            {"start": "2025-09-30T10:00:00+08:00", "hours": "Infinity"},
            {"hours": ["A valid number is required."]},
        ),
        (
            {"start": "1999-09-30T10:00:00+08:00", "working_days": "5"},
            {"start": ["Calendar arithmetic covers 2000 to 2100."]},
        ),
    ],
)
def test_deadline_refuses_bad_queries_with_400(
    api: Api, params: dict[str, str], fields: dict[str, list[str]]
) -> None:
    response = get(api, DEADLINE.format(code="cn"), **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == fields


def test_errors_are_chinese_by_default(api: Api) -> None:
    response = api("agent").get(DEADLINE.format(code="cn"), {"start": "2025-09-30T10:00:00"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] != "Some fields are not valid."


# --- who may call it -------------------------------------------------------------------------

ENDPOINTS = [
    "/api/v1/calendars/",
    "/api/v1/calendars/cn/",
    DEADLINE.format(code="cn") + "?start=2025-09-30T10:00:00%2B08:00&working_days=1",
]


@pytest.mark.parametrize("role", [role.value for role in Role])
@pytest.mark.parametrize("url", ENDPOINTS)
def test_staff_may_read_calendars_customers_may_not(api: Api, role: str, url: str) -> None:
    response = api(role).get(url)
    assert response.status_code == (200 if role in STAFF_ROLES else 403), response.json()


def test_anonymous_callers_are_refused() -> None:
    assert APIClient().get("/api/v1/calendars/").status_code in (401, 403)


def test_calendars_cannot_be_written_through_the_api(api: Api) -> None:
    client = api("admin")
    assert client.post("/api/v1/calendars/", {"code": "x"}, format="json").status_code == 405
    assert client.patch("/api/v1/calendars/cn/", {"name": "x"}, format="json").status_code == 405
    assert client.delete("/api/v1/calendars/cn/").status_code == 405
