"""`carrierdesk sla`: load, deadline, sweep, rebuild (issue 3 §7)."""

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from carrierdesk.config.paths import default_policy_pack
from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.sla.models import Alert, Clock, PolicyVersion
from carrierdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("sla", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_load_stores_a_version_and_refuses_a_bad_file_by_line(tmp_path: Path) -> None:
    assert "as version 1, effective from 2025-01-01 (38 targets)" in run(
        "load", str(default_policy_pack())
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        default_policy_pack()
        .read_text(encoding="utf-8")
        .replace("limit: 15 minutes", "limit: -15 minutes", 1),
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        run("load", str(bad))
    assert "greater than zero" in str(caught.value) and "line " in str(caught.value)
    assert PolicyVersion.objects.count() == 1
    with pytest.raises(CommandError):
        run("load", str(tmp_path / "missing.yaml"))


@pytest.mark.parametrize(
    ("calendar", "start", "limit", "expected"),
    [
        # 调休: Saturday 11 Oct 2025 is worked, National Day 1-8 Oct is not.
        ("cn", "2025-09-30T10:00+08:00", ("--working-days", "5"), "2025-10-15T00:00:00+08:00"),
        (
            "cn-business",
            "2025-09-30T10:00+08:00",
            ("--working-days", "5"),
            "2025-10-14T17:30:00+08:00",
        ),
        # Midday break: 11:00 + 2 working hours = 14:30 on business hours.
        (
            "cn-business",
            "2025-11-03T11:00+08:00",
            ("--working-hours", "2"),
            "2025-11-03T14:30:00+08:00",
        ),
        # Friday evening + 1 working hour: Monday 09:30.
        (
            "cn-business",
            "2025-11-07T17:00+08:00",
            ("--working-hours", "1"),
            "2025-11-10T09:00:00+08:00",
        ),
        # Plain hours ignore calendars.
        ("cn", "2025-09-30T22:00+08:00", ("--hours", "4"), "2025-10-01T02:00:00+08:00"),
        # Year end: 31 Dec 2025 + 2 working days; 1-3 Jan 2026 off, Sunday 4 Jan worked.
        ("cn", "2025-12-31T09:00+08:00", ("--working-days", "2"), "2026-01-06T00:00:00+08:00"),
    ],
)
def test_deadline(calendar: str, start: str, limit: tuple[str, str], expected: str) -> None:
    assert run("deadline", "--calendar", calendar, "--start", start, *limit).strip() == expected


def test_deadline_flags_an_uncovered_year_and_answers_json() -> None:
    out = run(
        "deadline",
        "--calendar",
        "cn",
        "--start",
        "2026-12-30T10:00+08:00",
        "--working-days",
        "3",
        "--json",
    )
    answer = json.loads(out)
    assert answer["calendar_uncovered"] is True
    assert answer["deadline"] == "2027-01-05T00:00:00+08:00"  # 31 Dec, then 1 and 4 Jan (weekdays)
    text = run(
        "deadline", "--calendar", "cn", "--start", "2026-12-30T10:00+08:00", "--working-days", "3"
    )
    assert "calendar_uncovered" in text


@pytest.mark.parametrize(
    "args",
    [
        ("--start", "2025-09-30T10:00+08:00"),  # no limit
        ("--start", "2025-09-30T10:00+08:00", "--hours", "1", "--working-days", "2"),  # two
        ("--start", "2025-09-30T10:00", "--hours", "1"),  # no offset
        ("--start", "yesterday", "--hours", "1"),
    ],
)
def test_deadline_refuses_bad_questions(args: tuple[str, ...]) -> None:
    with pytest.raises((CommandError, SystemExit)):
        run("deadline", "--calendar", "cn", *args)


def test_sweep_and_rebuild_from_the_command_line(
    policy: PolicyVersion, make_ticket: Callable[..., Ticket], staff: dict[str, User]
) -> None:
    with clock.frozen(at("2025-09-30 10:05")):
        ticket = make_ticket(received_at=at("2025-09-30 10:00"), urgency="general")
    with clock.frozen(at("2025-10-20 10:00")):
        out = run("sweep", "--no-deliver")
        assert "alerts on" in out
        assert Alert.objects.filter(ticket=ticket).count() > 0
        assert run("sweep", "--no-deliver", "--json").count('"alerts": 0') == 1
        Clock.objects.filter(ticket=ticket, name="resolution").update(
            deadline=at("2030-01-01 00:00")
        )
        assert "1 changed" in run("rebuild", "--ticket", ticket.number)
        assert "0 changed" in run("rebuild")
    with pytest.raises(CommandError):
        run("rebuild", "--ticket", "TS19990101000001")
