"""The demo command: idempotent, one user per role, consistent timelines, JSON output."""

import base64
import json
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone
from django_otp.oath import totp  # type: ignore[import-untyped]  # no type hints
from rest_framework.test import APIClient

from carrierdesk.accounts import otp
from carrierdesk.accounts.choices import STAFF_ROLES
from carrierdesk.accounts.roles import roles_of
from carrierdesk.audit.models import AuditEntry
from carrierdesk.core import identity
from carrierdesk.customers.models import Customer
from carrierdesk.tickets import workflow
from carrierdesk.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def run_demo(tickets: int) -> dict[str, object]:
    out = StringIO()
    call_command(
        "demo", "--tickets", str(tickets), "--seed", "3", "--json", stdout=out, stderr=StringIO()
    )
    return dict(json.loads(out.getvalue()))


def test_demo_is_idempotent_and_prints_working_credentials() -> None:
    first = run_demo(60)
    counts = (
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        Customer.objects.count(),
        AuditEntry.objects.count(),
    )
    assert first["tickets_created"] == 60
    second = run_demo(60)
    assert second["tickets_created"] == 0
    assert (
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        Customer.objects.count(),
    ) == counts[:3]
    assert second["users"] == first["users"]
    users = first["users"]
    assert isinstance(users, list)
    assert sorted(u["role"] for u in users) == sorted(STAFF_ROLES)
    for entry in users:
        request = RequestFactory().post("/admin/login/")  # the lockout backend needs one
        user = authenticate(request, username=entry["username"], password=entry["password"])
        assert user is not None, entry["username"]
        assert roles_of(user) == {entry["role"]}


def test_demo_timelines_are_consistent() -> None:
    run_demo(80)
    now = timezone.now()
    tickets = Ticket.objects.prefetch_related("events")
    kinds = set()
    statuses = set()
    for ticket in tickets:
        kinds.add(ticket.kind)
        statuses.add(ticket.status)
        events = list(ticket.events.all())
        assert events[0].action == "register"
        assert ticket.received_at <= ticket.registered_at == events[0].created_at
        status = ""
        for previous, event in zip([None, *events], events, strict=False):
            assert event.from_status == status, (ticket.number, event.action)
            if event.action in workflow.TRANSITION_ACTIONS:
                assert workflow.target_status(ticket.kind, status, event.action) == event.to_status
            elif event.action != "register":  # notes, updates, time-limit alerts
                assert event.to_status == status
            if previous is not None:
                assert previous.created_at <= event.created_at
            assert event.created_at <= now
            status = event.to_status
        assert status == ticket.status
        assert ticket.first_owner == events[0].actor
        # Demo personal data are well-formed (fictitious).
        if ticket.customer.id_type == "resident_id":
            identity.normalise_resident_id(ticket.customer.id_number)
        identity.normalise_mobile(ticket.customer.mobile)
    assert len(kinds) >= 5
    assert "closed" in statuses and len(statuses) >= 4


def test_demo_refuses_negative_counts() -> None:
    with pytest.raises(SystemExit):
        call_command("demo", "--tickets", "-1", stdout=StringIO(), stderr=StringIO())


def test_r_sec_4_privileged_demo_users_get_an_authenticator_secret() -> None:
    listed = run_demo(0)["users"]
    assert isinstance(listed, list)
    users = {u["username"]: u for u in listed}
    assert {name for name, u in users.items() if u["otp_secret"]} == {
        "supervisor",
        "auditor",
        "admin",
    }
    admin = users["admin"]
    assert (
        admin["otp_url"].startswith("otpauth://totp/") and admin["otp_secret"] in admin["otp_url"]
    )
    code = f"{totp(base64.b32decode(admin['otp_secret'])):06d}"
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "admin", "password": admin["password"], "otp": code},
        format="json",
    )
    assert response.status_code == 200
    # A rerun keeps the authenticator (now confirmed), and the text output shows the secrets.
    out = StringIO()
    call_command("demo", "--tickets", "0", "--seed", "3", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert all(users[name]["otp_secret"] in text for name in ("supervisor", "auditor", "admin"))
    assert run_demo(0)["users"] == list(users.values())
    assert otp.status_of(User.objects.get(username="admin")).authenticator == "confirmed"
