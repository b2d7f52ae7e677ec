"""The supervisor board (issue 5 §6): its numbers on a known set of tickets, who opens it,
the drill-down links into the queue, the htmx refresh, and its pinned query count."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.sla.models import Alert, PolicyVersion
from carrierdesk.sla.sweep import sweep
from carrierdesk.sla.web.board import BOARD_STATUSES
from carrierdesk.tickets import actions
from carrierdesk.tickets.choices import OPEN_STATUSES
from carrierdesk.tickets.models import Ticket
from carrierdesk.web.tests import conftest as web_fixtures

pytestmark = pytest.mark.django_db

browse = web_fixtures.browse

#: Tuesday 30 September 2025, 10:05 in Shanghai: when the board is looked at.
NOW = at("2025-09-30 10:05")
CUSTOMER_SERVICE = "CUSTOMER_SER"
NETWORK = "NETWORK_OPER"


@dataclass
class Fixture:
    escalated: Ticket
    soon: Ticket
    late: Ticket
    working: Ticket
    resolved: Ticket


@pytest.fixture
def tickets(
    policy: PolicyVersion, make_ticket: Callable[..., Ticket], staff: dict[str, User]
) -> Fixture:
    """Five general complaints; at NOW:

    - escalated: received Fri 26 Sep, assigned to customer service, never started: its first
      handling (1 working day, due Mon 29 Sep 00:00 — Sun 28 Sep is an adjusted working day)
      is overdue, and the sweeper has told the supervisor (breach alert);
    - soon: received 10:00, first response due 10:15 — breaches within the hour;
    - late: received 09:00, first response due 09:15 — breached, still counting, no department;
    - working: in progress in network operations, nothing due today;
    - resolved: resolved in customer service yesterday.
    """

    def register(received: str) -> Ticket:
        with clock.frozen(at(received)):
            return make_ticket(received_at=at(received), urgency="general")

    def step(when: str, verb: str, role: str, number: str, **values: str) -> None:
        with clock.frozen(at(when)):
            actions.TRANSITION_FUNCTIONS[verb](staff[role], number, **values)

    def assigned(day: str, hour: str, department: str, assignee: str) -> Ticket:
        """Received on `day` at `hour`:00, accepted at :05, assigned by the dispatcher at :06."""
        ticket = register(f"{day} {hour}:00")
        step(f"{day} {hour}:05", "accept", "agent", ticket.number)
        step(
            f"{day} {hour}:06",
            "assign",
            "dispatcher",
            ticket.number,
            department=department,
            assignee=assignee,
        )
        return ticket

    escalated = assigned("2025-09-26", "10", CUSTOMER_SERVICE, "agent")
    resolved = assigned("2025-09-29", "09", CUSTOMER_SERVICE, "agent")
    step("2025-09-29 09:07", "start", "agent", resolved.number)
    step("2025-09-29 12:00", "resolve", "agent", resolved.number, resolution="已退费")
    working = assigned("2025-09-30", "08", NETWORK, "technician")
    step("2025-09-30 08:07", "start", "technician", working.number)
    late = register("2025-09-30 09:00")
    soon = register("2025-09-30 10:00")
    sweep(now=NOW)
    return Fixture(escalated, soon, late, working, resolved)


@pytest.fixture(autouse=True)
def fresh_grid() -> Iterator[None]:
    """The grid of open tickets is reused for a minute across requests: none from another
    test."""
    cache.clear()
    yield
    cache.clear()


def board(client: Client, htmx: bool = False) -> str:
    with clock.frozen(NOW):
        response = client.get("/board/", headers={"HX-Request": "true"} if htmx else None)
    assert response.status_code == 200
    return response.content.decode()


def stat(body: str, name: str) -> int:
    match = re.search(rf'id="board-{name}">(\d+)<', body)
    assert match, name
    return int(match[1])


def rows(body: str, table: str) -> list[str]:
    """The ticket numbers of a board table, in order."""
    found = re.search(rf'<table[^>]*id="{table}".*?</table>', body, re.S)
    assert found, table
    return re.findall(r'href="/tickets/([A-Z]{2}\d+)/"', found[0])


def test_r_sla_4_board_counts_clocks_breaching_within_the_hour_and_breached(
    tickets: Fixture, browse: Callable[..., Client]
) -> None:
    body = board(browse("admin"))
    assert stat(body, "breaching") == 1
    assert stat(body, "breached") == 2
    assert rows(body, "board-breaching-rows") == [tickets.soon.number]
    # Most overdue first: the first handling due 29 Sep 00:00, then the first response 09:15.
    assert rows(body, "board-breached-rows") == [tickets.escalated.number, tickets.late.number]


def test_counts_stop_at_the_cap(
    tickets: Fixture, browse: Callable[..., Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("carrierdesk.sla.web.board.COUNT_CAP", 1)
    body = board(browse("admin"))
    assert 'id="board-breaching">1<' in body
    assert 'id="board-breached">1+<' in body
    assert 'id="board-escalations">1+<' in body
    assert len(rows(body, "board-breached-rows")) == 2  # the lists are not capped by it


def test_escalations_are_breaches_told_and_still_waiting_on_unresolved_tickets(
    tickets: Fixture, staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    # The sweep fired 50%, 80%, 100% (breach, told to the supervisor) and 150% (escalation)
    # on the escalated ticket's first handling and on the late ticket's first response.
    assert set(Alert.objects.filter(kind="escalation").values_list("ticket", flat=True)) == {
        tickets.escalated.pk,
        tickets.late.pk,
    }
    admin = board(browse("admin"))
    assert stat(admin, "escalations") == 2
    # The most overdue clock first: the first handling due 29 Sep, then the first response.
    assert rows(admin, "board-escalation-rows") == [tickets.escalated.number, tickets.late.number]
    assert admin.count("Escalation (") == 2
    # The supervisor of customer service: only their department's (the late ticket has none).
    supervisor = board(browse("supervisor"))
    assert stat(supervisor, "escalations") == 1
    assert rows(supervisor, "board-escalation-rows") == [tickets.escalated.number]
    # Once the clock stops (handling started) nothing waits any more.
    with clock.frozen(NOW):
        actions.start(staff["agent"], tickets.escalated.number)
    assert stat(board(browse("supervisor")), "escalations") == 0


def grid_cells(body: str) -> dict[tuple[str, str], tuple[int, str]]:
    """(department label, status label) → (count, link) of the grid's linked cells."""
    table = re.search(r'<table[^>]*id="board-grid".*?</table>', body, re.S)
    assert table
    heads = re.findall(r'<th scope="col">([^<]+)</th>', table[0])  # the statuses, "Total"
    cells: dict[tuple[str, str], tuple[int, str]] = {}
    for row in re.findall(r"<tr>\s*<th scope=\"row\"[^>]*>([^<]+)</th>(.*?)</tr>", table[0], re.S):
        label, content = row
        for index, cell in enumerate(re.findall(r"<td[^>]*>(.*?)</td>", content, re.S)):
            link = re.search(r'<a href="([^"]+)">(\d+)</a>', cell)
            if link:
                cells[(label.strip(), heads[index])] = (int(link[2]), unescape(link[1]))
    return cells


