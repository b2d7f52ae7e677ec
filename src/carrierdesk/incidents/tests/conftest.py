"""Fixtures of the incident tests: reporting an incident and walking it along its stages."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from carrierdesk.audit.models import AuditEntry
from carrierdesk.incidents import actions
from carrierdesk.incidents.choices import Stage
from carrierdesk.incidents.models import (
    IncidentCustomer,
    IncidentEvent,
    IncidentTicket,
    SecurityIncident,
)
from carrierdesk.notifications.models import Notification

#: What each move needs besides its note.
MOVE_EXTRAS: dict[str, dict[str, Any]] = {
    Stage.RECTIFICATION: {"root_cause": "运维账号弱口令被撞库"},
    Stage.REVIEW: {"measures": "强制改密，启用双因素认证"},
}


def state() -> tuple[int, ...]:
    """Every row an incident action may write, and the incidents' versions."""
    return (
        SecurityIncident.objects.count(),
        IncidentEvent.objects.count(),
        IncidentCustomer.objects.count(),
        IncidentTicket.objects.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
        sum(SecurityIncident.objects.values_list("version", flat=True)),
    )


@pytest.fixture
def report(staff: dict[str, User]) -> Callable[..., SecurityIncident]:
    """report(level="general", by="agent", **overrides) registers an incident."""

    def make(level: str = "general", by: str = "agent", **overrides: Any) -> SecurityIncident:
        values: dict[str, Any] = {
            "title": "客服系统异常导出",
            "description": "发现有账号在夜间批量导出客户资料。",
            "level": level,
        }
        values.update(overrides)
        return actions.report_incident(staff[by], **values)

    return make


@pytest.fixture
def walk(staff: dict[str, User]) -> Callable[..., SecurityIncident]:
    """walk(incident, until) advances an incident as the admin until it is in `until`."""

    def advance(incident: SecurityIncident, until: str) -> SecurityIncident:
        while incident.stage != until:
            target = actions.workflow.next_stage(incident.stage)
            assert target is not None
            incident = actions.advance_incident(
                staff["admin"],
                incident.number,
                to=target,
                note=f"{incident.stage}阶段完成",
                **MOVE_EXTRAS.get(target, {}),
            )
        return incident

    return advance
