"""Surveys by one-time link (R-RV-3): sent at resolution through the notification senders,
respecting quiet hours and a per-customer cap; a public page without an account that works
once, expires and cannot be forged; answers land on the ticket and its return visit, and an
unsolved or dissatisfied answer reopens the ticket (R-RV-2)."""

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client, override_settings

from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.core.errors import InvalidInput, NotFound
from carrierdesk.customers.models import Customer
from carrierdesk.notifications.models import Notification
from carrierdesk.notifications.templates import render
from carrierdesk.sla.models import Clock, PolicyVersion
from carrierdesk.tickets import actions
from carrierdesk.tickets.choices import Action
from carrierdesk.tickets.models import Ticket, TicketEvent
from carrierdesk.tickets.tests import web_helpers
from carrierdesk.visits import surveys
from carrierdesk.visits.checks import check_survey_settings
from carrierdesk.visits.models import ReturnVisit, SurveyInvitation
from carrierdesk.visits.surveys import QuietHours, SurveyClosed, answer_survey, send_time
from carrierdesk.web.tests import conftest as web_fixtures

pytestmark = pytest.mark.django_db

english = web_fixtures.english  # the messages in English (autouse)

MakeTicket = Callable[..., Ticket]
RESOLVED = at("2026-11-23 10:00")  # a Monday morning
NIGHT = QuietHours(time(21), time(8))


# --- quiet hours and the cap: pure ------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "quiet", "expected"),
    [
        ("2026-11-23 10:00", NIGHT, "2026-11-23 10:00"),
        ("2026-11-23 20:59", NIGHT, "2026-11-23 20:59"),
        ("2026-11-23 21:00", NIGHT, "2026-11-24 08:00"),
        ("2026-11-23 23:30", NIGHT, "2026-11-24 08:00"),
        ("2026-11-24 02:00", NIGHT, "2026-11-24 08:00"),
        ("2026-11-24 07:59", NIGHT, "2026-11-24 08:00"),
        ("2026-11-24 08:00", NIGHT, "2026-11-24 08:00"),
        ("2026-11-23 12:30", QuietHours(time(12), time(13, 30)), "2026-11-23 13:30"),
        ("2026-11-23 13:30", QuietHours(time(12), time(13, 30)), "2026-11-23 13:30"),
        ("2026-11-23 23:30", None, "2026-11-23 23:30"),
    ],
)
def test_a_survey_waits_for_the_end_of_the_quiet_hours(
    now: str, quiet: QuietHours | None, expected: str
) -> None:
    assert send_time(at(now), quiet) == at(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("21:00-08:00", NIGHT), (" 12:00 - 13:30 ", QuietHours(time(12), time(13, 30))), ("", None)],
)
def test_quiet_hours_are_read_from_the_settings(text: str, expected: QuietHours | None) -> None:
    assert QuietHours.parse(text) == expected


@pytest.mark.parametrize("text", ["21:00", "21:00-21:00", "nine-eight", "25:00-08:00"])
def test_malformed_quiet_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        QuietHours.parse(text)


@pytest.mark.parametrize(("text", "expected"), [("1/7", (1, 7)), ("3/30", (3, 30))])
def test_the_cap_is_read_from_the_settings(text: str, expected: tuple[int, int]) -> None:
    assert surveys.parse_cap(text) == expected


@pytest.mark.parametrize("text", ["7", "0/7", "1/0", "a/b"])
def test_a_malformed_cap_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        surveys.parse_cap(text)


# --- sending ----------------------------------------------------------------------------------


def resolved(
    make_ticket: MakeTicket, staff: dict[str, User], when: datetime = RESOLVED, **values: object
) -> Ticket:
    with clock.frozen(when):
        return web_helpers.resolved(make_ticket, staff, **values)


def survey_message(ticket: Ticket) -> Notification:
    return Notification.objects.get(template=surveys.TEMPLATE, object_id=ticket.number)


def token_of(ticket: Ticket) -> str:
    """The token in the link of the ticket's survey message (as the customer's phone shows)."""
    link = survey_message(ticket).context["link"]
    found = re.search(r"/s/([^/]+)/$", link)
    assert found is not None, link
    return found.group(1)


def test_resolving_sends_the_customer_a_one_time_link(
    make_ticket: MakeTicket, staff: dict[str, User], customer: Customer, policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)
    invitation = SurveyInvitation.objects.get(ticket=ticket)
    assert (invitation.customer, invitation.send_at) == (customer, RESOLVED)
    assert invitation.expires_at == RESOLVED + timedelta(days=7)
    message = survey_message(ticket)
    # By the customer's SMS channel, the number read at sending time: none stored here.
    assert (message.customer, message.address, message.not_before) == (customer, "", None)
    link = message.context["link"]
    assert link.startswith("http://127.0.0.1:8000/s/")
    token = token_of(ticket)
    assert invitation.digest not in link  # only the key's digest is stored, not the key
    assert surveys.read_token(token) == invitation.digest
    text = render(surveys.TEMPLATE, message.context, "zh-hans")
    assert ticket.number in text.subject and link in text.body and "2026-11-30 10:00" in text.body
    event = ticket.events.get(action=Action.SURVEY_SENT)
    assert event.changes["survey"] == "sent"


