"""Authorization matrix (STYLE habit 10): each role × each ticket endpoint that writes.

The customer role (SPEC §0) is shut out of the staff API altogether (403).

A role the table refuses gets 403 `permission_denied` and nothing changes; a role it allows
passes the role check (whatever the workflow then says about the ticket's status).
"""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from carrierdesk.accounts.choices import Role
from carrierdesk.audit.models import AuditEntry
from carrierdesk.customers.models import Customer
from carrierdesk.tickets import workflow
from carrierdesk.tickets.choices import Action
from carrierdesk.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

BODIES: dict[str, dict[str, Any]] = {
    Action.ACCEPT: {},
    Action.REJECT: {"reason": "材料不全"},
    Action.ASSIGN: {"department": "NETWORK_OPER"},
    Action.START: {},
    Action.PEND: {"reason": "等待用户"},
    Action.RESUME: {},
    Action.RESOLVE: {"resolution": "已处理"},
    Action.CLOSE: {},
    Action.REOPEN: {"reason": "用户不满意"},
    Action.CANCEL: {"reason": "用户撤销"},
}

#: The status each verb can start from, for a service order (the kind with every verb).
START_STATUS: dict[str, list[str]] = {
    Action.ACCEPT: [],
    Action.REJECT: [],
    Action.CANCEL: [],
    Action.ASSIGN: [Action.ACCEPT],
    Action.START: [Action.ACCEPT, Action.ASSIGN],
    Action.PEND: [Action.ACCEPT, Action.ASSIGN, Action.START],
    Action.RESUME: [Action.ACCEPT, Action.ASSIGN, Action.START, Action.PEND],
    Action.RESOLVE: [Action.ACCEPT, Action.ASSIGN, Action.START],
    Action.CLOSE: [Action.ACCEPT, Action.ASSIGN, Action.START, Action.RESOLVE],
    Action.REOPEN: [Action.ACCEPT, Action.ASSIGN, Action.START, Action.RESOLVE],
}


def state() -> tuple[int, int, int]:
    return Ticket.objects.count(), TicketEvent.objects.count(), AuditEntry.objects.count()


@pytest.mark.parametrize("role", [role.value for role in Role])
@pytest.mark.parametrize("action", list(BODIES))
def test_transition_endpoints(
    api: Callable[[str], APIClient],
    customer: Customer,
    make_ticket: Callable[..., Ticket],
    role: str,
    action: str,
) -> None:
    number = make_ticket(kind="service_order", subtype="open", urgency="general").number
    admin = api("admin")
    for step in START_STATUS[action]:
        response = admin.post(f"/api/v1/tickets/{number}/{step}/", BODIES[step], format="json")
        assert response.status_code == 200, (step, response.json())
    before = state()
    response = api(role).post(f"/api/v1/tickets/{number}/{action}/", BODIES[action], format="json")
    if role == Role.CUSTOMER:  # the staff API is closed to customers
        assert response.status_code == 403
        assert state() == before
    elif role == Role.TECHNICIAN and Action.ASSIGN not in START_STATUS[action]:
        # Not yet routed to the technician's department: out of their scope (R-SEC-1).
        assert response.status_code == 404, (action, response.json())
        assert state() == before
    elif workflow.can_role_act(frozenset({role}), action):
        assert response.status_code == 200, (role, action, response.json())
    else:
        assert response.status_code == 403, (role, action, response.json())
        assert response.json()["error"]["code"] == "permission_denied"
        assert state() == before


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_register_note_and_update(
    api: Callable[[str], APIClient],
    customer: Customer,
    make_ticket: Callable[..., Ticket],
    role: str,
) -> None:
    client = api(role)
    roles = frozenset({role})
    if role == Role.CUSTOMER:
        for method, path in [
            ("get", "/api/v1/tickets/"),
            ("get", "/api/v1/customers/"),
            ("post", "/api/v1/tickets/"),
            ("get", "/api/v1/regions/"),
        ]:
            assert getattr(client, method)(path).status_code == 403, path
        return
    created = client.post(
        "/api/v1/tickets/",
        {
            "kind": "inquiry",
            "channel": "hotline",
            "category": "billing",
            "customer": customer.number,
            "title": "t",
            "description": "d",
        },
        format="json",
    )
    assert created.status_code == (201 if workflow.can_role_act(roles, Action.REGISTER) else 403)
    number = make_ticket().number
    note = client.post(f"/api/v1/tickets/{number}/add_note/", {"note": "n"}, format="json")
    patch = client.patch(f"/api/v1/tickets/{number}/", {"title": "新"}, format="json")
    read = client.get(f"/api/v1/tickets/{number}/")
    if role == Role.TECHNICIAN:  # an unrouted ticket is outside a technician's scope (R-SEC-1)
        assert (note.status_code, patch.status_code, read.status_code) == (404, 404, 404)
        return
    assert note.status_code == (201 if workflow.can_role_act(roles, Action.NOTE) else 403)
    assert patch.status_code == (200 if workflow.can_role_act(roles, Action.UPDATE) else 403)
    assert read.status_code == 200
