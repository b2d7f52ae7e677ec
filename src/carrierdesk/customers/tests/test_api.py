"""Customers and subscriptions through the API; bad numbers are refused and write nothing."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from carrierdesk.audit.models import AuditEntry
from carrierdesk.customers.models import Customer, Subscription

pytestmark = pytest.mark.django_db
Api = Callable[[str], APIClient]

PERSON = {
    "customer_type": "individual",
    "name": "陈静",
    "mobile": "+86 139-0000-1234",
    "id_type": "resident_id",
    "id_number": "11010519491231002x",
    "address": "广东省广州市天河区体育西路1号",
    "region": "440106",
}


def test_create_customer_normalises_and_masks(api: Api, region: Any) -> None:
    response = api("agent").post("/api/v1/customers/", PERSON, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("C") and len(body["number"]) == 11
    assert (body["name"], body["mobile"], body["id_number"], body["address"]) == (
        "陈*",
        "139****1234",
        "110105********002X",
        "广东省广州市天河区****",
    )
    stored = Customer.objects.get(number=body["number"])
    assert (stored.mobile, stored.id_number) == ("13900001234", "11010519491231002X")
    audit = AuditEntry.objects.get(event_type="customer.created")
    assert "13900001234" not in str(audit.changes)
    assert audit.changes["mobile"] == "139****1234"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": "110105194912310021"}, "id_number"),  # wrong check character
        ({"id_number": "110105194902300028"}, "id_number"),  # 30 February
        ({"id_number": "11010519491231002"}, "id_number"),  # 17 characters
        ({"mobile": "12345678901"}, "mobile"),
        ({"mobile": "02087654321"}, "mobile"),  # a fixed line is not a mobile number
        ({"customer_type": "alien"}, "customer_type"),
        ({"id_type": "passport", "id_number": "护照"}, "id_number"),
        ({"customer_type": "enterprise"}, "id_type"),  # an enterprise has no resident ID
        ({"region": "999999"}, "region"),
    ],
)
def test_bad_customer_input_is_400_and_writes_nothing(
    api: Api, region: Any, changes: dict[str, Any], field: str
) -> None:
    response = api("agent").post("/api/v1/customers/", {**PERSON, **changes}, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert Customer.objects.count() == 0
    assert AuditEntry.objects.filter(object_type="customer").count() == 0
    # The refused value is personal data: it is not repeated in the error.
    value = changes.get(field)
    if isinstance(value, str) and len(value) > 8:
        assert value not in response.content.decode()


def test_duplicate_id_number_is_400(api: Api, region: Any) -> None:
    assert api("agent").post("/api/v1/customers/", PERSON, format="json").status_code == 201
    response = api("agent").post("/api/v1/customers/", PERSON, format="json")
    assert response.status_code == 400
    assert "id_number" in response.json()["error"]["fields"]
    assert Customer.objects.count() == 1


def test_update_lookup_by_phone_and_subscriptions(api: Api, region: Any) -> None:
    client = api("agent")
    number = client.post("/api/v1/customers/", PERSON, format="json").json()["number"]
    response = client.patch(
        f"/api/v1/customers/{number}/", {"mobile": "13700001111"}, format="json"
    )
    assert response.status_code == 200
    found = client.get("/api/v1/customers/", {"mobile": "137 0000 1111"}).json()
    assert [c["number"] for c in found["results"]] == [number]
    sub = client.post(
        "/api/v1/subscriptions/",
        {
            "customer": number,
            "service_number": "13700001111",
            "product": "mobile",
            "sla_tier": "standard",
        },
        format="json",
    )
    assert sub.status_code == 201, sub.json()
    broadband = client.post(
        "/api/v1/subscriptions/",
        {
            "customer": number,
            "service_number": "GZ-FTTH-0001",
            "product": "broadband",
            "installation_address": "广东省广州市天河区体育西路1号",
        },
        format="json",
    )
    assert broadband.json()["installation_address"] == "广东省广州市天河区****"
    listed = client.get("/api/v1/subscriptions/", {"customer": number}).json()
    assert listed["count"] == 2
    bad = client.post(
        "/api/v1/subscriptions/",
        {"customer": number, "service_number": "123", "product": "mobile"},
        format="json",
    )
    assert bad.status_code == 400 and "service_number" in bad.json()["error"]["fields"]
    bad = client.post(
        "/api/v1/subscriptions/",
        {"customer": number, "service_number": "X1", "product": "teleport"},
        format="json",
    )
    assert bad.status_code == 400 and "product" in bad.json()["error"]["fields"]
    assert Subscription.objects.count() == 2


def test_auditor_reads_but_cannot_write(api: Api, region: Any) -> None:
    # Reads are open to every role today; the privacy issue narrows them (R-SEC-1).
    assert api("auditor").get("/api/v1/customers/").status_code == 200


def test_phone_service_numbers_stay_out_of_urls_output_and_audit(api: Api, region: Any) -> None:
    client = api("agent")
    number = client.post("/api/v1/customers/", PERSON, format="json").json()["number"]
    created = client.post(
        "/api/v1/subscriptions/",
        {"customer": number, "service_number": "13700001111", "product": "mobile"},
        format="json",
    )
    body = created.json()
    assert body["service_number"] == "137****1111"
    detail = client.get(f"/api/v1/subscriptions/{body['id']}/")
    assert detail.status_code == 200
    patched = client.patch(
        f"/api/v1/subscriptions/{body['id']}/", {"status": "suspended"}, format="json"
    )
    assert patched.json()["status"] == "suspended"
    entries = AuditEntry.objects.filter(object_type="subscription")
    assert entries.count() == 2
    assert all("13700001111" not in f"{e.object_id} {e.changes}" for e in entries)


def test_overlong_values_are_400_on_every_database(region: Any) -> None:
    from carrierdesk.core.errors import InvalidInput
    from carrierdesk.customers import actions

    with pytest.raises(InvalidInput) as info:
        actions.create_customer(
            None, **{**PERSON, "region": region, "name": "张" * 129, "address": "路" * 256}
        )
    assert set(info.value.fields) == {"name", "address"}
    assert Customer.objects.count() == 0
