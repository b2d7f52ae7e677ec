"""Changing the return-visit rules (R-RV-1): admins only, checked as a whole (bad input
changes nothing, R-SEC-7), audited before and after (R-SEC-3), and applied to visits scheduled
after the change only; through the action, the API and the rules page."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from carrierdesk.audit.models import AuditEntry
from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.core.errors import InvalidInput, NotFound, PermissionDenied
from carrierdesk.sla.models import PolicyVersion
from carrierdesk.tickets.models import Ticket
from carrierdesk.tickets.tests import web_helpers
from carrierdesk.visits.actions import record_visit
from carrierdesk.visits.models import ReturnVisit, VisitRule
from carrierdesk.visits.rules import create_visit_rule, update_visit_rule
from carrierdesk.web.tests import conftest as web_fixtures

pytestmark = pytest.mark.django_db

browse = web_fixtures.browse
english = web_fixtures.english

MakeTicket = Callable[..., Ticket]
Api = Callable[[str], APIClient]
Browse = Callable[..., Client]
RESOLVED = at("2026-11-23 10:00")
READERS = ["quality_inspector", "supervisor", "auditor", "admin"]
OTHERS = ["agent", "dispatcher", "technician"]
NOT_ADMINS = ["quality_inspector", "supervisor", "auditor", *OTHERS]
RULE_URL = "/api/v1/visit_rules/"
PAGE = "/visits/rules/"


def values(kind: str = "complaint") -> tuple[int, str, int, int, int]:
    rule = VisitRule.objects.get(kind=kind)
    return (
        rule.share_percent,
        rule.channel,
        rule.delay_hours,
        rule.within_hours,
        rule.max_attempts,
    )


def audits() -> int:
    return AuditEntry.objects.filter(object_type="visit_rule").count()


# --- the action -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_r_rv_1_only_admins_change_a_rule(role: str, staff: dict[str, User]) -> None:
    before = values()
    with pytest.raises(PermissionDenied):
        update_visit_rule(staff[role], "complaint", within_hours=24)
    with pytest.raises(PermissionDenied):
        create_visit_rule(staff[role], "inquiry", share_percent=5, channel="sms", within_hours=24)
    assert values() == before and audits() == 0


def test_r_rv_1_admin_changes_a_rule_audited_before_and_after(staff: dict[str, User]) -> None:
    rule = update_visit_rule(
        staff["admin"], "fault", share_percent=80, channel="sms", within_hours=24
    )
    assert values("fault") == (80, "sms", 2, 24, 3)
    assert rule.within_hours == 24
    entry = AuditEntry.objects.get(object_type="visit_rule")
    assert (entry.event_type, entry.object_id, entry.actor) == (
        "visit_rule.changed",
        "fault",
        staff["admin"],
    )
    assert entry.changes["share_percent"] == [50, 80]
    assert entry.changes["channel"] == ["phone", "sms"]
    assert entry.changes["within_hours"] == [72, 24]
    assert "delay_hours" not in entry.changes  # unchanged
    assert entry.changes["before"] == {
        "share_percent": 50,
        "channel": "phone",
        "delay_hours": 2,
        "within_hours": 72,
        "max_attempts": 3,
    }
    assert entry.changes["after"] == {
        "share_percent": 80,
        "channel": "sms",
        "delay_hours": 2,
        "within_hours": 24,
        "max_attempts": 3,
    }
    # The same values again change nothing and are not audited; the system may change too.
    update_visit_rule(staff["admin"], "fault", share_percent=80)
    assert audits() == 1
    update_visit_rule(None, "fault", max_attempts=5)
    assert values("fault")[4] == 5 and audits() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"share_percent": 101}, "share_percent"),
        ({"share_percent": -1}, "share_percent"),
        ({"share_percent": True}, "share_percent"),
        ({"channel": "fax"}, "channel"),
        ({"within_hours": 0}, "within_hours"),
        ({"within_hours": 721}, "within_hours"),
        ({"delay_hours": -1}, "delay_hours"),
        ({"delay_hours": 48}, "delay_hours"),  # not before the limit of 48 hours
        ({"delay_hours": 10, "within_hours": 10}, "delay_hours"),
        ({"within_hours": 24, "delay_hours": 30}, "delay_hours"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": 11}, "max_attempts"),
    ],
)
def test_r_sec_7_a_bad_value_changes_nothing(
    changes: dict[str, Any], field: str, staff: dict[str, User]
) -> None:
    before = values()
    with pytest.raises(InvalidInput) as refused:
        # With a good value beside the bad one: that is not saved either.
        update_visit_rule(staff["admin"], "complaint", **{"channel": "sms", **changes})
    assert set(refused.value.fields) == {field}
    assert values() == before and audits() == 0


def test_r_sec_7_every_bad_value_is_named_at_once(staff: dict[str, User]) -> None:
    with pytest.raises(InvalidInput) as refused:
        update_visit_rule(
            staff["admin"],
            "complaint",
            share_percent=200,
            channel="pigeon",
            within_hours=0,
            max_attempts=99,
        )
    assert set(refused.value.fields) == {"share_percent", "channel", "within_hours", "max_attempts"}


def test_unknown_kind_or_kind_without_rule_is_not_found(staff: dict[str, User]) -> None:
    with pytest.raises(NotFound):
        update_visit_rule(staff["admin"], "gossip", within_hours=24)
    VisitRule.objects.filter(kind="inquiry").delete()
    with pytest.raises(NotFound):
        update_visit_rule(staff["admin"], "inquiry", within_hours=24)
    with pytest.raises(NotFound):
        create_visit_rule(staff["admin"], "gossip", share_percent=5, channel="sms", within_hours=24)
    assert audits() == 0


def test_r_rv_1_a_kind_without_a_rule_gets_one(staff: dict[str, User]) -> None:
    VisitRule.objects.filter(kind="inquiry").delete()
    with pytest.raises(InvalidInput) as refused:
        create_visit_rule(
            staff["admin"], "inquiry", share_percent=5, channel="sms", within_hours=2, delay_hours=2
        )
    assert set(refused.value.fields) == {"delay_hours"}
    assert not VisitRule.objects.filter(kind="inquiry").exists()
    create_visit_rule(staff["admin"], "inquiry", share_percent=5, channel="sms", within_hours=24)
    assert values("inquiry") == (5, "sms", 0, 24, 3)
    entry = AuditEntry.objects.get(object_type="visit_rule")
    assert (entry.event_type, entry.object_id) == ("visit_rule.created", "inquiry")
    assert entry.changes["after"]["within_hours"] == 24
    with pytest.raises(InvalidInput) as again:
        create_visit_rule(staff["admin"], "inquiry", share_percent=9, channel="sms", within_hours=9)
    assert set(again.value.fields) == {"kind"}
    assert values("inquiry") == (5, "sms", 0, 24, 3) and audits() == 1


def test_r_rv_1_a_change_applies_to_visits_scheduled_after_it(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    with clock.frozen(RESOLVED):
        earlier = web_helpers.resolved(make_ticket, staff)
    waiting = ReturnVisit.objects.get(ticket=earlier)
    assert (waiting.channel, waiting.max_attempts) == ("phone", 3)
    update_visit_rule(
        staff["admin"], "complaint", channel="sms", delay_hours=1, within_hours=24, max_attempts=1
    )
    # The visit already waiting keeps what it was scheduled with …
    waiting.refresh_from_db()
    assert (waiting.channel, waiting.max_attempts) == ("phone", 3)
    assert waiting.due_at == RESOLVED + timedelta(hours=48)
    assert waiting.not_before == RESOLVED
    assert record_visit(staff["quality_inspector"], waiting.pk, reached=False).status == (
        "scheduled"
    )
    # … a ticket resolved after the change gets the new rule.
    later_time = RESOLVED + timedelta(hours=1)
    with clock.frozen(later_time):
        later = web_helpers.resolved(make_ticket, staff)
    visit = ReturnVisit.objects.get(ticket=later)
    assert (visit.channel, visit.max_attempts) == ("sms", 1)
    assert visit.not_before == later_time + timedelta(hours=1)
    assert visit.due_at == later_time + timedelta(hours=24)


def test_r_rv_1_a_share_of_zero_stops_the_visits(
    make_ticket: MakeTicket, staff: dict[str, User], policy: PolicyVersion
) -> None:
    update_visit_rule(staff["admin"], "complaint", share_percent=0)
    ticket = web_helpers.resolved(make_ticket, staff)
    assert not ReturnVisit.objects.filter(ticket=ticket).exists()


# --- the API ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS + OTHERS)
def test_who_reads_the_rules_through_the_api(role: str, api: Api) -> None:
    listed = api(role).get(RULE_URL)
    one = api(role).get(f"{RULE_URL}complaint/")
    if role in READERS:
        assert listed.status_code == 200 and one.status_code == 200
        assert [row["kind"] for row in listed.json()] == sorted(
            ["complaint", "appeal", "fault", "service_order", "suggestion", "inquiry"]
        )
        assert one.json() == {
            "kind": "complaint",
            "share_percent": 100,
            "channel": "phone",
            "delay_hours": 0,
            "within_hours": 48,
            "max_attempts": 3,
        }
    else:
        assert (listed.status_code, one.status_code) == (403, 403)
        assert listed.json()["error"]["code"] == "permission_denied"


def test_api_unknown_kind_is_404(api: Api) -> None:
    assert api("auditor").get(f"{RULE_URL}gossip/").status_code == 404
    response = api("admin").patch(f"{RULE_URL}gossip/", {"within_hours": 24}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_api_admin_patches_a_rule(api: Api) -> None:
    response = api("admin").patch(
        f"{RULE_URL}fault/", {"share_percent": 70, "max_attempts": 2}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["share_percent"] == 70 and response.json()["max_attempts"] == 2
    assert values("fault") == (70, "phone", 2, 72, 2)
    assert AuditEntry.objects.get(object_type="visit_rule").channel == "api"


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_api_only_admins_patch_or_create(role: str, api: Api) -> None:
    patched = api(role).patch(f"{RULE_URL}fault/", {"share_percent": 70}, format="json")
    created = api(role).post(
        RULE_URL, {"kind": "inquiry", "share_percent": 5, "channel": "sms", "within_hours": 9}
    )
    assert (patched.status_code, created.status_code) == (403, 403)
    assert values("fault")[0] == 50 and audits() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"share_percent": 101}, "share_percent"),
        ({"channel": "fax"}, "channel"),
        ({"within_hours": 721}, "within_hours"),
        ({"delay_hours": 72}, "delay_hours"),  # the fault rule's limit is 72 hours
        ({"max_attempts": "many"}, "max_attempts"),
    ],
)
def test_api_bad_patch_is_400_and_changes_nothing(
    body: dict[str, Any], field: str, api: Api
) -> None:
    before = values("fault")
    response = api("admin").patch(f"{RULE_URL}fault/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) == {field}
    assert values("fault") == before and audits() == 0


def test_api_admin_creates_a_rule_for_a_kind_without_one(api: Api) -> None:
    VisitRule.objects.filter(kind="inquiry").delete()
    body = {"kind": "inquiry", "share_percent": 5, "channel": "sms", "within_hours": 24}
    created = api("admin").post(RULE_URL, body, format="json")
    assert created.status_code == 201
    assert created.json()["max_attempts"] == 3 and created.json()["delay_hours"] == 0
    again = api("admin").post(RULE_URL, body, format="json")
    assert again.status_code == 400 and set(again.json()["error"]["fields"]) == {"kind"}


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS + OTHERS)
def test_who_opens_the_rules_page(role: str, browse: Browse) -> None:
    client = browse(role)
    response = client.get(PAGE)
    assert response.status_code == (200 if role in READERS else 403)
    home = client.get("/").content.decode()
    assert (f'href="{PAGE}"' in home) == (role in READERS)  # the menu entry


def test_readers_see_the_rules_without_forms(browse: Browse) -> None:
    body = browse("quality_inspector").get(PAGE).content.decode()
    assert 'id="visit-rules"' in body
    assert '<tr tabindex="-1" data-kind="complaint">' in body
    assert "Phone" in body and "Share visited (%)" in body
    assert "<form" not in body.split('id="visit-rules"')[1]
    assert 'id="rule-complaint"' not in body


def test_admin_sees_an_edit_form_per_rule(browse: Browse) -> None:
    VisitRule.objects.filter(kind="inquiry").delete()
    body = browse("admin").get(PAGE).content.decode()
    for kind in ("complaint", "appeal", "fault", "service_order", "suggestion", "inquiry"):
        assert f'id="rule-{kind}"' in body
        assert f'hx-post="/visits/rules/{kind}/"' in body
    assert 'id="id_fault_within_hours"' in body and 'value="72"' in body
    assert "no rule: not visited" in body and "Create the rule" in body


def test_admin_changes_a_rule_on_the_page(browse: Browse) -> None:
    form = {
        "share_percent": "60",
        "channel": "app",
        "delay_hours": "1",
        "within_hours": "36",
        "max_attempts": "2",
    }
    client = browse("admin")
    response = client.post("/visits/rules/fault/", form)
    assert response.status_code == 302 and response["Location"] == PAGE
    assert values("fault") == (60, "app", 1, 36, 2)
    assert audits() == 1
    page = client.get(PAGE).content.decode()
    assert "The return-visit rule for Fault is saved" in page
    # Through htmx: the browser is sent to the page.
    form["share_percent"] = "70"
    swapped = client.post("/visits/rules/fault/", form, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200 and swapped["HX-Redirect"] == PAGE
    assert values("fault")[0] == 70


def test_refused_values_are_shown_next_to_their_fields(browse: Browse) -> None:
    form = {
        "share_percent": "50",
        "channel": "phone",
        "delay_hours": "80",  # after the limit
        "within_hours": "72",
        "max_attempts": "3",
    }
    client = browse("admin")
    swapped = client.post("/visits/rules/fault/", form, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 422
    html = swapped.content.decode()
    assert 'id="rule-fault"' in html and "<html" not in html
    assert 'id="id_fault_delay_hours_error"' in html
    assert "A visit must be allowed to start before its limit." in html
    assert 'value="80"' in html  # what was typed stays
    form["max_attempts"] = "11"
    whole = client.post("/visits/rules/fault/", form)
    assert whole.status_code == 422
    page = whole.content.decode()
    assert "<html" in page and 'id="id_fault_max_attempts_error"' in page
    assert values("fault") == (50, "phone", 2, 72, 3) and audits() == 0


def test_admin_creates_a_missing_rule_on_the_page(browse: Browse) -> None:
    VisitRule.objects.filter(kind="inquiry").delete()
    form = {
        "share_percent": "5",
        "channel": "email",
        "delay_hours": "0",
        "within_hours": "24",
        "max_attempts": "1",
    }
    response = browse("admin").post("/visits/rules/inquiry/", form)
    assert response.status_code == 302
    assert values("inquiry") == (5, "email", 0, 24, 1)
    assert AuditEntry.objects.get(object_type="visit_rule").event_type == "visit_rule.created"


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_non_admins_cannot_change_a_rule_on_the_page(role: str, browse: Browse) -> None:
    form = {
        "share_percent": "0",
        "channel": "sms",
        "delay_hours": "0",
        "within_hours": "1",
        "max_attempts": "1",
    }
    response = browse(role).post("/visits/rules/complaint/", form)
    assert response.status_code == 403
    assert values() == (100, "phone", 0, 48, 3) and audits() == 0


def test_unknown_kind_on_the_page_is_404(browse: Browse) -> None:
    assert browse("admin").post("/visits/rules/gossip/", {}).status_code == 404
    assert browse("admin").get("/visits/rules/complaint/").status_code == 405
