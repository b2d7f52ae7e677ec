"""Schedule files and clock times: parsing and rendering. Pure: no database access.

A schedule file lists a year's exceptions to the weekly pattern, one per row, as the State
Council publishes them each November (R-CAL-2):

- CSV with the header `date,type,name`, e.g. `2025-10-11,work,国庆节`; blank lines and lines
  starting with `#` are skipped;
- JSON: a list of objects `{"date": "2025-10-11", "type": "work", "name": "国庆节"}`.

`type` is `off` (a public holiday) or `work` (an adjusted working day 调休). Errors name the
line of the file they are on, so an admin can fix the file; rows are only returned when the
whole file is well-formed. `render_schedule` writes the same formats, so export → import
round-trips.
"""

import csv
import io
import json
import re
from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from carrierdesk.calendars.choices import MINUTES_PER_DAY, DayType
from carrierdesk.core.errors import InvalidInput

FORMATS = ("csv", "json")
CSV_HEADER = ("date", "type", "name")
NAME_LENGTH = 64
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


class ScheduleRow(NamedTuple):
    """One exception day of a schedule file; `line` is where it was read (0 if not read)."""

    date: date
    is_working: bool
    name: str = ""
    line: int = 0


# --- clock times --------------------------------------------------------------------------------


def format_minute(minute: int) -> str:
    """'HH:MM' for minutes after midnight; 1440 is '24:00'."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_minute(text: str) -> int:
    """Minutes after midnight of 'HH:MM' (00:00 to 24:00); ValueError otherwise."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f"not a time of day: {text!r}")
    hours, minutes = int(match[1]), int(match[2])
    if minutes >= 60 or hours * 60 + minutes > MINUTES_PER_DAY:
        raise ValueError(f"not a time of day: {text!r}")
    return hours * 60 + minutes


# --- reading --------------------------------------------------------------------------------


def detect_format(filename: str, text: str) -> str:
    """'json' or 'csv', from the file name's extension, else from the first character."""
    lowered = filename.lower()
    for name in FORMATS:
        if lowered.endswith(f".{name}"):
            return name
    return "json" if text.lstrip("\ufeff \t\r\n").startswith("[") else "csv"


def parse_schedule(text: str, file_format: str) -> list[ScheduleRow]:
    """The rows of a schedule file; InvalidInput with one `line N` field per bad line."""
    text = text.removeprefix("\ufeff")  # a byte-order mark, as spreadsheets write
    errors: dict[str, list[str | Promise]] = {}
    if file_format == "json":
        rows = _parse_json(text, errors)
    elif file_format == "csv":
        rows = _parse_csv(text, errors)
    else:
        raise InvalidInput.field("format", _("Choose csv or json."))
    if errors:
        raise InvalidInput(_("The schedule file is not valid; nothing was loaded."), fields=errors)
    return rows


def _parse_row(values: dict[str, Any], line: int, errors: dict[str, list[str | Promise]]) -> None:
    """Check one row's values; add errors under `line N`."""
    messages = errors.setdefault(f"line {line}", [])
    raw_date, raw_type, name = values.get("date"), values.get("type"), values.get("name") or ""
    if not isinstance(raw_date, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw_date.strip()):
        messages.append(_("Give the date as YYYY-MM-DD."))
    else:
        try:
            date.fromisoformat(raw_date.strip())
        except ValueError:
            messages.append(_("There is no such date."))
    if not isinstance(raw_type, str) or raw_type.strip().lower() not in DayType.values:
        messages.append(_("The type must be “off” or “work”."))
    if not isinstance(name, str):
        messages.append(_("The name must be text."))
    elif len(name.strip()) > NAME_LENGTH:
        messages.append(_("At most %(limit)d characters.") % {"limit": NAME_LENGTH})
    if not messages:
        del errors[f"line {line}"]


def _row(values: dict[str, Any], line: int) -> ScheduleRow:
    return ScheduleRow(
        date=date.fromisoformat(values["date"].strip()),
        is_working=values["type"].strip().lower() == DayType.WORK,
        name=(values.get("name") or "").strip(),
        line=line,
    )


def _parse_csv(text: str, errors: dict[str, list[str | Promise]]) -> list[ScheduleRow]:
    reader = csv.reader(io.StringIO(text))
    rows: list[ScheduleRow] = []
    header_seen = False
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells) or cells[0].lstrip().startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            if tuple(cell.strip().lower() for cell in cells) != CSV_HEADER:
                errors[f"line {line}"] = [_("The first line must be the header date,type,name.")]
                return []
            continue
        if len(cells) not in (2, 3):
            errors[f"line {line}"] = [_("Give three values: date, type and name.")]
            continue
        values = dict(zip(CSV_HEADER, cells, strict=False))
        _parse_row(values, line, errors)
        if f"line {line}" not in errors:
            rows.append(_row(values, line))
    return rows


def _parse_json(text: str, errors: dict[str, list[str | Promise]]) -> list[ScheduleRow]:
    """A JSON list read element by element, so each error can name its line."""
    decoder = json.JSONDecoder()
    rows: list[ScheduleRow] = []

    def line_at(position: int) -> str:
        return f"line {_line_number(text, position)}"

    position = _skip_space(text, 0)
    if position >= len(text) or text[position] != "[":
        errors[line_at(position)] = [_("The file must hold a JSON list of days.")]
        return rows
    position = _skip_space(text, position + 1)
    closed = position < len(text) and text[position] == "]"
    while not closed:
        line = _line_number(text, position)
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            errors[f"line {exc.lineno}"] = [_("This is not valid JSON.")]
            return rows
        if not isinstance(value, dict):
            errors[f"line {line}"] = [_("Each day must be an object with date, type and name.")]
        else:
            _parse_row(value, line, errors)
            if f"line {line}" not in errors:
                rows.append(_row(value, line))
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)
        elif position < len(text) and text[position] == "]":
            closed = True
        else:
            errors[line_at(position)] = [_("This is not valid JSON.")]
            return rows
    if _skip_space(text, position + 1) != len(text):
        errors[line_at(position + 1)] = [_("Nothing may follow the list.")]
    return rows


def _line_number(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


# --- writing --------------------------------------------------------------------------------


def render_schedule(rows: Iterable[ScheduleRow], file_format: str) -> str:
    """The rows as a schedule file that `parse_schedule` reads back unchanged."""
    items = [
        {
            "date": row.date.isoformat(),
            "type": DayType.WORK.value if row.is_working else DayType.OFF.value,
            "name": row.name,
        }
        for row in rows
    ]
    if file_format == "json":
        lines = [json.dumps(item, ensure_ascii=False) for item in items]
        return "[\n" + ",\n".join(f"  {line}" for line in lines) + ("\n]\n" if lines else "]\n")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows([item["date"], item["type"], item["name"]] for item in items)
    return buffer.getvalue()
