"""Scoping by department and region (R-SEC-1): the authorisation matrix of every role × every
endpoint that reads or writes customers, subscriptions and tickets × an object in and out of
the role's scope, with IDOR probes by sequential ids and numbers.

The shared fixtures put every staff member in 天河区 (Guangzhou); the technician works in
network operations. The "far" objects live in 福田区 (Shenzhen), registered by a Shenzhen agent
and routed to a Shenzhen department. Refused calls answer 403 (role) or 404 (scope; the same
answer as a number that does not exist) and change nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from carrierdesk.accounts import actions as accounts
from carrierdesk.accounts.choices import DepartmentKind, RegionLevel, Role
from carrierdesk.accounts.models import Department, Region
from carrierdesk.accounts.scope import scope_of
from carrierdesk.config.paths import default_policy_pack
from carrierdesk.core.errors import InvalidInput
from carrierdesk.customers import actions as customers
from carrierdesk.customers.actions import WRITER_ROLES
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.customers.queries import customers_visible_to
from carrierdesk.privacy.models import PersonalDataAccess
from carrierdesk.privacy.policy import can_unmask
from carrierdesk.sla.actions import load_policy
from carrierdesk.tickets import actions as tickets
from carrierdesk.tickets import workflow
from carrierdesk.tickets.choices import Action
from carrierdesk.tickets.models import Ticket, TicketEvent
from carrierdesk.tickets.queries import tickets_visible_to

pytestmark = pytest.mark.django_db
Api = Callable[[str], APIClient]
STAFF = [role.value for role in Role if role != Role.CUSTOMER]
READ_ALL = {Role.ADMIN.value, Role.AUDITOR.value}


@dataclass
class Objects:
    customer: Customer
    subscription: Subscription
    ticket: Ticket


@pytest.fixture
def far_region(region: Region) -> Region:
    province = Region.objects.get(code="440000")
    city = accounts.upsert_region(
        None, code="440300", name="深圳市", level=RegionLevel.CITY, parent_code=province.code
    )
    return accounts.upsert_region(
        None, code="440304", name="福田区", level=RegionLevel.DISTRICT, parent_code=city.code
    )


@pytest.fixture
def near(staff: dict[str, User], customer: Customer, departments: dict[str, Department]) -> Objects:
    subscription = customers.create_subscription(
        None, customer, service_number="13812345678", product="mobile"
    )
    ticket = tickets.register_ticket(
        staff["agent"],
        kind="fault",
        channel="hotline",
        category="network_quality",
        subtype="network",
        customer=customer,
        subscription=subscription,
        title="家宽断网",
        description="用户反映宽带无法上网。",
    )
    tickets.accept(staff["agent"], ticket.number)
    tickets.assign(staff["dispatcher"], ticket.number, department="NETWORK_OPER")
    return Objects(customer, subscription, Ticket.objects.get(pk=ticket.pk))


@pytest.fixture
def far(far_region: Region, staff: dict[str, User]) -> Objects:
    desk = accounts.upsert_department(
        None, code="SZ_CS", name="深圳客服", kind=DepartmentKind.CUSTOMER_SERVICE, region=far_region
    )
    accounts.upsert_department(
        None,
        code="SZ_NET",
        name="深圳网络",
        kind=DepartmentKind.NETWORK_OPERATIONS,
        region=far_region,
    )
    shenzhen_agent = accounts.upsert_staff(
        None,
        username="sz_agent",
        password="correct-horse-battery",
        role=Role.AGENT,
        display_name="深圳坐席",
        employee_number="SZ0001",
        department=desk,
        region=far_region,
    )
    customer = customers.create_customer(
        None,
        customer_type="individual",
        name="李娜",
        mobile="13987654321",
        id_type="resident_id",
        id_number="440304199001011233",
        address="广东省深圳市福田区福华路2号",
        region=far_region,
    )
    subscription = customers.create_subscription(
        None, customer, service_number="13987654321", product="mobile"
    )
    ticket = tickets.register_ticket(
        shenzhen_agent,
        kind="fault",
        channel="hotline",
        category="network_quality",
        subtype="network",
        customer=customer,
        subscription=subscription,
        title="信号差",
        description="用户反映室内无信号。",
    )
    tickets.accept(shenzhen_agent, ticket.number)
    tickets.assign(None, ticket.number, department="SZ_NET")
    return Objects(customer, subscription, Ticket.objects.get(pk=ticket.pk))


def state() -> tuple[Any, ...]:
    """Everything a refused call must leave as it was."""
    return (
        list(Ticket.objects.order_by("pk").values_list("pk", "version", "title", "status")),
        TicketEvent.objects.count(),
        list(Customer.objects.order_by("pk").values_list("pk", "updated_at")),
        list(Subscription.objects.order_by("pk").values_list("pk", "updated_at")),
        PersonalDataAccess.objects.count(),
    )


# --- the scope itself --------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_querysets_follow_the_scope(
    staff: dict[str, User], near: Objects, far: Objects, role: str
) -> None:
    user = staff[role]
    assert set(tickets_visible_to(user)) == (
        {near.ticket, far.ticket} if role in READ_ALL else {near.ticket}
    )
    assert set(customers_visible_to(user)) == (
        {near.customer, far.customer} if role in READ_ALL else {near.customer}
    )


def test_a_supervisor_sees_the_subtree_of_their_departments_region(
    staff: dict[str, User], near: Objects, far: Objects, region: Region
) -> None:
    # Move the supervisor's department up to the province: both cities come into view.
    province = region.parent.parent  # type: ignore[union-attr]
    department = staff["supervisor"].staff_profile.department
    assert department is not None
    accounts.upsert_department(
        None, code=department.code, name=department.name, kind=department.kind, region=province
    )
    supervisor = User.objects.get(pk=staff["supervisor"].pk)
    assert set(tickets_visible_to(supervisor)) == {near.ticket, far.ticket}
    # The agent of the same department still sees only their own district.
    assert set(tickets_visible_to(User.objects.get(pk=staff["agent"].pk))) == {near.ticket}


def test_a_technician_sees_only_what_is_routed_to_them_or_their_department(
    staff: dict[str, User], near: Objects, make_ticket: Callable[..., Ticket]
) -> None:
    unrouted = make_ticket()
    technician = staff["technician"]
    assert set(tickets_visible_to(technician)) == {near.ticket}
    assert unrouted not in set(tickets_visible_to(technician))
    assert scope_of(technician).region_paths == ()


def test_moving_a_region_moves_its_subtree(region: Region, far_region: Region) -> None:
    # 天河区 moves under 深圳市 (a made-up reorganisation): its path follows.
    accounts.upsert_region(
        None, code="440100", name="广州市", level=RegionLevel.CITY, parent_code="440300"
    )
    assert Region.objects.get(code="440106").path == "/440000/440300/440100/440106/"


def test_a_region_cannot_move_inside_itself(region: Region) -> None:
    with pytest.raises(InvalidInput) as refused:
        accounts.upsert_region(
            None, code="440000", name="广东省", level=RegionLevel.PROVINCE, parent_code="440106"
        )
    assert "parent_code" in refused.value.fields
    assert Region.objects.get(code="440000").parent is None


# --- the matrix --------------------------------------------------------------------------------

READS = [
    "/api/v1/customers/{customer}/",
    "/api/v1/subscriptions/{subscription}/",
    "/api/v1/tickets/{ticket}/",
    "/api/v1/tickets/{ticket}/events/",
    "/api/v1/tickets/{ticket}/clocks/",
    "/api/v1/tickets/{ticket}/attachments/",
]


def paths(objects: Objects, template: str) -> str:
    return template.format(
        customer=objects.customer.number,
        subscription=objects.subscription.pk,
        ticket=objects.ticket.number,
    )


@pytest.mark.parametrize("role", [*STAFF, Role.CUSTOMER.value])
@pytest.mark.parametrize("where", ["near", "far"])
@pytest.mark.parametrize("template", READS)
def test_reads(api: Api, near: Objects, far: Objects, role: str, where: str, template: str) -> None:
    objects = near if where == "near" else far
    response = api(role).get(paths(objects, template))
    if role == Role.CUSTOMER:
        expected = 403
    elif where == "near" or role in READ_ALL:
        expected = 200
    else:
        expected = 404
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("role", STAFF)
def test_lists_hold_only_what_is_in_scope(api: Api, near: Objects, far: Objects, role: str) -> None:
    client = api(role)
    sees_far = role in READ_ALL
    listed = {row["number"] for row in client.get("/api/v1/tickets/").json()["results"]}
    assert listed == ({near.ticket.number, far.ticket.number} if sees_far else {near.ticket.number})
    listed = {row["number"] for row in client.get("/api/v1/customers/").json()["results"]}
    assert listed == (
        {near.customer.number, far.customer.number} if sees_far else {near.customer.number}
    )
    listed = {row["id"] for row in client.get("/api/v1/subscriptions/").json()["results"]}
    assert listed == (
        {near.subscription.pk, far.subscription.pk} if sees_far else {near.subscription.pk}
    )
    # Filters can't reach around the scope: the far customer's ticket by customer number.
    found = client.get(f"/api/v1/tickets/?customer={far.customer.number}").json()["count"]
    assert found == (1 if sees_far else 0)


@dataclass(frozen=True)
class Write:
    method: str
    template: str
    body: dict[str, Any]
    allowed: Callable[[str], bool]
    ok: int = 200


WRITES = {
    "update customer": Write(
        "patch", "/api/v1/customers/{customer}/", {"address": "新地址"}, WRITER_ROLES.__contains__
    ),
    "unmask": Write(
        "post",
        "/api/v1/customers/{customer}/unmask/",
        {"reason": "用户来电核对身份"},
        lambda role: can_unmask(frozenset({role})),
    ),
    "update subscription": Write(
        "patch",
        "/api/v1/subscriptions/{subscription}/",
        {"sla_tier": "enterprise"},
        WRITER_ROLES.__contains__,
    ),
    "note": Write(
        "post",
        "/api/v1/tickets/{ticket}/add_note/",
        {"note": "已联系"},
        lambda role: workflow.can_role_act(frozenset({role}), Action.NOTE),
        201,
    ),
    "update ticket": Write(
        "patch",
        "/api/v1/tickets/{ticket}/",
        {"title": "改标题"},
        lambda role: workflow.can_role_act(frozenset({role}), Action.UPDATE),
    ),
    "start": Write(
        "post",
        "/api/v1/tickets/{ticket}/start/",
        {},
        lambda role: workflow.can_role_act(frozenset({role}), Action.START),
    ),
}


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize("where", ["near", "far"])
@pytest.mark.parametrize("name", list(WRITES))
def test_writes(api: Api, near: Objects, far: Objects, role: str, where: str, name: str) -> None:
    write = WRITES[name]
    objects = near if where == "near" else far
    before = state()
    response = getattr(api(role), write.method)(
        paths(objects, write.template), write.body, format="json"
    )
    if where == "far" and role not in READ_ALL:
        expected = 404  # out of scope: the same answer as a missing number
    elif write.allowed(role):
        expected = write.ok
    else:
        expected = 403
    assert response.status_code == expected, (response.status_code, response.content)
    if expected >= 400:
        assert state() == before


@pytest.mark.parametrize("role", STAFF)
def test_registering_needs_a_customer_in_scope(
    api: Api, near: Objects, far: Objects, role: str
) -> None:
    before = state()
    response = api(role).post(
        "/api/v1/tickets/",
        {
            "kind": "inquiry",
            "channel": "hotline",
            "category": "billing",
            "customer": far.customer.number,
            "title": "t",
            "description": "d",
        },
        format="json",
    )
    if not workflow.can_role_act(frozenset({role}), Action.REGISTER):
        assert response.status_code == 403
    elif role in READ_ALL:
        assert response.status_code == 201
        return
    else:
        assert response.status_code == 400
        assert response.json()["error"]["fields"]["customer"]
    assert state() == before


def test_a_customer_cannot_be_placed_outside_the_agents_area(
    api: Api, near: Objects, far_region: Region
) -> None:
    before = state()
    body = {"region": far_region.code}
    response = api("agent").patch(f"/api/v1/customers/{near.customer.number}/", body, format="json")
    assert response.status_code == 400
    assert "region" in response.json()["error"]["fields"]
    assert state() == before


def test_a_new_customer_lands_in_the_registering_agents_region(
    api: Api, staff: dict[str, User], region: Region
) -> None:
    created = api("agent").post(
        "/api/v1/customers/",
        {
            "customer_type": "individual",
            "name": "王芳",
            "id_type": "passport",
            "id_number": "E12345678",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["region"] == region.code


@pytest.mark.parametrize("role", ["technician", "quality_inspector", "auditor"])
def test_roles_that_only_read_cannot_register_customers(
    api: Api, region: Region, role: str
) -> None:
    before = Customer.objects.count()
    response = api(role).post(
        "/api/v1/customers/",
        {
            "customer_type": "individual",
            "name": "王芳",
            "id_type": "passport",
            "id_number": "E12345678",
        },
        format="json",
    )
    assert response.status_code == 403
    assert Customer.objects.count() == before


# --- IDOR probes -------------------------------------------------------------------------------


def test_sequential_numbers_and_ids_reveal_nothing(api: Api, near: Objects, far: Objects) -> None:
    """An agent walking ticket numbers, customer numbers and subscription ids gets, for
    everything outside their district, exactly the answer of a number that does not exist."""
    client = api("agent")
    missing_ticket = client.get("/api/v1/tickets/TS20000101000001/")
    assert missing_ticket.status_code == 404
    prefix, serial = far.ticket.number[:-6], int(far.ticket.number[-6:])
    for candidate in range(max(serial - 2, 1), serial + 3):
        number = f"{prefix}{candidate:06d}"
        response = client.get(f"/api/v1/tickets/{number}/")
        if number == near.ticket.number:
            continue
        assert response.status_code == 404
        assert response.json() == missing_ticket.json()
    missing_customer = client.get("/api/v1/customers/C9999999999/")
    for pk in range(1, Customer.objects.count() + 3):
        number = f"C{pk:010d}"
        if number == near.customer.number:
            continue
        response = client.get(f"/api/v1/customers/{number}/")
        assert response.status_code == 404
        assert response.json() == missing_customer.json()
    missing_subscription = client.get("/api/v1/subscriptions/999999/")
    for pk in range(1, Subscription.objects.count() + 3):
        if pk == near.subscription.pk:
            continue
        response = client.get(f"/api/v1/subscriptions/{pk}/")
        assert response.status_code == 404
        assert response.json() == missing_subscription.json()


def test_an_unmask_probe_outside_the_scope_is_logged(api: Api, far: Objects) -> None:
    from carrierdesk.audit.models import AuditEntry

    response = api("agent").post(
        f"/api/v1/customers/{far.customer.number}/unmask/",
        {"reason": "核对身份信息"},
        format="json",
    )
    assert response.status_code == 404
    refused = AuditEntry.objects.get(event_type="privacy.unmask_refused")
    assert (refused.object_id, refused.changes["why"]) == (far.customer.number, "out_of_scope")
    assert not PersonalDataAccess.objects.exists()


@pytest.fixture
def with_clocks(db: Any) -> None:
    """The default policy pack, loaded before the tickets so that they run clocks."""
    load_policy(None, default_policy_pack().read_text(encoding="utf-8"))


@pytest.mark.parametrize("role", STAFF)
def test_at_risk_lists_only_clocks_in_scope(
    api: Api, with_clocks: None, near: Objects, far: Objects, role: str
) -> None:
    rows = api(role).get("/api/v1/sla/at-risk/?within=30d").json()["results"]
    numbers = {row["ticket"] for row in rows}
    assert near.ticket.number in numbers
    assert (far.ticket.number in numbers) == (role in READ_ALL)
