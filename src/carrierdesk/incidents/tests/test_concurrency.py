"""Two handlers advancing one incident at once: one moves it, the other is refused (R-SEC-6).

Real threads and real commits (see `tickets/tests/test_concurrency.py`): on PostgreSQL the row
lock serialises them, on SQLite the IMMEDIATE transaction.
"""

import pytest
from django.contrib.auth.models import User

from carrierdesk.incidents import actions, workflow
from carrierdesk.incidents.choices import Stage
from carrierdesk.incidents.models import IncidentEvent, SecurityIncident
from carrierdesk.tickets.tests.test_concurrency import race, slowly


@pytest.mark.django_db(transaction=True)
def test_two_advances_one_wins(staff: dict[str, User], monkeypatch: pytest.MonkeyPatch) -> None:
    number = actions.report_incident(
        staff["agent"], title="t", description="d", level="general"
    ).number
    monkeypatch.setattr(workflow, "next_stage", slowly(workflow.next_stage))
    outcomes = race(
        [
            lambda: actions.advance_incident(
                staff["supervisor"], number, to=Stage.REPORT, note="主管上报"
            ),
            lambda: actions.advance_incident(
                staff["admin"], number, to=Stage.REPORT, note="管理员上报"
            ),
        ]
    )
    assert outcomes == ["illegal_transition", "ok"]
    assert IncidentEvent.objects.filter(incident__number=number, action="advance").count() == 1
    assert SecurityIncident.objects.get(number=number).version == 2
