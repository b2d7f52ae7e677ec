"""Return visits (R-RV-1, R-RV-2): scheduled at resolution per the kind's rule, recorded by
quality inspectors; unsolved or dissatisfied reopens the ticket; bad input changes nothing."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from carrierdesk.conftest import VALID_MOBILE, at
from carrierdesk.core import clock
from carrierdesk.core.errors import IllegalTransition, InvalidInput, PermissionDenied
from carrierdesk.customers.models import Customer
from carrierdesk.privacy.anonymise import anonymise_customer
from carrierdesk.sla.models import PolicyVersion
from carrierdesk.tickets import actions
from carrierdesk.tickets.choices import Action
from carrierdesk.tickets.models import Ticket, TicketEvent
from carrierdesk.tickets.tests import web_helpers
from carrierdesk.visits.actions import record_visit, sampled
from carrierdesk.visits.models import ReturnVisit, VisitRule

pytestmark = pytest.mark.django_db

MakeTicket = Callable[..., Ticket]
RESOLVED = at("2026-11-23 10:00")


def resolved(make_ticket: MakeTicket, staff: dict[str, User]) -> Ticket:
    """A complaint resolved at RESOLVED."""
    with clock.frozen(RESOLVED):
        return web_helpers.resolved(make_ticket, staff)


def state() -> tuple[int, int, int]:
    statuses = ReturnVisit.objects.filter(status="scheduled").count()
    return statuses, TicketEvent.objects.count(), Ticket.objects.filter(status="reopened").count()


def test_default_rules_cover_every_kind() -> None:
    rules = {rule.kind: rule for rule in VisitRule.objects.all()}
    assert set(rules) == {"complaint", "appeal", "fault", "service_order", "suggestion", "inquiry"}
    assert rules["complaint"].share_percent == 100  # every complaint closes the loop (R-WF-4)


def test_sampling_is_a_fixed_share_of_the_numbers() -> None:
    numbers = [f"TS20261123{index:06d}" for index in range(2000)]
    share = sum(sampled(number, 30) for number in numbers) / len(numbers)
    assert 0.25 < share < 0.35
    assert [sampled(number, 30) for number in numbers] == [sampled(n, 30) for n in numbers]
    assert not any(sampled(number, 0) for number in numbers)
    assert all(sampled(number, 100) for number in numbers)


def test_a_resolved_complaint_gets_its_visit_with_its_limit(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)
    visit = ReturnVisit.objects.get(ticket=ticket)
    assert (visit.status, visit.channel, visit.max_attempts) == ("scheduled", "phone", 3)
    assert visit.due_at == RESOLVED + timedelta(hours=48)
    # Archived without a visit: it is not made any more.
    actions.close(staff["agent"], ticket.number)
    visit.refresh_from_db()
    assert visit.status == "cancelled"


def test_a_satisfied_visit_is_done_and_leaves_the_ticket_resolved(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)
    visit = ReturnVisit.objects.get(ticket=ticket)
    done = record_visit(
        staff["quality_inspector"], visit.pk, reached=True, solved=True, satisfaction=5, nps=9
    )
    assert (done.status, done.satisfaction, done.nps, done.attempts) == ("done", 5, 9, 1)
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    event = ticket.events.get(action=Action.RETURN_VISIT)
    assert event.changes["satisfaction"] == 5


@pytest.mark.parametrize(("solved", "satisfaction"), [(False, 4), (True, 2), (True, 1)])
def test_unsolved_or_dissatisfied_reopens_and_counts(
    make_ticket: MakeTicket,
    staff: dict[str, User],
    policy: PolicyVersion,
    solved: bool,
    satisfaction: int,
) -> None:
    ticket = resolved(make_ticket, staff)
    visit = ReturnVisit.objects.get(ticket=ticket)
    record_visit(
        staff["quality_inspector"],
        visit.pk,
        reached=True,
        solved=solved,
        satisfaction=satisfaction,
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == ("reopened", 1)
    assert ticket.events.filter(action=Action.REOPEN).count() == 1
    # Resolved again: a new visit is scheduled.
    actions.start(staff["technician"], ticket.number)
    actions.resolve(staff["technician"], ticket.number, resolution="再次处理。")
    assert ReturnVisit.objects.filter(ticket=ticket, status="scheduled").count() == 1


def test_unreachable_after_the_attempts(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)
    visit = ReturnVisit.objects.get(ticket=ticket)
    for _attempt in (1, 2):
        assert record_visit(staff["quality_inspector"], visit.pk, reached=False).status == (
            "scheduled"
        )
    last = record_visit(staff["quality_inspector"], visit.pk, reached=False)
    assert (last.status, last.attempts) == ("unreachable", 3)
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_bad_visits_are_refused_and_change_nothing(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)
    visit = ReturnVisit.objects.get(ticket=ticket)
    before = state()
    with pytest.raises(InvalidInput) as refused:
        record_visit(staff["quality_inspector"], visit.pk, reached=True, satisfaction=6, nps=11)
    assert set(refused.value.fields) == {"solved", "satisfaction", "nps"}
    with pytest.raises(PermissionDenied):
        record_visit(staff["technician"], visit.pk, reached=True, solved=True, satisfaction=5)
    actions.reopen(staff["quality_inspector"], ticket.number, reason="客户来电反映未解决。")
    before = state()
    with pytest.raises(IllegalTransition):  # the ticket is not resolved now
        record_visit(
            staff["quality_inspector"], visit.pk, reached=True, solved=True, satisfaction=5
        )
    assert state() == before


def test_anonymising_the_customer_scrubs_the_visit_comments(
    make_ticket: MakeTicket, staff: dict[str, User], customer: Customer, policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)
    visit = ReturnVisit.objects.get(ticket=ticket)
    comment = f"客户留了新号码 {VALID_MOBILE}。"
    record_visit(
        staff["quality_inspector"],
        visit.pk,
        reached=True,
        solved=True,
        satisfaction=4,
        comment=comment,
    )
    actions.close(staff["agent"], ticket.number)
    anonymise_customer(staff["admin"], customer, reason="测试", source="request")
    assert VALID_MOBILE not in ReturnVisit.objects.get().comment


def test_the_api_lists_and_records_return_visits_in_scope(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)
    visit = ReturnVisit.objects.get(ticket=ticket)
    api = APIClient()
    api.force_authenticate(staff["quality_inspector"])
    listed = api.get(f"/api/v1/tickets/{ticket.number}/return_visits/").json()
    assert [(row["id"], row["status"]) for row in listed] == [(visit.pk, "scheduled")]
    url = f"/api/v1/tickets/{ticket.number}/return_visits/{visit.pk}/"
    bad = api.post(url, {"reached": True, "solved": True, "satisfaction": 7}, format="json")
    assert bad.status_code == 400 and "satisfaction" in bad.json()["error"]["fields"]
    done = api.post(
        url,
        {"reached": True, "solved": True, "satisfaction": 5, "nps": 10, "comment": "很满意。"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["visited_by"]) == ("done", "quality_inspector")
    assert api.post(url, {"reached": False}, format="json").status_code == 409
    other = resolved(make_ticket, staff)
    wrong = api.post(
        f"/api/v1/tickets/{other.number}/return_visits/{visit.pk}/", {"reached": False}
    )
    assert wrong.status_code == 404