def test_grid_columns_are_the_open_statuses_its_index_holds() -> None:
    """The grid counts the tickets of `ticket_open_scope` (OPEN_STATUSES), column by column."""
    assert set(BOARD_STATUSES) == set(OPEN_STATUSES)


def test_grid_counts_open_tickets_by_department_and_status_and_drills_down(
    tickets: Fixture, browse: Callable[..., Client]
) -> None:
    body = board(browse("admin"))
    # The queue shows open tickets unless told a status: totals link without one.
    assert grid_cells(body) == {
        ("customer_service", "Assigned"): (
            1,
            "/tickets/?status=assigned&department=CUSTOMER_SER&segment=all",
        ),
        ("customer_service", "Resolved"): (
            1,
            "/tickets/?status=resolved&department=CUSTOMER_SER&segment=all",
        ),
        ("customer_service", "Total"): (2, "/tickets/?department=CUSTOMER_SER&segment=all"),
        ("network_operations", "In progress"): (
            1,
            "/tickets/?status=in_progress&department=NETWORK_OPER&segment=all",
        ),
        ("network_operations", "Total"): (1, "/tickets/?department=NETWORK_OPER&segment=all"),
        ("Total", "New"): (2, "/tickets/?status=new&segment=all"),
        ("Total", "Assigned"): (1, "/tickets/?status=assigned&segment=all"),
        ("Total", "In progress"): (1, "/tickets/?status=in_progress&segment=all"),
        ("Total", "Resolved"): (1, "/tickets/?status=resolved&segment=all"),
        ("Total", "Total"): (5, "/tickets/?segment=all"),
    }
    # Tickets not routed yet: counted, but the queue cannot filter on "no department".
    row = re.search(
        r'<th scope="row" class="text-start">No department yet</th>(.*?)</tr>', body, re.S
    )
    assert row
    assert re.findall(r"<td[^>]*>(.*?)</td>", row[1]) == [
        "2",
        '<span class="text-body-secondary">0</span>',
        *['<span class="text-body-secondary">0</span>'] * 5,
        "2",
    ]


