"""Fixtures of the tickets app's tests. The staff UI's (test_web_*.py) use the web tests'
signed-in clients, the SLA tests' time-limit policy, and the tickets below."""

import pytest
from django.contrib.auth.models import User

from carrierdesk.accounts import actions as accounts
from carrierdesk.accounts.choices import RegionLevel
from carrierdesk.customers import actions as customers
from carrierdesk.sla.models import PolicyVersion
from carrierdesk.sla.tests import conftest as sla_fixtures
from carrierdesk.tickets import actions
from carrierdesk.tickets.models import Ticket
from carrierdesk.tickets.tests.web_helpers import MakeTicket, accepted
from carrierdesk.web.tests import conftest as web_fixtures

browse = web_fixtures.browse
policy = sla_fixtures.policy


@pytest.fixture
def elsewhere(staff: dict[str, User]) -> Ticket:
    """A ticket in another district, registered by the admin: out of every scope but the
    read-all roles'."""
    district = accounts.upsert_region(
        None, code="440304", name="福田区", level=RegionLevel.DISTRICT, parent_code="440000"
    )
    customer = customers.create_customer(
        None,
        customer_type="individual",
        name="李娜",
        mobile="13900001111",
        id_type="passport",
        id_number="E12345678",
        region=district,
    )
    return actions.register_ticket(
        staff["admin"],
        kind="complaint",
        channel="hotline",
        category="billing",
        customer=customer,
        title="话费异常",
        description="异地投诉。",
    )


@pytest.fixture(params=[3, 30])
def accepted_complaints(
    request: pytest.FixtureRequest,
    staff: dict[str, User],
    make_ticket: MakeTicket,
    policy: PolicyVersion,
) -> list[Ticket]:
    """3 or 30 accepted complaints with their clocks: a page's query count must not grow with
    its rows."""
    return [
        accepted(make_ticket, staff, title=f"话费异常 {index}") for index in range(request.param)
    ]
