"""Issue 6's "done when", as a new user would try it: a serious complaint through 12345 gets
its severity limits; after resolution the complainant gets result feedback and a survey link;
answering "dissatisfied" on the public page reopens it, tells its first owner, and its clocks
run again keeping the time used; a second complaint of the same category within 30 days is a
repeat; the batch satisfaction figure matches a hand count (R-CMP-1..3, R-RV-1..3, R-WF-5)."""

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.notifications.models import Notification
from carrierdesk.sla.models import Clock, PolicyVersion
from carrierdesk.tickets import actions
from carrierdesk.tickets.feedback import record_feedback
from carrierdesk.tickets.models import Ticket
from carrierdesk.tickets.tests import web_helpers
from carrierdesk.visits import surveys
from carrierdesk.visits.actions import record_visit
from carrierdesk.visits.models import ReturnVisit

pytestmark = pytest.mark.django_db

MakeTicket = Callable[..., Ticket]
Api = Callable[[str], Any]
RECEIVED = at("2026-11-23 09:00")  # a Monday


def test_a_12345_complaint_closes_its_loop(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion, api: Api
) -> None:
    # 1. Registered from the 12345 hotline: serious, the regulator's case, severity limits.
    with clock.frozen(RECEIVED):
        ticket = make_ticket(
            channel="gov_hotline",
            regulator_reference="12345-GZ-2026-004417",
            regulator_due_at=RECEIVED + timedelta(days=5),
        )
    assert ticket.urgency == "serious"
    limits = {row.name: row.target.code for row in Clock.objects.filter(ticket=ticket)}
    assert limits["resolution"].startswith("complaint-serious")

    # 2. Handled and resolved by the technician; the first owner is the agent who took it.
    with clock.frozen(RECEIVED + timedelta(hours=26)):
        web_helpers.resolved(lambda **_: ticket, staff)
    resolution = Clock.objects.get(ticket=ticket, name="resolution")
    used = resolution.used_us
    assert resolution.state == "met" and used > 0

    # 3. The complainant gets the result feedback and, by SMS, a one-time survey link.
    with clock.frozen(RECEIVED + timedelta(hours=27)):
        record_feedback(
            staff["agent"],
            ticket.number,
            stage="final",
            channel="phone",
            cause="计费系统重复扣费。",
            measures="退还多扣费用并修复计费规则。",
            follow_up_needed=False,
            customer_accepts=True,
        )
    sms = Notification.objects.get(template=surveys.TEMPLATE, object_id=ticket.number)
    assert sms.customer == ticket.customer
    link = sms.context["link"]
    page = re.sub(r"^https?://[^/]+", "", link)

    # 4. "Dissatisfied" on the public page, without an account: reopened, owner told.
    with clock.frozen(RECEIVED + timedelta(hours=30)):
        answered = Client().post(page, {"solved": "yes", "satisfaction": "2", "nps": "4"})
    assert answered.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == ("reopened", 1)
    told = Notification.objects.filter(template=actions.OWNER_UPDATE, recipient=staff["agent"])
    assert told.filter(context__status_label="Reopened").exists()
    resolution = Clock.objects.get(ticket=ticket, name="resolution")
    assert resolution.state == "running" and resolution.used_us == used  # time used kept
    assert Client().get(page).status_code == 410  # the link worked once

    # 5. A second billing complaint of the same customer within 30 days is a repeat.
    with clock.frozen(RECEIVED + timedelta(days=12)):
        again = make_ticket(title="又多扣费")
    assert again.repeat_of == ticket
    assert api("supervisor").get(f"/api/v1/tickets/{again.number}/").json()["repeat_complaint"]


def test_the_batch_satisfaction_matches_a_hand_count(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion, api: Api
) -> None:
    """Seven visits in the week of 2026-11-23 and three in the next, by hand:
    week 48: levels 5, 4, 4, 3, 2 answered, one unsolved at 4, one unreachable:
             answered 6, satisfied (4 or 5) 4 → 66.7 %, under the batch target of 85 %;
    week 49: levels 5, 5, 4 → 3 of 3 = 100 %, meets 85 %;
    overall: 7 of 9 = 77.8 %, under the overall target of 90 %."""
    inspector = staff["quality_inspector"]
    outcomes: list[tuple[int, dict[str, Any] | None]] = [
        (0, {"solved": True, "satisfaction": 5}),
        (0, {"solved": True, "satisfaction": 4}),
        (1, {"solved": True, "satisfaction": 4}),
        (1, {"solved": True, "satisfaction": 3}),
        (2, {"solved": True, "satisfaction": 2}),
        (2, {"solved": False, "satisfaction": 4}),
        (3, None),  # unreachable: three attempts
        (7, {"solved": True, "satisfaction": 5}),
        (8, {"solved": True, "satisfaction": 5, "nps": 10}),
        (9, {"solved": True, "satisfaction": 4}),
    ]
    for index, (day, outcome) in enumerate(outcomes):
        when = at("2026-11-23 09:00") + timedelta(days=day)
        with clock.frozen(when):
            ticket = web_helpers.resolved(
                make_ticket, staff, title=f"投诉{index}", category="billing", urgency="general"
            )
        visit = ReturnVisit.objects.get(ticket=ticket, status="scheduled")
        with clock.frozen(when + timedelta(hours=3)):
            if outcome is None:
                for _attempt in range(3):
                    record_visit(inspector, visit.pk, reached=False)
            else:
                record_visit(inspector, visit.pk, reached=True, **outcome)

    response = api("quality_inspector").get(
        "/api/v1/return_visits/summary/?period=week&from=2026-11-23&to=2026-12-06"
    )
    assert response.status_code == 200, response.json()
    summary = response.json()
    first, second = summary["batches"]
    assert (first["finished"], first["answered"], first["satisfied"]) == (7, 6, 4)
    assert Decimal(first["satisfaction_percent"]) == Decimal("66.7")
    assert first["meets_target"] is False
    assert (second["answered"], second["satisfied"], second["meets_target"]) == (3, 3, True)
    overall = summary["overall"]
    assert (overall["answered"], overall["satisfied"]) == (9, 7)
    assert Decimal(overall["satisfaction_percent"]) == Decimal("77.8")
    assert overall["meets_target"] is False