def test_headline_numbers_drill_down_into_the_queue(
    tickets: Fixture, browse: Callable[..., Client]
) -> None:
    admin = unescape(board(browse("admin")))
    assert 'href="/tickets/?breach=next_hour&segment=all"' in admin
    assert 'href="/tickets/?breach=breached&segment=all"' in admin
    assert 'href="/tickets/?breach=escalated&segment=all"' in admin
    supervisor = unescape(board(browse("supervisor")))
    assert 'href="/tickets/?breach=escalated&department=CUSTOMER_SER&segment=all"' in supervisor


def test_refresh_every_minute_returns_the_section_alone(
    tickets: Fixture, browse: Callable[..., Client]
) -> None:
    client = browse("supervisor")
    page = board(client)
    assert 'hx-get="/board/"' in page and 'hx-trigger="every 60s"' in page
    section = board(client, htmx=True)
    assert section.lstrip().startswith('<section id="board"')
    assert "<html" not in section
    assert stat(section, "breached") == 2


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("supervisor", 200),
        ("admin", 200),
        ("quality_inspector", 200),
        ("auditor", 200),
        ("agent", 403),
        ("dispatcher", 403),
        ("technician", 403),
    ],
)
def test_who_opens_the_board(
    role: str, status: int, staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    assert browse(role).get("/board/").status_code == status


def test_customer_and_anonymous_are_kept_out(staff: dict[str, User], client: Client) -> None:
    assert client.get("/board/").status_code == 302
    client.force_login(staff["customer"])
    assert client.get("/board/").status_code == 403


def test_board_scope_follows_the_user(
    tickets: Fixture, staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    """A supervisor of another region sees none of these tickets (R-SEC-1)."""
    from carrierdesk.accounts import actions as accounts
    from carrierdesk.accounts.choices import RegionLevel
    from carrierdesk.accounts.models import Department

    other = accounts.upsert_region(None, code="310000", name="上海市", level=RegionLevel.PROVINCE)
    department = accounts.upsert_department(
        None, code="SH_CS", name="上海客服", kind="customer_service", region=other
    )
    stranger = accounts.upsert_staff(
        None,
        username="sh-supervisor",
        password="correct-horse-battery",
        role="supervisor",
        display_name="上海主管",
        employee_number="E9001",
        department=Department.objects.get(pk=department.pk),
        region=other,
    )
    client = web_fixtures.sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), stranger)
    body = board(client)
    assert (stat(body, "breaching"), stat(body, "breached"), stat(body, "escalations")) == (0, 0, 0)
    assert "No open tickets." in body


def test_the_grid_is_reused_for_a_minute_and_the_clocks_stay_live(
    tickets: Fixture, staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    client = browse("admin")
    before = grid_cells(board(client))
    with clock.frozen(NOW):
        actions.accept(staff["agent"], tickets.late.number)  # stops its first response
    body = board(client)
    assert grid_cells(body) == before  # counted at the first view
    assert "counted at 10:05:00" in body
    assert stat(body, "breached") == 1  # live
    cache.clear()
    assert grid_cells(board(client))[("Total", "Accepted")] == (
        1,
        "/tickets/?status=accepted&segment=all",
    )


def test_board_query_count_is_pinned(
    tickets: Fixture, browse: Callable[..., Client], django_assert_num_queries: Callable
) -> None:
    client = browse("supervisor")
    board(client)
    # Session, user, OTP device, roles, profile (scope and menu); the department; the three
    # counts; the three lists; the grid of open tickets is reused.
    with django_assert_num_queries(12):
        board(client)
    # … or, after a minute, counted again: the grid and its departments.
    cache.clear()
    with django_assert_num_queries(14):
        board(client)


def queue_numbers(client: Client, query: str) -> set[str]:
    with clock.frozen(NOW):
        response = client.get(f"/tickets/?{query}")
    assert response.status_code == 200
    found = re.search(r"<table[^>]*data-keynav.*?</table>", response.content.decode(), re.S)
    assert found
    return set(re.findall(r'href="/tickets/([A-Z]{2}\d+)/"', found[0]))


def test_drill_down_links_open_the_queue_on_the_same_tickets(
    tickets: Fixture, browse: Callable[..., Client]
) -> None:
    admin = browse("admin")
    assert queue_numbers(admin, "segment=all&breach=next_hour") == {tickets.soon.number}
    assert queue_numbers(admin, "segment=all&breach=breached") == {
        tickets.escalated.number,
        tickets.late.number,
    }
    assert queue_numbers(admin, "segment=all&breach=escalated") == {
        tickets.escalated.number,
        tickets.late.number,
    }
