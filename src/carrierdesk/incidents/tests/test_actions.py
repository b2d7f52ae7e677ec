"""Incident actions: each writes its timeline event and audit entry, or nothing (R-SEC-6,
R-SEC-3, R-SEC-7)."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User

from carrierdesk.audit.models import AuditEntry
from carrierdesk.conftest import VALID_ID, VALID_MOBILE, at
from carrierdesk.core import clock
from carrierdesk.core.errors import (
    Conflict,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from carrierdesk.customers.models import Customer
from carrierdesk.incidents import actions
from carrierdesk.incidents.choices import Stage
from carrierdesk.incidents.models import IncidentCustomer, IncidentEvent, SecurityIncident
from carrierdesk.incidents.tests.conftest import state
from carrierdesk.notifications.models import Notification
from carrierdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db
Report = Callable[..., SecurityIncident]
Walk = Callable[..., SecurityIncident]


def audit_of(incident: SecurityIncident) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type="security_incident", object_id=incident.number)
    )


# --- report -----------------------------------------------------------------------------------


def test_r_sec_6_report_numbers_stamps_and_records(staff: dict[str, User], report: Report) -> None:
    with clock.frozen(at("2026-11-23 10:15")):
        first = report(discovered_at=at("2026-11-22 23:40"))
        second = report(level="larger")
    assert (first.number, second.number) == ("AQ20261123000001", "AQ20261123000002")
    assert first.stage == Stage.DISCOVERY
    assert first.reporter == staff["agent"] and first.handler is None
    assert (first.discovered_at, first.reported_at) == (
        at("2026-11-22 23:40"),
        at("2026-11-23 10:15"),
    )
    assert (first.level, first.response_level, second.response_level) == ("general", 3, 2)
    event = first.events.get()
    assert (event.action, event.from_stage, event.to_stage, event.actor) == (
        "report",
        "",
        "discovery",
        staff["agent"],
    )
    (audit,) = audit_of(first)
    assert audit.event_type == "incident.report"
    assert audit.changes["level"] == "general"
    assert audit.changes["stage"] == [None, "discovery"]
    assert Notification.objects.count() == 0  # general, no personal data: nobody alerted


def test_r_sec_6_report_takes_a_stronger_response_level(report: Report) -> None:
    assert report(level="larger", response_level=1).response_level == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"discovered_at": at("2026-11-23 12:00")}, "discovered_at"),  # in the future
        ({"discovered_at": datetime(2026, 11, 23, 9, 0)}, "discovered_at"),  # naive  # noqa: DTZ001
        ({"level": "catastrophic"}, "level"),
        ({"level": "major", "response_level": 2}, "response_level"),  # weaker than the level's
        ({"response_level": 4}, "response_level"),
        ({"title": "  "}, "title"),
        ({"description": ""}, "description"),
        ({"title": "长" * 201}, "title"),
        ({"affected_customers_estimate": -1}, "affected_customers_estimate"),
    ],
)
def test_r_sec_7_report_refuses_bad_input_and_writes_nothing(
    report: Report, overrides: dict[str, object], field: str
) -> None:
    before = state()
    with clock.frozen(at("2026-11-23 10:15")), pytest.raises(InvalidInput) as refused:
        report(**overrides)
    assert field in refused.value.fields
    assert state() == before


def test_r_sec_6_auditor_and_customer_may_not_report(report: Report) -> None:
    before = state()
    for role in ("auditor", "customer"):
        with pytest.raises(PermissionDenied):
            report(by=role)
    assert state() == before


def test_r_sec_6_major_or_personal_data_alerts_admins_and_auditors(
    staff: dict[str, User], report: Report
) -> None:
    incident = report(level="major", personal_data_involved=True, affected_customers_estimate=120)
    rows = Notification.objects.filter(object_id=incident.number)
    assert {(row.recipient and row.recipient.username, row.template) for row in rows} == {
        (role, template)
        for role in ("admin", "auditor")
        for template in ("security_incident_major", "security_incident_personal_data")
    }
    assert all(row.context["affected_customers"] == 120 for row in rows)
    assert all(row.context["response_level"] == 1 for row in rows)


# --- advance ----------------------------------------------------------------------------------


def test_r_sec_6_whole_lifecycle_stamps_each_stage(staff: dict[str, User], report: Report) -> None:
    with clock.frozen(at("2026-11-23 10:15")):
        incident = report()
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("2026-11-23 10:30", Stage.REPORT, {}),
        ("2026-11-23 11:00", Stage.RESPONSE, {}),
        ("2026-11-23 15:00", Stage.ANALYSIS, {}),
        ("2026-11-24 09:00", Stage.RECTIFICATION, {"root_cause": "弱口令，联系人13912345678"}),
        ("2026-11-26 09:00", Stage.REVIEW, {"measures": "强制改密"}),
        ("2026-11-27 09:00", Stage.CLOSED, {}),
    ]
    for when, stage, extra in steps:
        with clock.frozen(at(when)):
            incident = actions.advance_incident(
                staff["supervisor"], incident.number, to=stage, note=f"{stage} 完成", **extra
            )
        assert incident.stage == stage
    assert incident.handler == staff["supervisor"]  # the first to advance it
    assert incident.report_started_at == at("2026-11-23 10:30")
    assert incident.response_started_at == at("2026-11-23 11:00")
    assert incident.analysis_started_at == at("2026-11-23 15:00")
    assert incident.rectification_started_at == at("2026-11-24 09:00")
    assert incident.review_started_at == at("2026-11-26 09:00")
    assert incident.closed_at == incident.stage_changed_at == at("2026-11-27 09:00")
    assert incident.root_cause == "弱口令，联系人13912345678"
    assert incident.version == 7
    moves = list(incident.events.filter(action="advance").values_list("from_stage", "to_stage"))
    assert moves == [
        ("discovery", "report"),
        ("report", "response"),
        ("response", "analysis"),
        ("analysis", "rectification"),
        ("rectification", "review"),
        ("review", "closed"),
    ]
    assert incident.events.get(to_stage="report").changes == {"handler": [None, "supervisor"]}
    audits = [entry for entry in audit_of(incident) if entry.event_type == "incident.advance"]
    assert [entry.changes["stage"] for entry in audits] == [list(move) for move in moves]
    # R-SEC-2: the root cause is kept in clear on the incident, masked in the audit trail.
    root_cause_audit = audits[3].changes["root_cause"]
    assert root_cause_audit == ["", "弱口令，联系人139****5678"]


def test_r_sec_6_skipping_a_stage_is_409_with_the_next_stage(
    staff: dict[str, User], report: Report
) -> None:
    incident = report()
    before = state()
    with pytest.raises(IllegalTransition) as refused:
        actions.advance_incident(staff["admin"], incident.number, to=Stage.RESPONSE, note="跳过")
    assert refused.value.code == "illegal_transition"
    assert refused.value.extra == {"stage": "discovery", "next_stage": "report"}
    with pytest.raises(IllegalTransition):  # nor backwards, nor staying
        actions.advance_incident(staff["admin"], incident.number, to=Stage.DISCOVERY, note="回退")
    assert state() == before


def test_r_sec_6_every_move_needs_a_note(staff: dict[str, User], report: Report) -> None:
    incident = report()
    before = state()
    with pytest.raises(InvalidInput) as refused:
        actions.advance_incident(staff["admin"], incident.number, to=Stage.REPORT, note="  ")
    assert "note" in refused.value.fields
    assert state() == before


def test_r_sec_6_leaving_analysis_needs_the_root_cause(
    staff: dict[str, User], report: Report, walk: Walk
) -> None:
    incident = walk(report(), Stage.ANALYSIS)
    before = state()
    with pytest.raises(InvalidInput) as refused:
        actions.advance_incident(staff["admin"], incident.number, to=Stage.RECTIFICATION, note="n")
    assert "root_cause" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:  # measures belong to rectification
        actions.advance_incident(
            staff["admin"],
            incident.number,
            to=Stage.RECTIFICATION,
            note="n",
            root_cause="x",
            measures="y",
        )
    assert "measures" in refused.value.fields
    assert state() == before


def test_r_sec_6_leaving_rectification_needs_measures(
    staff: dict[str, User], report: Report, walk: Walk
) -> None:
    incident = walk(report(), Stage.RECTIFICATION)
    with pytest.raises(InvalidInput) as refused:
        actions.advance_incident(staff["admin"], incident.number, to=Stage.REVIEW, note="n")
    assert "measures" in refused.value.fields


def test_r_sec_6_only_an_admin_closes_a_major_incident(
    staff: dict[str, User], report: Report, walk: Walk
) -> None:
    incident = walk(report(level="major"), Stage.REVIEW)
    before = state()
    with pytest.raises(PermissionDenied):
        actions.advance_incident(
            staff["supervisor"], incident.number, to=Stage.CLOSED, note="复盘完成"
        )
    assert state() == before
    closed = actions.advance_incident(
        staff["admin"], incident.number, to=Stage.CLOSED, note="复盘完成"
    )
    assert closed.stage == Stage.CLOSED
    with pytest.raises(IllegalTransition) as refused:
        actions.advance_incident(staff["admin"], incident.number, to=Stage.CLOSED, note="again")
    assert refused.value.extra == {"stage": "closed", "next_stage": None}


@pytest.mark.parametrize(
    "role", ["agent", "dispatcher", "technician", "quality_inspector", "auditor"]
)
def test_r_sec_6_only_handlers_advance(staff: dict[str, User], report: Report, role: str) -> None:
    incident = report(by="agent")
    before = state()
    with pytest.raises(PermissionDenied):
        actions.advance_incident(staff[role], incident.number, to=Stage.REPORT, note="n")
    assert state() == before


def test_advance_checks_the_version(staff: dict[str, User], report: Report) -> None:
    incident = report()
    with pytest.raises(Conflict) as refused:
        actions.advance_incident(
            staff["admin"], incident.number, to=Stage.REPORT, note="n", expected_version=9
        )
    assert refused.value.extra == {"current_version": 1}
    moved = actions.advance_incident(
        staff["admin"], incident.number, to=Stage.REPORT, note="n", expected_version=1
    )
    assert moved.version == 2


def test_unknown_incident_is_not_found(staff: dict[str, User]) -> None:
    with pytest.raises(NotFound):
        actions.advance_incident(staff["admin"], "AQ20990101000001", to=Stage.REPORT, note="n")


# --- level ------------------------------------------------------------------------------------


def test_r_sec_6_raising_to_major_alerts_once_and_records_old_and_new(
    staff: dict[str, User], report: Report
) -> None:
    incident = report()
    changed = actions.change_incident_level(
        staff["supervisor"], incident.number, level="major", note="影响扩大"
    )
    assert (changed.level, changed.response_level, changed.version) == ("major", 1, 2)
    event = changed.events.get(action="level")
    assert event.changes == {"level": ["general", "major"], "response_level": [3, 1]}
    assert event.note == "影响扩大"
    audit = AuditEntry.objects.get(event_type="incident.level", object_id=incident.number)
    assert audit.changes == {"level": ["general", "major"], "response_level": [3, 1]}
    templates = set(Notification.objects.values_list("template", flat=True))
    assert templates == {"security_incident_major"}
    count = Notification.objects.count()
    actions.change_incident_level(
        staff["admin"], incident.number, level="larger", note="核实后下调"
    )
    actions.change_incident_level(staff["admin"], incident.number, level="major", note="再次上调")
    assert Notification.objects.count() == count  # once per incident and reason


def test_r_sec_6_a_new_level_never_weakens_the_response_by_itself(
    staff: dict[str, User], report: Report
) -> None:
    incident = report(response_level=1)  # general, response raised to 1
    changed = actions.change_incident_level(
        staff["admin"], incident.number, level="larger", note="n"
    )
    assert changed.response_level == 1
    lowered = actions.change_incident_level(
        staff["admin"], incident.number, response_level=2, note="降低响应"
    )
    assert lowered.response_level == 2
    before = state()
    with pytest.raises(InvalidInput) as refused:
        actions.change_incident_level(staff["admin"], incident.number, response_level=3, note="n")
    assert "response_level" in refused.value.fields
    with pytest.raises(InvalidInput):  # nothing to change
        actions.change_incident_level(staff["admin"], incident.number, level="larger", note="n")
    with pytest.raises(InvalidInput) as refused:
        actions.change_incident_level(staff["admin"], incident.number, level="bogus", note="n")
    assert "level" in refused.value.fields
    assert state() == before


def test_r_sec_6_personal_data_flag_alerts(staff: dict[str, User], report: Report) -> None:
    incident = report()
    changed = actions.change_incident_level(
        staff["admin"],
        incident.number,
        personal_data_involved=True,
        affected_customers_estimate=3000,
        note="确认涉及客户信息",
    )
    assert changed.personal_data_involved and changed.affected_customers_estimate == 3000
    assert set(Notification.objects.values_list("template", flat=True)) == {
        "security_incident_personal_data"
    }


def test_level_of_a_closed_incident_is_refused(
    staff: dict[str, User], report: Report, walk: Walk
) -> None:
    incident = walk(report(), Stage.CLOSED)
    before = state()
    with pytest.raises(IllegalTransition):
        actions.change_incident_level(staff["admin"], incident.number, level="major", note="n")
    assert state() == before


# --- notes ------------------------------------------------------------------------------------


def test_notes_by_handlers_and_the_reporter_even_when_closed(
    staff: dict[str, User], report: Report, walk: Walk
) -> None:
    incident = report(by="agent")
    event = actions.add_incident_note(staff["agent"], incident.number, note="补充：涉及两台服务器")
    assert (event.action, event.actor, event.from_stage, event.to_stage) == (
        "note",
        staff["agent"],
        "discovery",
        "discovery",
    )
    assert AuditEntry.objects.filter(event_type="incident.note", object_id=incident.number).exists()
    before = state()
    for role in ("technician", "auditor", "customer"):
        with pytest.raises(PermissionDenied):
            actions.add_incident_note(staff[role], incident.number, note="n")
    with pytest.raises(InvalidInput):
        actions.add_incident_note(staff["supervisor"], incident.number, note="")
    assert state() == before
    walk(incident, Stage.CLOSED)
    assert actions.add_incident_note(staff["supervisor"], incident.number, note="事后补记").pk


# --- links ------------------------------------------------------------------------------------


def test_r_sec_6_link_customers_and_tickets_by_number(
    staff: dict[str, User], report: Report, customer: Customer, make_ticket: Callable[..., Ticket]
) -> None:
    incident = report()
    ticket = make_ticket()
    linked = actions.link_objects(
        staff["supervisor"],
        incident.number,
        customers=[customer.number, customer.number],
        tickets=[ticket.number],
        note="受影响客户",
    )
    assert [link.customer for link in linked.customer_links.all()] == [customer]
    assert [link.ticket for link in linked.ticket_links.all()] == [ticket]
    assert linked.customer_links.get().linked_by == staff["supervisor"]
    event = linked.events.get(action="link")
    assert event.changes == {"customers": [customer.number], "tickets": [ticket.number]}
    audit = AuditEntry.objects.get(event_type="incident.link", object_id=incident.number)
    assert audit.changes == {"customers": [customer.number], "tickets": [ticket.number]}
    # R-SEC-2: no name, phone or ID number of the customer in the timeline or the trail.
    for text in (str(event.changes), str(audit.changes)):
        assert customer.name not in text and VALID_MOBILE not in text and VALID_ID not in text
    before = state()
    actions.link_customers(staff["admin"], incident.number, [customer.number])  # already linked
    assert state() == before


def test_r_sec_7_linking_an_unknown_customer_is_404_and_links_nothing(
    staff: dict[str, User], report: Report, customer: Customer
) -> None:
    incident = report()
    before = state()
    with pytest.raises(NotFound) as refused:
        actions.link_customers(staff["admin"], incident.number, [customer.number, "C9999999999"])
    assert refused.value.extra == {"missing": {"customers": ["C9999999999"]}}
    with pytest.raises(NotFound):
        actions.link_tickets(staff["admin"], incident.number, ["TS20990101000001"])
    with pytest.raises(InvalidInput):
        actions.link_objects(staff["admin"], incident.number)
    with pytest.raises(PermissionDenied):
        actions.link_customers(staff["agent"], incident.number, [customer.number])
    assert state() == before
    assert not IncidentCustomer.objects.exists()


# --- regulator --------------------------------------------------------------------------------


def test_regulator_notice_recorded_once(staff: dict[str, User], report: Report) -> None:
    with clock.frozen(at("2026-11-23 10:15")):
        incident = report(discovered_at=at("2026-11-23 08:00"))
    with clock.frozen(at("2026-11-23 12:00")):
        before = state()
        for when in (at("2026-11-23 07:00"), at("2026-11-23 13:00")):  # before discovery, future
            with pytest.raises(InvalidInput):
                actions.record_regulator_notice(
                    staff["admin"], incident.number, notified_at=when, note="电话报告通信管理局"
                )
        assert state() == before
        noted = actions.record_regulator_notice(
            staff["admin"],
            incident.number,
            notified_at=at("2026-11-23 11:30"),
            note="电话报告通信管理局",
        )
        assert (noted.regulator_notified, noted.regulator_notified_at) == (
            True,
            at("2026-11-23 11:30"),
        )
        with pytest.raises(Conflict):
            actions.record_regulator_notice(staff["admin"], incident.number, note="again")
    audit = AuditEntry.objects.get(event_type="incident.regulator", object_id=incident.number)
    assert audit.changes["regulator_notified"] == [False, True]


# --- the timeline -----------------------------------------------------------------------------


def test_timeline_is_append_only(report: Report) -> None:
    event = report().events.get()
    event.note = "改写"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        IncidentEvent.objects.all().delete()
    with pytest.raises(TypeError):
        IncidentEvent.objects.update(note="x")


def test_discovered_at_slightly_ahead_is_read_as_now(report: Report) -> None:
    with clock.frozen(at("2026-11-23 10:15")):
        incident = report(discovered_at=at("2026-11-23 10:15") + timedelta(seconds=30))
    assert incident.discovered_at == at("2026-11-23 10:15")
