"""The security-incident API: create, list with filters, detail, actions, errors (R-SEC-6)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from carrierdesk.conftest import VALID_ID, VALID_MOBILE, at
from carrierdesk.core import clock
from carrierdesk.customers.models import Customer
from carrierdesk.incidents.models import SecurityIncident
from carrierdesk.incidents.tests.conftest import MOVE_EXTRAS, state
from carrierdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db
Api = Callable[[str], APIClient]
BASE = "/api/v1/security/incidents/"


def create(client: APIClient, **extra: Any) -> Any:
    body = {
        "title": "营业厅终端感染木马",
        "description": "终端安全软件告警，疑似木马外连。",
        "level": "larger",
        **extra,
    }
    return client.post(BASE, body, format="json")


def test_r_sec_6_incident_from_report_to_closure(
    api: Api, customer: Customer, make_ticket: Callable[..., Ticket]
) -> None:
    response = create(api("technician"), discovered_at="2026-11-23T08:00:00+08:00")
    assert response.status_code == 201, response.json()
    body = response.json()
    number = body["number"]
    assert number.startswith("AQ") and len(number) == 16
    assert (body["stage"], body["next_stage"], body["reporter"]) == (
        "discovery",
        "report",
        "technician",
    )
    assert (body["level"], body["response_level"], body["handler"]) == ("larger", 2, None)
    supervisor = api("supervisor")
    ticket = make_ticket()
    response = supervisor.post(
        f"{BASE}{number}/links/",
        {"customers": [customer.number], "tickets": [ticket.number]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    for stage in ("report", "response", "analysis", "rectification", "review", "closed"):
        response = supervisor.post(
            f"{BASE}{number}/advance/",
            {"to": stage, "note": f"{stage} done", **MOVE_EXTRAS.get(stage, {})},
            format="json",
        )
        assert response.status_code == 200, (stage, response.json())
    body = response.json()
    assert (body["stage"], body["next_stage"], body["handler"]) == ("closed", None, "supervisor")
    assert body["root_cause"] and body["measures"] and body["closed_at"]
    assert body["customers"][0]["number"] == customer.number
    assert body["customers"][0]["name"] == "张*"  # R-SEC-2: masked
    assert body["customers"][0]["linked_by"] == "supervisor"
    assert [item["number"] for item in body["tickets"]] == [ticket.number]
    assert [event["action"] for event in body["events"]] == ["report", "link", *["advance"] * 6]
    text = str(body)
    assert customer.name not in text and VALID_MOBILE not in text and VALID_ID not in text


def test_r_sec_7_create_refuses_bad_input_with_400_naming_the_field(api: Api) -> None:
    client = api("agent")
    before = state()
    with clock.frozen(at("2026-11-23 10:00")):
        cases: list[tuple[dict[str, Any], str]] = [
            ({"discovered_at": "2026-11-24T10:00:00+08:00"}, "discovered_at"),  # future
            ({"level": "catastrophic"}, "level"),
            ({"level": "major", "response_level": 3}, "response_level"),
            ({"title": ""}, "title"),
            ({"affected_customers_estimate": -5}, "affected_customers_estimate"),
        ]
        for extra, field in cases:
            response = create(client, **extra)
            assert response.status_code == 400, extra
            assert response.json()["error"]["code"] == "invalid"
            assert field in response.json()["error"]["fields"], response.json()
    assert state() == before


def test_r_sec_6_skipping_a_stage_is_409_illegal_transition(api: Api) -> None:
    number = create(api("agent")).json()["number"]
    before = state()
    response = api("admin").post(
        f"{BASE}{number}/advance/", {"to": "analysis", "note": "直接分析"}, format="json"
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["stage"], error["next_stage"]) == (
        "illegal_transition",
        "discovery",
        "report",
    )
    for body, field in [
        ({"to": "report"}, "note"),
        ({"to": "nowhere", "note": "n"}, "to"),
    ]:
        response = api("admin").post(f"{BASE}{number}/advance/", body, format="json")
        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]
    assert state() == before


def test_r_sec_6_leaving_analysis_without_root_cause_is_400(api: Api) -> None:
    number = create(api("agent")).json()["number"]
    admin = api("admin")
    for stage in ("report", "response", "analysis"):
        admin.post(f"{BASE}{number}/advance/", {"to": stage, "note": "n"}, format="json")
    before = state()
    response = admin.post(
        f"{BASE}{number}/advance/", {"to": "rectification", "note": "分析完成"}, format="json"
    )
    assert response.status_code == 400
    assert "root_cause" in response.json()["error"]["fields"]
    assert state() == before


def test_r_sec_7_linking_an_unknown_customer_is_404_and_links_nothing(
    api: Api, customer: Customer
) -> None:
    number = create(api("agent")).json()["number"]
    before = state()
    response = api("admin").post(
        f"{BASE}{number}/links/",
        {"customers": [customer.number, "C0000099999"]},
        format="json",
    )
    assert response.status_code == 404
    assert response.json()["error"]["missing"] == {"customers": ["C0000099999"]}
    response = api("admin").post(f"{BASE}{number}/links/", {}, format="json")
    assert response.status_code == 400
    assert state() == before


def test_level_notes_and_regulator(api: Api) -> None:
    number = create(api("agent")).json()["number"]
    admin = api("admin")
    response = admin.post(
        f"{BASE}{number}/level/",
        {"level": "major", "personal_data_involved": True, "note": "涉及客户信息外泄"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["level"], body["response_level"], body["personal_data_involved"]) == (
        "major",
        1,
        True,
    )
    response = api("agent").post(f"{BASE}{number}/notes/", {"note": "补充情况"}, format="json")
    assert response.status_code == 201
    assert (response.json()["action"], response.json()["actor"]) == ("note", "agent")
    response = admin.post(f"{BASE}{number}/regulator/", {"note": "已电话报告"}, format="json")
    assert response.status_code == 200
    assert response.json()["regulator_notified"] is True
    again = admin.post(f"{BASE}{number}/regulator/", {"note": "再次"}, format="json")
    assert again.status_code == 409


def test_list_filters_and_visibility(api: Api) -> None:
    with clock.frozen(at("2026-11-20 09:00")):
        early = create(api("agent"), level="general").json()["number"]
    with clock.frozen(at("2026-11-23 09:00")):
        late = create(api("technician"), level="major").json()["number"]
    supervisor = api("supervisor")
    for stage in ("report", "response", "analysis"):
        supervisor.post(f"{BASE}{early}/advance/", {"to": stage, "note": "n"}, format="json")

    def numbers(client: APIClient, query: str = "") -> list[str]:
        response = client.get(f"{BASE}{query}")
        assert response.status_code == 200, response.json()
        return [item["number"] for item in response.json()["results"]]

    auditor = api("auditor")
    assert numbers(auditor) == [late, early]  # newest reported first
    assert numbers(auditor, "?stage=analysis") == [early]
    assert numbers(auditor, "?level=major&level=larger") == [late]
    assert numbers(auditor, "?open=true") == [late, early]
    assert numbers(auditor, "?open=false") == []
    assert numbers(auditor, "?discovered_after=2026-11-21T00:00:00%2B08:00") == [late]
    assert numbers(auditor, "?discovered_before=2026-11-21T00:00:00%2B08:00") == [early]
    assert auditor.get(f"{BASE}?stage=bogus").status_code == 400
    # R-SEC-1: other staff read only the incidents they reported; the rest answer 404.
    assert numbers(api("agent")) == [early]
    assert numbers(api("dispatcher")) == []
    assert api("agent").get(f"{BASE}{late}/").status_code == 404
    assert api("technician").get(f"{BASE}{late}/").status_code == 200


def test_r_sec_6_list_query_count_does_not_grow_with_rows(api: Api) -> None:
    client = api("auditor")
    create(api("agent"))
    client.get(BASE)  # warm the role cache and sessions
    with CaptureQueriesContext(connection) as one:
        assert client.get(BASE).json()["count"] == 1
    for _ in range(5):
        create(api("supervisor"), level="general")
    with CaptureQueriesContext(connection) as six:
        assert client.get(BASE).json()["count"] == 6
    assert len(six) == len(one)


def test_detail_query_count_does_not_grow_with_links_and_events(
    api: Api, customer: Customer, make_ticket: Callable[..., Ticket]
) -> None:
    client = api("auditor")
    number = create(api("agent")).json()["number"]
    client.get(f"{BASE}{number}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{BASE}{number}/")
    tickets = [make_ticket().number for _ in range(3)]
    api("admin").post(
        f"{BASE}{number}/links/",
        {"customers": [customer.number], "tickets": tickets},
        format="json",
    )
    for index in range(3):
        api("admin").post(f"{BASE}{number}/notes/", {"note": f"n{index}"}, format="json")
    with CaptureQueriesContext(connection) as many:
        body = client.get(f"{BASE}{number}/").json()
    assert len(body["events"]) == 5 and len(body["tickets"]) == 3
    assert len(many) == len(few)


def test_form_posts_are_refused(api: Api) -> None:
    response = api("agent").post(BASE, {"title": "t", "description": "d", "level": "general"})
    assert response.status_code == 415
    assert SecurityIncident.objects.count() == 0
