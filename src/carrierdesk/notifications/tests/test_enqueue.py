"""enqueue(): one row per recipient and channel, refused as a whole when the call is wrong."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from carrierdesk.core import clock
from carrierdesk.core.errors import InvalidInput
from carrierdesk.notifications.actions import enqueue
from carrierdesk.notifications.choices import State
from carrierdesk.notifications.models import Notification
from carrierdesk.notifications.tests.conftest import T0, sla_context

pytestmark = pytest.mark.django_db


def breach(**kwargs: Any) -> list[Notification]:
    values: dict[str, Any] = {
        "template": "sla_breach",
        "context": sla_context(),
        "object_type": "ticket",
        "object_id": "TS20251009000001",
    }
    values.update(kwargs)
    return enqueue(**values)


def test_one_row_per_recipient_and_channel(agent: User, staff: dict[str, User]) -> None:
    supervisor = staff["supervisor"]
    supervisor.staff_profile.language = "en"
    supervisor.staff_profile.save(update_fields=["language"])
    with clock.frozen(T0):
        rows = breach(recipients=[agent, supervisor], channels=["console", "email", "sms"])

    # The supervisor has no email address and no mobile number: console only.
    got = {(row.recipient.username if row.recipient else None, row.channel) for row in rows}
    assert got == {
        ("agent", "console"),
        ("agent", "email"),
        ("agent", "sms"),
        ("supervisor", "console"),
    }
    assert Notification.objects.count() == 4
    stored = {(row.recipient_id, row.channel): row for row in Notification.objects.all()}
    sms = stored[(agent.pk, "sms")]
    assert sms.address == "13812345678"
    assert sms.masked_address == "138****5678"
    assert stored[(agent.pk, "email")].address == "agent@example.com"
    assert stored[(agent.pk, "email")].masked_address == "a***@example.com"
    assert stored[(agent.pk, "console")].address == ""
    assert stored[(agent.pk, "console")].language == "zh-hans"
    assert stored[(supervisor.pk, "console")].language == "en"
    for row in stored.values():
        assert row.state == State.PENDING
        assert row.attempts == 0
        assert row.created_at == T0
        assert row.next_attempt_at == T0
        assert row.not_before is None
        assert row.dedupe_key is None
        assert row.template == "sla_breach"
        assert row.context == sla_context()
        assert (row.object_type, row.object_id) == ("ticket", "TS20251009000001")


def test_channels_default_to_the_setting(agent: User, settings: Any) -> None:
    assert breach(recipients=[agent])[0].channel == "console"
    settings.NOTIFICATION_CHANNELS = ["email"]
    assert [row.channel for row in breach(recipients=[agent])] == ["email"]


def test_a_user_without_a_staff_profile_gets_no_sms(staff: dict[str, User]) -> None:
    rows = breach(recipients=[staff["customer"]], channels=["console", "sms"])
    assert [(row.channel, row.language) for row in rows] == [("console", "zh-hans")]


def test_webhook_is_one_row_per_call_and_only_when_configured(
    agent: User, staff: dict[str, User], settings: Any
) -> None:
    settings.NOTIFICATION_WEBHOOK_URL = ""
    assert breach(recipients=[agent], channels=["webhook"]) == []

    settings.NOTIFICATION_WEBHOOK_URL = "https://hooks.example.com/carrierdesk?token=abc"
    rows = breach(recipients=[agent, staff["supervisor"]], channels=["webhook", "console"])
    webhooks = [row for row in rows if row.channel == "webhook"]
    assert len(webhooks) == 1
    assert webhooks[0].recipient is None
    assert webhooks[0].address == "https://hooks.example.com/carrierdesk?token=abc"
    assert webhooks[0].masked_address == "https://hooks.example.com/…"
    assert webhooks[0].language == "zh-hans"
    assert len(rows) == 3


def test_not_before_holds_the_row_back(agent: User) -> None:
    with clock.frozen(T0):
        [row] = breach(recipients=[agent], not_before=T0 + timedelta(hours=9))
    assert row.not_before == T0 + timedelta(hours=9)
    assert row.next_attempt_at == T0 + timedelta(hours=9)


def test_dedupe_key_queues_once(agent: User, staff: dict[str, User]) -> None:
    first = breach(recipients=[agent], channels=["console", "sms"], dedupe_key="sla:7:100")
    assert [row.dedupe_key for row in first] == [
        f"sla:7:100:{agent.pk}:console",
        f"sla:7:100:{agent.pk}:sms",
    ]
    assert all(row.pk for row in first)

    again = breach(recipients=[agent], channels=["console", "sms"], dedupe_key="sla:7:100")
    assert again == []
    # A new recipient under the same key is new; the agent's rows are not repeated.
    more = breach(
        recipients=[agent, staff["supervisor"]], channels=["console"], dedupe_key="sla:7:100"
    )
    assert [row.recipient for row in more] == [staff["supervisor"]]
    assert Notification.objects.count() == 3


def test_rows_roll_back_with_the_callers_transaction(agent: User) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        breach(recipients=[agent])
        raise RuntimeError("the caller's change failed")
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"template": "no_such_template"}, "template"),
        ({"context": sla_context(deadline=None)}, "context"),
        ({"context": {k: v for k, v in sla_context().items() if k != "ticket"}}, "context"),
        ({"context": sla_context(deadline="next Tuesday")}, "context"),
        ({"context": sla_context(extra={"when": T0})}, "context"),
        ({"context": sla_context(note="call back on 13812345678")}, "context"),
        ({"context": sla_context(notes=["ID 11010519491231002X"])}, "context"),
        ({"channels": ["console", "pigeon"]}, "channels"),
        ({"not_before": T0.replace(tzinfo=None)}, "not_before"),
        ({"object_id": "x" * 65}, "object_id"),
        ({"dedupe_key": ""}, "dedupe_key"),
    ],
)
def test_a_wrong_call_is_refused_and_writes_nothing(
    agent: User, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        breach(recipients=[agent], channels=kwargs.pop("channels", ["console", "sms"]), **kwargs)
    assert raised.value.code == "invalid"
    assert field in raised.value.fields
    assert not Notification.objects.exists()


def test_a_wrong_call_is_refused_even_when_nobody_would_get_it(staff: dict[str, User]) -> None:
    with pytest.raises(InvalidInput):
        breach(recipients=[], template="sla_breach", context={"ticket": "TS20251009000001"})
    assert not Notification.objects.exists()


def test_missing_key_is_named(agent: User) -> None:
    context = sla_context()
    del context["overdue_minutes"]
    with pytest.raises(InvalidInput) as raised:
        breach(recipients=[agent], context=context)
    assert raised.value.fields == {"context": ["missing key 'overdue_minutes'"]}


def test_enqueue_costs_a_fixed_number_of_queries(
    agent: User, staff: dict[str, User], django_assert_num_queries: Any
) -> None:
    # Recipients loaded with their profiles: no query per recipient.
    names = ["agent", "supervisor", "dispatcher"]
    people = list(User.objects.select_related("staff_profile").filter(username__in=names))
    with django_assert_num_queries(1):  # one INSERT
        assert len(breach(recipients=people, channels=["console", "sms"])) == 4
    with django_assert_num_queries(3):  # existing keys, INSERT … ON CONFLICT, the rows added
        assert len(breach(recipients=people, channels=["console", "sms"], dedupe_key="k")) == 4