def test_a_resolution_at_night_is_surveyed_in_the_morning(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff, at("2026-11-23 22:15"))
    message = survey_message(ticket)
    assert message.not_before == at("2026-11-24 08:00")
    assert message.next_attempt_at == at("2026-11-24 08:00")
    invitation = SurveyInvitation.objects.get(ticket=ticket)
    assert invitation.expires_at == at("2026-12-01 08:00")  # a week from the sending


def test_a_customer_gets_one_survey_a_week_by_default(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    first = resolved(make_ticket, staff)
    second = resolved(make_ticket, staff, RESOLVED + timedelta(days=2), category="network_quality")
    assert SurveyInvitation.objects.filter(ticket=second).count() == 0
    assert second.events.get(action=Action.SURVEY_SENT).changes["survey"] == "capped"
    third = resolved(make_ticket, staff, RESOLVED + timedelta(days=7, minutes=1))
    assert SurveyInvitation.objects.filter(ticket=third).count() == 1
    assert SurveyInvitation.objects.filter(ticket=first).count() == 1


@override_settings(SURVEY_CAP="2/30", SURVEY_QUIET_HOURS="", SURVEY_VALID_DAYS=3)
def test_the_cap_quiet_hours_and_validity_are_settings(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    late = at("2026-11-23 23:00")
    tickets = [resolved(make_ticket, staff, late + timedelta(days=day)) for day in range(3)]
    sent = SurveyInvitation.objects.order_by("created_at")
    assert [invitation.ticket for invitation in sent] == tickets[:2]
    assert sent[0].send_at == late and sent[0].expires_at == late + timedelta(days=3)


def test_a_customer_without_a_mobile_number_gets_no_survey(
    make_ticket: MakeTicket, staff: dict[str, User], customer: Customer, policy: PolicyVersion
) -> None:
    customer.mobile = ""  # a landline-only customer, say
    customer.save()
    ticket = resolved(make_ticket, staff)
    assert not SurveyInvitation.objects.filter(ticket=ticket).exists()
    assert not ticket.events.filter(action=Action.SURVEY_SENT).exists()


# --- answering --------------------------------------------------------------------------------


def state() -> tuple[int, int, int, list[str]]:
    return (
        TicketEvent.objects.count(),
        ReturnVisit.objects.filter(status="done").count(),
        SurveyInvitation.objects.filter(answered_at__isnull=False).count(),
        list(Ticket.objects.values_list("status", flat=True)),
    )


def test_a_satisfied_answer_lands_in_the_waiting_visit(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)  # a complaint: a phone visit is waiting
    waiting = ReturnVisit.objects.get(ticket=ticket, status="scheduled")
    with clock.frozen(RESOLVED + timedelta(hours=3)):
        visit = answer_survey(token_of(ticket), solved=True, satisfaction=5, nps=10, comment="好")
    assert visit.pk == waiting.pk
    assert (visit.status, visit.by_survey, visit.satisfaction, visit.nps) == ("done", True, 5, 10)
    assert visit.visited_by is None and visit.comment == "好"
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    event = ticket.events.get(action=Action.SURVEY_ANSWERED)
    assert (event.actor, event.changes["satisfaction"], event.note) == (None, 5, "好")
    assert SurveyInvitation.objects.get().visit == visit


def test_an_answer_without_a_waiting_visit_makes_one(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff, kind="inquiry", category="billing", urgency=None)
    ReturnVisit.objects.filter(ticket=ticket).delete()  # not in the inquiries' sample
    visit = answer_survey(token_of(ticket), solved=True, satisfaction=4)
    assert (visit.ticket, visit.status, visit.channel, visit.by_survey) == (
        ticket,
        "done",
        "sms",
        True,
    )


def test_a_dissatisfied_answer_reopens_tells_the_owner_and_keeps_the_time_used(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)
    used = Clock.objects.get(ticket=ticket, name="resolution").used_us
    with clock.frozen(RESOLVED + timedelta(days=1)):
        answer_survey(token_of(ticket), solved=True, satisfaction=2, comment="处理太慢")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == ("reopened", 1)
    assert "dissatisfied" in ticket.events.get(action=Action.REOPEN).note
    resolution = Clock.objects.get(ticket=ticket, name="resolution")
    assert resolution.state == "running" and resolution.used_us == used
    told = Notification.objects.filter(template=actions.OWNER_UPDATE, recipient=staff["agent"])
    assert told.filter(context__status_label="Reopened").exists()


def test_an_unsolved_answer_reopens_even_an_archived_ticket(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff, urgency="general")
    actions.close(staff["agent"], ticket.number)
    answer_survey(token_of(ticket), solved=False, satisfaction=4)
    ticket.refresh_from_db()
    assert ticket.status == "reopened"
    assert "not solved" in ticket.events.get(action=Action.REOPEN).note


def test_a_link_works_once(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)
    token = token_of(ticket)
    answer_survey(token, solved=True, satisfaction=5)
    before = state()
    with pytest.raises(SurveyClosed) as refused:
        answer_survey(token, solved=False, satisfaction=1)
    assert refused.value.code == "survey_answered"
    assert state() == before


def test_an_expired_link_is_refused(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)
    before = state()
    with clock.frozen(RESOLVED + timedelta(days=7)), pytest.raises(SurveyClosed) as refused:
        answer_survey(token_of(ticket), solved=True, satisfaction=5)
    assert refused.value.code == "survey_expired"
    assert state() == before


def test_a_new_resolution_replaces_the_link(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)
    old = token_of(ticket)
    actions.reopen(staff["quality_inspector"], ticket.number, reason="用户来电仍有问题。")
    actions.start(staff["technician"], ticket.number)
    with clock.frozen(RESOLVED + timedelta(days=8)):  # past the weekly cap
        actions.resolve(staff["technician"], ticket.number, resolution="重新处理。")
    with pytest.raises(SurveyClosed) as refused:
        answer_survey(old, solved=True, satisfaction=5)
    assert refused.value.code == "survey_withdrawn"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature altered
        lambda token: "X" + token[1:],  # the key altered
        lambda token: token.split(":")[0],  # no signature
        lambda token: signing.Signer(salt=surveys.SALT).sign("made-up-key"),  # never sent
        lambda token: signing.Signer(salt="another").sign(token.split(":")[0]),
    ],
)
def test_an_altered_or_forged_link_is_refused(
    make_ticket: MakeTicket,
    staff: dict[str, User],
    policy: PolicyVersion,
    mangle: Callable[[str], str],
) -> None:
    ticket = resolved(make_ticket, staff)
    before = state()
    with pytest.raises(NotFound) as refused:
        answer_survey(mangle(token_of(ticket)), solved=True, satisfaction=5)
    assert "not valid" in str(refused.value)
    assert state() == before


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        ({"solved": True, "satisfaction": 6}, "satisfaction"),
        ({"solved": True, "satisfaction": 0}, "satisfaction"),
        ({"solved": None, "satisfaction": 4}, "solved"),
        ({"solved": True, "satisfaction": 4, "nps": 11}, "nps"),
        ({"solved": True, "satisfaction": 4, "comment": "x" * 2001}, "comment"),
    ],
)
def test_an_answer_out_of_range_is_refused(
    make_ticket: MakeTicket,
    staff: dict[str, User],
    policy: PolicyVersion,
    answer: dict[str, object],
    field: str,
) -> None:
    ticket = resolved(make_ticket, staff)
    before = state()
    with pytest.raises(InvalidInput) as refused:
        answer_survey(token_of(ticket), **answer)  # type: ignore[arg-type]
    assert field in refused.value.fields
    assert state() == before


