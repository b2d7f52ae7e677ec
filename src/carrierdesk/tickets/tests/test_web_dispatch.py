"""The dispatch screen (issue 5 §5, R-DSP-1): the tickets waiting for a handler, the
candidates with their open load, one-submit assignment, stale versions refused, scope, the
pinned query count."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import User

from carrierdesk.tickets import actions
from carrierdesk.tickets.models import Ticket
from carrierdesk.tickets.tests.web_helpers import ROW_NUMBER, Browse, MakeTicket, accepted
from carrierdesk.tickets.web import queue_queries
from carrierdesk.web.tests import conftest as web_fixtures

# The pages in English; `browse`, `policy` and the tickets come from conftest.py.
english = web_fixtures.english

pytestmark = pytest.mark.django_db

NOC = "NETWORK_OPER"


def waiting(response: Any) -> list[str]:
    assert response.status_code == 200
    body = response.content.decode()
    table = body.split('id="dispatch-candidates"')[0]
    return ROW_NUMBER.findall(table)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("dispatcher", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("agent", 403),
        ("technician", 403),
        ("quality_inspector", 403),
        ("auditor", 403),
    ],
)
def test_who_may_dispatch(role: str, status: int, browse: Browse, make_ticket: MakeTicket) -> None:
    ticket = make_ticket()
    client = browse(role)
    assert client.get("/dispatch/").status_code == status
    posted = client.post(
        "/dispatch/assign/", {"tickets": f"{ticket.number}:{ticket.version}", "department": NOC}
    )
    if status == 403:
        assert posted.status_code == 403
        assert Ticket.objects.get(pk=ticket.pk).department is None


def test_waiting_list_most_urgent_then_oldest(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    general_old = accepted(make_ticket, staff, urgency="general")
    serious = accepted(make_ticket, staff, urgency="serious")
    new = make_ticket(urgency="major")
    handled = accepted(make_ticket, staff)
    actions.assign(staff["dispatcher"], handled.number, assignee="technician")
    reopened = accepted(make_ticket, staff)
    actions.assign(staff["dispatcher"], reopened.number, assignee="technician")
    actions.start(staff["technician"], reopened.number)
    actions.resolve(staff["technician"], reopened.number, resolution="已退费")
    actions.reopen(staff["agent"], reopened.number, reason="用户不满意")

    numbers = waiting(browse("dispatcher").get("/dispatch/"))

    assert numbers == [new.number, serious.number, general_old.number, reopened.number]
    assert handled.number not in numbers


def test_big_waiting_list_read_by_urgency_keeps_the_order(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    for urgency in ("general", "major", "serious", "general", "major"):
        accepted(make_ticket, staff, urgency=urgency)
    client = browse("dispatcher")
    whole_sort = waiting(client.get("/dispatch/"))
    monkeypatch.setattr(queue_queries, "PAGE_SIZE", 2)
    monkeypatch.setattr(queue_queries, "TICKET_DRIVEN_LIMIT", 0)

    by_rank = [
        number for page in (1, 2, 3) for number in waiting(client.get(f"/dispatch/?page={page}"))
    ]

    assert len(whole_sort) == 5
    assert by_rank == whole_sort


def test_candidates_with_open_load_and_one_click_assignment(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    busy = accepted(make_ticket, staff)
    actions.assign(staff["dispatcher"], busy.number, assignee="technician")
    ticket = accepted(make_ticket, staff)
    client = browse("dispatcher")

    page = client.get(f"/dispatch/?ticket={ticket.number}").content.decode()
    panel = page.split('id="dispatch-candidates"')[1]
    assert re.search(r"<td>Technician</td>\s*<td>network_operations</td>\s*<td[^>]*>1</td>", panel)
    assert re.search(r"<td>Agent</td>\s*<td>customer_service</td>\s*<td[^>]*>0</td>", panel)
    # Least loaded first.
    assert panel.index("<td>Agent</td>") < panel.index("<td>Technician</td>")
    assert f'name="tickets" value="{ticket.number}:{ticket.version}"' in panel

    response = client.post(
        "/dispatch/assign/",
        {
            "tickets": f"{ticket.number}:{ticket.version}",
            "assignee": "technician",
            "back": f"ticket={ticket.number}&page=1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/dispatch/?page=1"
    ticket.refresh_from_db()
    assert ticket.department is not None
    assert (ticket.status, ticket.assignee, ticket.department.code) == (
        "assigned",
        staff["technician"],
        NOC,
    )
    assert "Assigned 1 ticket." in client.get(response["Location"]).content.decode()


def test_route_to_a_department_only(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = accepted(make_ticket, staff)
    browse("dispatcher").post(
        "/dispatch/assign/", {"tickets": f"{ticket.number}:{ticket.version}", "department": NOC}
    )
    ticket.refresh_from_db()
    assert ticket.department is not None
    assert (ticket.department.code, ticket.assignee) == (NOC, None)


def test_stale_version_is_refused_with_a_message(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = accepted(make_ticket, staff)
    shown = ticket.version
    actions.add_note(staff["agent"], ticket.number, note="客户来电催办")
    actions.update_ticket(staff["agent"], ticket.number, title="话费异常（催办）")
    client = browse("dispatcher")

    response = client.post(
        "/dispatch/assign/",
        {
            "tickets": f"{ticket.number}:{shown}",
            "assignee": "technician",
            "back": f"ticket={ticket.number}",
        },
    )

    assert response["Location"] == f"/dispatch/?ticket={ticket.number}"
    body = client.get(response["Location"]).content.decode()
    assert f"Refused 1: {ticket.number}: changed meanwhile" in body
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_new_ticket_is_shown_but_not_assignable(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = make_ticket()
    body = browse("dispatcher").get(f"/dispatch/?ticket={ticket.number}").content.decode()
    assert "accept first" in body
    assert "cannot be assigned now" in body
    panel = body.split('id="dispatch-candidates"')[1]
    assert "/dispatch/assign/" not in panel


def test_out_of_scope_ticket_answers_404(
    browse: Browse, staff: dict[str, User], elsewhere: Ticket
) -> None:
    actions.accept(staff["admin"], elsewhere.number)
    supervisor = browse("supervisor")
    assert supervisor.get(f"/dispatch/?ticket={elsewhere.number}").status_code == 404
    assert supervisor.get("/dispatch/?ticket=TS00000000000000").status_code == 404
    assert elsewhere.number not in waiting(supervisor.get("/dispatch/"))
    assert elsewhere.number in waiting(browse("admin").get("/dispatch/"))


def test_bulk_assignment_from_dispatch_with_bad_input_keeps_the_form(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = accepted(make_ticket, staff)
    response = browse("dispatcher").post(
        "/dispatch/assign/",
        {"tickets": f"{ticket.number}:{ticket.version}", "assignee": "nobody-here"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="assign_assignee_error">Select a valid choice.' in body
    assert f'value="{ticket.number}:{ticket.version}" id="pick-{ticket.number}" checked' in body
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_htmx_swaps_the_candidates_panel(
    browse: Browse, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    ticket = accepted(make_ticket, staff)
    response = browse("dispatcher").get(
        f"/dispatch/?ticket={ticket.number}",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="dispatch-candidates",
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "Waiting for dispatch" not in body
    assert ticket.number in body


#: session, user, roles, second-factor device, the scope's staff profile (the menu reuses it),
#: the waiting count, the page's rows, their counting clocks, the departments with their load,
#: the candidates with theirs; with a ticket chosen: its row and its clocks.
DISPATCH_QUERIES = 10
DISPATCH_CHOSEN_QUERIES = 12


def test_dispatch_query_count_does_not_grow_with_rows(
    accepted_complaints: list[Ticket], browse: Browse, django_assert_num_queries: Any
) -> None:
    chosen = accepted_complaints[0]
    client = browse("dispatcher")
    client.get("/dispatch/")

    with django_assert_num_queries(DISPATCH_QUERIES):
        assert len(waiting(client.get("/dispatch/"))) == len(accepted_complaints)
    with django_assert_num_queries(DISPATCH_CHOSEN_QUERIES):
        assert client.get(f"/dispatch/?ticket={chosen.number}").status_code == 200
