"""Schedule files (R-CAL-2): parsing with line numbers, rendering, round trips. No database."""

from datetime import date

import pytest
from django.utils import translation

from carrierdesk.calendars.formats import (
    ScheduleRow,
    detect_format,
    format_minute,
    parse_minute,
    parse_schedule,
    render_schedule,
)
from carrierdesk.core.errors import InvalidInput

CSV = """date,type,name
# 2025 National Day (State Council notice)
2025-09-28,work,国庆节

2025-10-01,off,国庆节
2025-10-06,OFF,中秋节
2025-10-11,work,
"""

JSON = """[
  {"date": "2025-09-28", "type": "work", "name": "国庆节"},
  {"date": "2025-10-01", "type": "off", "name": "国庆节"},
  {"date": "2025-10-06", "type": "off", "name": "中秋节"},
  {"date": "2025-10-11", "type": "work"}
]"""

EXPECTED = [
    (date(2025, 9, 28), True, "国庆节"),
    (date(2025, 10, 1), False, "国庆节"),
    (date(2025, 10, 6), False, "中秋节"),
    (date(2025, 10, 11), True, ""),
]


def errors_of(text: str, file_format: str) -> dict[str, list[str]]:
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        parse_schedule(text, file_format)
    return caught.value.fields


def test_csv_is_read_with_line_numbers() -> None:
    rows = parse_schedule(CSV, "csv")
    assert [(row.date, row.is_working, row.name) for row in rows] == EXPECTED
    assert [row.line for row in rows] == [3, 5, 6, 7]


def test_json_is_read_with_line_numbers() -> None:
    rows = parse_schedule(JSON, "json")
    assert [(row.date, row.is_working, row.name) for row in rows] == EXPECTED
    assert [row.line for row in rows] == [2, 3, 4, 5]


def test_byte_order_mark_and_crlf_are_accepted() -> None:
    rows = parse_schedule("\ufeffdate,type,name\r\n2025-10-01,off,国庆节\r\n", "csv")
    assert rows == [ScheduleRow(date(2025, 10, 1), False, "国庆节", 2)]


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_export_format_round_trips(file_format: str) -> None:
    rows = parse_schedule(CSV, "csv")
    text = render_schedule(rows, file_format)
    again = parse_schedule(text, file_format)
    assert [row[:3] for row in again] == [row[:3] for row in rows]
    assert render_schedule(again, file_format) == text


def test_empty_rendering_reads_back_as_no_rows() -> None:
    assert parse_schedule(render_schedule([], "json"), "json") == []
    assert parse_schedule(render_schedule([], "csv"), "csv") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date,type,name\n2025-13-01,off,x\n", {"line 2": ["There is no such date."]}),
        ("date,type,name\n2025/10/01,off,x\n", {"line 2": ["Give the date as YYYY-MM-DD."]}),
        (
            "date,type,name\n2025-10-01,off,x\n2025-10-02,holiday,x\n",
            {"line 3": ["The type must be “off” or “work”."]},
        ),
        (
            "date,kind,name\n2025-10-01,off,x\n",
            {"line 1": ["The first line must be the header date,type,name."]},
        ),
        (
            "date,type,name\n2025-10-01\n2025-10-02,off,x,y\n",
            {
                "line 2": ["Give three values: date, type and name."],
                "line 3": ["Give three values: date, type and name."],
            },
        ),
        (
            "date,type,name\n2025-10-01,off," + "x" * 65 + "\n",
            {"line 2": ["At most 64 characters."]},
        ),
    ],
)
def test_csv_errors_name_the_line(text: str, expected: dict[str, list[str]]) -> None:
    assert errors_of(text, "csv") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"date": "2025-10-01"}', {"line 1": ["The file must hold a JSON list of days."]}),
        (
            '[\n  {"date": "2025-10-01", "type": "off"},\n  {"date": 5, "type": "off"}\n]',
            {"line 3": ["Give the date as YYYY-MM-DD."]},
        ),
        (
            '[\n  {"date": "2025-10-01", "type": "off"}\n  {"date": "2025-10-02"}\n]',
            {"line 3": ["This is not valid JSON."]},
        ),
        ('[\n  {"date": "2025-10-01", "type": "off"},\n]', {"line 3": ["This is not valid JSON."]}),
        (
            '[\n  "2025-10-01"\n]',
            {"line 2": ["Each day must be an object with date, type and name."]},
        ),
        (
            '[\n  {"date": "2025-10-01", "type": "off"}\n] x',
            {"line 3": ["Nothing may follow the list."]},
        ),
        (
            '[\n  {"date": "2025-10-01", "type": "off", "name": 3}\n]',
            {"line 2": ["The name must be text."]},
        ),
    ],
)
def test_json_errors_name_the_line(text: str, expected: dict[str, list[str]]) -> None:
    assert errors_of(text, "json") == expected


def test_every_bad_line_is_reported_at_once() -> None:
    text = "date,type,name\n2025-10-01,off,a\n2025-02-30,off,b\n2025-10-03,maybe,c\n"
    assert set(errors_of(text, "csv")) == {"line 3", "line 4"}


def test_format_is_detected_from_name_then_content() -> None:
    assert detect_format("2027.json", "date,type,name") == "json"
    assert detect_format("2027.CSV", "[") == "csv"
    assert detect_format("-", "  [\n") == "json"
    assert detect_format("notice.txt", "date,type,name") == "csv"


@pytest.mark.parametrize(("text", "minute"), [("00:00", 0), ("8:30", 510), ("24:00", 1440)])
def test_clock_times(text: str, minute: int) -> None:
    assert parse_minute(text) == minute
    assert format_minute(minute) == text.zfill(5)


@pytest.mark.parametrize("text", ["24:01", "12:60", "noon", "-1:00", "12"])
def test_bad_clock_times(text: str) -> None:
    with pytest.raises(ValueError, match="time of day"):
        parse_minute(text)