# --- the public page --------------------------------------------------------------------------


def page_of(ticket: Ticket) -> str:
    return f"/s/{token_of(ticket)}/"


def test_the_page_needs_no_account_and_is_chinese_by_default(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)
    page = Client().get(page_of(ticket))
    assert page.status_code == 200
    html = page.content.decode()
    assert "满意度调查" in html and ticket.number in html and "非常满意" in html
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "same-origin"
    assert "张伟" not in html and "138" not in html  # no personal data on the page
    english = Client().get(page_of(ticket) + "?lang=en")
    assert "Satisfaction survey" in english.content.decode()


def test_answering_on_the_page(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)
    client = Client()
    url = page_of(ticket)
    done = client.post(url + "?lang=en", {"solved": "yes", "satisfaction": "4", "nps": "8"})
    assert done.status_code == 302
    thanks = client.get(done["Location"])
    assert thanks.status_code == 200
    assert "your answer has been recorded" in thanks.content.decode()
    visit = ReturnVisit.objects.get(ticket=ticket, status="done")
    assert (visit.satisfaction, visit.nps, visit.solved) == (4, 8, True)
    again = client.post(url + "?lang=en", {"solved": "no", "satisfaction": "1"})
    assert again.status_code == 410
    assert "already been answered" in again.content.decode()


def test_the_page_shows_bad_answers_and_bad_links(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    ticket = resolved(make_ticket, staff)
    before = state()
    client = Client()
    missing = client.post(page_of(ticket) + "?lang=en", {"satisfaction": "9", "nps": "12"})
    assert missing.status_code == 200
    html = missing.content.decode()
    assert "This field is required" in html and "Select a valid choice" in html
    assert client.get("/s/not-a-token/?lang=en").status_code == 404
    with clock.frozen(RESOLVED + timedelta(days=8)):
        expired = client.get(page_of(ticket) + "?lang=en")
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    assert state() == before


@pytest.mark.parametrize(
    ("setting", "value", "code"),
    [
        ("SURVEY_CAP", "weekly", "visits.E001"),
        ("SURVEY_QUIET_HOURS", "21-8", "visits.E002"),
        ("SURVEY_VALID_DAYS", 0, "visits.E003"),
        ("PUBLIC_URL", "desk.example.cn", "visits.E004"),
    ],
)
def test_bad_survey_settings_are_reported_at_start(setting: str, value: object, code: str) -> None:
    with override_settings(**{setting: value}):
        assert [message.id for message in check_survey_settings()] == [code]
    assert check_survey_settings() == []
