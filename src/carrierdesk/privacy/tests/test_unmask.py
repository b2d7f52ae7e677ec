"""Unmasking with a reason, the access log, and the too-many-unmaskings alert (R-SEC-2, -3)."""

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from carrierdesk.audit.models import AuditEntry
from carrierdesk.conftest import VALID_ID, VALID_MOBILE
from carrierdesk.customers.models import Customer
from carrierdesk.notifications.models import Notification
from carrierdesk.privacy.models import PersonalDataAccess

pytestmark = pytest.mark.django_db
Api = Callable[[str], APIClient]
REASON = "用户来电要求回拨，核对号码"


def unmask(api: Api, role: str, number: str, **body: Any) -> Any:
    return api(role).post(
        f"/api/v1/customers/{number}/unmask/",
        {"reason": REASON, **body},
        format="json",
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_REQUEST_ID="req-unmask-1",
    )


def test_the_customer_is_masked_until_unmasked_with_a_reason(api: Api, customer: Customer) -> None:
    shown = api("agent").get(f"/api/v1/customers/{customer.number}/").json()
    assert VALID_MOBILE not in str(shown) and VALID_ID not in str(shown)
    response = unmask(api, "supervisor", customer.number, show=["mobile", "id_number"])
    assert response.status_code == 200
    assert response.json() == {
        "customer": customer.number,
        "values": {"mobile": VALID_MOBILE, "id_number": VALID_ID},
    }
    row = PersonalDataAccess.objects.get()
    assert (row.user.username, row.object_id, row.fields, row.reason) == (
        "supervisor",
        customer.number,
        ["mobile", "id_number"],
        REASON,
    )
    assert row.request_id == "req-unmask-1" and row.client_address == "10.1.2.3"
    audit = AuditEntry.objects.get(event_type="privacy.unmasked")
    assert audit.changes == {"fields": ["mobile", "id_number"], "reason": REASON}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("agent", 200),
        ("technician", 404),  # a customer of none of their tickets: out of scope (R-SEC-1)
        ("quality_inspector", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("dispatcher", 403),
        ("auditor", 403),
        ("customer", 403),
    ],
)
def test_who_may_unmask(api: Api, customer: Customer, role: str, status: int) -> None:
    assert unmask(api, role, customer.number).status_code == status
    assert PersonalDataAccess.objects.count() == (1 if status == 200 else 0)


def test_a_refusal_for_the_role_is_audited(api: Api, customer: Customer) -> None:
    assert unmask(api, "dispatcher", customer.number).status_code == 403
    refused = AuditEntry.objects.get(event_type="privacy.unmask_refused")
    assert refused.object_id == customer.number
    assert refused.actor is not None and refused.actor.username == "dispatcher"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "看"}, "reason"),
        ({"show": ["salary"]}, "show.0"),
    ],
)
def test_bad_requests_change_nothing(
    api: Api, customer: Customer, body: dict[str, Any], field: str
) -> None:
    response = unmask(api, "supervisor", customer.number, **body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not PersonalDataAccess.objects.exists()
    assert not AuditEntry.objects.filter(event_type__startswith="privacy.").exists()


def test_an_unknown_customer_is_404(api: Api) -> None:
    assert unmask(api, "supervisor", "C9999999999").status_code == 404


def test_auditors_list_and_export_the_access_log(api: Api, customer: Customer) -> None:
    unmask(api, "supervisor", customer.number, show=["name"])
    unmask(api, "agent", customer.number)
    listed = api("auditor").get("/api/v1/privacy/access-log/?user=agent").json()
    assert [(row["user"], row["fields"]) for row in listed["results"]] == [
        ("agent", ["name", "mobile", "id_number", "address"])
    ]
    response = api("auditor").get("/api/v1/privacy/access-log/export/")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["user"] for row in rows] == ["agent", "supervisor"]
    assert rows[1]["fields"] == "name" and rows[1]["reason"] == REASON
    assert VALID_MOBILE not in text
    for role in ("agent", "supervisor", "dispatcher"):
        assert api(role).get("/api/v1/privacy/access-log/").status_code == 403


def test_too_many_unmaskings_in_an_hour_alert_admins_and_auditors_once(
    api: Api, customer: Customer, staff: dict[str, User], settings: Any
) -> None:
    settings.PRIVACY_UNMASK_ALERT_PER_HOUR = 3
    for _ in range(3):
        unmask(api, "agent", customer.number)
    assert not Notification.objects.filter(template="security_alert").exists()
    for _ in range(2):
        unmask(api, "agent", customer.number)
    alerts = Notification.objects.filter(template="security_alert")
    assert sorted(n.recipient.username for n in alerts if n.recipient) == ["admin", "auditor"]
    assert alerts[0].context == {"user": "agent", "count": 4, "window_minutes": 60, "threshold": 3}
    assert AuditEntry.objects.filter(event_type="privacy.unmask_alert").count() == 1
