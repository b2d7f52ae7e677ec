"""The `incident` management command: list, show, report, advance (R-SEC-6)."""

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from carrierdesk.audit.models import AuditEntry
from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.customers.models import Customer
from carrierdesk.incidents import actions
from carrierdesk.incidents.models import SecurityIncident
from carrierdesk.incidents.tests.conftest import state


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Command output is asserted in English (the Chinese catalogue is checked by test_i18n)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("incident", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_json(*args: str) -> Any:
    return json.loads(run(*args, "--json"))


def test_report_list_show_and_advance(staff: dict[str, User], customer: Customer) -> None:
    with clock.frozen(at("2026-11-23 10:15")):
        shown = run_json(
            "report",
            "--as",
            "agent",
            "--title",
            "账号异常登录",
            "--description",
            "凌晨多次异地登录",
            "--level",
            "larger",
            "--discovered-at",
            "2026-11-23T02:00:00+08:00",
            "--affected",
            "12",
            "--personal-data",
        )
    number = shown["number"]
    assert number == "AQ20261123000001"
    assert (shown["response_level"], shown["personal_data_involved"]) == (2, True)
    entry = AuditEntry.objects.get(event_type="incident.report", object_id=number)
    assert entry.channel == "cli"
    actions.link_customers(staff["admin"], number, [customer.number])
    listing = run("list", "--as", "supervisor", "--open")
    assert number in listing and "账号异常登录" in listing
    assert run_json("list", "--as", "supervisor", "--closed")["count"] == 0
    assert number not in run("list", "--as", "dispatcher")  # not theirs
    text = run("show", number, "--as", "auditor")
    assert "张*" in text and customer.name not in text  # R-SEC-2
    assert "report" in text
    out = run("advance", number, "--as", "supervisor", "--to", "report", "--note", "已上报主管")
    assert out.strip() == f"{number}: report (version 3)"
    assert SecurityIncident.objects.get(number=number).handler == staff["supervisor"]


def test_refusals_exit_2_and_write_nothing(staff: dict[str, User]) -> None:
    number = actions.report_incident(
        staff["agent"], title="t", description="d", level="general"
    ).number
    before = state()
    for args in [
        ("advance", number, "--as", "supervisor", "--to", "analysis", "--note", "n"),
        ("advance", number, "--as", "agent", "--to", "report", "--note", "n"),
        ("advance", number, "--as", "supervisor", "--to", "report"),
        ("report", "--as", "auditor", "--title", "t", "--description", "d", "--level", "general"),
        ("report", "--as", "agent", "--title", "t", "--description", "d", "--level", "bad"),
        ("show", number, "--as", "dispatcher"),
        ("list", "--as", "nobody"),
    ]:
        with pytest.raises(CommandError) as refused:
            run(*args)
        assert refused.value.returncode == 2, args
        assert str(refused.value).startswith("error: "), args
    assert state() == before
    with pytest.raises(CommandError) as refused:
        run("advance", number, "--as", "supervisor", "--to", "analysis", "--note", "n")
    assert "next_stage: report" in str(refused.value)
