"""deliver_due(): claim, send outside the transaction, record; retries, leases, each channel."""

import hashlib
import hmac
import json
import logging
import threading
from datetime import UTC, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection, transaction

from carrierdesk.core import clock
from carrierdesk.notifications import delivery
from carrierdesk.notifications.actions import enqueue
from carrierdesk.notifications.choices import State
from carrierdesk.notifications.delivery import DeliveryReport, claim, deliver_due, retry_delay
from carrierdesk.notifications.models import Notification
from carrierdesk.notifications.senders import ConsoleSender
from carrierdesk.notifications.tests.conftest import T0, RecordingServer, sla_context

pytestmark = pytest.mark.django_db

SECRET = "webhook-test-secret"
MINUTE = timedelta(minutes=1)


def queue(recipient: User | None, channel: str, **kwargs: Any) -> Notification:
    values: dict[str, Any] = {
        "template": "sla_breach",
        "context": sla_context(),
        "object_type": "ticket",
        "object_id": "TS20251009000001",
    }
    values.update(kwargs)
    with clock.frozen(T0):
        [row] = enqueue(recipients=[recipient], channels=[channel], **values)
    return row


def fresh(row: Notification) -> Notification:
    return Notification.objects.get(pk=row.pk)


def console_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "carrierdesk.notifications" and record.levelno == logging.INFO
    ]


def test_retry_delay_doubles_up_to_an_hour() -> None:
    delays = [retry_delay(attempts) for attempts in range(1, 10)]
    assert delays == [MINUTE * m for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)]


# --- channels ---------------------------------------------------------------------------------


def test_console_logs_one_masked_line(agent: User, caplog: pytest.LogCaptureFixture) -> None:
    row = queue(agent, "console")
    with caplog.at_level(logging.INFO, logger="carrierdesk.notifications"):
        report = deliver_due(now=T0)
    assert report == DeliveryReport(sent=1, retried=0, failed=0)
    assert console_lines(caplog) == [
        f"notification {row.pk} to agent [sla_breach]: [TS20251009000001] 投诉: "
        f"{render_subject_zh()} | {render_body_zh()}"
    ]
    stored = fresh(row)
    assert (stored.state, stored.attempts, stored.sent_at, stored.last_error) == (
        State.SENT,
        1,
        T0,
        "",
    )


def render_subject_zh() -> str:
    from carrierdesk.notifications.templates import render

    return render("sla_breach", sla_context(), "zh-hans").subject.split(": ", 1)[1]


def render_body_zh() -> str:
    from carrierdesk.notifications.templates import render

    return " ".join(render("sla_breach", sla_context(), "zh-hans").body.split())


def test_console_masks_phone_numbers_in_subject_body_and_username(
    agent: User, caplog: pytest.LogCaptureFixture
) -> None:
    agent.username = "13900001111"
    row = queue(agent, "console")
    with caplog.at_level(logging.INFO, logger="carrierdesk.notifications"):
        ConsoleSender().send(
            row, "call 13812345678", "customer 13812345678,\nID 11010519491231002X"
        )
    [line] = console_lines(caplog)
    assert line == (
        f"notification {row.pk} to 139****1111 [sla_breach]: call 138****5678 | "
        "customer 138****5678, ID 110105********002X"
    )
    assert "13812345678" not in caplog.text


