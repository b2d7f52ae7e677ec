"""Templates render in English and Simplified Chinese from the stored context. Pure."""

from typing import Any

import pytest
from django.utils import translation

from carrierdesk.notifications import templates
from carrierdesk.notifications.templates import RenderError, format_minutes, render

SLA_BASE = {
    "ticket": "TS20251009000001",
    "clock": "resolution",
    "clock_label": "Complaint",
    "deadline": "2025-10-09T06:00:00+00:00",
}
INCIDENT = {
    "incident": "AQ20261123000001",
    "reporter": "agent01",
    "response_level": 1,
    "affected_customers": 120,
}

#: A context for each template, and its English rendering (subject, body).
CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "sla_warning": (
        {**SLA_BASE, "threshold": 80, "remaining_minutes": 130},
        "[TS20251009000001] Complaint: 80% of the time limit used",
        'Ticket TS20251009000001 has used 80% of its time limit "Complaint". '
        "Deadline: 2025-10-09 14:00 (2h 10m left).",
    ),
    "sla_breach": (
        {**SLA_BASE, "overdue_minutes": 45},
        "[TS20251009000001] Complaint: time limit exceeded",
        'Ticket TS20251009000001 has exceeded its time limit "Complaint". '
        "Deadline: 2025-10-09 14:00 (overdue by 45m).",
    ),
    "sla_escalation": (
        {**SLA_BASE, "overdue_minutes": 1500, "level": 2},
        "[TS20251009000001] Escalation level 2: Complaint",
        'Ticket TS20251009000001 is escalated to level 2: its time limit "Complaint" was '
        "exceeded by 1d 1h (deadline: 2025-10-09 14:00).",
    ),
    "security_alert": (
        {"user": "agent01", "count": 21, "window_minutes": 60, "threshold": 20},
        "Security alert: agent01 unmasked personal data 21 times",
        "Staff member agent01 has unmasked customers' personal data 21 times within 60 "
        "minutes (the alert threshold is 20). Check the personal data access log.",
    ),
    "security_incident_major": (
        INCIDENT,
        "[AQ20261123000001] Major security incident",
        "Security incident AQ20261123000001, reported by agent01, is rated major (response "
        "level 1; about 120 customers affected). Only an administrator can close it.",
    ),
    "security_incident_personal_data": (
        INCIDENT,
        "[AQ20261123000001] Security incident involving personal data",
        "Security incident AQ20261123000001, reported by agent01, involves customers' personal "
        "data (response level 1; about 120 customers affected). Decide whether the regulator "
        "and the customers must be notified.",
    ),
    "privacy_request_warning": (
        {"request": "GR20251009000001", "deadline": "2025-10-28T16:00:00+00:00", "threshold": 80},
        "[GR20251009000001] Data-subject request: 80% of the time used",
        "Data-subject request GR20251009000001 has used 80% of its 15 working days and is not "
        "answered yet. Answer it by 2025-10-29 00:00.",
    ),
    "privacy_request_breach": (
        {"request": "GR20251009000001", "deadline": "2025-10-29T00:00:00+08:00"},
        "[GR20251009000001] Data-subject request overdue",
        "Data-subject request GR20251009000001 was due 2025-10-29 00:00 and is not answered yet.",
    ),
    "ticket_acknowledged": (
        {"ticket": "TS20251009000001", "kind_label": "Complaint"},
        "[TS20251009000001] Your request has been registered",
        "Your request (Complaint) has been registered as ticket TS20251009000001. We will keep "
        "you informed of its progress; please quote this number when you contact us.",
    ),
    "ticket_owner_update": (
        {"ticket": "TS20251009000001", "status_label": "In progress", "actor": "technician"},
        "[TS20251009000001] Now: In progress",
        'Ticket TS20251009000001, which you registered, is now "In progress" (by technician). '
        "You remain the customer's contact for it until it is closed.",
    ),
    "survey_invitation": (
        {
            "ticket": "TS20251009000001",
            "link": "https://desk.example.cn/s/abc:def/",
            "deadline": "2025-10-16T10:00:00+08:00",
        },
        "[TS20251009000001] How did we do?",
        "Your ticket TS20251009000001 has been resolved. Please tell us whether the problem is "
        "solved and how satisfied you are: https://desk.example.cn/s/abc:def/ (one use, until "
        "2025-10-16 10:00).",
    ),
    "visit_warning": (
        {"ticket": "TS20251009000001", "deadline": "2025-10-11T10:00:00+08:00", "threshold": 80},
        "[TS20251009000001] Return visit: 80% of its time used",
        "The return visit of ticket TS20251009000001 has used 80% of its time and is not made "
        "yet. It is due 2025-10-11 10:00.",
    ),
    "visit_overdue": (
        {"ticket": "TS20251009000001", "deadline": "2025-10-11T10:00:00+08:00"},
        "[TS20251009000001] Return visit overdue",
        "The return visit of ticket TS20251009000001 was due 2025-10-11 10:00 and is not made yet.",
    ),
    "test": (
        {"text": "ping"},
        "carrierdesk test notification",
        "This is a test message from carrierdesk: ping",
    ),
}


