"""`carrierdesk notify`: deliver, send-test and list, with addresses masked; checks; admin."""

import io
import logging
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from carrierdesk.conftest import sign_in_to_admin
from carrierdesk.core import clock
from carrierdesk.notifications.actions import enqueue
from carrierdesk.notifications.choices import State
from carrierdesk.notifications.models import Notification
from carrierdesk.notifications.tests.conftest import T0, RecordingServer, sla_context

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("notify", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_deliver_prints_a_one_line_summary(agent: User) -> None:
    enqueue(recipients=[agent], template="sla_breach", context=sla_context(), channels=["console"])
    assert run("deliver") == "sent 1, retried 0, failed 0\n"
    assert run("deliver", "--limit", "5") == "sent 0, retried 0, failed 0\n"


def test_send_test_queues_through_the_action_and_delivers_now(
    agent: User, caplog: pytest.LogCaptureFixture
) -> None:
    waiting = enqueue(
        recipients=[agent], template="sla_breach", context=sla_context(), channels=["console"]
    )
    with caplog.at_level(logging.INFO, logger="carrierdesk.notifications"):
        output = run("send-test", "--to", "agent", "--text", "hello")
    [row] = Notification.objects.filter(template="test")
    assert (row.state, row.recipient, row.context) == (State.SENT, agent, {"text": "hello"})
    assert output.splitlines()[-1] == "sent 1, retried 0, failed 0"
    assert f"{row.pk} " in output and " sent  console  test  agent " in output
    [line] = [r.getMessage() for r in caplog.records if r.name == "carrierdesk.notifications"]
    assert line.startswith(f"notification {row.pk} to agent [test]: ")
    assert line.endswith("hello")
    # Only the test message was delivered, not what else was waiting.
    assert Notification.objects.get(pk=waiting[0].pk).state == State.PENDING


def test_send_test_by_sms_shows_the_number_masked(
    agent: User, settings: Any, http_server: RecordingServer
) -> None:
    settings.NOTIFICATION_SMS_URL = f"{http_server.url}/sms"
    output = run("send-test", "--to", "agent", "--channel", "sms")
    assert "138****5678" in output
    assert "13812345678" not in output
    assert http_server.requests[0].json()["to"] == "13812345678"


def test_send_test_refusals(staff: dict[str, User]) -> None:
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        run("send-test", "--to", "nobody")
    with pytest.raises(CommandError, match="no address"):
        run("send-test", "--to", "supervisor", "--channel", "sms")
    with pytest.raises(CommandError, match="error: invalid") as raised:
        run("send-test", "--to", "agent", "--text", "call 13812345678")
    assert raised.value.returncode == 2
    assert not Notification.objects.exists()


def test_list_is_masked_and_filtered(agent: User, settings: Any) -> None:
    settings.NOTIFICATION_SMS_URL = "http://127.0.0.1:9/nothing-listens-here"
    with clock.frozen(T0):
        enqueue(
            recipients=[agent],
            template="sla_breach",
            context=sla_context(),
            channels=["sms", "email"],
            object_type="ticket",
            object_id="TS20251009000001",
        )
    run("deliver")  # email sent (locmem in tests), SMS failed once
    listed = run("list").splitlines()
    assert len(listed) == 2
    assert all("13812345678" not in line and "agent@example.com" not in line for line in listed)
    [pending] = run("list", "--state", "pending").splitlines()
    assert "  sms  sla_breach  agent  138****5678  ticket:TS20251009000001  attempts=1" in pending
    assert "ConnectError" in pending
    [sent] = run("list", "--state", "sent", "--limit", "1").splitlines()
    assert "a***@example.com" in sent


def test_checks_name_bad_notification_settings(settings: Any) -> None:
    settings.NOTIFICATION_CHANNELS = ["console", "pigeon", "sms", "webhook"]
    settings.NOTIFICATION_SMS_URL = ""
    settings.NOTIFICATION_WEBHOOK_URL = "https://hooks.example.com/x"
    settings.NOTIFICATION_WEBHOOK_SECRET = ""
    ids = {
        message.id for message in run_checks() if (message.id or "").startswith("notifications.")
    }
    assert ids == {"notifications.E001", "notifications.W001", "notifications.W003"}


def test_admin_lists_notifications_with_the_address_masked(agent: User) -> None:
    enqueue(recipients=[agent], template="sla_breach", context=sla_context(), channels=["sms"])
    row = Notification.objects.get()
    admin = User.objects.create_superuser("root", password="correct-horse-battery")
    client = Client()
    sign_in_to_admin(client, admin)  # R-SEC-4: the admin asks admins for the second factor
    listing = client.get("/admin/notifications/notification/")
    assert listing.status_code == 200
    detail = client.get(f"/admin/notifications/notification/{row.pk}/change/")
    assert detail.status_code == 200
    for page in (listing, detail):
        text = page.content.decode()
        assert "138****5678" in text
        assert "13812345678" not in text
