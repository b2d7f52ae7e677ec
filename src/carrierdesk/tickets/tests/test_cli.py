"""The `ticket` and `serve` management commands."""

import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from carrierdesk.audit.models import AuditEntry
from carrierdesk.conftest import VALID_MOBILE
from carrierdesk.core import gunicorn_hooks
from carrierdesk.core.gunicorn_hooks import INTERVAL_VARIABLE
from carrierdesk.core.management.commands import serve
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.tickets.choices import Kind, Status, Urgency
from carrierdesk.tickets.management.commands import ticket as ticket_command
from carrierdesk.tickets.management.commands.ticket import Command as TicketCommand
from carrierdesk.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    """Run `carrierdesk ticket ARGS` and return what it printed."""
    out = io.StringIO()
    call_command("ticket", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_json(*args: str) -> Any:
    return json.loads(run(*args, "--json"))


def state() -> tuple[int, int, int]:
    return Ticket.objects.count(), TicketEvent.objects.count(), AuditEntry.objects.count()


def create_args(customer: Customer, *extra: str) -> list[str]:
    return [
        "create",
        "--as",
        "agent",
        "--kind",
        "complaint",
        "--channel",
        "hotline",
        "--category",
        "billing",
        "--customer",
        customer.number,
        "--title",
        "话费多扣",
        "--description",
        "用户反映本月套餐外多扣费58元。",
        *extra,
    ]


def test_create_list_show_and_act_through_the_lifecycle(
    staff: Any, customer: Customer, subscription: Subscription
) -> None:
    created = run_json(
        *create_args(
            customer,
            "--urgency",
            "serious",
            "--subscription",
            subscription.service_number,
            "--received-at",
            "2024-03-05T09:00:00+08:00",
            "--contact-phone",
            VALID_MOBILE,
        )
    )
    number = created["number"]
    assert number.startswith("TS")
    assert created["status"] == "new"
    assert created["first_owner"] == "agent"
    assert created["subscription"] == subscription.pk
    assert created["subscription_number"] == "138****5678"  # a phone number: masked (R-SEC-2)
    assert created["received_at"] == "2024-03-05T09:00:00+08:00"
    assert created["allowed_actions"] == ["accept", "cancel"]
    # Personal data leave masked, as from the API.
    assert created["contact_phone"] == "138****5678"
    assert created["customer_name"] == "张*"

    listed = run_json("list", "--as", "auditor", "--status", "new", "--kind", "complaint")
    assert listed["count"] == 1
    assert [item["number"] for item in listed["results"]] == [number]
    assert run_json("list", "--as", "auditor", "--status", "closed")["count"] == 0
    table = run("list", "--as", "auditor")
    _header, row = table.splitlines()
    labels = [str(Kind.COMPLAINT.label), str(Status.NEW.label), str(Urgency.SERIOUS.label)]
    assert row.split()[:4] == [number, *labels]  # the table shows labels, JSON the codes
    assert "2024-03-05 09:00" in row
    assert row.endswith("话费多扣")

    steps = [
        ("agent", "accept", []),
        ("dispatcher", "assign", ["--assignee", "technician", "--note", "请尽快处理"]),
        ("technician", "start", []),
        ("technician", "resolve", ["--resolution", "核实后退还58元"]),
        ("agent", "close", ["--version", "5"]),
    ]
    for role, action, extra in steps:
        result = run_json("act", number, action, "--as", role, *extra)
    assert result["status"] == "closed"
    assert result["assignee"] == "technician"
    assert result["resolution"] == "核实后退还58元"
    assert result["version"] == 6

    shown = run_json("show", number, "--as", "auditor")
    assert shown["status"] == "closed"
    assert [event["action"] for event in shown["events"]] == [
        "register",
        "accept",
        "assign",
        "start",
        "resolve",
        "survey_sent",  # the customer's survey link (R-RV-3)
        "close",
    ]
    assert shown["events"][2]["note"] == "请尽快处理"
    assert shown["events"][2]["actor"] == "dispatcher"
    text = run("show", number, "--as", "auditor")
    assert number in text
    assert "138****5678" in text  # the contact phone, masked
    assert "张伟" not in text

    # The audit trail records that every change came from the command line.
    entries = AuditEntry.objects.filter(object_type="ticket", object_id=number)
    assert entries.count() == 7  # six commands; resolving also sent the survey link (R-RV-3)
    assert set(entries.values_list("channel", flat=True)) == {"cli"}
    assert len(set(entries.values_list("request_id", flat=True))) == 6


def test_add_note(staff: Any, make_ticket: Callable[..., Ticket]) -> None:
    ticket = make_ticket()
    event = run_json("act", ticket.number, "add_note", "--as", "supervisor", "--note", "已复核")
    assert event["action"] == "note"
    assert event["note"] == "已复核"
    ticket.refresh_from_db()
    assert ticket.status == "new"
    assert ticket.version == 2


def test_illegal_action_writes_nothing(staff: Any, make_ticket: Callable[..., Ticket]) -> None:
    ticket = make_ticket()
    before = state()
    with pytest.raises(CommandError) as caught:
        run("act", ticket.number, "close", "--as", "agent")
    assert caught.value.returncode == 2
    message = str(caught.value)
    assert message.startswith("error: illegal_transition: ")
    assert "allowed_actions: accept, cancel" in message
    ticket.refresh_from_db()
    assert ticket.status == "new"
    assert ticket.version == 1
    assert ticket.events.count() == 1
    assert state() == before


def test_refusal_from_the_shell_prints_the_code_and_exits_2(
    staff: Any,
    make_ticket: Callable[..., Ticket],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # run_from_argv closes the connections when done: keep the test's transaction open.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    ticket = make_ticket()
    before = state()
    with pytest.raises(SystemExit) as caught:
        TicketCommand().run_from_argv(
            ["carrierdesk", "ticket", "act", ticket.number, "reject", "--as", "agent"]
        )
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: invalid: ")
    assert "  reason: " in err
    assert "CommandError" not in err
    assert state() == before


def test_invalid_input_names_the_fields(staff: Any, customer: Customer) -> None:
    before = state()
    with pytest.raises(CommandError) as caught:
        run(*create_args(customer, "--received-at", "yesterday", "--subscription", "19900000000"))
    message = str(caught.value)
    assert message.startswith("error: invalid: ")
    assert "  received_at: " in message
    assert "  subscription: " in message
    with pytest.raises(CommandError) as caught:
        run(*create_args(customer, "--urgency", "urgent"))  # a fault class, not a severity
    assert "  urgency: " in str(caught.value)
    assert state() == before


def test_option_the_action_does_not_take_is_refused(
    staff: Any, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket()
    with pytest.raises(CommandError) as caught:
        run("act", ticket.number, "accept", "--as", "agent", "--reason", "x")
    assert "  reason: " in str(caught.value)
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_stale_version_is_a_conflict(staff: Any, make_ticket: Callable[..., Ticket]) -> None:
    ticket = make_ticket()
    with pytest.raises(CommandError) as caught:
        run("act", ticket.number, "accept", "--as", "agent", "--version", "7")
    assert str(caught.value).startswith("error: conflict: ")
    assert "current_version: 1" in str(caught.value)


def test_unknown_acting_user_is_refused(staff: Any, make_ticket: Callable[..., Ticket]) -> None:
    ticket = make_ticket()
    before = state()
    for args in (
        ["list", "--as", "nobody"],
        ["show", ticket.number, "--as", "nobody"],
        ["act", ticket.number, "accept", "--as", "nobody"],
    ):
        with pytest.raises(CommandError) as caught:
            run(*args)
        assert caught.value.returncode == 2
        assert str(caught.value).startswith("error: invalid: ")
        assert "  as: " in str(caught.value)
    assert state() == before


def test_as_is_required(staff: Any) -> None:
    with pytest.raises(CommandError, match="--as"):
        run("list")


def test_unknown_ticket_is_not_found(staff: Any) -> None:
    with pytest.raises(CommandError) as caught:
        run("show", "TS20260101000001", "--as", "agent")
    assert str(caught.value).startswith("error: not_found: ")


def test_role_without_the_right_is_refused(staff: Any, make_ticket: Callable[..., Ticket]) -> None:
    ticket = make_ticket()
    with pytest.raises(CommandError) as caught:
        run("act", ticket.number, "accept", "--as", "auditor")
    assert str(caught.value).startswith("error: permission_denied: ")


# --- serve ------------------------------------------------------------------------------------


def test_gunicorn_argv() -> None:
    assert serve.gunicorn_argv("127.0.0.1", 8765, 3) == [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        "127.0.0.1:8765",
        "--workers",
        "3",
        "--access-logfile",
        "-",
        "--access-logformat",
        serve.ACCESS_LOG_FORMAT,
        "--timeout",
        "60",
        "--control-socket",
        str(settings.VAR_DIR / "gunicorn.ctl"),
        "--config",
        "python:carrierdesk.core.gunicorn_hooks",
        "carrierdesk.config.wsgi:application",
    ]
    assert serve.bind_address("::1", 8000) == "[::1]:8000"


def test_serve_replaces_itself_with_gunicorn(
    monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    settings.STATIC_ROOT = tmp_path / "static"
    calls: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(serve.os, "execvp", lambda file, argv: calls.append((file, argv)))
    monkeypatch.setattr(serve.connections, "close_all", lambda: None)
    out = io.StringIO()
    call_command("serve", "--no-migrate", "--port", "8123", "--workers", "4", stdout=out)
    assert calls == [(sys.executable, serve.gunicorn_argv("127.0.0.1", 8123, 4))]
    assert "http://127.0.0.1:8123/api/docs/" in out.getvalue()
    assert "http://127.0.0.1:8123/admin/" in out.getvalue()
    assert settings.STATIC_ROOT.is_dir()
    assert os.environ[INTERVAL_VARIABLE] == "30"  # R-SLA-3: the sweeper runs beside it


def test_the_server_starts_and_stops_the_sweeper(monkeypatch: pytest.MonkeyPatch) -> None:
    assert gunicorn_hooks.sweeper_argv(30)[-4:] == ["sweep", "--loop", "--interval", "30"]
    monkeypatch.setattr(gunicorn_hooks, "sweeper_argv", lambda interval: ["sleep", "60"])
    monkeypatch.setenv(INTERVAL_VARIABLE, "30")
    server = SimpleNamespace(log=SimpleNamespace(info=lambda *args: None))
    gunicorn_hooks.when_ready(server)
    process = gunicorn_hooks._sweeper["process"]
    assert process.poll() is None
    gunicorn_hooks.on_exit(server)
    assert process.wait(timeout=5) is not None
    monkeypatch.setenv(INTERVAL_VARIABLE, "0")
    gunicorn_hooks.when_ready(server)
    assert "process" not in gunicorn_hooks._sweeper


def test_serve_refuses_a_bad_port() -> None:
    with pytest.raises(CommandError):
        call_command("serve", "--no-migrate", "--port", "0", stdout=io.StringIO())


def test_remaining_time_is_shown_as_days_hours_minutes() -> None:
    with translation.override("en"):
        assert ticket_command.duration(-(86400 + 3600 + 60)) == "-1d 1h 1m"
        assert ticket_command.duration(130 * 60) == "2h 10m"
