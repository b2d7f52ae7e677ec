"""The queues (issue 5 §3): who sees which tickets, segments, filters, sorting, paging, saved
views, bulk assignment (§5) and the pinned query count of the page."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from carrierdesk.audit.models import AuditEntry
from carrierdesk.conftest import VALID_MOBILE
from carrierdesk.core import clock
from carrierdesk.customers.models import Customer
from carrierdesk.tickets import actions
from carrierdesk.tickets.models import Ticket
from carrierdesk.tickets.tests.web_helpers import Browse, MakeTicket, accepted, listed
from carrierdesk.tickets.web import queue_queries
from carrierdesk.tickets.web.queue_queries import COUNT_CAP, bounded_count
from carrierdesk.web.models import SavedView
from carrierdesk.web.tests import conftest as web_fixtures

# The pages in English; `browse`, `policy` and the tickets come from conftest.py.
english = web_fixtures.english

pytestmark = pytest.mark.django_db

NOC = "NETWORK_OPER"
CS = "CUSTOMER_SER"


# --- who may open the page, and what they see -------------------------------------------------


@pytest.mark.parametrize(
    "role",
    ["agent", "dispatcher", "technician", "supervisor", "quality_inspector", "auditor", "admin"],
)
def test_every_staff_role_opens_the_queue(role: str, browse: Browse) -> None:
    assert browse(role).get("/tickets/").status_code == 200


def test_customers_are_refused_and_strangers_sent_to_sign_in(
    staff: dict[str, User], client: Client
) -> None:
    assert client.get("/tickets/").status_code == 302
    client.force_login(staff["customer"])
    assert client.get("/tickets/").status_code == 403


def test_technician_sees_only_own_and_department_tickets(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    theirs = accepted(make_ticket, staff)
    actions.assign(staff["dispatcher"], theirs.number, department=NOC)
    not_theirs = accepted(make_ticket, staff)

    numbers = listed(browse("technician").get("/tickets/?segment=all&status=any"))

    assert numbers == [theirs.number]
    assert not_theirs.number not in numbers


def test_out_of_scope_tickets_are_never_listed(
    browse: Browse, make_ticket: MakeTicket, elsewhere: Ticket
) -> None:
    mine = make_ticket()
    for segment in ("mine", "team", "department", "unassigned", "all"):
        numbers = listed(browse("agent").get(f"/tickets/?segment={segment}&status=any"))
        assert elsewhere.number not in numbers
    assert listed(browse("agent").get(f"/tickets/?number={elsewhere.number}&segment=all")) == []
    assert listed(browse("agent").get("/tickets/?segment=all")) == [mine.number]
    # The read-all roles do see it.
    assert elsewhere.number in listed(browse("auditor").get("/tickets/?segment=all"))


def test_auditor_reads_without_assignment_controls(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = accepted(make_ticket, staff)
    client = browse("auditor")

    body = client.get("/tickets/?segment=all").content.decode()

    assert ticket.number in body
    assert 'name="tickets"' not in body
    assert "/queue/assign/" not in body
    refused = client.post(
        "/queue/assign/", {"tickets": f"{ticket.number}:{ticket.version}", "assignee": "technician"}
    )
    assert refused.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_dispatcher_sees_assignment_controls_with_open_loads(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = accepted(make_ticket, staff)
    busy = accepted(make_ticket, staff)
    actions.assign(staff["dispatcher"], busy.number, assignee="technician")

    body = browse("dispatcher").get("/tickets/?segment=unassigned").content.decode()

    assert f'value="{ticket.number}:{ticket.version}"' in body
    assert "data-select-all" in body
    assert "Technician — 1 open" in body


# --- segments ---------------------------------------------------------------------------------


def test_segments_and_their_counts(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    # "team" = assigned to people of my department, "department" = routed to it.
    registered = make_ticket()  # the agent's own, new, unassigned
    routed_to_cs = accepted(make_ticket, staff)
    actions.assign(staff["dispatcher"], routed_to_cs.number, department=CS)
    with_a_cs_person = accepted(make_ticket, staff)
    actions.assign(staff["dispatcher"], with_a_cs_person.number, assignee="agent")
    at_noc = accepted(make_ticket, staff)
    actions.assign(staff["dispatcher"], at_noc.number, assignee="technician")
    client = browse("supervisor")

    def segment(name: str) -> set[str]:
        return set(listed(client.get(f"/tickets/?segment={name}")))

    assert segment("mine") == set()
    assert segment("team") == {with_a_cs_person.number}
    assert segment("department") == {routed_to_cs.number, with_a_cs_person.number}
    assert segment("unassigned") == {registered.number}
    body = client.get("/tickets/?segment=team").content.decode()
    assert re.search(r"My department <span[^>]*>2</span>", body)
    assert re.search(r"Unassigned <span[^>]*>1</span>", body)
    # The agent registered every one of them: all are theirs as first owner while open.
    assert set(listed(browse("agent").get("/tickets/?segment=mine"))) == {
        registered.number,
        routed_to_cs.number,
        with_a_cs_person.number,
        at_noc.number,
    }
    assert set(listed(browse("technician").get("/tickets/?segment=mine"))) == {at_noc.number}


def test_each_role_starts_at_its_own_segment(browse: Browse) -> None:
    starts = {"agent": "mine", "dispatcher": "unassigned", "supervisor": "department"}
    for role, segment in {**starts, "auditor": "all"}.items():
        body = browse(role).get("/tickets/").content.decode()
        assert re.search(
            rf'href="/tickets/\?segment={segment}"[^>]*\s+aria-current="page"', body
        ), role


def test_bounded_count_stops_at_the_cap(make_ticket: MakeTicket) -> None:
    make_ticket()
    count = bounded_count(Ticket.objects.all())
    assert (count.value, count.capped, count.label) == (1, False, "1")
    assert COUNT_CAP == 1_000


# --- filters and sorting ----------------------------------------------------------------------


def test_filters(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User], customer: Customer
) -> None:
    now = clock.now()
    complaint = make_ticket(urgency="serious", received_at=now - timedelta(days=3))
    fault = make_ticket(
        kind="fault",
        subtype="network",
        channel="app",
        category="network_quality",
        urgency="urgent",
    )
    cancelled = make_ticket(kind="inquiry", category="other")
    actions.cancel(staff["agent"], cancelled.number, reason="客户撤回")
    client = browse("agent")

    def numbers(query: str) -> set[str]:
        return set(listed(client.get(f"/tickets/?segment=all&{query}")))

    assert numbers("") == {complaint.number, fault.number}  # open ones by default
    assert numbers("status=any") == {complaint.number, fault.number, cancelled.number}
    assert numbers("status=cancelled") == {cancelled.number}
    assert numbers("kind=fault") == {fault.number}
    assert numbers("channel=app") == {fault.number}
    assert numbers("category=billing") == {complaint.number}
    assert numbers("urgency=serious") == {complaint.number}
    assert numbers("region=440106") == {complaint.number, fault.number}
    # The agent picks among their own district's subtree; the admin may pick the city.
    assert 'id="id_region_error"' in client.get("/tickets/?region=440100").content.decode()
    city = browse("admin").get("/tickets/?segment=all&region=440100")
    assert set(listed(city)) == {complaint.number, fault.number}
    assert numbers(f"number={fault.number[:2]}") == {fault.number}
    assert numbers(f"number={complaint.number.lower()}") == {complaint.number}
    today = clock.local_date_string(now)
    today = f"{today[:4]}-{today[4:6]}-{today[6:]}"
    assert numbers(f"received_from={today}") == {fault.number}
    assert numbers(f"received_to={today}") == {complaint.number, fault.number}
    earlier = (now - timedelta(days=2)).date().isoformat()
    assert numbers(f"received_to={earlier}") == {complaint.number}


def test_bad_filters_show_errors_next_to_the_field(browse: Browse, make_ticket: MakeTicket) -> None:
    make_ticket()
    response = browse("agent").get(
        "/tickets/?received_from=2026-05-02&received_to=2026-05-01&kind=nonsense"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_received_to_error">The end date is before the start date.' in body
    assert 'id="id_kind_error">Select a valid choice.' in body
    assert 'value="2026-05-02"' in body  # what was typed stays
    assert listed(response) == []


def test_unknown_region_is_refused(browse: Browse) -> None:
    body = browse("agent").get("/tickets/?region=999999").content.decode()
    assert 'id="id_region_error"' in body


def test_sorting(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User], policy: Any
) -> None:
    now = clock.now()
    general = make_ticket(urgency="general", received_at=now - timedelta(hours=1))
    major = make_ticket(urgency="major", received_at=now - timedelta(hours=3))
    serious = make_ticket(urgency="serious", received_at=now - timedelta(hours=2))
    client = browse("agent")

    def order(sort: str) -> list[str]:
        return listed(client.get(f"/tickets/?segment=all&sort={sort}"))

    assert order("-received") == [general.number, serious.number, major.number]
    assert order("received") == [major.number, serious.number, general.number]
    assert order("urgency") == [major.number, serious.number, general.number]
    assert order("-urgency") == [general.number, serious.number, major.number]
    assert order("number") == sorted(order("number"))
    assert order("-number") == sorted(order("number"), reverse=True)
    # Deadlines: earlier received, earlier due (same limits for the three severities?) —
    # whatever the policy says, the page follows the clocks' order.
    by_deadline = sorted(
        Ticket.objects.filter(number__in=order("received")),
        key=lambda t: min(c.deadline for c in t.clocks.filter(stopped_at__isnull=True)),
    )
    assert order("deadline") == [t.number for t in by_deadline]
    # Nearest first only ("furthest first" is nobody's work order): the default takes over.
    assert order("-deadline") == order("deadline")
    assert order("nonsense") == order("deadline")
    # A ticket with no running clock (pending: its clocks are paused) comes last both ways.
    actions.assign(
        staff["dispatcher"],
        actions.accept(staff["agent"], major.number).number,
        assignee="technician",
    )
    actions.start(staff["technician"], major.number)
    actions.pend(staff["technician"], major.number, reason="等待用户")
    assert order("deadline")[-1] == major.number


def test_sort_links_toggle_and_say_the_order(browse: Browse, make_ticket: MakeTicket) -> None:
    make_ticket()
    body = browse("agent").get("/tickets/?segment=all&sort=urgency").content.decode()
    assert re.search(
        r'aria-sort="ascending"[^>]*>\s*<a href="/tickets/\?segment=all&amp;sort=-urgency"', body
    )
    assert re.search(
        r'aria-sort="none"[^>]*>\s*<a href="/tickets/\?segment=all&amp;sort=number"', body
    )


def test_pages_of_fifty(browse: Browse, make_ticket: MakeTicket) -> None:
    for index in range(55):
        make_ticket(title=f"话费异常 {index}")
    client = browse("agent")
    first = client.get("/tickets/?segment=all&sort=number")
    second = client.get("/tickets/?segment=all&sort=number&page=2")
    assert len(listed(first)) == 50
    assert "1–50 of 55" in first.content.decode()
    assert len(listed(second)) == 5
    assert "51–55 of 55" in second.content.decode()
    assert not set(listed(first)) & set(listed(second))
    assert 'href="/tickets/?segment=all&amp;sort=number&amp;page=2"' in first.content.decode()


def test_keyboard_navigation_markup(browse: Browse, make_ticket: MakeTicket) -> None:
    make_ticket()
    body = browse("agent").get("/tickets/").content.decode()
    assert "<table" in body and "data-keynav" in body
    assert '<tr tabindex="-1">' in body
    assert "data-search" in body


def test_htmx_swaps_only_the_queue_block(browse: Browse, make_ticket: MakeTicket) -> None:
    make_ticket()
    response = browse("agent").get("/tickets/?segment=all", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert 'hx-target="#queue-view"' in body
    assert len(listed(response)) == 1
    assert "HX-Request" in response["Vary"]


def test_rows_show_masked_customer_and_countdown(
    browse: Browse, make_ticket: MakeTicket, policy: Any
) -> None:
    ticket = make_ticket()
    body = browse("agent").get("/tickets/?segment=all").content.decode()
    assert "张*" in body
    assert "张伟" not in body
    assert VALID_MOBILE not in body
    assert 'class="cd-countdown cd-level-' in body
    assert ticket.title in body


# --- saved views ------------------------------------------------------------------------------


def test_saved_view_is_kept_listed_and_deleted(browse: Browse, staff: dict[str, User]) -> None:
    client = browse("agent")
    response = client.post(
        "/queue/views/",
        {"name": "  My faults ", "query": "kind=fault&segment=all&page=3&bogus=1"},
        follow=True,
    )
    view = SavedView.objects.get(user=staff["agent"])
    assert (view.name, view.query) == ("My faults", "segment=all&kind=fault")
    assert "Saved view “My faults” kept." in response.content.decode()
    assert 'href="/tickets/?segment=all&amp;kind=fault"' in response.content.decode()
    assert AuditEntry.objects.filter(event_type="saved_view.created", object_id=view.pk).exists()

    deleted = client.post(f"/queue/views/{view.pk}/delete/", {"back": "segment=all"})
    assert deleted.status_code == 302
    assert not SavedView.objects.exists()
    assert AuditEntry.objects.filter(event_type="saved_view.deleted", object_id=view.pk).exists()


def test_saved_view_names_are_checked(browse: Browse, staff: dict[str, User]) -> None:
    client = browse("agent")
    client.post("/queue/views/", {"name": "Faults", "query": "kind=fault"})

    duplicate = client.post("/queue/views/", {"name": "Faults", "query": "kind=complaint"})
    blank = client.post("/queue/views/", {"name": "   ", "query": ""})
    control = client.post("/queue/views/", {"name": "a\x07b", "query": ""})

    assert duplicate.status_code == 200
    assert 'id="view_name_error">You already have a saved view with this name.' in (
        duplicate.content.decode()
    )
    assert 'value="Faults"' in duplicate.content.decode()
    assert 'id="view_name_error">This field is required.' in blank.content.decode()
    assert "control characters" in control.content.decode()
    assert list(SavedView.objects.values_list("query", flat=True)) == ["segment=mine&kind=fault"]


def test_saved_views_are_per_user(browse: Browse, staff: dict[str, User]) -> None:
    browse("agent").post("/queue/views/", {"name": "Faults", "query": "kind=fault"})
    view = SavedView.objects.get()
    other = browse("dispatcher")

    assert "Faults" not in other.get("/tickets/").content.decode()
    assert other.post(f"/queue/views/{view.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    # The same name is free for another person.
    other.post("/queue/views/", {"name": "Faults", "query": "kind=fault"})
    assert SavedView.objects.filter(name="Faults").count() == 2


# --- bulk assignment --------------------------------------------------------------------------


def test_bulk_assign_assigns_each_and_reports_the_refused(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    fine = [accepted(make_ticket, staff) for _ in range(3)]
    stale = accepted(make_ticket, staff)
    shown_version = stale.version
    actions.update_ticket(staff["agent"], stale.number, title="标题已改")
    new = make_ticket()  # not accepted: assignment is not allowed yet

    response = browse("dispatcher").post(
        "/queue/assign/",
        {
            "tickets": [f"{t.number}:{t.version}" for t in fine]
            + [f"{stale.number}:{shown_version}", f"{new.number}:{new.version}"],
            "assignee": "technician",
            "back": "segment=unassigned&kind=complaint",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/tickets/?segment=unassigned&kind=complaint"
    for ticket in fine:
        assert Ticket.objects.get(pk=ticket.pk).assignee == staff["technician"]
    assert Ticket.objects.get(pk=stale.pk).assignee is None
    assert Ticket.objects.get(pk=new.pk).assignee is None
    followed = browse_follow(response)
    assert "Assigned 3 tickets." in followed
    assert f"Refused 2: {stale.number}: changed meanwhile" in followed
    assert f"{new.number}: “Assign” is not allowed while the ticket is “New”." in followed


def browse_follow(response: Any) -> str:
    """The page a redirect leads to, read by the client that was redirected (its messages)."""
    client = response.client
    return str(client.get(response["Location"]).content.decode())


def test_bulk_assign_refuses_what_the_dispatcher_cannot_see(
    browse: Browse, staff: dict[str, User], elsewhere: Ticket
) -> None:
    actions.accept(staff["admin"], elsewhere.number)
    response = browse("dispatcher").post(
        "/queue/assign/", {"tickets": f"{elsewhere.number}:2", "assignee": "technician"}
    )
    assert "no such ticket" in browse_follow(response)
    assert Ticket.objects.get(pk=elsewhere.pk).assignee is None


def test_bulk_assign_bad_input_shows_errors_and_changes_nothing(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = accepted(make_ticket, staff)
    client = browse("dispatcher")

    nothing_ticked = client.post("/queue/assign/", {"assignee": "technician"})
    nobody = client.post("/queue/assign/", {"tickets": f"{ticket.number}:{ticket.version}"})
    wrong_department = client.post(
        "/queue/assign/",
        {
            "tickets": f"{ticket.number}:{ticket.version}",
            "assignee": "technician",
            "department": CS,
            "note": "转派",
        },
    )

    assert nothing_ticked.status_code == 200
    assert "Tick at least one ticket." in nothing_ticked.content.decode()
    assert 'id="assign_department_error">Choose a department, a person or both.' in (
        nobody.content.decode()
    )
    body = wrong_department.content.decode()
    assert 'id="assign_assignee_error">This person is not in that department.' in body
    assert 'value="转派"' in body  # what was typed stays
    assert f'value="{ticket.number}:{ticket.version}"\n' in body or "checked" in body
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


# --- query counts -----------------------------------------------------------------------------


#: The queue page of a dispatcher: session, user, roles, second-factor device, departments with
#: their open load, the scope's staff profile (the department and the menu reuse it), the
#: visible regions, the department's members (the "my team" count lists their ids: with a
#: subquery PostgreSQL read every open ticket), five segment counts, the page's rows, their
#: counting clocks, the assignment candidates, the saved views. Was 16 before the members query.
DISPATCHER_QUEUE_QUERIES = 17
#: An agent's: the departments' names without their load, and no candidates (no assignment);
#: the department's members too (was 15 before that query).
AGENT_QUEUE_QUERIES = 16


def test_queue_query_count_does_not_grow_with_rows(
    accepted_complaints: list[Ticket], browse: Browse, django_assert_num_queries: Any
) -> None:
    count = len(accepted_complaints)
    dispatcher, agent = browse("dispatcher"), browse("agent")
    dispatcher.get("/tickets/")
    agent.get("/tickets/")

    with django_assert_num_queries(DISPATCHER_QUEUE_QUERIES):
        assert len(listed(dispatcher.get("/tickets/?segment=all&sort=deadline"))) == count
    with django_assert_num_queries(AGENT_QUEUE_QUERIES):
        assert len(listed(agent.get("/tickets/?segment=all&sort=urgency"))) == count


def _accept_and_pend(staff: dict[str, User], made: list[Ticket], accepted: int) -> None:
    """Accept the first `accepted` tickets, and pend the first two: their clocks pause, so they
    have no counting clock."""
    for ticket in made[:accepted]:
        actions.accept(staff["agent"], ticket.number)
    for ticket in made[:2]:
        actions.assign(staff["dispatcher"], ticket.number, assignee="technician")
        actions.start(staff["technician"], ticket.number)
        actions.pend(staff["technician"], ticket.number, reason="等待用户")


def _every_page(client: Client, sort: str, pages: int) -> list[str]:
    numbers: list[str] = []
    for page in range(1, pages + 1):
        numbers += listed(client.get(f"/tickets/?segment=all&sort={sort}&page={page}"))
    return numbers


@pytest.mark.parametrize("rank_walk_depth", [200, 0])  # ranks walked, or the ids sorted
@pytest.mark.parametrize("sort", ["deadline", "urgency", "-urgency", "status", "-status"])
def test_big_queue_order_read_off_indexes_matches_the_whole_sort(
    sort: str,
    rank_walk_depth: int,
    browse: Browse,
    staff: dict[str, User],
    make_ticket: MakeTicket,
    policy: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = clock.now()
    made = [
        make_ticket(
            title=f"话费异常 {index}",
            urgency=("general", "serious", "major")[index % 3],
            received_at=now - timedelta(minutes=7 * index),
        )
        for index in range(8)
    ]
    _accept_and_pend(staff, made, accepted=3)
    client = browse("agent")
    monkeypatch.setattr(queue_queries, "PAGE_SIZE", 3)

    whole_sort = _every_page(client, sort, pages=3)
    monkeypatch.setattr(queue_queries, "TICKET_DRIVEN_LIMIT", 0)
    monkeypatch.setattr(queue_queries, "RANK_WALK_DEPTH", rank_walk_depth)
    from_indexes = _every_page(client, sort, pages=3)

    assert len(whole_sort) == 8
    assert from_indexes == whole_sort
    if sort == "deadline":
        assert set(whole_sort[-2:]) == {made[0].number, made[1].number}


@pytest.mark.parametrize(
    ("chunks", "budget", "walks"),
    [
        ((1, 2), 1_000, True),  # chunk by chunk, one or two clocks at a time
        ((200, 1600), 4_000, True),  # the settings used: every clock in the first chunk
        ((1, 2), 0, False),  # gives up at once: one sorting query instead
    ],
)
def test_deadline_walk_matches_the_whole_sort(
    chunks: tuple[int, int],
    budget: int,
    walks: bool,
    browse: Browse,
    staff: dict[str, User],
    make_ticket: MakeTicket,
    policy: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The deadline order read off the clocks' index (`_walk_deadlines`) is the whole sort's:
    tickets received together (equal deadlines, ordered by the clock's id), tickets with more
    than one counting clock (listed once, at their nearest), and after them the tickets with
    no counting clock, on every page."""
    now = clock.now()
    made = [
        # two by two received at once: their deadlines are equal
        make_ticket(title=f"话费异常 {i}", received_at=now - timedelta(minutes=5 * (i // 2)))
        for i in range(9)
    ]
    _accept_and_pend(staff, made, accepted=4)
    assert any(ticket.clocks.filter(paused_at=None, stopped_at=None).count() > 1 for ticket in made)
    client = browse("agent")
    monkeypatch.setattr(queue_queries, "PAGE_SIZE", 2)

    whole_sort = _every_page(client, "deadline", pages=5)
    monkeypatch.setattr(queue_queries, "TICKET_DRIVEN_LIMIT", 0)
    monkeypatch.setattr(queue_queries, "WALK_CHUNKS", chunks)
    monkeypatch.setattr(queue_queries, "WALK_BUDGET", budget)
    walked = _every_page(client, "deadline", pages=5)

    assert len(whole_sort) == 9
    assert walked == whole_sort
    assert set(whole_sort[-2:]) == {made[0].number, made[1].number}
    queue = Ticket.objects.filter(number__in=[ticket.number for ticket in made])
    assert (queue_queries._walk_deadlines(queue, 4) is not None) is walks