def test_email_goes_through_the_mail_backend(agent: User, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "carrierdesk@example.com"
    agent.staff_profile.language = "en"
    agent.staff_profile.save(update_fields=["language"])
    row = queue(agent, "email")
    assert deliver_due(now=T0) == DeliveryReport(sent=1)
    [message] = mail.outbox
    assert message.to == ["agent@example.com"]
    assert message.from_email == "carrierdesk@example.com"
    assert message.subject == "[TS20251009000001] Complaint: time limit exceeded"
    assert message.body == (
        'Ticket TS20251009000001 has exceeded its time limit "Complaint". '
        "Deadline: 2025-10-09 14:00 (overdue by 2h 10m)."
    )
    assert fresh(row).state == State.SENT


def test_sms_posts_json_with_the_bearer_token(
    agent: User, settings: Any, http_server: RecordingServer
) -> None:
    settings.NOTIFICATION_SMS_URL = f"{http_server.url}/sms/send"
    settings.NOTIFICATION_SMS_TOKEN = "sms-token-1"
    agent.staff_profile.language = "en"
    agent.staff_profile.save(update_fields=["language"])
    row = queue(agent, "sms")
    assert deliver_due(now=T0) == DeliveryReport(sent=1)
    [request] = http_server.requests
    assert request.path == "/sms/send"
    assert request.headers["authorization"] == "Bearer sms-token-1"
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {
        "to": "13812345678",
        "text": 'Ticket TS20251009000001 has exceeded its time limit "Complaint". '
        "Deadline: 2025-10-09 14:00 (overdue by 2h 10m).",
        "reference": str(row.pk),
    }
    assert fresh(row).state == State.SENT


def test_sms_without_a_token_sends_no_authorization(
    agent: User, settings: Any, http_server: RecordingServer
) -> None:
    settings.NOTIFICATION_SMS_URL = f"{http_server.url}/sms"
    settings.NOTIFICATION_SMS_TOKEN = ""
    queue(agent, "sms")
    assert deliver_due(now=T0) == DeliveryReport(sent=1)
    assert "authorization" not in http_server.requests[0].headers


def test_webhook_is_signed_and_verifiable(
    agent: User, settings: Any, http_server: RecordingServer
) -> None:
    settings.NOTIFICATION_WEBHOOK_URL = f"{http_server.url}/hook?source=carrierdesk"
    settings.NOTIFICATION_WEBHOOK_SECRET = SECRET
    row = queue(agent, "webhook")
    with clock.frozen(T0 + MINUTE):
        assert deliver_due() == DeliveryReport(sent=1)
    [request] = http_server.requests
    assert request.path == "/hook?source=carrierdesk"

    # What a receiver does: recompute the HMAC over "<timestamp>.<raw body>" and compare.
    timestamp = request.headers["x-carrierdesk-timestamp"]
    assert timestamp == str(int((T0 + MINUTE).timestamp()))
    expected = hmac.new(
        SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(request.headers["x-carrierdesk-signature"], f"sha256={expected}")
    wrong = hmac.new(b"another secret", timestamp.encode() + b"." + request.body, hashlib.sha256)
    assert request.headers["x-carrierdesk-signature"] != f"sha256={wrong.hexdigest()}"

    assert request.json() == {
        "id": row.pk,
        "template": "sla_breach",
        "context": sla_context(),
        "recipient": None,
        "object_type": "ticket",
        "object_id": "TS20251009000001",
        "created_at": T0.astimezone(UTC).isoformat(),
    }
    assert fresh(row).state == State.SENT


def test_webhook_without_a_secret_is_not_sent(
    agent: User, settings: Any, http_server: RecordingServer
) -> None:
    settings.NOTIFICATION_WEBHOOK_URL = f"{http_server.url}/hook"
    settings.NOTIFICATION_WEBHOOK_SECRET = ""
    row = queue(agent, "webhook")
    assert deliver_due(now=T0) == DeliveryReport(retried=1)
    assert http_server.requests == []
    assert "NOTIFICATION_WEBHOOK_SECRET" in fresh(row).last_error


# --- retries, leases, idempotence -------------------------------------------------------------


def test_server_error_is_retried_with_backoff_then_failed(
    agent: User, settings: Any, http_server: RecordingServer, caplog: pytest.LogCaptureFixture
) -> None:
    settings.NOTIFICATION_SMS_URL = f"{http_server.url}/sms"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    http_server.status = 500
    # The gateway echoes the number: it must not reach the database or the log unmasked.
    http_server.answer = b'{"error": "cannot deliver to 13812345678"}'
    row = queue(agent, "sms")

    with clock.frozen(T0):
        assert deliver_due() == DeliveryReport(retried=1)
    stored = fresh(row)
    assert (stored.state, stored.attempts, stored.next_attempt_at) == (
        State.PENDING,
        1,
        T0 + MINUTE,
    )
    assert stored.last_error == (
        "DeliveryError: the SMS gateway answered HTTP 500: "
        '{"error": "cannot deliver to 138****5678"}'
    )

    with clock.frozen(T0 + MINUTE - timedelta(seconds=1)):
        assert deliver_due() == DeliveryReport()  # not due yet
    with clock.frozen(T0 + MINUTE):
        assert deliver_due() == DeliveryReport(retried=1)
    stored = fresh(row)
    assert (stored.state, stored.attempts, stored.next_attempt_at) == (
        State.PENDING,
        2,
        T0 + 3 * MINUTE,
    )

    with clock.frozen(T0 + 3 * MINUTE):
        assert deliver_due() == DeliveryReport(failed=1)
    stored = fresh(row)
    assert (stored.state, stored.attempts, stored.sent_at) == (State.FAILED, 3, None)
    assert len(http_server.requests) == 3

    with clock.frozen(T0 + timedelta(days=1)):
        assert deliver_due() == DeliveryReport()
    assert len(http_server.requests) == 3
    assert "13812345678" not in caplog.text


def test_an_unreachable_gateway_is_a_failed_attempt(agent: User, settings: Any) -> None:
    settings.NOTIFICATION_SMS_URL = "http://127.0.0.1:9/nothing-listens-here"
    row = queue(agent, "sms")
    assert deliver_due(now=T0) == DeliveryReport(retried=1)
    assert fresh(row).last_error.startswith("ConnectError")


def test_a_row_whose_lease_ended_is_claimed_again(
    agent: User, caplog: pytest.LogCaptureFixture
) -> None:
    row = queue(agent, "console")
    # A worker claims the row and dies before sending it.
    rows, lease_until, given_up = claim(limit=10, now=T0)
    assert ([r.pk for r in rows], lease_until, given_up) == ([row.pk], T0 + delivery.LEASE, 0)
    stored = fresh(row)
    assert (stored.state, stored.attempts) == (State.SENDING, 1)

    with caplog.at_level(logging.INFO, logger="carrierdesk.notifications"):
        assert deliver_due(now=T0 + delivery.LEASE - timedelta(seconds=1)) == DeliveryReport()
        assert deliver_due(now=T0 + delivery.LEASE) == DeliveryReport(sent=1)
    stored = fresh(row)
    assert (stored.state, stored.attempts, stored.sent_at) == (
        State.SENT,
        2,
        T0 + delivery.LEASE,
    )
    assert len(console_lines(caplog)) == 1


def test_a_lease_that_ended_after_the_last_attempt_fails_the_row(
    agent: User, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    row = queue(agent, "console")
    claim(limit=10, now=T0)
    with caplog.at_level(logging.INFO, logger="carrierdesk.notifications"):
        assert deliver_due(now=T0 + delivery.LEASE) == DeliveryReport(failed=1)
    stored = fresh(row)
    assert (stored.state, stored.last_error) == (State.FAILED, delivery.INTERRUPTED)
    assert console_lines(caplog) == []


def test_running_twice_sends_once(agent: User, caplog: pytest.LogCaptureFixture) -> None:
    queue(agent, "console")
    with caplog.at_level(logging.INFO, logger="carrierdesk.notifications"):
        assert deliver_due(now=T0) == DeliveryReport(sent=1)
        assert deliver_due(now=T0) == DeliveryReport()
        assert deliver_due(now=T0 + timedelta(days=1)) == DeliveryReport()
    assert len(console_lines(caplog)) == 1


def test_not_before_holds_a_message_back_until_its_time(agent: User) -> None:
    row = queue(agent, "console", not_before=T0 + timedelta(hours=2))
    assert deliver_due(now=T0) == DeliveryReport()
    assert deliver_due(now=T0 + timedelta(hours=2) - timedelta(seconds=1)) == DeliveryReport()
    assert fresh(row).state == State.PENDING
    assert deliver_due(now=T0 + timedelta(hours=2)) == DeliveryReport(sent=1)
    assert fresh(row).sent_at == T0 + timedelta(hours=2)


def test_limit_bounds_a_pass_oldest_first(agent: User, staff: dict[str, User]) -> None:
    first = queue(agent, "console")
    second = queue(staff["supervisor"], "console", not_before=T0 + MINUTE)
    third = queue(staff["dispatcher"], "console")
    assert deliver_due(limit=2, now=T0 + MINUTE) == DeliveryReport(sent=2)
    assert [fresh(row).state for row in (first, second, third)] == [
        State.SENT,
        State.PENDING,
        State.SENT,
    ]
    assert deliver_due(limit=2, now=T0 + MINUTE) == DeliveryReport(sent=1)


def test_ids_restrict_a_pass(agent: User, staff: dict[str, User]) -> None:
    first = queue(agent, "console")
    second = queue(staff["supervisor"], "console")
    assert deliver_due(now=T0, ids=[second.pk]) == DeliveryReport(sent=1)
    assert (fresh(first).state, fresh(second).state) == (State.PENDING, State.SENT)


def test_a_template_that_no_longer_renders_fails_at_once(agent: User) -> None:
    row = queue(agent, "console")
    Notification.objects.filter(pk=row.pk).update(template="removed_template")
    assert deliver_due(now=T0) == DeliveryReport(failed=1)
    stored = fresh(row)
    assert (stored.state, stored.attempts) == (State.FAILED, 1)
    assert stored.last_error == "unknown template 'removed_template'"


def test_rows_not_tried_before_the_lease_runs_short_are_handed_back(
    agent: User, staff: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [queue(agent, "console"), queue(staff["supervisor"], "console")]
    # No time left in the lease from the start: nothing is sent, everything is handed back.
    monkeypatch.setattr(delivery, "LEASE_MARGIN", delivery.LEASE + MINUTE)
    assert deliver_due(now=T0 + MINUTE) == DeliveryReport()
    for row in rows:
        stored = fresh(row)
        assert (stored.state, stored.attempts, stored.next_attempt_at) == (
            State.PENDING,
            0,
            T0 + MINUTE,
        )


def test_delivery_refuses_to_run_inside_a_transaction(agent: User) -> None:
    queue(agent, "console")
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        deliver_due(now=T0)
    assert fresh(Notification.objects.get()).state == State.PENDING


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_send_each_message_once(
    agent: User, settings: Any, http_server: RecordingServer
) -> None:
    settings.NOTIFICATION_WEBHOOK_URL = f"{http_server.url}/hook"
    settings.NOTIFICATION_WEBHOOK_SECRET = SECRET
    with clock.frozen(T0):
        for number in range(30):
            enqueue(
                recipients=[],
                template="test",
                context={"text": f"message {number}"},
                channels=["webhook"],
            )
    barrier = threading.Barrier(3)
    reports: list[DeliveryReport] = []

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                reports.append(deliver_due(limit=4, now=T0))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    ids = sorted(json.loads(request.body)["id"] for request in http_server.requests)
    assert ids == sorted(Notification.objects.values_list("pk", flat=True))
    assert sum(report.sent for report in reports) == 30
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}
