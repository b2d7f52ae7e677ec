"""Authorization matrix (STYLE habit 10, R-SEC-1, R-SEC-6): each role × each incident endpoint.

Any staff role reports; supervisors and admins handle; auditors read everything and change
nothing; other staff read only the incidents they reported (others answer 404, as if missing);
the customer role is shut out of the staff API (403). A refused call changes nothing.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from carrierdesk.accounts.choices import Role
from carrierdesk.customers.models import Customer
from carrierdesk.incidents import actions
from carrierdesk.incidents.tests.conftest import state

pytestmark = pytest.mark.django_db
BASE = "/api/v1/security/incidents/"

#: (method, path after the incident number or None for the collection, body)
ENDPOINTS: dict[str, tuple[str, str | None, dict[str, Any]]] = {
    "list": ("get", None, {}),
    "create": ("post", None, {"title": "t", "description": "d", "level": "general"}),
    "retrieve": ("get", "", {}),
    "advance": ("post", "advance/", {"to": "report", "note": "已上报"}),
    "level": ("post", "level/", {"level": "larger", "note": "上调"}),
    "notes": ("post", "notes/", {"note": "补充"}),
    "links": ("post", "links/", {"customers": ["CUSTOMER"]}),
    "regulator": ("post", "regulator/", {"note": "已报告"}),
}

HANDLER = {
    "list": 200,
    "create": 201,
    "retrieve": 200,
    "advance": 200,
    "level": 200,
    "notes": 201,
    "links": 200,
    "regulator": 200,
}
AUDITOR = {**{name: 403 for name in ENDPOINTS}, "list": 200, "retrieve": 200}
#: Other staff, on an incident someone else reported: it does not exist for them.
OTHER_STAFF = {**{name: 404 for name in ENDPOINTS}, "list": 200, "create": 201}
#: Other staff, on an incident they reported themselves.
OWN_REPORT = {**{name: 403 for name in ENDPOINTS}, "list": 200, "create": 201}
OWN_REPORT.update({"retrieve": 200, "notes": 201})

EXPECTED: dict[str, dict[str, int]] = {
    Role.SUPERVISOR: HANDLER,
    Role.ADMIN: HANDLER,
    Role.AUDITOR: AUDITOR,
    Role.AGENT: OTHER_STAFF,
    Role.DISPATCHER: OTHER_STAFF,
    Role.TECHNICIAN: OTHER_STAFF,
    Role.QUALITY_INSPECTOR: OTHER_STAFF,
    Role.CUSTOMER: {name: 403 for name in ENDPOINTS},
}


def call(client: APIClient, endpoint: str, number: str, customer: Customer) -> Any:
    method, tail, body = ENDPOINTS[endpoint]
    path = BASE if tail is None else f"{BASE}{number}/{tail}"
    if endpoint == "links":
        body = {"customers": [customer.number]}
    if method == "get":
        return client.get(path)
    return client.post(path, body, format="json")


def test_the_matrix_covers_every_role() -> None:
    assert set(EXPECTED) == {role.value for role in Role}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("role", [role.value for role in Role])
def test_r_sec_6_role_matrix_on_someone_elses_incident(
    api: Callable[[str], APIClient],
    staff: dict[str, User],
    customer: Customer,
    role: str,
    endpoint: str,
) -> None:
    number = actions.report_incident(
        staff["admin"], title="t", description="d", level="general"
    ).number
    before = state()
    response = call(api(role), endpoint, number, customer)
    expected = EXPECTED[role][endpoint]
    assert response.status_code == expected, (role, endpoint, response.content)
    if expected >= 400:
        assert state() == before
        if role != Role.CUSTOMER and expected == 403:
            assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize(
    "role", [Role.AGENT, Role.DISPATCHER, Role.TECHNICIAN, Role.QUALITY_INSPECTOR]
)
def test_r_sec_6_role_matrix_on_their_own_report(
    api: Callable[[str], APIClient],
    staff: dict[str, User],
    customer: Customer,
    role: str,
    endpoint: str,
) -> None:
    number = actions.report_incident(
        staff[role], title="t", description="d", level="general"
    ).number
    before = state()
    response = call(api(role), endpoint, number, customer)
    expected = OWN_REPORT[endpoint]
    assert response.status_code == expected, (role, endpoint, response.content)
    if expected >= 400:
        assert state() == before
