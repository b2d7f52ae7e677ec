"""Issue 5's browser flows: a complaint from the phone call to its resolution, each role in its
own browser session, and the supervisor's board.
"""

from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth.models import User
from playwright.sync_api import expect

from carrierdesk.conftest import VALID_MOBILE
from carrierdesk.core import clock
from carrierdesk.core.masking import mask_name, mask_phone
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.sla.sweep import sweep
from carrierdesk.tickets import actions
from carrierdesk.tickets.models import Ticket
from carrierdesk.web.tests.browser.conftest import (
    Pages,
    find_caller,
    open_queue,
    open_ticket,
    queue_row,
    register_from_intake,
    signed_in,
    workflow_action,
)

#: The technicians' department (conftest `departments`: the kind's code, cut to 12 letters).
NETWORK = "NETWORK_OPER"


def assigned_to_technician(make_ticket: Callable[..., Ticket], staff: dict[str, User]) -> Ticket:
    """A billing complaint registered by the agent, accepted and dispatched to the technician."""
    ticket = make_ticket(urgency="general")
    actions.accept(staff["agent"], ticket.number)
    actions.assign(staff["dispatcher"], ticket.number, department=NETWORK, assignee="technician")
    return ticket


def test_agent_registers_a_complaint_for_a_caller_found_by_phone(
    pages: Pages,
    desk: dict[str, User],
    customer: Customer,
    subscription: Subscription,
    problems: list[str],
) -> None:
    agent = signed_in(pages, desk["agent"])
    find_caller(agent, VALID_MOBILE)
    panel = agent.locator("#intake-result")
    expect(panel).to_contain_text(mask_phone(VALID_MOBILE))
    expect(panel).to_contain_text(mask_name(customer.name))
    expect(panel).not_to_contain_text(VALID_MOBILE)  # masked (R-SEC-2)

    register_from_intake(
        agent,
        kind="complaint",
        urgency="general",
        channel="hotline",
        category="billing",
        title="话费多扣",
        description="用户来电反映本月话费多扣 30 元。",
    )

    ticket = Ticket.objects.get()
    assert (ticket.kind, ticket.channel, ticket.category) == ("complaint", "hotline", "billing")
    assert (ticket.customer, ticket.first_owner) == (customer, desk["agent"])
    expect(agent.locator("h1")).to_contain_text(ticket.number)
    expect(agent.locator("main .cd-countdown[data-deadline]").first).to_be_visible()

    open_queue(agent, segment="all")
    row = queue_row(agent, ticket.number)
    expect(row).to_be_visible()
    expect(row.locator(".cd-countdown[data-deadline] .cd-remaining")).not_to_be_empty()
    assert problems == []


def test_dispatcher_accepts_and_assigns_the_complaint_to_a_technician(
    pages: Pages,
    desk: dict[str, User],
    make_ticket: Callable[..., Ticket],
    problems: list[str],
) -> None:
    ticket = make_ticket(urgency="general")
    dispatcher = signed_in(pages, desk["dispatcher"])
    open_queue(dispatcher, segment="unassigned")
    expect(queue_row(dispatcher, ticket.number)).to_be_visible()

    open_ticket(dispatcher, ticket.number)
    workflow_action(dispatcher, "accept")
    workflow_action(dispatcher, "assign", department=NETWORK, assignee="technician")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == ("assigned", desk["technician"])
    assert ticket.department is not None and ticket.department.code == NETWORK
    assert problems == []


def test_technician_starts_pends_resumes_and_resolves_it(
    pages: Pages,
    desk: dict[str, User],
    make_ticket: Callable[..., Ticket],
    problems: list[str],
) -> None:
    ticket = assigned_to_technician(make_ticket, desk)
    technician = signed_in(pages, desk["technician"])
    open_queue(technician, segment="mine")
    queue_row(technician, ticket.number).get_by_role("link", name=ticket.number).click()
    expect(technician.locator("h1")).to_have_text(ticket.number)

    statuses = []
    for action, fields in (
        ("start", {}),
        ("pend", {"reason": "等待用户提供账单截图"}),
        ("resume", {}),
        ("resolve", {"resolution": "已核实多扣 30 元，次月账单返还。"}),
    ):
        workflow_action(technician, action, **fields)
        ticket.refresh_from_db()
        statuses.append(ticket.status)
    assert statuses == ["in_progress", "pending", "in_progress", "resolved"]
    assert ticket.resolution == "已核实多扣 30 元，次月账单返还。"
    assert problems == []


def test_supervisor_sees_a_breached_ticket_on_the_board(
    pages: Pages,
    desk: dict[str, User],
    make_ticket: Callable[..., Ticket],
    problems: list[str],
) -> None:
    # Received a month ago: every time limit of a complaint has run out.
    late = make_ticket(urgency="general", received_at=clock.now() - timedelta(days=30))
    on_time = make_ticket(urgency="general")
    sweep()

    supervisor = signed_in(pages, desk["supervisor"])
    supervisor.goto("/board/")
    breached = supervisor.locator("#board-breached-rows")
    expect(breached).to_contain_text(late.number)
    expect(breached).not_to_contain_text(on_time.number)
    # Red: breached (level 3) or, past 150 %, escalated (level 4) on the warning ladder.
    overdue = breached.locator(".cd-countdown.cd-level-3, .cd-countdown.cd-level-4")
    expect(overdue.first).to_be_visible()
    expect(supervisor.locator("#board-breached")).not_to_have_text("0")

    breached.get_by_role("link", name=late.number).first.click()  # drill down
    expect(supervisor.locator("h1")).to_have_text(late.number)
    assert problems == []
