"""Data-subject requests 个人信息主体请求 (R-SEC-5): lifecycle of each kind, the 15-working-day
limit and its warnings, the access export (JSON and PDF), roles, and refusals that change
nothing."""

import base64
import json
import re
import zlib
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import translation
from rest_framework.test import APIClient

from carrierdesk.audit.models import AuditEntry
from carrierdesk.conftest import VALID_ID, VALID_MOBILE, at
from carrierdesk.core import clock
from carrierdesk.core.errors import (
    Conflict,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.notifications.models import Notification
from carrierdesk.privacy import export, request_actions
from carrierdesk.privacy.models import AnonymisedCustomer, DataSubjectRequest, PersonalDataAccess
from carrierdesk.privacy.request_actions import (
    complete_request,
    refuse_request,
    register_request,
    start_request,
    sweep_requests,
)
from carrierdesk.tickets import actions as tickets
from carrierdesk.tickets.models import Ticket
from carrierdesk.tickets.tests import web_helpers
from carrierdesk.visits.actions import record_visit
from carrierdesk.visits.models import ReturnVisit

pytestmark = pytest.mark.django_db
Api = Callable[[str], APIClient]
BASE = "/api/v1/privacy/requests/"
VERIFIED = "来电人报出身份证后四位及服务密码，核验一致"


def register(api: Api, role: str, customer: Customer, kind: str, **extra: Any) -> Any:
    return api(role).post(
        BASE,
        {
            "customer": customer.number,
            "kind": kind,
            "channel": "hotline",
            "verification_note": VERIFIED,
            **extra,
        },
        format="json",
    )


def started(api: Api, customer: Customer, kind: str) -> str:
    number = register(api, "agent", customer, kind).json()["number"]
    assert api("supervisor").post(f"{BASE}{number}/start/").status_code == 200
    return str(number)


def snapshot(customer: Customer) -> tuple[str, str, str, str]:
    customer = Customer.objects.get(pk=customer.pk)
    return (customer.name, customer.mobile, customer.id_number, customer.address)


def closed_ticket(staff: dict[str, User], customer: Customer) -> Ticket:
    ticket = tickets.register_ticket(
        staff["agent"],
        kind="inquiry",
        channel="hotline",
        category="billing",
        customer=customer,
        title="话费咨询",
        description=f"用户{customer.name}来电咨询套餐，回拨{VALID_MOBILE}。",
        contact_name=customer.name,
        contact_phone=VALID_MOBILE,
    )
    tickets.resolve(staff["agent"], ticket.number, resolution="已解答")
    tickets.close(staff["agent"], ticket.number, note="回访满意")
    return Ticket.objects.get(pk=ticket.pk)


# --- the time limit ---------------------------------------------------------------------------


def test_r_sec_5_due_in_15_working_days_across_national_day(
    staff: dict[str, User], customer: Customer
) -> None:
    with clock.frozen(at("2025-10-09 09:00")):
        item = register_request(
            staff["agent"],
            customer=customer,
            kind="access",
            channel="letter",
            verification_note=VERIFIED,
            received_at=at("2025-09-30 10:00"),
        )
    # 1–8 October are holidays, Saturday 11 October is worked (调休): the 15th working day
    # after the day of receipt is 28 October, due at its end.
    assert item.due_at == at("2025-10-29 00:00")
    assert item.warning_at == at("2025-10-23 06:48")  # 80% of the time
    assert item.number == "GR20251009000001"
    assert (item.status, item.registered_by) == ("received", staff["agent"])
    entry = AuditEntry.objects.get(event_type="privacy.request_registered")
    assert entry.changes["due_at"] == "2025-10-29T00:00:00+08:00"
    assert entry.changes["verification_note"] == VERIFIED


def test_r_sec_5_sweep_warns_supervisors_once_at_80_percent_and_once_at_breach(
    staff: dict[str, User], customer: Customer
) -> None:
    with clock.frozen(at("2025-09-30 10:00")):
        item = register_request(
            staff["agent"], customer=customer, kind="access", channel="app", verification_note="x"
        )
    supervisors = User.objects.filter(groups__name="supervisor").count()
    assert sweep_requests(at("2025-10-23 06:47")).as_dict() == {
        "warnings": 0,
        "breaches": 0,
        "notifications": 0,
    }
    report = sweep_requests(at("2025-10-23 06:48"))
    assert (report.warnings, report.breaches, report.notifications) == (1, 0, supervisors)
    assert sweep_requests(at("2025-10-24 09:00")).warnings == 0  # once
    warning = Notification.objects.get(template="privacy_request_warning")
    assert warning.context == {
        "request": item.number,
        "deadline": "2025-10-29T00:00:00+08:00",
        "threshold": 80,
    }
    assert warning.recipient == staff["supervisor"]
    report = sweep_requests(at("2025-10-29 00:00"))
    assert (report.warnings, report.breaches) == (0, 1)
    assert sweep_requests(at("2025-11-05 00:00")).breaches == 0
    assert Notification.objects.filter(template="privacy_request_breach").count() == supervisors
    assert AuditEntry.objects.filter(event_type="privacy.request_warned").count() == 1
    assert AuditEntry.objects.filter(event_type="privacy.request_breached").count() == 1


def test_r_sec_5_an_answered_request_is_not_warned_about(
    staff: dict[str, User], customer: Customer
) -> None:
    with clock.frozen(at("2025-09-30 10:00")):
        item = register_request(
            staff["agent"], customer=customer, kind="access", channel="app", verification_note="x"
        )
    refuse_request(staff["supervisor"], item.number, reason="无法核实身份")
    assert sweep_requests(at("2025-11-30 00:00")).as_dict()["notifications"] == 0


def test_r_sec_5_sweep_from_the_command_line(staff: dict[str, User], customer: Customer) -> None:
    with clock.frozen(at("2025-09-30 10:00")):
        register_request(
            staff["agent"], customer=customer, kind="deletion", channel="app", verification_note="x"
        )
    out = StringIO()
    with clock.frozen(at("2025-10-30 10:00")):
        call_command("privacy", "requests", "sweep", "--json", "--no-deliver", stdout=out)
    assert json.loads(out.getvalue()) == {"warnings": 1, "breaches": 1, "notifications": 2}


# --- access -----------------------------------------------------------------------------------


def test_r_sec_5_access_request_lifecycle_and_export(
    api: Api, staff: dict[str, User], customer: Customer, subscription: Subscription
) -> None:
    ticket = closed_ticket(staff, customer)
    api("supervisor").post(
        f"/api/v1/customers/{customer.number}/unmask/",
        {"reason": "回拨用户核对", "show": ["mobile"]},
        format="json",
    )
    created = register(api, "agent", customer, "access", description="要求复制个人信息")
    assert created.status_code == 201
    number = created.json()["number"]
    assert created.json()["status"] == "received"
    assert api("supervisor").post(f"{BASE}{number}/start/").json()["status"] == "in_progress"
    completed = api("supervisor").post(f"{BASE}{number}/complete/", {"note": "已邮寄"}).json()
    assert completed["status"] == "completed" and completed["handled_by"] == "supervisor"
    assert completed["result"]["export"] == {
        "subscriptions": 1,
        "tickets": 1,
        "events": 4,  # register, resolve, the survey link sent (R-RV-3), close
        "access_log": 1,
        "requests": 1,
    }
    assert len(completed["result"]["sha256"]) == 64
    logged = PersonalDataAccess.objects.filter(reason=f"data-subject access request {number}")
    assert logged.count() == 1
    # The export in clear, for the data subject.
    response = api("admin").get(f"{BASE}{number}/export.json/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{number}-export.json"'
    data = response.json()
    assert data["customer"]["number"] == customer.number
    assert (data["customer"]["name"], data["customer"]["mobile"]) == ("张伟", VALID_MOBILE)
    assert data["customer"]["id_number"] == VALID_ID
    assert data["subscriptions"][0]["service_number"] == VALID_MOBILE
    exported = data["tickets"][0]
    assert (exported["number"], exported["contact_phone"]) == (ticket.number, VALID_MOBILE)
    timeline = [step["action"] for step in exported["timeline"]]
    assert timeline == ["register", "resolve", "survey_sent", "close"]
    assert exported["timeline"][3]["note"] == "回访满意"
    assert [row["reason"] for row in data["access_log"]] == [
        "回拨用户核对",
        f"data-subject access request {number}",
    ]
    assert data["requests"][0]["number"] == number
    assert logged.count() == 2  # each export produced is logged
    assert set(
        AuditEntry.objects.filter(object_id=number).values_list("event_type", flat=True)
    ) == {
        "privacy.request_registered",
        "privacy.request_started",
        "privacy.request_exported",
        "privacy.request_completed",
    }


def decoded_streams(pdf: bytes) -> bytes:
    found = re.findall(
        rb"/ASCII85Decode /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)endstream", pdf, re.S
    )
    return b"".join(zlib.decompress(base64.a85decode(chunk.strip(), adobe=True)) for chunk in found)


def test_r_sec_5_export_pdf_is_a_valid_pdf_with_the_customer_number(
    api: Api, staff: dict[str, User], customer: Customer
) -> None:
    closed_ticket(staff, customer)
    number = started(api, customer, "access")
    response = api("supervisor").get(f"{BASE}{number}/export.pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    offset = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    assert pdf[offset : offset + 4] == b"xref"
    assert b"/STSong-Light" in pdf
    assert f"({customer.number})".encode() in decoded_streams(pdf)
    assert PersonalDataAccess.objects.filter(reason__endswith=number).count() == 1
    # Asking for PDF explicitly works too; a refusal still answers JSON.
    accepted = api("supervisor").get(f"{BASE}{number}/export.pdf/", HTTP_ACCEPT="application/pdf")
    assert accepted.status_code == 200
    refused = api("auditor").get(f"{BASE}{number}/export.pdf/", HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"


def test_r_sec_5_export_lists_the_return_visits(
    api: Api, staff: dict[str, User], customer: Customer, make_ticket: Callable[..., Ticket]
) -> None:
    """R-RV-1 in the access export, JSON and PDF: each visit of their tickets and what they
    answered; who visited (staff) stays out, as elsewhere in the export."""
    with clock.frozen(at("2026-11-23 10:00")):
        ticket = web_helpers.resolved(make_ticket, staff)  # a complaint: always visited
    visit = ReturnVisit.objects.get(ticket=ticket)
    with clock.frozen(at("2026-11-23 15:30")):
        record_visit(
            staff["quality_inspector"],
            visit.pk,
            reached=True,
            solved=True,
            satisfaction=4,
            nps=8,
            comment="用户表示问题已解决",
        )
    number = started(api, customer, "access")
    data = api("admin").get(f"{BASE}{number}/export.json/").json()
    (exported,) = data["tickets"]
    assert exported["number"] == ticket.number
    assert exported["return_visits"] == [
        {
            "status": "done",
            "channel": "phone",
            "scheduled_at": "2026-11-23T10:00:00+08:00",
            "due_at": "2026-11-25T10:00:00+08:00",
            "attempts": 1,
            "solved": True,
            "satisfaction": 4,
            "nps": 8,
            "comment": "用户表示问题已解决",
            "visited_at": "2026-11-23T15:30:00+08:00",
            "by_survey": False,
        }
    ]
    assert staff["quality_inspector"].username not in json.dumps(data)
    with translation.override("en"):
        rows = export._visit_rows(exported["return_visits"])
    assert rows[0] == [
        "Scheduled",
        "Due",
        "Channel",
        "Status",
        "Attempts",
        "Solved",
        "Satisfaction",
        "NPS score (0-10)",
        "Comment",
        "Visited",
    ]
    assert rows[1:] == [
        [
            "2026-11-23 10:00",
            "2026-11-25 10:00",
            "Phone",
            "Done",
            1,
            "Yes",
            "Satisfied",
            8,
            "用户表示问题已解决",
            "2026-11-23 15:30",
        ]
    ]
    pdf = api("admin").get(f"{BASE}{number}/export.pdf/").content
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    without = dict(data, tickets=[dict(exported, return_visits=[])])
    assert len(export.render_pdf(without)) < len(pdf)  # the visits' table is drawn


def test_r_sec_5_export_only_for_access_requests_being_or_having_been_answered(
    api: Api, customer: Customer
) -> None:
    received = register(api, "agent", customer, "access").json()["number"]
    assert api("admin").get(f"{BASE}{received}/export.json/").status_code == 409
    deletion = started(api, customer, "deletion")
    assert api("admin").get(f"{BASE}{deletion}/export.json/").status_code == 409
    assert not PersonalDataAccess.objects.exists()


# --- correction -------------------------------------------------------------------------------


def test_r_sec_5_correction_applies_the_fields_through_update_customer(
    api: Api, customer: Customer
) -> None:
    number = started(api, customer, "correction")
    bad = api("supervisor").post(
        f"{BASE}{number}/complete/", {"corrections": {"mobile": "12345"}}, format="json"
    )
    assert bad.status_code == 400 and "mobile" in bad.json()["error"]["fields"]
    unknown = api("supervisor").post(
        f"{BASE}{number}/complete/", {"corrections": {"region": "x"}}, format="json"
    )
    assert unknown.status_code == 400
    assert DataSubjectRequest.objects.get(number=number).status == "in_progress"
    assert snapshot(customer)[1] == VALID_MOBILE
    done = api("supervisor").post(
        f"{BASE}{number}/complete/",
        {"corrections": {"mobile": "13900001111", "address": "广东省广州市海珠区新港中路2号"}},
        format="json",
    )
    assert done.status_code == 200
    assert done.json()["result"] == {"corrected_fields": ["address", "mobile"]}
    assert snapshot(customer)[1:] == ("13900001111", VALID_ID, "广东省广州市海珠区新港中路2号")
    updated = AuditEntry.objects.get(event_type="customer.updated", object_id=customer.number)
    assert "13900001111" not in json.dumps(updated.changes)


# --- deletion ---------------------------------------------------------------------------------


def test_r_sec_5_deletion_anonymises_and_keeps_the_records(
    api: Api, staff: dict[str, User], customer: Customer
) -> None:
    ticket = closed_ticket(staff, customer)
    number = started(api, customer, "deletion")
    done = api("admin").post(f"{BASE}{number}/complete/", {}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "completed"
    mark = AnonymisedCustomer.objects.get(customer=customer)
    assert (mark.source, mark.request.number if mark.request else None) == ("request", number)
    _name, mobile, id_number, address = snapshot(customer)
    assert (mobile, id_number, address) == ("", f"ANON-{customer.pk}", "")
    kept = Ticket.objects.get(pk=ticket.pk)
    assert (kept.number, kept.status, kept.closed_at) == (ticket.number, "closed", ticket.closed_at)
    assert (kept.contact_name, kept.contact_phone) == ("", "")
    assert "张伟" not in kept.description and VALID_MOBILE not in kept.description
    # The request's own verification note is scrubbed of the name too (it held none here).
    assert DataSubjectRequest.objects.get(number=number).verification_note == VERIFIED
    again = register(api, "agent", customer, "access")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_anonymised"


def test_r_sec_5_deletion_refused_with_an_open_ticket_changes_nothing(
    api: Api, make_ticket: Callable[..., Ticket], customer: Customer
) -> None:
    make_ticket()
    number = started(api, customer, "deletion")
    before = snapshot(customer)
    audits = AuditEntry.objects.count()
    response = api("supervisor").post(f"{BASE}{number}/complete/", {}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "open_ticket"
    assert snapshot(customer) == before
    assert DataSubjectRequest.objects.get(number=number).status == "in_progress"
    assert AuditEntry.objects.count() == audits
    assert not AnonymisedCustomer.objects.exists()


# --- refusal and illegal steps ----------------------------------------------------------------


def test_r_sec_5_refusal_needs_a_reason_and_changes_nothing_else(
    api: Api, customer: Customer
) -> None:
    before = snapshot(customer)
    number = register(api, "agent", customer, "deletion").json()["number"]
    missing = api("supervisor").post(f"{BASE}{number}/refuse/", {}, format="json")
    assert missing.status_code == 400
    refused = api("supervisor").post(
        f"{BASE}{number}/refuse/", {"reason": "无法核实申请人身份"}, format="json"
    )
    assert refused.json()["status"] == "refused"
    assert refused.json()["refusal_reason"] == "无法核实申请人身份"
    assert snapshot(customer) == before
    for step in ("start", "complete", "refuse"):
        again = api("supervisor").post(f"{BASE}{number}/{step}/", {"reason": "再次"}, format="json")
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "illegal_transition"
    assert DataSubjectRequest.objects.get(number=number).status == "refused"


def test_r_sec_5_bad_registrations_change_nothing(
    staff: dict[str, User], customer: Customer
) -> None:
    for kwargs, field in (
        ({"kind": "erase"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"verification_note": " "}, "verification_note"),
        ({"received_at": at("2099-01-01 00:00")}, "received_at"),
    ):
        values: dict[str, Any] = {
            "customer": customer,
            "kind": "access",
            "channel": "hotline",
            "verification_note": VERIFIED,
            **kwargs,
        }
        with pytest.raises(InvalidInput) as refused:
            register_request(staff["agent"], **values)
        assert field in refused.value.fields
    with pytest.raises(PermissionDenied):
        register_request(
            staff["dispatcher"],
            customer=customer,
            kind="access",
            channel="hotline",
            verification_note=VERIFIED,
        )
    assert not DataSubjectRequest.objects.exists()
    assert not AuditEntry.objects.filter(event_type__startswith="privacy.request").exists()


def test_r_sec_5_complete_needs_start_and_the_right_kind(
    staff: dict[str, User], customer: Customer
) -> None:
    item = register_request(
        staff["agent"], customer=customer, kind="access", channel="app", verification_note="x"
    )
    with pytest.raises(IllegalTransition):
        complete_request(staff["supervisor"], item.number)
    start_request(staff["supervisor"], item.number)
    with pytest.raises(InvalidInput):
        complete_request(staff["supervisor"], item.number, corrections={"name": "王五"})
    with pytest.raises(PermissionDenied):
        complete_request(staff["agent"], item.number)
    assert DataSubjectRequest.objects.get(pk=item.pk).status == "in_progress"
    with pytest.raises(NotFound):
        request_actions.export_request(staff["admin"], "GR0", purpose="json")
    deletion = register_request(
        staff["agent"], customer=customer, kind="deletion", channel="app", verification_note="x"
    )
    with pytest.raises(Conflict):
        request_actions.export_request(staff["admin"], deletion.number, purpose="json")
    assert not PersonalDataAccess.objects.exists()


# --- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "register_status", "read_status", "handle_status", "export_status"),
    [
        ("agent", 201, 200, 403, 403),
        ("supervisor", 201, 200, 200, 200),
        ("admin", 201, 200, 200, 200),
        ("auditor", 403, 200, 403, 403),
        ("dispatcher", 403, 403, 403, 403),
        ("technician", 403, 403, 403, 403),
        ("quality_inspector", 403, 403, 403, 403),
        ("customer", 403, 403, 403, 403),
    ],
)
def test_r_sec_5_request_endpoints_by_role(
    api: Api,
    customer: Customer,
    role: str,
    register_status: int,
    read_status: int,
    handle_status: int,
    export_status: int,
) -> None:
    assert register(api, role, customer, "access").status_code == register_status
    number = register(api, "admin", customer, "access").json()["number"]
    assert api(role).get(BASE).status_code == read_status
    assert api(role).get(f"{BASE}{number}/").status_code == read_status
    assert api(role).post(f"{BASE}{number}/start/").status_code == handle_status
    if handle_status != 200:
        api("admin").post(f"{BASE}{number}/start/")
    assert api(role).get(f"{BASE}{number}/export.json/").status_code == export_status
    exports = PersonalDataAccess.objects.filter(reason__endswith=number).count()
    assert exports == (1 if export_status == 200 else 0)


def test_r_sec_5_list_and_show_mask_free_text(api: Api, customer: Customer) -> None:
    number = register(
        api, "agent", customer, "correction", verification_note=f"核对证件{VALID_ID}"
    ).json()["number"]
    listed = api("auditor").get(f"{BASE}?kind=correction&status=received").json()
    assert listed["count"] == 1
    assert VALID_ID not in json.dumps(listed, ensure_ascii=False)
    out = StringIO()
    call_command("privacy", "requests", "show", number, "--as", "auditor", "--json", stdout=out)
    shown = json.loads(out.getvalue())
    assert shown["number"] == number and VALID_ID not in shown["verification_note"]
    out = StringIO()
    call_command("privacy", "requests", "list", "--as", "supervisor", stdout=out)
    assert number in out.getvalue()
