"""The ticket workspace (issue 5 §4): the page, its buttons per role and status, every
transition through the UI, stale forms, scope, unmasking, notes and attachments, query counts."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from carrierdesk.accounts.models import Department
from carrierdesk.audit.models import AuditEntry
from carrierdesk.conftest import VALID_ID, VALID_MOBILE
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.privacy.models import PersonalDataAccess
from carrierdesk.sla.models import PolicyVersion
from carrierdesk.sla.sweep import sweep
from carrierdesk.tickets import actions
from carrierdesk.tickets.models import Attachment, Ticket
from carrierdesk.tickets.tests.web_helpers import Browse, MakeTicket
from carrierdesk.web.tests import conftest as web_fixtures

# The pages in English; `browse`, `policy` and the tickets come from conftest.py.
english = web_fixtures.english

pytestmark = pytest.mark.django_db

#: The workspace page of an agent reads: session, user, roles, the second-factor check, scope,
#: the ticket, its timeline, attachments, the people named, its clocks, one calendar revision
#: per calendar its clocks use (a fault's: one); the menu reads the profile the scope cached.
AGENT_PAGE_QUERIES = 11
#: A dispatcher's page also lists departments and assignment candidates with their load.
DISPATCHER_PAGE_QUERIES = 13


def page(client: Client, ticket: Ticket) -> str:
    response = client.get(f"/tickets/{ticket.number}/")
    assert response.status_code == 200
    return response.content.decode()


def buttons(html: str) -> set[str]:
    return set(re.findall(r'<summary class="btn[^"]*" data-action="(\w+)"', html))


def act(client: Client, ticket: Ticket, action: str, **data: Any) -> Any:
    data.setdefault("version", Ticket.objects.get(pk=ticket.pk).version)
    return client.post(f"/tickets/{ticket.number}/act/{action}/", data)


def status_of(ticket: Ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).status


@pytest.fixture
def fault(make_ticket: MakeTicket, policy: PolicyVersion, subscription: Subscription) -> Ticket:
    return make_ticket(
        kind="fault",
        subtype="network",
        category="network_quality",
        subscription=subscription,
        title="宽带断线",
        description=f"用户 {VALID_MOBILE} 反映宽带时断时续。",
    )


@pytest.fixture
def elsewhere(elsewhere: Ticket, staff: dict[str, User]) -> Ticket:
    """The ticket out of the agent's scope (conftest.py), with an attachment."""
    attachment = SimpleUploadedFile("x.txt", b"far away", content_type="text/plain")
    actions.attach(
        staff["admin"],
        elsewhere.number,
        file=attachment,
        filename="x.txt",
        content_type="text/plain",
    )
    return elsewhere


# --- buttons per role and status --------------------------------------------------------------


def test_agent_on_a_new_complaint_sees_accept_and_cancel_only(
    browse: Browse, make_ticket: MakeTicket
) -> None:
    ticket = make_ticket()
    assert buttons(page(browse("agent"), ticket)) == {"accept", "cancel"}