def test_every_template_has_a_case() -> None:
    assert set(CASES) == set(templates.TEMPLATES)


@pytest.mark.parametrize("code", CASES)
def test_renders_in_english(code: str) -> None:
    context, subject, body = CASES[code]
    rendered = render(code, context, "en")
    assert (rendered.subject, rendered.body) == (subject, body)


@pytest.mark.parametrize("code", CASES)
def test_renders_in_simplified_chinese(code: str) -> None:
    # The wording is the translators'; what matters here is that it renders with the values.
    context, _subject, _body = CASES[code]
    rendered = render(code, context, "zh-hans")
    assert rendered.subject and rendered.body
    if "ticket" in context:
        assert "TS20251009000001" in rendered.subject
        assert "TS20251009000001" in rendered.body


def test_clock_label_is_translated_at_render_time() -> None:
    context = CASES["sla_breach"][0]
    assert "Complaint" in render("sla_breach", context, "en").body
    chinese = render("sla_breach", context, "zh-hans").body
    assert "投诉" in chinese
    assert "Complaint" not in chinese


def test_kind_label_is_translated_at_render_time() -> None:
    context = CASES["ticket_acknowledged"][0]
    chinese = render("ticket_acknowledged", context, "zh-hans").body
    assert "投诉" in chinese
    assert "Complaint" not in chinese


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0m"),
        (-5, "0m"),
        (45, "45m"),
        (60, "1h"),
        (130, "2h 10m"),
        (1440, "1d"),
        (1501, "1d 1h 1m"),
    ],
)
def test_format_minutes(minutes: int, text: str) -> None:
    with translation.override("en"):
        assert format_minutes(minutes) == text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"overdue_minutes": None}, "key 'overdue_minutes' must be int"),
        ({"overdue_minutes": True}, "key 'overdue_minutes' must be int"),
        ({"overdue_minutes": "45"}, "key 'overdue_minutes' must be int"),
        ({"deadline": "tomorrow"}, "deadline is not an ISO 8601 time"),
        ({"deadline": "2025-10-09T14:00:00"}, "deadline has no time zone offset"),
    ],
)
def test_a_context_that_does_not_fit_is_refused(change: dict[str, Any], message: str) -> None:
    context = {**CASES["sla_breach"][0], **change}
    with pytest.raises(RenderError, match=message):
        render("sla_breach", context, "en")


def test_missing_key_and_unknown_template_are_refused() -> None:
    context = dict(CASES["sla_breach"][0])
    del context["deadline"]
    with pytest.raises(RenderError, match="missing key 'deadline'"):
        render("sla_breach", context, "en")
    with pytest.raises(RenderError, match="unknown template 'nope'"):
        render("nope", {}, "en")
