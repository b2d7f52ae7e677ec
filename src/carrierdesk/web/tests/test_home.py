"""Each role's home page (issue 5 §1): what it shows each role on a known set of tickets, the
sections of a person with several roles, the admin's warnings, and pinned query counts."""

import re
from collections.abc import Callable
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from carrierdesk.calendars.models import CalendarYear
from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.customers.models import Customer
from carrierdesk.privacy.actions import unmask_customer
from carrierdesk.sla.tests import conftest as sla_fixtures
from carrierdesk.sla.tests import test_web_board as board_fixtures
from carrierdesk.sla.tests.test_web_board import NOW, Fixture
from carrierdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

policy = sla_fixtures.policy
tickets = board_fixtures.tickets


def home(client: Client) -> str:
    with clock.frozen(NOW):
        response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def numbers_in(body: str, table: str) -> list[str]:
    found = re.search(rf'<table[^>]*id="{table}".*?</table>', body, re.S)
    assert found, table
    return re.findall(r'href="/tickets/([A-Z]{2}\d+)/"', found[0])


def stat(body: str, name: str) -> int:
    match = re.search(rf'id="{name}">(\d+)<', body)
    assert match, name
    return int(match[1])


def sections(body: str) -> list[str]:
    return re.findall(r'<section[^>]*id="section-([a-z-]+)"', body)


