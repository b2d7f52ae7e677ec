"""Correcting a regulated complaint's case in the workspace (R-CMP-1): the regulator's reference
and due date, through `update_ticket`, which re-times the `regulator` clock; offered to the
roles that may update an unfinished regulated complaint, to nobody on other tickets."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.core.errors import InvalidInput
from carrierdesk.sla.models import Clock, PolicyVersion
from carrierdesk.tickets import actions
from carrierdesk.tickets.choices import Action
from carrierdesk.tickets.models import Ticket, TicketEvent
from carrierdesk.tickets.tests.test_web_intake import error_of
from carrierdesk.tickets.tests.web_helpers import Browse, MakeTicket
from carrierdesk.web.tests import conftest as web_fixtures

# The pages in English; `browse` and `policy` come from conftest.py.
english = web_fixtures.english

pytestmark = pytest.mark.django_db

RECEIVED = at("2026-11-23 09:00")
DUE = at("2026-11-27 09:00")
FORM = 'action="/tickets/{number}/act/update/"'


@pytest.fixture
def case(make_ticket: MakeTicket, policy: PolicyVersion) -> Ticket:
    """A 12345 complaint received Monday 09:00, due Friday 09:00, registered at 10:00."""
    with clock.frozen(RECEIVED + timedelta(hours=1)):
        return make_ticket(
            channel="gov_hotline",
            received_at=RECEIVED,
            regulator_reference="12345-GZ-2026-000731",
            regulator_due_at=DUE,
        )


def page(client: Client, ticket: Ticket) -> str:
    response = client.get(f"/tickets/{ticket.number}/")
    assert response.status_code == 200
    return response.content.decode()


def correct(client: Client, ticket: Ticket, **data: Any) -> Any:
    values = {
        "version": Ticket.objects.get(pk=ticket.pk).version,
        "regulator_reference": "12345-GZ-2026-000731",
        "regulator_due_at": "2026-11-27T09:00",
        "note": "",
    }
    values.update(data)
    return client.post(f"/tickets/{ticket.number}/act/update/", values)


def clock_deadline(html: str) -> str:
    """The deadline the workspace's time limits show for the regulator clock."""
    match = re.search(
        r'<th scope="row">Regulator&#x27;s due date</th>\s*<td>[^<]*</td>\s*'
        r'<td class="text-nowrap"><time datetime="[^"]+">([^<]+)</time>',
        html,
    )
    assert match is not None, "no regulator clock shown"
    return match.group(1)


def state(ticket: Ticket) -> tuple[Any, ...]:
    """What a refused correction must leave as it was."""
    current = Ticket.objects.get(pk=ticket.pk)
    deadline = Clock.objects.get(ticket=ticket, name="regulator").deadline
    return (
        current.version,
        current.regulator_reference,
        current.regulator_due_at,
        deadline,
        TicketEvent.objects.filter(ticket=ticket).count(),
    )


def test_the_form_shows_the_case_to_a_role_that_may_update(browse: Browse, case: Ticket) -> None:
    html = page(browse("agent"), case)
    assert FORM.format(number=case.number) in html
    assert 'name="regulator_reference" value="12345-GZ-2026-000731"' in html
    assert 'name="regulator_due_at" value="2026-11-27T09:00"' in html
    assert f'name="version" value="{case.version}"' in html
    # The clock is shown with the others, due at the regulator's instant.
    assert clock_deadline(html) == "2026-11-27 09:00"


@pytest.mark.parametrize("role", ["quality_inspector", "auditor"])
def test_roles_that_may_not_update_see_no_form_and_a_forged_post_is_refused(
    browse: Browse, case: Ticket, role: str
) -> None:
    client = browse(role)
    before = state(case)
    assert FORM.format(number=case.number) not in page(client, case)
    assert correct(client, case, regulator_due_at="2026-11-30T09:00").status_code == 403
    assert state(case) == before


