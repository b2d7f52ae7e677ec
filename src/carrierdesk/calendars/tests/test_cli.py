"""`carrierdesk calendar`: list, import, export (round trip), hours; refusals exit with 2."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from carrierdesk.audit.models import AuditEntry
from carrierdesk.calendars.models import Calendar, CalendarDay, CalendarYear
from carrierdesk.core import context

pytestmark = pytest.mark.django_db

NOTICE_2027 = """date,type,name
2027-01-01,off,元旦
2027-02-06,off,春节
2027-02-07,work,春节
"""


def run(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("calendar", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args: str) -> str:
    before = (
        CalendarDay.objects.count(),
        CalendarYear.objects.count(),
        AuditEntry.objects.count(),
        tuple(Calendar.objects.values_list("revision", flat=True)),
    )
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert caught.value.returncode == 2
    after = (
        CalendarDay.objects.count(),
        CalendarYear.objects.count(),
        AuditEntry.objects.count(),
        tuple(Calendar.objects.values_list("revision", flat=True)),
    )
    assert after == before
    return str(caught.value)


def test_list() -> None:
    lines = run("list").splitlines()
    assert lines[0].split() == ["code", "time", "zone", "covered", "years", "revision", "name"]
    assert lines[1].split()[:4] == ["24x7", "Asia/Shanghai", "(not", "needed)"]
    assert lines[2].split()[:4] == ["cn", "Asia/Shanghai", "2004–2026", "1"]


def test_r_cal_2_import_a_new_year(tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text(NOTICE_2027, encoding="utf-8")
    output = run("import", str(path), "--calendar", "cn", "--year", "2027")
    assert output == "cn 2027 loaded: days off 2, working days 1 (revision 2).\n"
    entry = AuditEntry.objects.get()
    assert entry.event_type == "calendar.imported"
    assert entry.actor is None
    assert entry.channel == "cli"
    assert CalendarYear.objects.get(calendar__code="cn", year=2027).source == "2027.csv (csv)"
    assert "2004–2027" in run("list")


def test_export_import_round_trips(tmp_path: Path) -> None:
    for file_format in ("csv", "json"):
        exported = run("export", "--calendar", "cn", "--year", "2025", "--format", file_format)
        path = tmp_path / f"2025.{file_format}"
        path.write_text(exported, encoding="utf-8")
        run("import", str(path), "--calendar", "cn", "--year", "2025")
        assert run("export", "--calendar", "cn", "--year", "2025", "--format", file_format) == (
            exported
        )
    days = json.loads(run("export", "--calendar", "cn", "--year", "2025", "--format", "json"))
    assert {"date": "2025-10-11", "type": "work", "name": "国庆节"} in days
    assert Calendar.objects.get(code="cn").revision == 3


def test_export_every_year_to_a_file_and_import_it_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "cn.json"
    assert run("export", "--calendar", "cn", "--output", str(path)) == ""
    assert path.read_text(encoding="utf-8").startswith("[\n  {")
    CalendarDay.objects.filter(calendar__code="cn-business").delete()
    CalendarYear.objects.filter(calendar__code="cn-business").delete()
    output = run("import", str(path), "--calendar", "cn-business")
    assert len(output.splitlines()) == CalendarYear.objects.filter(calendar__code="cn").count()
    business = CalendarDay.objects.filter(calendar__code="cn-business")
    assert business.count() == CalendarDay.objects.filter(calendar__code="cn").count()


def test_import_from_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(NOTICE_2027))
    assert "cn 2027" in run("import", "-", "--calendar", "cn")


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        (
            "date,type,name\n2027-01-01,off,元旦\n2027-02-30,off,春节\n",
            "2027",
            "  line 3: There is no such date.",
        ),
        (
            "date,type,name\n2027-01-01,off,元旦\n2026-12-31,off,\n",
            "2027",
            "  line 3: 2026-12-31 is not in 2027.",
        ),
        (
            "date,type,name\n2027-01-01,off,元旦\n2027-01-01,work,元旦\n",
            "2027",
            "  line 3: 2027-01-01 is listed twice (also on line 2).",
        ),
        (
            "date,type,name\n2027-01-01,holiday,元旦\n",
            "2027",
            "  line 2: The type must be “off” or “work”.",
        ),
        ("date,type,name\n", "2027", "  rows: Give at least one day."),
        ("", "2027", "  rows: Give at least one day."),
    ],
)
def test_import_refuses_malformed_files(
    tmp_path: Path, text: str, year: str, expected: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    message = refused("import", str(path), "--calendar", "cn", "--year", year)
    assert message.startswith("error: invalid: ")
    assert expected in message.splitlines()


def test_import_refuses_an_unknown_calendar_or_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text(NOTICE_2027, encoding="utf-8")
    assert refused("import", str(path), "--calendar", "mars").startswith("error: not_found:")
    assert "  file: Cannot read the file" in refused(
        "import", str(tmp_path / "missing.csv"), "--calendar", "cn"
    )


def test_hours_show_and_set() -> None:
    assert run("hours", "--calendar", "cn-business").splitlines()[0] == (
        "Monday: 08:30–12:00, 13:30–17:30"
    )
    output = run(
        "hours",
        "--calendar",
        "cn-business",
        "--set",
        "0-4=09:00-12:00,13:00-18:00",
        "--set",
        "5=09:00-12:00",
    )
    assert output.splitlines()[4:6] == ["Friday: 09:00–12:00, 13:00–18:00", "Saturday: 09:00–12:00"]
    assert Calendar.objects.get(code="cn-business").revision == 2
    assert AuditEntry.objects.get().event_type == "calendar.hours_changed"
    run("hours", "--calendar", "cn-business", "--set", "5=")
    assert "Saturday: -" in run("hours", "--calendar", "cn-business")


@pytest.mark.parametrize("setting", ["weekdays", "0-4=9-12", "8=09:00-12:00", "0=12:00-09:00"])
def test_hours_refuses_bad_settings(setting: str) -> None:
    assert refused("hours", "--calendar", "cn", "--set", setting).startswith("error: invalid:")


def test_commands_run_in_a_cli_context(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(
        "carrierdesk.calendars.management.commands.calendar.Command.list_calendars",
        lambda self, options: seen.append(context.current().channel),
    )
    run("list")
    assert seen == ["cli"]
