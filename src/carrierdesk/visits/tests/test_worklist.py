"""The quality inspectors' worklist (R-RV-1): waiting visits in scope, nearest due first, each
with its limit's countdown on the warning ladder; recording from the visit's page."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User

from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.notifications.models import Notification
from carrierdesk.sla.models import PolicyVersion
from carrierdesk.tickets import actions
from carrierdesk.tickets.models import Ticket
from carrierdesk.tickets.tests import conftest as ticket_fixtures
from carrierdesk.tickets.tests import web_helpers
from carrierdesk.tickets.tests.web_helpers import Browse
from carrierdesk.visits.actions import record_visit
from carrierdesk.visits.models import ReturnVisit
from carrierdesk.visits.sweep import sweep_visits
from carrierdesk.visits.worklist import countdown_of, ladder
from carrierdesk.web.tests import conftest as web_fixtures

pytestmark = pytest.mark.django_db

english = web_fixtures.english
browse = web_fixtures.browse
elsewhere = ticket_fixtures.elsewhere

MakeTicket = Callable[..., Ticket]
START = at("2026-11-23 10:00")
DUE = START + timedelta(hours=48)


@pytest.mark.parametrize(
    ("hours", "passed", "next_hours"),
    [
        (0, 0, 24),
        (23.9, 0, 24),
        (24, 50, 38.4),
        (38.4, 80, 48),
        (47, 80, 48),
        (48, 100, None),
        (100, 100, None),
    ],
)
def test_a_visit_warns_at_half_and_four_fifths_of_its_window(
    hours: float, passed: int, next_hours: float | None
) -> None:
    now = START + timedelta(hours=hours)
    expected_next = None if next_hours is None else START + timedelta(hours=next_hours)
    assert ladder(START, DUE, now) == (passed, expected_next)


def resolved(
    make_ticket: MakeTicket, staff: dict[str, User], when: str, **values: object
) -> Ticket:
    with clock.frozen(at(when)):
        return web_helpers.resolved(make_ticket, staff, **values)


def rows(html: str) -> list[str]:
    return re.findall(r'<td><a href="/tickets/([A-Z]{2}[0-9]+)/">', html)


def test_the_worklist_lists_waiting_visits_in_scope_nearest_due_first(
    make_ticket: MakeTicket,
    staff: dict[str, User],
    policy: PolicyVersion,
    browse: Browse,
    elsewhere: Ticket,
) -> None:
    later = resolved(make_ticket, staff, "2026-11-23 11:00")
    sooner = resolved(make_ticket, staff, "2026-11-23 09:00", category="network_quality")
    # Out of the inspector's district: resolved, visited by someone else.
    actions.accept(staff["admin"], elsewhere.number)
    actions.assign(staff["admin"], elsewhere.number, assignee="technician")
    actions.start(staff["admin"], elsewhere.number)
    actions.resolve(staff["admin"], elsewhere.number, resolution="已退费。")
    with clock.frozen(at("2026-11-24 10:00")):  # the sooner one past half its window
        page = browse("quality_inspector").get("/visits/")
    assert page.status_code == 200
    html = page.content.decode()
    assert rows(html) == [sooner.number, later.number]
    assert "Early warning" in html and "Return visits" in html
    everything = browse("admin").get("/visits/").content.decode()
    assert elsewhere.number in rows(everything)
    overdue = browse("quality_inspector").get("/visits/?due=overdue")
    assert rows(overdue.content.decode()) == []


@pytest.mark.parametrize("role", ["agent", "technician", "dispatcher"])
def test_the_worklist_is_for_those_who_visit(browse: Browse, role: str) -> None:
    assert browse(role).get("/visits/").status_code == 403


def test_recording_an_attempt_then_the_outcome_from_the_page(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion, browse: Browse
) -> None:
    ticket = resolved(make_ticket, staff, "2026-11-23 10:00")
    visit = ReturnVisit.objects.get(ticket=ticket, status="scheduled")
    client = browse("quality_inspector")
    url = f"/visits/{visit.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and ticket.number in page.content.decode()
    attempt = client.post(url, {"reached": "no"}, follow=True)
    assert "Attempt 1 of 3" in attempt.content.decode()
    missing = client.post(url, {"reached": "yes", "solved": "yes"})
    assert missing.status_code == 200
    assert "Choose a level from 1" in missing.content.decode()
    done = client.post(
        url,
        {"reached": "yes", "solved": "yes", "satisfaction": "1", "comment": "太慢了"},
        follow=True,
    )
    assert "reopened to be handled again" in done.content.decode()
    visit.refresh_from_db()
    assert (visit.status, visit.attempts, visit.satisfaction) == ("done", 2, 1)
    ticket.refresh_from_db()
    assert ticket.status == "reopened"
    again = client.post(url, {"reached": "no"}, follow=True)
    assert "already finished" in again.content.decode()
    visit.refresh_from_db()
    assert visit.attempts == 2


def test_a_visit_out_of_scope_is_not_found(
    staff: dict[str, User], policy: PolicyVersion, browse: Browse, elsewhere: Ticket
) -> None:
    actions.accept(staff["admin"], elsewhere.number)
    actions.assign(staff["admin"], elsewhere.number, assignee="technician")
    actions.start(staff["admin"], elsewhere.number)
    actions.resolve(staff["admin"], elsewhere.number, resolution="已退费。")
    visit = ReturnVisit.objects.get(ticket=elsewhere)
    assert browse("quality_inspector").get(f"/visits/{visit.pk}/").status_code == 404
    assert browse("admin").get(f"/visits/{visit.pk}/").status_code == 200


def test_the_countdown_of_a_visit(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff, "2026-11-23 10:00")
    visit = ReturnVisit.objects.get(ticket=ticket)
    late = countdown_of(visit, at("2026-11-25 09:00"))
    assert (late.deadline, late.thresholds_passed) == (visit.due_at, 80)
    assert late.get_name_display() == "Return visit"


def test_the_worklist_through_the_api(
    make_ticket: MakeTicket,
    staff: dict[str, User],
    policy: PolicyVersion,
    api: Callable[[str], Any],
    elsewhere: Ticket,
) -> None:
    ticket = resolved(make_ticket, staff, "2026-11-23 10:00")
    with clock.frozen(at("2026-11-25 09:00")):
        listed = api("quality_inspector").get("/api/v1/return_visits/")
    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert (row["ticket"], row["kind"], row["status"], row["thresholds_passed"]) == (
        ticket.number,
        "complaint",
        "scheduled",
        80,
    )
    one = api("auditor").get(f"/api/v1/return_visits/{row['id']}/")
    assert one.status_code == 200 and one.json()["ticket"] == ticket.number
    assert (
        api("quality_inspector").get("/api/v1/return_visits/?due=overdue").json()["results"] == []
    )
    bad = api("quality_inspector").get("/api/v1/return_visits/?channel=pigeon")
    assert bad.status_code == 400 and "channel" in bad.json()["error"]["fields"]
    assert api("agent").get("/api/v1/return_visits/").status_code == 403


def test_the_sweep_warns_the_inspectors_at_80_percent_and_when_overdue(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion, elsewhere: Ticket
) -> None:
    ticket = resolved(make_ticket, staff, "2026-11-23 10:00")  # due 2026-11-25 10:00
    visit = ReturnVisit.objects.get(ticket=ticket)
    assert visit.warning_at == at("2026-11-25 00:24")  # 80 % of 48 h

    def told() -> list[tuple[str, str | None]]:
        rows = Notification.objects.filter(template__startswith="visit_", object_id=ticket.number)
        return [(row.template, row.recipient.username if row.recipient else None) for row in rows]

    assert sweep_visits(at("2026-11-25 00:00")).warnings == 0
    report = sweep_visits(at("2026-11-25 00:30"))
    assert (report.warnings, report.overdue) == (1, 0)
    assert told() == [("visit_warning", "quality_inspector")]
    assert sweep_visits(at("2026-11-25 01:00")).warnings == 0  # told once
    assert sweep_visits(at("2026-11-25 10:00")).overdue == 1
    assert sorted(told()) == [
        ("visit_overdue", "quality_inspector"),
        ("visit_warning", "quality_inspector"),
    ]
    assert sweep_visits(at("2026-11-26 10:00")).overdue == 0


def test_a_visit_found_overdue_skips_its_warning(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    resolved(make_ticket, staff, "2026-11-23 10:00")
    report = sweep_visits(at("2026-11-27 10:00"))  # the sweeper was down for days
    assert (report.warnings, report.overdue) == (0, 1)
    assert sweep_visits(at("2026-11-27 10:01")).warnings == 0


def test_the_workspace_shows_the_visits_and_the_survey(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion, browse: Browse
) -> None:
    ticket = resolved(make_ticket, staff, "2026-11-23 10:00")
    visit = ReturnVisit.objects.get(ticket=ticket)
    record_visit(
        staff["quality_inspector"], visit.pk, reached=True, solved=True, satisfaction=4, nps=9
    )
    html = browse("quality_inspector").get(f"/tickets/{ticket.number}/").content.decode()
    assert "Return visits and survey" in html and f'href="/visits/{visit.pk}/"' in html
    assert "Survey link" in html and "sent, not answered yet" in html
    assert "Satisfaction: Satisfied" in html  # the timeline's return-visit event, in words
    assert "Survey: link sent" in html
    agent = browse("agent").get(f"/tickets/{ticket.number}/").content.decode()
    assert "Return visits and survey" in agent and f'href="/visits/{visit.pk}/"' not in agent