def test_other_tickets_show_no_form_and_refuse_a_post(
    browse: Browse, make_ticket: MakeTicket, policy: PolicyVersion, case: Ticket, staff: Any
) -> None:
    plain = make_ticket()  # a hotline complaint: not regulated
    client = browse("agent")
    assert FORM.format(number=plain.number) not in page(client, plain)
    assert correct(client, plain, regulator_reference="X-1").status_code == 404
    assert Ticket.objects.get(pk=plain.pk).version == plain.version
    # A finished regulated complaint takes no correction either.
    actions.cancel(staff["agent"], case.number, reason="用户撤诉。")
    assert FORM.format(number=case.number) not in page(client, case)


def test_a_correction_moves_the_due_date_and_re_times_the_clock(
    browse: Browse, case: Ticket
) -> None:
    client = browse("agent")
    with clock.frozen(at("2026-11-24 10:00")):
        response = correct(
            client,
            case,
            regulator_reference="12345-GZ-2026-000732",
            regulator_due_at="2026-11-30T09:00",
            note="12345 延期至 30 日。",
        )
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{case.number}/"
    current = Ticket.objects.get(pk=case.pk)
    assert (current.regulator_reference, current.regulator_due_at) == (
        "12345-GZ-2026-000732",
        at("2026-11-30 09:00"),
    )
    assert current.version == case.version + 1
    row = Clock.objects.get(ticket=case, name="regulator")
    assert (row.deadline, row.next_alert_at) == (at("2026-11-30 09:00"), at("2026-11-26 21:00"))
    update = current.events.get(action=Action.UPDATE)
    assert update.changes["regulator_reference"] == ["12345-GZ-2026-000731", "12345-GZ-2026-000732"]
    assert update.note == "12345 延期至 30 日。"
    assert current.events.filter(action=Action.SLA_REBUILD).exists()
    html = page(client, case)
    assert "Update: done." in html
    assert clock_deadline(html) == "2026-11-30 09:00"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"regulator_due_at": "2026-11-23T08:59"}, "regulator_due_at", "after the time received"),
        ({"regulator_due_at": ""}, "regulator_due_at", "Give the due date"),
        ({"regulator_due_at": "30/11/2026"}, "regulator_due_at", "valid date"),
        ({"regulator_due_at": "2026-13-01T09:00"}, "regulator_due_at", "valid date"),
        ({"regulator_reference": "   "}, "regulator_reference", "required"),
        ({"regulator_reference": "X" * 65}, "regulator_reference", "at most 64"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_changes_nothing(
    browse: Browse, case: Ticket, data: dict[str, str], field: str, message: str
) -> None:
    before = state(case)
    response = correct(browse("agent"), case, **data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in error_of(html, f"regulator_{field}")
    assert "<details" in html and 'id="regulator" open' in html  # kept open with what was typed
    assert state(case) == before


def test_a_naive_due_date_is_refused_by_the_action(case: Ticket, staff: dict[str, User]) -> None:
    """The form reads local time; a caller of the action must say the time zone."""
    before = state(case)
    with pytest.raises(InvalidInput) as refused:
        actions.update_ticket(
            staff["agent"], case.number, regulator_due_at=DUE.replace(tzinfo=None)
        )
    assert "time zone" in str(refused.value.fields["regulator_due_at"][0])
    assert state(case) == before


def test_a_stale_form_is_refused_and_nothing_is_overwritten(
    browse: Browse, case: Ticket, staff: dict[str, User]
) -> None:
    shown = case.version
    actions.add_note(staff["supervisor"], case.number, note="someone else was here")
    before = state(case)
    response = correct(browse("agent"), case, version=shown, regulator_due_at="2026-11-30T09:00")
    assert response.status_code == 409
    html = response.content.decode()
    assert "This ticket changed meanwhile — reloaded; check and try again." in html
    assert state(case) == before
    # Reloaded: what was typed is kept, with the current version.
    assert 'name="regulator_due_at" value="2026-11-30T09:00"' in html
    assert f'name="version" value="{shown + 1}"' in html