def test_dispatcher_may_accept_a_new_complaint_and_assign_an_accepted_one(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = make_ticket()
    client = browse("dispatcher")
    assert buttons(page(client, ticket)) == {"accept"}
    actions.accept(staff["agent"], ticket.number)
    html = page(client, ticket)
    assert buttons(html) == {"assign"}
    # The candidates come with their open load (R-DSP-1).
    assert '<option value="technician">Technician (open: 0)</option>' in html


def test_choosing_a_department_brings_its_people_in(
    browse: Browse, fault: Ticket, staff: dict[str, User], elsewhere: Ticket
) -> None:
    actions.accept(staff["agent"], fault.number)
    client = browse("dispatcher")
    url = f"/tickets/{fault.number}/candidates/"
    assert f'hx-get="{url}"' in page(client, fault)
    response = client.get(url, {"department": "NETWORK_OPER"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'<option value="(\w+)"', html) == ["technician"]
    assert 'id="id_assign_assignee"' in html
    everyone = client.get(url, {"department": ""}).content.decode()
    assert set(re.findall(r'<option value="(\w+)"', everyone)) == {
        "agent",
        "dispatcher",
        "supervisor",
        "technician",
    }
    assert browse("agent").get(url).status_code == 403
    assert client.get(f"/tickets/{elsewhere.number}/candidates/").status_code == 404


def test_technician_on_an_assigned_ticket_sees_start(
    browse: Browse, fault: Ticket, staff: dict[str, User]
) -> None:
    actions.accept(staff["agent"], fault.number)
    actions.assign(staff["dispatcher"], fault.number, assignee="technician")
    assert buttons(page(browse("technician"), fault)) == {"start"}
    assert buttons(page(browse("agent"), fault)) == {"start", "cancel"}
    assert buttons(page(browse("supervisor"), fault)) == {"assign", "start", "cancel"}


def test_fault_rejection_is_offered_while_new_only(
    browse: Browse, fault: Ticket, staff: dict[str, User]
) -> None:
    client = browse("agent")
    assert buttons(page(client, fault)) == {"accept", "reject", "cancel"}
    actions.accept(staff["agent"], fault.number)
    assert buttons(page(client, fault)) == {"cancel"}


def test_auditor_sees_no_buttons_and_every_post_is_refused(browse: Browse, fault: Ticket) -> None:
    client = browse("auditor")
    html = page(client, fault)
    assert buttons(html) == set()
    assert "No action is open to you in this status." in html
    assert f"/tickets/{fault.number}/note/" not in html
    assert f"/tickets/{fault.number}/attach/" not in html
    assert f"/tickets/{fault.number}/unmask/" not in html
    version = fault.version
    assert act(client, fault, "accept").status_code == 403
    assert act(client, fault, "cancel", reason="").status_code == 403
    assert client.post(f"/tickets/{fault.number}/note/", {"note": "x"}).status_code == 403
    upload = SimpleUploadedFile("a.txt", b"abc", content_type="text/plain")
    assert client.post(f"/tickets/{fault.number}/attach/", {"file": upload}).status_code == 403
    fault.refresh_from_db()
    assert (fault.status, fault.version) == ("new", version)
    assert not Attachment.objects.filter(ticket=fault).exists()


def test_a_forged_post_for_a_verb_not_allowed_now_is_refused_with_its_message(
    browse: Browse, fault: Ticket
) -> None:
    response = act(browse("agent"), fault, "close")
    assert response.status_code == 409
    assert "“Close” is not allowed while the ticket is “New”." in response.content.decode()
    assert status_of(fault) == "new"
    assert act(browse("agent"), fault, "explode").status_code == 404


# --- every transition of a fault --------------------------------------------------------------


def test_a_fault_goes_through_every_transition_in_the_ui(
    browse: Browse, fault: Ticket, staff: dict[str, User]
) -> None:
    agent, dispatcher, technician = browse("agent"), browse("dispatcher"), browse("technician")
    url = f"/tickets/{fault.number}/"

    response = act(agent, fault, "accept", note="资料完整")
    assert (response.status_code, response["Location"]) == (302, url)
    assert status_of(fault) == "accepted"
    assert "Accept: done." in agent.get(url).content.decode()

    response = act(dispatcher, fault, "assign", department="NETWORK_OPER", assignee="technician")
    assert response.status_code == 302
    assigned = Ticket.objects.get(pk=fault.pk)
    assert (assigned.status, assigned.assignee, assigned.department) == (
        "assigned",
        staff["technician"],
        Department.objects.get(code="NETWORK_OPER"),
    )

    assert act(technician, fault, "start").status_code == 302
    assert status_of(fault) == "in_progress"

    # Pend needs a reason: the error sits next to the field and nothing changes.
    version = Ticket.objects.get(pk=fault.pk).version
    response = act(technician, fault, "pend", reason="   ")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="invalid-feedback d-block" id="id_pend_reason_error">' in html
    assert "This field is required." in html
    assert 'aria-invalid="true"' in html
    assert "<details open>" in html  # the form stays open
    unchanged = Ticket.objects.get(pk=fault.pk)
    assert (unchanged.status, unchanged.version) == ("in_progress", version)

    assert act(technician, fault, "pend", reason="等待用户在家").status_code == 302
    assert status_of(fault) == "pending"
    assert act(technician, fault, "resume").status_code == 302
    assert status_of(fault) == "in_progress"

    # Resolve needs a resolution; the typed note is kept.
    response = act(technician, fault, "resolve", resolution="", note="更换光猫")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_resolve_resolution_error"' in html
    assert "更换光猫</textarea>" in html
    assert status_of(fault) == "in_progress"

    assert act(technician, fault, "resolve", resolution="更换光猫后恢复").status_code == 302
    assert status_of(fault) == "resolved"
    assert act(agent, fault, "close").status_code == 302
    closed = Ticket.objects.get(pk=fault.pk)
    assert (closed.status, closed.resolution) == ("closed", "更换光猫后恢复")
    assert list(closed.events.values_list("action", flat=True).order_by("id")) == [
        "register",
        "accept",
        "assign",
        "start",
        "pend",
        "resume",
        "resolve",
        "survey_sent",  # the customer's survey link (R-RV-3)
        "close",
    ]
    html = page(agent, fault)
    assert buttons(html) == {"reopen"}
    assert "等待用户在家" in html  # the pend reason on the timeline


def test_assign_without_department_or_assignee_says_so_next_to_the_fields(
    browse: Browse, fault: Ticket, staff: dict[str, User]
) -> None:
    actions.accept(staff["agent"], fault.number)
    response = act(browse("dispatcher"), fault, "assign", note="请处理")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_assign_department_error"' in html
    assert 'id="id_assign_assignee_error"' in html
    assert "请处理</textarea>" in html
    assert status_of(fault) == "accepted"


def test_a_stale_form_is_refused_with_a_message_and_nothing_is_overwritten(
    browse: Browse, fault: Ticket, staff: dict[str, User]
) -> None:
    shown = fault.version
    actions.add_note(staff["technician"], fault.number, note="someone else was here")
    response = act(browse("agent"), fault, "cancel", reason="用户撤销", version=shown)
    assert response.status_code == 409
    html = response.content.decode()
    assert "This ticket changed meanwhile — reloaded; check and try again." in html
    current = Ticket.objects.get(pk=fault.pk)
    assert (current.status, current.version) == ("new", shown + 1)
    # Reloaded: the form keeps the typed reason and now carries the current version.
    assert "用户撤销</textarea>" in html
    assert f'name="version" value="{shown + 1}"' in html
    assert "someone else was here" in html


# --- scope ------------------------------------------------------------------------------------


def test_out_of_scope_tickets_answer_404_to_the_page_and_every_post(
    browse: Browse, elsewhere: Ticket
) -> None:
    client = browse("agent")
    base = f"/tickets/{elsewhere.number}/"
    attachment = Attachment.objects.get(ticket=elsewhere)
    assert client.get(base).status_code == 404
    assert client.get("/tickets/TS20990101999999/").status_code == 404
    assert act(client, elsewhere, "accept").status_code == 404
    assert client.post(base + "note/", {"note": "probe"}).status_code == 404
    upload = SimpleUploadedFile("a.txt", b"abc", content_type="text/plain")
    assert client.post(base + "attach/", {"file": upload}).status_code == 404
    assert client.post(base + "unmask/", {"reason": "probing here"}).status_code == 404
    assert client.get(f"{base}attachments/{attachment.pk}/").status_code == 404
    assert status_of(elsewhere) == "new"
    assert elsewhere.events.count() == 2  # register, attach
    assert not PersonalDataAccess.objects.exists()


def test_technician_sees_only_tickets_routed_to_them_or_their_department(
    browse: Browse, fault: Ticket, staff: dict[str, User]
) -> None:
    client = browse("technician")
    assert client.get(f"/tickets/{fault.number}/").status_code == 404
    actions.accept(staff["agent"], fault.number)
    actions.assign(staff["dispatcher"], fault.number, department="NETWORK_OPER")
    assert client.get(f"/tickets/{fault.number}/").status_code == 200


# --- personal data ----------------------------------------------------------------------------


def test_the_agents_page_shows_personal_data_masked_only(
    browse: Browse, fault: Ticket, customer: Customer, staff: dict[str, User]
) -> None:
    actions.add_note(staff["agent"], fault.number, note=f"回拨 {VALID_MOBILE} 未接通")
    html = page(browse("agent"), fault)
    for clear in (VALID_MOBILE, VALID_ID, "张伟", "体育西路"):
        assert clear not in html
    assert "138****5678" in html
    assert "110105********002X" in html
    assert "张*" in html
    assert customer.number in html
    assert "Show in clear" in html


def test_unmask_with_a_reason_shows_the_values_in_this_response_only(
    browse: Browse, fault: Ticket, customer: Customer, staff: dict[str, User]
) -> None:
    client = browse("agent")
    url = f"/tickets/{fault.number}/unmask/"
    response = client.post(url, {"reason": "回拨用户核实故障", "show": ["mobile", "name"]})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert VALID_MOBILE in html
    assert "张伟" in html
    assert VALID_ID not in html  # not asked for
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.object_id, access.fields, access.reason) == (
        staff["agent"],
        customer.number,
        ["mobile", "name"],
        "回拨用户核实故障",
    )
    # Nothing kept: the next page is masked again, and the session holds no clear value.
    assert VALID_MOBILE not in page(client, fault)
    assert VALID_MOBILE not in repr(dict(client.session.items()))


def test_unmask_by_htmx_swaps_the_panel_alone(browse: Browse, fault: Ticket) -> None:
    client = browse("technician")
    actions.accept(None, fault.number)
    actions.assign(None, fault.number, assignee="technician")
    url = f"/tickets/{fault.number}/unmask/"
    response = client.post(url, {"reason": "上门维修需联系"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="cd-customer"')
    assert 'hx-history="false"' in html
    assert VALID_MOBILE in html and VALID_ID in html
    refused = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200  # swapped in: htmx 2 swaps no 4xx answer by default
    assert 'id="id_unmask_reason_error"' in refused.content.decode()
    assert PersonalDataAccess.objects.count() == 1


def test_unmask_without_a_good_reason_shows_the_error_and_logs_nothing(
    browse: Browse, fault: Ticket
) -> None:
    client = browse("agent")
    url = f"/tickets/{fault.number}/unmask/"
    for reason, message in (
        ("", "This field is required."),
        ("ab", "Say why you need the data in clear (a few words at least)."),
    ):
        response = client.post(url, {"reason": reason})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="id_unmask_reason_error"' in html
        assert message in html
        assert VALID_MOBILE not in html
        assert "no-store" in response["Cache-Control"]
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("role", ["dispatcher", "auditor"])
def test_a_role_that_may_not_unmask_has_no_control_and_a_forged_post_is_403_and_audited(
    browse: Browse, fault: Ticket, role: str
) -> None:
    client = browse(role)
    assert "Show in clear" not in page(client, fault)
    response = client.post(f"/tickets/{fault.number}/unmask/", {"reason": ""})
    assert response.status_code == 403
    assert VALID_MOBILE not in response.content.decode()
    refusal = AuditEntry.objects.get(event_type="privacy.unmask_refused")
    assert (refusal.actor, refusal.changes["why"]) == (User.objects.get(username=role), "role")
    assert not PersonalDataAccess.objects.exists()


# --- timeline, notes, attachments -------------------------------------------------------------


def test_notes_are_added_and_an_empty_one_is_refused_next_to_the_field(
    browse: Browse, fault: Ticket
) -> None:
    client = browse("agent")
    url = f"/tickets/{fault.number}/note/"
    refused = client.post(url, {"note": "  "})
    assert refused.status_code == 200
    assert 'id="id_note_note_error"' in refused.content.decode()
    assert not fault.events.filter(action="note").exists()
    response = client.post(url, {"note": "已电话安抚用户"})
    assert (response.status_code, response["Location"]) == (302, f"/tickets/{fault.number}/")
    assert fault.events.get(action="note").note == "已电话安抚用户"
    assert "已电话安抚用户" in page(client, fault)


def test_the_timeline_shows_time_limit_alerts_newest_first(browse: Browse, fault: Ticket) -> None:
    sweep(now=fault.received_at + timedelta(days=3))
    html = page(browse("agent"), fault)
    assert fault.events.filter(action="sla_breach").exists()
    assert "Time limit breached" in html
    events = re.findall(r'<li data-event="(\w+)">', html)
    assert events[-1] == "register"
    assert events[0].startswith("sla_")
    assert "Breached" in html  # the clocks' states


def test_attachments_upload_list_and_download(
    browse: Browse, fault: Ticket, elsewhere: Ticket
) -> None:
    client = browse("agent")
    upload = SimpleUploadedFile("故障 截图.png", b"\x89PNG fake", content_type="image/png")
    response = client.post(f"/tickets/{fault.number}/attach/", {"file": upload})
    assert response.status_code == 302
    stored = Attachment.objects.get(ticket=fault)
    assert (stored.filename, stored.size, stored.content_type) == ("故障 截图.png", 9, "image/png")
    html = page(client, fault)
    assert "故障 截图.png" in html
    assert "9\xa0bytes" in html

    download = client.get(f"/tickets/{fault.number}/attachments/{stored.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''%E6%95%85%E9%9A%9C%20%E6%88%AA%E5%9B%BE.png"
        in (download["Content-Disposition"])
    )
    assert b"".join(download.streaming_content) == b"\x89PNG fake"  # type: ignore[attr-defined]

    # Another ticket's attachment id under this ticket is not found either.
    other = Attachment.objects.get(ticket=elsewhere)
    assert client.get(f"/tickets/{fault.number}/attachments/{other.pk}/").status_code == 404


def test_a_refused_upload_says_why_next_to_the_field(browse: Browse, fault: Ticket) -> None:
    client = browse("agent")
    upload = SimpleUploadedFile("run.exe", b"MZ", content_type="application/x-msdownload")
    response = client.post(f"/tickets/{fault.number}/attach/", {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_attach_file_error"' in html
    assert "This type of file is not accepted." in html
    assert not Attachment.objects.exists()


# --- speed ------------------------------------------------------------------------------------


def test_page_query_count_does_not_grow_with_the_timeline(
    browse: Browse,
    fault: Ticket,
    staff: dict[str, User],
    django_assert_num_queries: Any,
) -> None:
    agent, dispatcher = browse("agent"), browse("dispatcher")
    actions.accept(staff["agent"], fault.number)
    page(agent, fault)  # the calendars' schedules are built once per process
    assert fault.events.count() == 2
    with django_assert_num_queries(AGENT_PAGE_QUERIES):
        page(agent, fault)
    with django_assert_num_queries(DISPATCHER_PAGE_QUERIES):
        page(dispatcher, fault)
    for index in range(18):
        actions.add_note(
            staff["technician"] if index % 2 else staff["agent"], fault.number, note=f"n{index}"
        )
    assert fault.events.count() == 20
    with django_assert_num_queries(AGENT_PAGE_QUERIES):
        page(agent, fault)
    with django_assert_num_queries(DISPATCHER_PAGE_QUERIES):
        page(dispatcher, fault)
