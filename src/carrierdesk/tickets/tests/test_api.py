"""The ticket API: create, list with filters, actions, timeline, attachments, errors."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from carrierdesk.audit.models import AuditEntry
from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
Api = Callable[[str], APIClient]


def state() -> tuple[int, int, int]:
    return Ticket.objects.count(), TicketEvent.objects.count(), AuditEntry.objects.count()


def create(client: APIClient, requester: Customer, **extra: Any) -> Any:
    body = {
        "kind": "complaint",
        "channel": "hotline",
        "category": "billing",
        "customer": requester.number,
        "title": "话费多扣",
        "description": "用户反映本月套餐外多扣费58元。",
        **extra,
    }
    return client.post("/api/v1/tickets/", body, format="json")


def test_complaint_through_its_whole_lifecycle(api: Api, customer: Customer) -> None:
    response = create(
        api("agent"), customer, urgency="serious", received_at="2026-11-23T09:00:00+08:00"
    )
    assert response.status_code == 201, response.json()
    number = response.json()["number"]
    assert response.json()["first_owner"] == "agent"
    assert response.json()["allowed_actions"] == ["accept", "cancel"]
    steps = [
        ("agent", "accept", {}),
        ("dispatcher", "assign", {"assignee": "technician"}),
        ("technician", "start", {}),
        ("technician", "pend", {"reason": "等待用户回电"}),
        ("technician", "resume", {}),
        ("technician", "resolve", {"resolution": "核实后退还58元"}),
        ("agent", "close", {}),
    ]
    for role, action, body in steps:
        response = api(role).post(f"/api/v1/tickets/{number}/{action}/", body, format="json")
        assert response.status_code == 200, (action, response.json())
    assert response.json()["status"] == "closed"
    timeline = api("auditor").get(f"/api/v1/tickets/{number}/events/").json()
    assert [(e["action"], e["actor"]) for e in timeline] == [
        ("register", "agent"),
        ("accept", "agent"),
        ("assign", "dispatcher"),
        ("start", "technician"),
        ("pend", "technician"),
        ("resume", "technician"),
        ("resolve", "technician"),
        ("survey_sent", "technician"),  # the customer's survey link (R-RV-3)
        ("close", "agent"),
    ]
    assert all(e["created_at"] for e in timeline)


def test_close_on_new_is_409_illegal_transition(api: Api, customer: Customer) -> None:
    number = create(api("agent"), customer).json()["number"]
    before = state()
    response = api("agent").post(f"/api/v1/tickets/{number}/close/", {}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "illegal_transition"
    assert error["allowed_actions"] == ["accept", "cancel"]
    assert error["status"] == "new"
    assert state() == before


def test_unknown_ticket_is_404(api: Api) -> None:
    for method, path in [
        ("get", "/api/v1/tickets/TS20260101999999/"),
        ("post", "/api/v1/tickets/TS20260101999999/accept/"),
        ("get", "/api/v1/tickets/TS20260101999999/events/"),
    ]:
        response = getattr(api("agent"), method)(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_role_that_may_not_act_gets_403_and_nothing_changes(api: Api, customer: Customer) -> None:
    number = create(api("agent"), customer).json()["number"]
    api("agent").post(f"/api/v1/tickets/{number}/accept/")
    before = state()
    response = api("agent").post(
        f"/api/v1/tickets/{number}/assign/", {"assignee": "technician"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "gossip"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"urgency": "minor"}, "urgency"),
        ({"received_at": "2099-01-01T00:00:00+08:00"}, "received_at"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"customer": "C9999999999"}, "customer"),
        ({"title": ""}, "title"),
        ({"subscription": "19999999999"}, "subscription"),
    ],
)
def test_create_refuses_bad_input_with_400_naming_the_field(
    api: Api, customer: Customer, body: dict[str, Any], field: str
) -> None:
    before = state()
    response = create(api("agent"), customer, **body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert state() == before


def test_subscription_of_another_customer_is_400(
    api: Api, customer: Customer, subscription: Subscription
) -> None:
    other = (
        api("agent")
        .post(
            "/api/v1/customers/",
            {
                "customer_type": "individual",
                "name": "王芳",
                "id_type": "passport",
                "id_number": "E87654321",
            },
            format="json",
        )
        .json()
    )
    before = state()
    response = create(
        api("agent"),
        Customer.objects.get(number=other["number"]),
        subscription=subscription.pk,
    )
    assert response.status_code == 400
    assert "subscription" in response.json()["error"]["fields"]
    assert state() == before


def test_malformed_json_is_400(api: Api) -> None:
    response = api("agent").post(
        "/api/v1/tickets/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed"


def test_missing_reason_is_400(api: Api, customer: Customer) -> None:
    number = create(api("agent"), customer).json()["number"]
    response = api("agent").post(f"/api/v1/tickets/{number}/cancel/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_stale_version_is_409_conflict(api: Api, customer: Customer) -> None:
    number = create(api("agent"), customer).json()["number"]
    api("agent").post(f"/api/v1/tickets/{number}/accept/", {"version": 1}, format="json")
    response = api("agent").patch(
        f"/api/v1/tickets/{number}/", {"title": "改", "version": 1}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": response.json()["error"]["message"],
        "current_version": 2,
    }


def test_patch_updates_editable_fields(api: Api, customer: Customer) -> None:
    number = create(api("agent"), customer).json()["number"]
    response = api("agent").patch(
        f"/api/v1/tickets/{number}/", {"urgency": "major", "version": 1}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["urgency"], response.json()["version"]) == ("major", 2)


def test_list_filters_orders_and_counts(api: Api, make_ticket: Callable[..., Ticket]) -> None:
    with clock.frozen(at("2026-11-20 10:00")):
        first = make_ticket(received_at=at("2026-11-19 09:00"))
        second = make_ticket(
            kind="fault", subtype="network", channel="app", received_at=at("2026-11-20 08:00")
        )
        make_ticket(kind="inquiry", channel="wechat", received_at=at("2026-11-20 09:00"))
    client = api("supervisor")
    body = client.get("/api/v1/tickets/").json()
    assert body["count"] == 3
    assert [t["number"] for t in body["results"]][-1] == first.number  # newest received first
    body = client.get("/api/v1/tickets/?kind=fault&kind=complaint&ordering=received_at").json()
    assert [t["number"] for t in body["results"]] == [first.number, second.number]
    body = client.get(
        "/api/v1/tickets/", {"received_after": "2026-11-20T00:00:00+08:00", "channel": "app"}
    ).json()
    assert [t["number"] for t in body["results"]] == [second.number]
    assert client.get("/api/v1/tickets/?status=bogus").status_code == 400


def test_list_query_count_does_not_grow_with_rows(
    api: Api, make_ticket: Callable[..., Ticket]
) -> None:
    client = api("supervisor")
    make_ticket()
    client.get("/api/v1/tickets/")  # warm the role cache and sessions
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/tickets/")
    for _ in range(5):
        make_ticket()
    with CaptureQueriesContext(connection) as six:
        assert client.get("/api/v1/tickets/").json()["count"] == 6
    assert len(six) == len(one)


def test_personal_data_is_masked_in_ticket_output(api: Api, customer: Customer) -> None:
    response = create(api("agent"), customer, contact_name="张伟", contact_phone="13912345678")
    body = response.json()
    assert body["contact_phone"] == "139****5678"
    assert body["contact_name"] == "张*"
    assert body["customer_name"] == "张*"
    assert "13912345678" not in response.content.decode()


def test_attachment_upload_list_and_download(api: Api, customer: Customer) -> None:
    client = api("agent")
    number = create(client, customer).json()["number"]
    upload = SimpleUploadedFile("发票.pdf", b"%PDF-1.4 invoice", content_type="application/pdf")
    response = client.post(
        f"/api/v1/tickets/{number}/attach/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    attachment = response.json()
    assert (attachment["filename"], attachment["size"]) == ("发票.pdf", 16)
    listed = client.get(f"/api/v1/tickets/{number}/attachments/").json()
    assert [a["sha256"] for a in listed] == [attachment["sha256"]]
    download = client.get(f"/api/v1/tickets/{number}/attachments/{attachment['id']}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 invoice"  # type: ignore[attr-defined]
    empty = SimpleUploadedFile("e.pdf", b"", content_type="application/pdf")
    response = client.post(f"/api/v1/tickets/{number}/attach/", {"file": empty}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


def test_add_note(api: Api, customer: Customer) -> None:
    number = create(api("agent"), customer).json()["number"]
    response = api("quality_inspector").post(
        f"/api/v1/tickets/{number}/add_note/", {"note": "已电话联系用户"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["action"] == "note"


def test_anonymous_is_401(customer: Customer) -> None:
    response = APIClient().get("/api/v1/tickets/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_errors_are_chinese_by_default_and_english_on_request(api: Api, customer: Customer) -> None:
    number = create(api("agent"), customer).json()["number"]
    zh = api("agent").post(f"/api/v1/tickets/{number}/close/")
    en = api("agent").post(f"/api/v1/tickets/{number}/close/", HTTP_ACCEPT_LANGUAGE="en")
    assert en.json()["error"]["message"] == "“Close” is not allowed while the ticket is “New”."
    assert zh.json()["error"]["message"] != en.json()["error"]["message"]


def test_schema_and_docs_are_served(api: Api) -> None:
    client = api("agent")
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/tickets/{number}/close/" in paths
    assert "/api/v1/tickets/{number}/events/" in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_oversize_attachment_is_400(api: Api, customer: Customer, settings: Any) -> None:
    settings.MAX_ATTACHMENT_BYTES = 1024
    client = api("agent")
    number = create(client, customer).json()["number"]
    big = SimpleUploadedFile("big.txt", b"x" * 2048, content_type="text/plain")
    response = client.post(f"/api/v1/tickets/{number}/attach/", {"file": big}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]
    assert client.get(f"/api/v1/tickets/{number}/attachments/").json() == []


def test_subscription_is_referenced_by_id_and_shown_masked(
    api: Api, customer: Customer, subscription: Subscription
) -> None:
    response = create(api("agent"), customer, subscription=subscription.pk)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["subscription"], body["subscription_number"]) == (subscription.pk, "138****5678")
    event = api("agent").get(f"/api/v1/tickets/{body['number']}/events/").json()[0]
    assert event["changes"]["subscription"] == f"{subscription.pk}:138****5678"
    assert "13812345678" not in str(event) + str(body)


def test_user_without_a_staff_role_is_403(customer: Customer) -> None:
    from django.contrib.auth.models import User

    client = APIClient()
    client.force_authenticate(User.objects.create_user("someone"))
    response = client.get("/api/v1/tickets/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