@pytest.mark.parametrize(
    "role",
    ["agent", "dispatcher", "technician", "supervisor", "quality_inspector", "auditor", "admin"],
)
def test_every_staff_role_has_a_home_with_its_own_section(
    role: str, staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    assert sections(home(browse(role))) == [role.replace("_", "-")]


def test_customers_and_strangers_get_no_home(staff: dict[str, User], client: Client) -> None:
    assert client.get("/").status_code == 302
    client.force_login(staff["customer"])
    assert client.get("/").status_code == 403


def test_r_wf_5_agent_sees_own_open_tickets_by_deadline_and_those_to_close(
    tickets: Fixture, browse: Callable[..., Client]
) -> None:
    body = home(browse("agent"))
    assert 'href="/intake/"' in body and "Register a call" in body
    assert stat(body, "agent-open") == 5
    assert stat(body, "agent-resolved") == 1
    # Nearest counting deadline first: the first handling overdue since 29 Sep, the first
    # responses due 09:15 and 10:15, the first result feedback of the resolved ticket (10 Oct
    # 00:00, after the National Day holidays), the resolution of the ticket in progress.
    assert numbers_in(body, "agent-deadlines") == [
        tickets.escalated.number,
        tickets.late.number,
        tickets.soon.number,
        tickets.resolved.number,
        tickets.working.number,
    ]
    assert numbers_in(body, "agent-to-close") == [tickets.resolved.number]
    links = unescape(body)
    assert 'href="/tickets/?segment=mine"' in links
    assert 'href="/tickets/?status=resolved&segment=mine"' in links


def test_dispatcher_sees_the_unassigned_most_urgent_first(
    tickets: Fixture, browse: Callable[..., Client]
) -> None:
    body = home(browse("dispatcher"))
    assert stat(body, "dispatcher-waiting") == 2
    assert numbers_in(body, "dispatcher-deadlines") == [tickets.late.number, tickets.soon.number]
    assert 'href="/dispatch/"' in body
    assert 'href="/tickets/?segment=unassigned"' in body


def test_technician_sees_assigned_tickets_by_deadline_and_counts(
    tickets: Fixture, browse: Callable[..., Client]
) -> None:
    body = home(browse("technician"))
    assert numbers_in(body, "technician-deadlines") == [tickets.working.number]
    counts = re.search(r'id="technician-counts">(.*?)</ul>', body, re.S)
    assert counts
    found = re.findall(r'<span class="cd-stat">(\d+)</span> ([^<]+)</a>', counts[1])
    assert found == [("0", "Assigned"), ("1", "In progress"), ("0", "Pending"), ("0", "Reopened")]


def test_supervisor_sees_the_board_summary(tickets: Fixture, browse: Callable[..., Client]) -> None:
    body = unescape(home(browse("supervisor")))
    summary = re.search(r'id="supervisor-summary">(.*?)</ul>', body, re.S)
    assert summary
    assert re.findall(r'<a href="([^"]+)"><span class="cd-stat">(\d+)</span>', summary[1]) == [
        ("/tickets/?breach=next_hour&segment=all", "1"),
        ("/tickets/?breach=breached&segment=all", "2"),
        ("/board/#escalations", "1"),
    ]
    assert 'href="/board/"' in body


def test_r_rv_1_quality_inspector_sees_resolved_to_visit_and_reopened(
    tickets: Fixture, browse: Callable[..., Client]
) -> None:
    body = home(browse("quality_inspector"))
    assert stat(body, "quality-resolved") == 1
    assert stat(body, "quality-reopened") == 0
    assert numbers_in(body, "quality-to-visit") == [tickets.resolved.number]
    assert numbers_in(body, "quality-reopened-rows") == []


def test_auditor_sees_recent_unmaskings_and_where_the_trails_are(
    staff: dict[str, User], customer: Customer, browse: Callable[..., Client]
) -> None:
    for moment in (NOW - timedelta(days=3), NOW - timedelta(hours=2), NOW - timedelta(days=9)):
        with clock.frozen(moment):
            unmask_customer(staff["supervisor"], customer.number, reason="核实用户身份以便回访")
    body = home(browse("auditor"))
    found = re.search(r'id="auditor-unmasked">(.*?)</p>', body, re.S)
    assert found
    text = re.sub(r"<[^>]+>", " ", found[1])
    assert " ".join(text.split()) == (
        "Personal data shown in clear: 1 times in the last 24 hours, 2 in the last 7 days."
    )
    assert 'href="/api/v1/privacy/access-log/"' in body
    assert "carrierdesk audit verify" in body


def test_r_cal_2_admin_is_warned_of_next_years_missing_holidays(
    staff: dict[str, User], browse: Callable[..., Client], settings: object
) -> None:
    settings.SILENCED_SYSTEM_CHECKS = []  # type: ignore[attr-defined]
    CalendarYear.objects.filter(calendar__code="cn", year=2026).delete()
    client = browse("admin")
    with clock.frozen(at("2025-11-03 09:00")):
        body = client.get("/").content.decode()
    assert "Calendar “cn” has no holidays for 2026." in body
    assert "Calendar “cn-business”" not in body
    assert "No time-limit policy is loaded" in body  # no pack loaded in this test
    for url in ("/calendars/", "/policies/", "/users/", "/admin/"):
        assert f'href="{url}"' in body


def test_admin_warnings_silenced_by_the_settings_stay_silent(
    policy: object, staff: dict[str, User], browse: Callable[..., Client], settings: object
) -> None:
    settings.SILENCED_SYSTEM_CHECKS = ["carrierdesk.W101"]  # type: ignore[attr-defined]
    CalendarYear.objects.filter(calendar__code="cn", year=2026).delete()
    with clock.frozen(at("2025-11-03 09:00")):
        body = browse("admin").get("/").content.decode()
    assert "has no holidays" not in body
    assert "Warning:" not in body


def test_several_roles_see_each_of_their_sections(
    tickets: Fixture, staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    staff["agent"].groups.add(Group.objects.get(name="dispatcher"))
    body = home(browse("agent"))
    assert sections(body) == ["agent", "dispatcher"]


def test_titles_are_shown_with_numbers_masked(
    policy: object, make_ticket: Callable[..., Ticket], browse: Callable[..., Client]
) -> None:
    with clock.frozen(NOW):
        make_ticket(title="用户13812345678反映话费异常", received_at=NOW, urgency="general")
    body = home(browse("agent"))
    assert "138****5678" in body
    assert "13812345678" not in body


#: Queries of each role's home with the board's tickets: the request's own (session, user,
#: OTP device, roles, staff profile — read once for the scope and the menu) plus each
#: section's (agent 4, dispatcher 2, technician 2, supervisor 3, quality inspector 4,
#: auditor 1, admin 2 before November and 3 from then on).
HOME_QUERIES = {
    "agent": 9,
    "dispatcher": 7,
    "technician": 7,
    "supervisor": 8,
    "quality_inspector": 9,
    "auditor": 6,
    "admin": 7,
}


@pytest.mark.parametrize("role", sorted(HOME_QUERIES))
def test_home_query_count_is_pinned(
    role: str,
    tickets: Fixture,
    browse: Callable[..., Client],
    django_assert_num_queries: Callable,
) -> None:
    client = browse(role)
    home(client)
    with django_assert_num_queries(HOME_QUERIES[role]):
        home(client)
