"""Shared fixtures: an organisation with one user per role, a customer, API clients."""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY  # type: ignore[import-untyped]  # no type hints
from django_otp.oath import totp  # type: ignore[import-untyped]
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from carrierdesk.accounts import actions as accounts
from carrierdesk.accounts import otp
from carrierdesk.accounts.choices import STAFF_ROLES, DepartmentKind, RegionLevel, Role
from carrierdesk.accounts.models import Department, Region
from carrierdesk.customers import actions as customers
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.tickets import actions as tickets
from carrierdesk.tickets.models import Ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: A valid resident ID number (GB 11643 check character) of a fictitious person.
VALID_ID = "11010519491231002X"
VALID_MOBILE = "13812345678"


def at(text: str) -> datetime:
    """An aware datetime in Asia/Shanghai from 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


def current_code(enrolment: otp.Enrolment, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` 30-second steps later)."""
    device = enrolment.device
    return f"{totp(device.bin_key, drift=steps_ahead):06d}"


def sign_in_to_admin(client: Client, user: User) -> None:
    """Sign `client` in as `user` with the second factor passed, as the admin sign-in form
    leaves a privileged user's session (R-SEC-4); enrols and confirms an authenticator."""
    enrolment = otp.authenticator_of(user) or otp.enrol_totp(None, user)
    if not enrolment.device.confirmed:
        otp.confirm_totp(None, user, current_code(enrolment))
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = enrolment.device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with an empty cache: cached counts (the board's grid, the closed
    satisfaction batches) are keyed by ids that another test's rows may have had."""
    cache.clear()


@pytest.fixture
def region(db: Any) -> Region:
    province = accounts.upsert_region(
        None, code="440000", name="广东省", level=RegionLevel.PROVINCE
    )
    city = accounts.upsert_region(
        None, code="440100", name="广州市", level=RegionLevel.CITY, parent_code=province.code
    )
    return accounts.upsert_region(
        None, code="440106", name="天河区", level=RegionLevel.DISTRICT, parent_code=city.code
    )


@pytest.fixture
def departments(region: Region) -> dict[str, Department]:
    return {
        kind: accounts.upsert_department(
            None, code=kind.upper()[:12], name=kind, kind=kind, region=region
        )
        for kind in (DepartmentKind.CUSTOMER_SERVICE, DepartmentKind.NETWORK_OPERATIONS)
    }


@pytest.fixture
def staff(departments: dict[str, Department], region: Region) -> dict[str, User]:
    """One user per role of SPEC §0, named after the role (the customer role holds no
    staff profile)."""
    home = {Role.TECHNICIAN: DepartmentKind.NETWORK_OPERATIONS}
    users = {
        role.value: accounts.upsert_staff(
            None,
            username=role.value,
            password="correct-horse-battery",
            role=role.value,
            display_name=str(role.label),
            employee_number=f"E{index:04d}",
            department=departments[home.get(role, DepartmentKind.CUSTOMER_SERVICE)],
            region=region,
        )
        for index, role in enumerate(Role)
        if role in STAFF_ROLES
    }
    customer_user = User.objects.create_user("customer", password="correct-horse-battery")
    customer_user.groups.add(Group.objects.get(name=Role.CUSTOMER))
    users[Role.CUSTOMER.value] = customer_user
    return users


@pytest.fixture
def customer(region: Region) -> Customer:
    return customers.create_customer(
        None,
        customer_type="individual",
        name="张伟",
        mobile=VALID_MOBILE,
        id_type="resident_id",
        id_number=VALID_ID,
        address="广东省广州市天河区体育西路1号",
        region=region,
    )


@pytest.fixture
def subscription(customer: Customer) -> Subscription:
    return customers.create_subscription(
        None, customer, service_number=VALID_MOBILE, product="mobile"
    )


@pytest.fixture
def make_ticket(staff: dict[str, User], customer: Customer) -> Callable[..., Ticket]:
    def make(**overrides: Any) -> Ticket:
        values: dict[str, Any] = {
            "kind": "complaint",
            "channel": "hotline",
            "category": "billing",
            "customer": customer,
            "title": "话费异常",
            "description": "用户反映本月话费多扣。",
        }
        values.update(overrides)
        return tickets.register_ticket(staff["agent"], **values)

    return make


@pytest.fixture
def api(staff: dict[str, User]) -> Callable[[str], APIClient]:
    """api("agent") is an API client authenticated by that role's token."""

    def client(role: str) -> APIClient:
        token, _ = Token.objects.get_or_create(user=staff[role])
        api_client = APIClient()
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api_client

    return client
