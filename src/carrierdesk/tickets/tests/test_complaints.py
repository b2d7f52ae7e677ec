"""Complaint handling (issue 6 §1, R-CMP-1): complaints through the regulator (工信部申诉) or the
12345 hotline are at least serious and carry the regulator's reference and due date; a major
complaint is closed only after a supervisor approves."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from carrierdesk.audit.models import AuditEntry
from carrierdesk.conftest import VALID_MOBILE, at
from carrierdesk.core import clock
from carrierdesk.core.errors import IllegalTransition, InvalidInput, PermissionDenied
from carrierdesk.customers.models import Customer
from carrierdesk.notifications.models import Notification
from carrierdesk.notifications.templates import render
from carrierdesk.privacy import export
from carrierdesk.privacy.anonymise import anonymise_customer
from carrierdesk.sla.models import PolicyVersion
from carrierdesk.tickets import actions
from carrierdesk.tickets.choices import Action, is_regulated
from carrierdesk.tickets.feedback import record_feedback
from carrierdesk.tickets.models import ResultFeedback, Ticket, TicketEvent
from carrierdesk.tickets.tests import web_helpers
from carrierdesk.tickets.tests.test_web_intake import error_of, form_data
from carrierdesk.tickets.tests.test_web_workspace import buttons
from carrierdesk.tickets.tests.web_helpers import Browse
from carrierdesk.web.tests import conftest as web_fixtures

pytestmark = pytest.mark.django_db

# The messages in English (autouse), the signed-in clients.
english = web_fixtures.english
browse = web_fixtures.browse

MakeTicket = Callable[..., Ticket]
RECEIVED = at("2026-11-23 09:00")  # a Monday
DUE = at("2026-11-30 18:00")


def counts() -> tuple[int, int, int]:
    return Ticket.objects.count(), TicketEvent.objects.count(), AuditEntry.objects.count()


def regulated(make_ticket: MakeTicket, **overrides: Any) -> Ticket:
    values: dict[str, Any] = {
        "channel": "gov_hotline",
        "received_at": RECEIVED,
        "regulator_reference": "12345-GZ-2026-000731",
        "regulator_due_at": DUE,
    }
    values.update(overrides)
    with clock.frozen(RECEIVED + timedelta(hours=1)):
        return make_ticket(**values)


# --- at least serious, with the regulator's reference and due date ----------------------------


@pytest.mark.parametrize(
    ("kind", "channel", "expected"),
    [
        ("complaint", "gov_hotline", True),
        ("complaint", "regulator", True),
        ("complaint", "hotline", False),
        ("appeal", "hotline", True),  # a regulator appeal, whatever channel brought it
        ("inquiry", "gov_hotline", False),
    ],
)
def test_which_tickets_are_regulated(kind: str, channel: str, expected: bool) -> None:
    assert is_regulated(kind, channel) is expected


def test_a_12345_complaint_is_serious_by_default_with_its_limits(
    make_ticket: MakeTicket, policy: PolicyVersion
) -> None:
    ticket = regulated(make_ticket)
    assert ticket.urgency == "serious"
    assert ticket.regulator_reference == "12345-GZ-2026-000731"
    assert ticket.regulator_due_at == DUE
    clocks = {row.name: row for row in ticket.clocks.all()}
    # The serious severity's limits (SPEC §4): first handling 2, closure 7 working days.
    assert clocks["first_handling"].target.code == "complaint-serious-first-handling"
    assert clocks["resolution"].target.code == "complaint-serious-closure"
    register = ticket.events.get(action=Action.REGISTER)
    assert register.changes["regulator_reference"] == "12345-GZ-2026-000731"


def test_a_major_regulator_complaint_keeps_its_severity(make_ticket: MakeTicket) -> None:
    ticket = regulated(make_ticket, channel="regulator", urgency="major")
    assert ticket.urgency == "major"


def test_a_regulated_complaint_is_never_general(make_ticket: MakeTicket) -> None:
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        regulated(make_ticket, urgency="general")
    assert "at least serious" in str(refused.value.fields["urgency"][0])
    assert counts() == before


def test_the_regulator_reference_and_due_date_are_required(make_ticket: MakeTicket) -> None:
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        regulated(make_ticket, regulator_reference="  ", regulator_due_at=None)
    assert set(refused.value.fields) == {"regulator_reference", "regulator_due_at"}
    with pytest.raises(InvalidInput) as refused:
        regulated(make_ticket, kind="appeal", channel="hotline", regulator_reference="")
    assert set(refused.value.fields) == {"regulator_reference"}
    assert counts() == before


@pytest.mark.parametrize(
    ("due", "message"),
    [
        (RECEIVED - timedelta(hours=1), "after the time received"),
        (DUE.replace(tzinfo=None), "time zone"),
    ],
)
def test_a_bad_due_date_is_refused(make_ticket: MakeTicket, due: Any, message: str) -> None:
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        regulated(make_ticket, regulator_due_at=due)
    assert message in str(refused.value.fields["regulator_due_at"][0])
    assert counts() == before


def test_other_tickets_carry_no_regulator_fields(make_ticket: MakeTicket) -> None:
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        regulated(make_ticket, channel="hotline")
    assert set(refused.value.fields) == {"regulator_reference", "regulator_due_at"}
    assert counts() == before
    plain = make_ticket()  # a hotline complaint: general by default, no regulator fields
    assert (plain.urgency, plain.regulator_reference, plain.regulator_due_at) == (
        "general",
        "",
        None,
    )


def test_a_regulated_complaint_cannot_be_lowered_to_general(
    make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = regulated(make_ticket)
    with pytest.raises(InvalidInput) as refused:
        actions.update_ticket(staff["agent"], ticket.number, urgency="general")
    assert "urgency" in refused.value.fields
    ticket.refresh_from_db()
    assert (ticket.urgency, ticket.version) == ("serious", 1)
    raised = actions.update_ticket(staff["agent"], ticket.number, urgency="major")
    assert raised.urgency == "major"


# --- a major complaint closes after a supervisor's approval -----------------------------------


def resolved(make_ticket: MakeTicket, staff: dict[str, User], urgency: str = "major") -> Ticket:
    """A resolved complaint, major unless said otherwise."""
    return web_helpers.resolved(make_ticket, staff, urgency=urgency)


def test_a_major_complaint_closes_only_after_approval(
    make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = resolved(make_ticket, staff)
    before = counts()
    with pytest.raises(IllegalTransition) as refused:
        actions.close(staff["agent"], ticket.number)
    assert "supervisor approves" in str(refused.value)
    assert counts() == before

    approved = actions.approve_closure(staff["supervisor"], ticket.number, note="处理结果已核实。")
    assert approved.closure_approved_by == staff["supervisor"]
    assert approved.closure_approved_at is not None
    assert approved.status == "resolved"
    event = approved.events.get(action=Action.APPROVE_CLOSURE)
    assert (event.actor, event.note) == (staff["supervisor"], "处理结果已核实。")
    assert AuditEntry.objects.filter(event_type="ticket.approve_closure").count() == 1

    closed = actions.close(staff["agent"], ticket.number)
    assert closed.status == "closed"


def test_reopening_withdraws_the_approval(make_ticket: MakeTicket, staff: dict[str, User]) -> None:
    ticket = resolved(make_ticket, staff)
    actions.approve_closure(staff["supervisor"], ticket.number)
    reopened = actions.reopen(staff["quality_inspector"], ticket.number, reason="客户不满意。")
    assert (reopened.closure_approved_by, reopened.closure_approved_at) == (None, None)
    actions.start(staff["technician"], ticket.number)
    actions.resolve(staff["technician"], ticket.number, resolution="再次核实并退费。")
    with pytest.raises(IllegalTransition):
        actions.close(staff["agent"], ticket.number)


@pytest.mark.parametrize("role", ["agent", "technician", "quality_inspector", "dispatcher"])
def test_only_supervisors_and_admins_approve(
    make_ticket: MakeTicket, staff: dict[str, User], role: str
) -> None:
    ticket = resolved(make_ticket, staff)
    with pytest.raises(PermissionDenied):
        actions.approve_closure(staff[role], ticket.number)
    ticket.refresh_from_db()
    assert ticket.closure_approved_at is None
    assert actions.approve_closure(staff["admin"], ticket.number).closure_approved_at is not None


def test_approval_is_refused_out_of_place(make_ticket: MakeTicket, staff: dict[str, User]) -> None:
    serious = resolved(make_ticket, staff, urgency="serious")
    with pytest.raises(IllegalTransition, match="Only a major complaint"):
        actions.approve_closure(staff["supervisor"], serious.number)
    assert actions.close(staff["agent"], serious.number).status == "closed"  # no approval needed

    unresolved = make_ticket(urgency="major")
    with pytest.raises(IllegalTransition, match="once it is resolved"):
        actions.approve_closure(staff["supervisor"], unresolved.number)

    major = resolved(make_ticket, staff)
    actions.approve_closure(staff["supervisor"], major.number)
    before = counts()
    with pytest.raises(IllegalTransition, match="already approved"):
        actions.approve_closure(staff["supervisor"], major.number)
    assert counts() == before


# --- through the API ---------------------------------------------------------------------------


def test_the_api_registers_a_regulated_complaint_and_approves_its_closing(
    staff: dict[str, User], customer: Customer, make_ticket: MakeTicket
) -> None:
    api = APIClient()
    api.force_authenticate(staff["agent"])
    payload = {
        "kind": "complaint",
        "channel": "regulator",
        "category": "billing",
        "customer": customer.number,
        "title": "工信部转来的申诉",
        "description": "用户向工信部申诉话费多扣。",
        "regulator_reference": "GXB-2026-11-0042",
        "regulator_due_at": "2026-12-04T18:00:00+08:00",
    }
    created = api.post("/api/v1/tickets/", payload, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["urgency"], body["regulator_reference"]) == ("serious", "GXB-2026-11-0042")
    assert body["regulator_due_at"].startswith("2026-12-04T18:00:00")

    refused = api.post("/api/v1/tickets/", {**payload, "urgency": "general"}, format="json")
    assert refused.status_code == 400
    assert "urgency" in refused.json()["error"]["fields"]

    ticket = resolved(make_ticket, staff)
    api.force_authenticate(staff["supervisor"])
    closing = api.post(f"/api/v1/tickets/{ticket.number}/close/", {}, format="json")
    assert closing.status_code == 409
    approved = api.post(f"/api/v1/tickets/{ticket.number}/approve_closure/", {}, format="json")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["closure_approved_by"] == "supervisor"
    assert api.post(f"/api/v1/tickets/{ticket.number}/close/", {}, format="json").status_code == 200


# --- in the staff UI -------------------------------------------------------------------------


def test_intake_registers_a_12345_complaint_with_its_case(
    browse: Browse, customer: Customer, policy: PolicyVersion
) -> None:
    client = browse("agent")
    now = timezone.localtime(clock.now())
    due = (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    data = form_data(
        customer,
        channel="gov_hotline",
        urgency="general",
        regulator_reference="",
        regulator_due_at="",
    )
    html = client.post("/intake/", data).content.decode()
    assert "at least serious" in error_of(html, "urgency")
    assert error_of(html, "regulator_reference")
    assert error_of(html, "regulator_due_at")
    assert not Ticket.objects.exists()

    data.update(urgency="serious", regulator_reference="12345-GZ-0731", regulator_due_at=due)
    response = client.post("/intake/", data)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.urgency, ticket.regulator_reference) == ("serious", "12345-GZ-0731")
    assert timezone.localtime(ticket.regulator_due_at).strftime("%Y-%m-%dT%H:%M") == due
    html = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "12345-GZ-0731" in html


def test_the_workspace_offers_the_approval_before_closing(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = resolved(make_ticket, staff)
    supervisor = browse("supervisor")
    html = supervisor.get(f"/tickets/{ticket.number}/").content.decode()
    assert "approve_closure" in buttons(html) and "close" not in buttons(html)
    assert "approve_closure" not in buttons(
        browse("agent").get(f"/tickets/{ticket.number}/").content.decode()
    )

    version = Ticket.objects.get(pk=ticket.pk).version
    response = supervisor.post(
        f"/tickets/{ticket.number}/act/approve_closure/", {"version": version, "note": "已核实。"}
    )
    assert response.status_code == 302
    html = supervisor.get(f"/tickets/{ticket.number}/").content.decode()
    assert "close" in buttons(html) and "approve_closure" not in buttons(html)
    assert "Closure approved by" in html


# --- result feedback (R-CMP-2) ------------------------------------------------------------------


def feedback_counts() -> tuple[int, int, int, int]:
    return (*counts(), ResultFeedback.objects.count())


def give(actor: User, ticket: Ticket, stage: str, **overrides: Any) -> ResultFeedback:
    values: dict[str, Any] = {
        "stage": stage,
        "channel": "phone",
        "cause": "计费系统套餐变更未同步，多扣30元。",
        "measures": "已退还30元并修正套餐。",
        "follow_up_needed": False,
    }
    values.update(overrides)
    return record_feedback(actor, ticket.number, **values)


def clock_states(ticket: Ticket) -> dict[str, str]:
    return {row.name: row.state for row in ticket.clocks.all()}


def test_first_and_final_feedback_stop_their_limits(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff, urgency="serious")
    assert clock_states(ticket)["feedback_first"] == "running"

    first = give(
        staff["agent"], ticket, "first", expected_completion=clock.now() + timedelta(days=1)
    )
    assert (first.stage, first.customer_accepts, first.given_by) == ("first", None, staff["agent"])
    assert clock_states(ticket)["feedback_first"] == "met"
    assert clock_states(ticket)["feedback_final"] == "running"

    final = give(staff["agent"], ticket, "final", customer_accepts=True)
    assert final.customer_accepts is True
    assert clock_states(ticket)["feedback_final"] == "met"
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    events = list(
        ticket.events.filter(action__startswith="feedback").values_list("action", flat=True)
    )
    assert events == ["feedback_first", "feedback_final"]
    assert AuditEntry.objects.filter(event_type="ticket.feedback_final").count() == 1


def test_a_final_feedback_alone_meets_both_limits(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff, urgency="serious")
    give(staff["supervisor"], ticket, "final", customer_accepts=True, channel="sms")
    states = clock_states(ticket)
    assert (states["feedback_first"], states["feedback_final"]) == ("met", "met")


def test_a_result_not_accepted_reopens_the_complaint(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff, urgency="serious")
    give(staff["agent"], ticket, "final", customer_accepts=False, follow_up_needed=True)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == ("reopened", 1)
    reopen = ticket.events.get(action=Action.REOPEN)
    assert "does not accept" in reopen.note
    assert clock_states(ticket)["resolution"] == "running"  # handled again, used time kept
    assert ResultFeedback.objects.get().customer_accepts is False

    # Handled again and resolved again: its result is fed back again.
    actions.start(staff["technician"], ticket.number)
    actions.resolve(staff["technician"], ticket.number, resolution="重新核算并退费。")
    give(staff["agent"], ticket, "final", customer_accepts=True)
    assert ResultFeedback.objects.count() == 2


def test_bad_feedback_is_refused_and_changes_nothing(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    open_complaint = make_ticket()
    inquiry = make_ticket(kind="inquiry")
    actions.resolve(staff["agent"], inquiry.number, resolution="已答复。")
    ticket = resolved(make_ticket, staff, urgency="serious")
    before = feedback_counts()
    with pytest.raises(IllegalTransition, match="once the complaint is resolved"):
        give(staff["agent"], open_complaint, "first")
    with pytest.raises(IllegalTransition, match="on complaints"):
        give(staff["agent"], inquiry, "first")
    with pytest.raises(PermissionDenied):
        give(staff["technician"], ticket, "first")
    with pytest.raises(InvalidInput) as refused:
        give(staff["agent"], ticket, "final", cause=" ", channel="fax")
    assert set(refused.value.fields) == {"cause", "channel", "customer_accepts"}
    with pytest.raises(InvalidInput):
        give(staff["agent"], ticket, "first", expected_completion=DUE.replace(tzinfo=None))
    assert feedback_counts() == before

    give(staff["agent"], ticket, "first")
    before = feedback_counts()
    with pytest.raises(IllegalTransition, match="already given"):
        give(staff["agent"], ticket, "first")
    give(staff["agent"], ticket, "final", customer_accepts=True)
    with pytest.raises(IllegalTransition, match="already given"):
        give(staff["agent"], ticket, "final", customer_accepts=True)
    assert feedback_counts()[3] == before[3] + 1


def test_the_api_lists_and_records_feedback_masked(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff, urgency="serious")
    api = APIClient()
    api.force_authenticate(staff["agent"])
    url = f"/api/v1/tickets/{ticket.number}/feedback/"
    payload = {
        "stage": "final",
        "channel": "phone",
        "cause": f"用户 {VALID_MOBILE} 的套餐变更未同步。",
        "measures": "已退费。",
        "customer_accepts": True,
    }
    created = api.post(url, payload, format="json")
    assert created.status_code == 201, created.json()
    assert VALID_MOBILE not in created.json()["cause"]
    listed = api.get(url).json()
    assert [row["stage"] for row in listed] == ["final"]
    assert listed[0]["given_by"] == "agent"
    again = api.post(url, payload, format="json")
    assert again.status_code == 409
    bad = api.post(url, {**payload, "stage": "third"}, format="json")
    assert bad.status_code == 400


def test_anonymising_the_customer_scrubs_the_feedback(
    make_ticket: MakeTicket, staff: dict[str, User], customer: Customer, policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff, urgency="serious")
    cause = f"回拨 {VALID_MOBILE} 说明。"
    give(staff["agent"], ticket, "final", customer_accepts=True, cause=cause)
    actions.close(staff["agent"], ticket.number)
    anonymise_customer(staff["admin"], customer, reason="测试", source="request")
    assert VALID_MOBILE not in ResultFeedback.objects.get().cause


def test_the_workspace_records_feedback_and_a_refusal_reopens(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff, urgency="serious")
    agent = browse("agent")
    html = agent.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'action="/tickets/' + ticket.number + '/feedback/"' in html
    assert "id_feedback_stage" in html
    assert 'action="/tickets/' + ticket.number + '/feedback/"' not in (
        browse("technician").get(f"/tickets/{ticket.number}/").content.decode()
    )

    url = f"/tickets/{ticket.number}/feedback/"
    data = {
        "version": Ticket.objects.get(pk=ticket.pk).version,
        "stage": "final",
        "channel": "phone",
    }
    html = agent.post(url, {**data, "cause": "", "measures": "已退费。"}).content.decode()
    assert error_of(html, "feedback_cause")
    assert "已退费。" in html
    html = agent.post(
        url, {**data, "cause": "套餐未同步。", "measures": "已退费。"}
    ).content.decode()
    assert "accepts the result" in error_of(html, "feedback_customer_accepts")
    assert not ResultFeedback.objects.exists()

    response = agent.post(
        url, {**data, "cause": "套餐未同步。", "measures": "已退费。", "customer_accepts": "no"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == ("reopened", 1)
    html = agent.get(f"/tickets/{ticket.number}/").content.decode()
    assert "套餐未同步。" in html and "Does not accept" in html
    assert 'action="/tickets/' + ticket.number + '/feedback/"' not in html  # not resolved now


# --- repeat complaints (R-CMP-3) --------------------------------------------------------------


def test_a_complaint_of_the_same_category_within_30_days_is_a_repeat(
    make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    with clock.frozen(at("2026-10-01 10:00")):
        first = make_ticket(category="billing")
        actions.accept(staff["agent"], first.number)
        actions.cancel(staff["agent"], first.number, reason="用户撤销。")  # finished ones count
    with clock.frozen(at("2026-10-25 10:00")):
        inquiry = make_ticket(kind="inquiry", category="billing")
        other_category = make_ticket(category="network_quality")
        repeat = make_ticket(category="billing")
        appeal = make_ticket(
            kind="appeal",
            category="billing",
            regulator_reference="GXB-1",
            regulator_due_at=at("2026-11-01 18:00"),
        )
    with clock.frozen(at("2026-11-30 10:00")):
        late = make_ticket(category="network_quality")  # 36 days after its category's last
    assert inquiry.repeat_of is None and other_category.repeat_of is None
    assert repeat.repeat_of == first
    assert appeal.repeat_of == repeat  # a regulator appeal is a complaint too; the latest
    assert late.repeat_of is None
    register = repeat.events.get(action=Action.REGISTER)
    assert register.changes["repeat_of"] == first.number

    api = APIClient()
    api.force_authenticate(staff["agent"])
    assert api.get(f"/api/v1/tickets/{repeat.number}/").json()["repeat_complaint"] is True
    assert api.get(f"/api/v1/tickets/{late.number}/").json()["repeat_complaint"] is False

    # Counted: the API's and the queue's counts of repeat complaints.
    repeats = api.get("/api/v1/tickets/?repeat_complaint=true").json()
    assert repeats["count"] == 2
    assert {row["number"] for row in repeats["results"]} == {repeat.number, appeal.number}
    others = api.get("/api/v1/tickets/?repeat_complaint=false").json()
    assert others["count"] == 4


def test_the_queue_counts_the_repeat_complaints(
    make_ticket: MakeTicket, staff: dict[str, User], browse: Browse
) -> None:
    first = make_ticket(category="billing")
    repeat = make_ticket(category="billing")
    page = browse("supervisor").get("/tickets/?segment=all&repeat=yes")
    assert web_helpers.listed(page) == [repeat.number]
    assert first.number not in page.content.decode()
    assert "Repeats only" in page.content.decode()


# --- first-ask responsibility (R-WF-5) --------------------------------------------------------


def owner_notices(ticket: Ticket) -> list[dict[str, Any]]:
    rows = Notification.objects.filter(template=actions.OWNER_UPDATE, object_id=ticket.number)
    return [row.context for row in rows.order_by("id")]


def test_the_first_owner_is_told_of_every_status_change_by_others(
    make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = make_ticket()  # registered by the agent: its first owner
    actions.accept(staff["agent"], ticket.number)  # by the owner: nothing to tell
    assert owner_notices(ticket) == []
    actions.assign(staff["dispatcher"], ticket.number, assignee="technician")
    actions.start(staff["technician"], ticket.number)
    actions.add_note(staff["technician"], ticket.number, note="已联系用户。")  # no status change
    actions.resolve(staff["technician"], ticket.number, resolution="已退费。")
    assert [(row["status_label"], row["actor"]) for row in owner_notices(ticket)] == [
        ("Assigned", "dispatcher"),
        ("In progress", "technician"),
        ("Resolved", "technician"),
    ]
    row = Notification.objects.filter(template=actions.OWNER_UPDATE).first()
    assert row is not None and row.recipient == staff["agent"]
    assert "TS" in render(actions.OWNER_UPDATE, row.context, "zh-hans").subject


def test_a_refused_result_tells_the_first_owner_of_the_reopening(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff, urgency="serious")
    give(staff["quality_inspector"], ticket, "final", customer_accepts=False)
    assert owner_notices(ticket)[-1]["status_label"] == "Reopened"


def test_history_recorded_after_the_fact_tells_nobody(
    make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    with actions.recording_history():
        ticket = make_ticket()
        actions.accept(staff["dispatcher"], ticket.number)
    assert owner_notices(ticket) == []
    actions.assign(staff["dispatcher"], ticket.number, assignee="technician")
    assert len(owner_notices(ticket)) == 1


def test_intake_names_the_first_owner_of_the_callers_open_tickets(
    browse: Browse, staff: dict[str, User], customer: Customer
) -> None:
    """A follow-up call goes to the first owner (R-WF-5): intake names them."""
    actions.register_ticket(
        staff["supervisor"],
        kind="complaint",
        channel="hotline",
        category="billing",
        customer=customer,
        title="话费异常",
        description="用户反映本月话费多扣。",
    )
    html = browse("agent").get(f"/intake/?customer={customer.number}").content.decode()
    assert "First owner" in html
    assert "<td>Supervisor</td>" in html


def test_the_access_export_lists_the_result_feedback(
    make_ticket: MakeTicket, staff: dict[str, User], customer: Customer, policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff, urgency="serious")
    give(staff["agent"], ticket, "final", customer_accepts=True)
    data = export.collect(customer, generated_at=clock.now(), request_number="GR20261123000001")
    (listed,) = data["tickets"]
    assert [item["stage"] for item in listed["result_feedback"]] == ["final"]
    assert listed["result_feedback"][0]["customer_accepts"] is True
    pdf = export.render_pdf(data)
    assert pdf.startswith(b"%PDF-1.")


def test_the_regulator_case_can_be_corrected_but_not_emptied(
    make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = regulated(make_ticket)
    corrected = actions.update_ticket(
        staff["agent"], ticket.number, regulator_reference="12345-GZ-2026-000732"
    )
    assert corrected.regulator_reference == "12345-GZ-2026-000732"
    update = corrected.events.get(action=Action.UPDATE)
    assert update.changes["regulator_reference"][1] == "12345-GZ-2026-000732"
    for values in ({"regulator_reference": ""}, {"regulator_due_at": RECEIVED}):
        with pytest.raises(InvalidInput):
            actions.update_ticket(staff["agent"], ticket.number, **values)
    plain = make_ticket()
    with pytest.raises(InvalidInput) as refused:
        actions.update_ticket(staff["agent"], plain.number, regulator_reference="X-1")
    assert "regulator_reference" in refused.value.fields
    ticket.refresh_from_db()
    assert (ticket.version, ticket.regulator_due_at) == (2, DUE)


# --- suggestions and feedback (建议/反馈, issue 6 §6) ---------------------------------------------


def test_a_suggestion_is_answered_in_24_hours_handled_in_72_and_never_rejected(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    with clock.frozen(at("2026-11-23 10:00")):
        suggestion = make_ticket(kind="suggestion", category="service_quality")
    clocks = {row.name: row.deadline for row in suggestion.clocks.all()}
    assert clocks["response"] == at("2026-11-24 10:00")
    assert clocks["resolution"] == at("2026-11-26 10:00")
    with pytest.raises(IllegalTransition):  # every suggestion is closed, none refused
        actions.reject(staff["agent"], suggestion.number, reason="不处理。")
    actions.accept(staff["agent"], suggestion.number)
    actions.resolve(staff["agent"], suggestion.number, resolution="已转产品部门采纳。")
    assert actions.close(staff["agent"], suggestion.number).status == "closed"
