"""The transition tables (R-WF-1..5), tested as data."""

import pytest

from carrierdesk.accounts.choices import Role
from carrierdesk.tickets import workflow
from carrierdesk.tickets.choices import Action, Kind, Status

A, S, K = Action, Status, Kind

# (kind, status, action, expected target or None)
CASES = [
    # The common path, for every kind that goes through dispatch.
    *[(kind, S.NEW, A.ACCEPT, S.ACCEPTED) for kind in Kind],
    *[(kind, S.ACCEPTED, A.ASSIGN, S.ASSIGNED) for kind in Kind],
    *[(kind, S.ASSIGNED, A.START, S.IN_PROGRESS) for kind in Kind],
    *[(kind, S.IN_PROGRESS, A.PEND, S.PENDING) for kind in Kind],
    *[(kind, S.PENDING, A.RESUME, S.IN_PROGRESS) for kind in Kind],
    *[(kind, S.IN_PROGRESS, A.RESOLVE, S.RESOLVED) for kind in Kind],
    *[(kind, S.RESOLVED, A.CLOSE, S.CLOSED) for kind in Kind],
    *[(kind, S.RESOLVED, A.REOPEN, S.REOPENED) for kind in Kind],
    *[(kind, S.CLOSED, A.REOPEN, S.REOPENED) for kind in Kind],
    *[(kind, S.REOPENED, A.ASSIGN, S.ASSIGNED) for kind in Kind],
    *[(kind, S.ASSIGNED, A.ASSIGN, S.ASSIGNED) for kind in Kind],  # reassignment
    *[(kind, S.PENDING, A.CANCEL, S.CANCELLED) for kind in Kind],
    # Never from a finished state, never skipping a stage.
    *[(kind, S.NEW, A.CLOSE, None) for kind in Kind],
    *[(kind, S.NEW, A.START, None) for kind in Kind],
    *[(kind, S.CANCELLED, A.REOPEN, None) for kind in Kind],
    *[(kind, S.REJECTED, A.ACCEPT, None) for kind in Kind],
    *[(kind, S.CLOSED, A.CANCEL, None) for kind in Kind],
    *[(kind, S.RESOLVED, A.CANCEL, None) for kind in Kind],
    *[(kind, S.PENDING, A.RESOLVE, None) for kind in Kind],
    *[(kind, S.IN_PROGRESS, A.CLOSE, None) for kind in Kind],
    # Kind-specific rows.
    (K.SERVICE_ORDER, S.NEW, A.REJECT, S.REJECTED),  # R-WF-2 review fails
    (K.SERVICE_ORDER, S.ACCEPTED, A.REJECT, S.REJECTED),
    (K.FAULT, S.NEW, A.REJECT, S.REJECTED),
    (K.FAULT, S.ACCEPTED, A.REJECT, None),
    (K.COMPLAINT, S.NEW, A.REJECT, None),  # R-WF-4: every complaint closes the loop
    (K.APPEAL, S.NEW, A.REJECT, None),
    (K.SUGGESTION, S.NEW, A.REJECT, None),
    (K.INQUIRY, S.NEW, A.REJECT, None),
    (K.INQUIRY, S.NEW, A.RESOLVE, S.RESOLVED),  # first-contact resolution
    (K.INQUIRY, S.ACCEPTED, A.RESOLVE, S.RESOLVED),
    (K.COMPLAINT, S.NEW, A.RESOLVE, None),
    (K.SUGGESTION, S.NEW, A.RESOLVE, None),
    (K.SUGGESTION, S.ACCEPTED, A.RESOLVE, S.RESOLVED),
    (K.FAULT, S.ASSIGNED, A.RESOLVE, None),
]


@pytest.mark.parametrize(("kind", "status", "action", "expected"), CASES)
def test_target_status(kind: str, status: str, action: str, expected: str | None) -> None:
    assert workflow.target_status(kind, status, action) == expected


def test_every_kind_has_a_table_over_known_statuses() -> None:
    assert set(workflow.TRANSITIONS) == set(Kind.values)
    for table in workflow.TRANSITIONS.values():
        for action, moves in table.items():
            assert action in workflow.TRANSITION_ACTIONS
            assert set(moves) <= set(Status.values)
            assert set(moves.values()) <= set(Status.values)


def test_finished_statuses_allow_only_reopen_of_closed() -> None:
    for kind in Kind:
        assert workflow.allowed_actions(kind, S.CANCELLED) == []
        assert workflow.allowed_actions(kind, S.REJECTED) == []
        assert workflow.allowed_actions(kind, S.CLOSED) == [A.REOPEN]


def test_allowed_actions_in_lifecycle_order() -> None:
    assert workflow.allowed_actions(K.SERVICE_ORDER, S.NEW) == [A.ACCEPT, A.REJECT, A.CANCEL]
    assert workflow.allowed_actions(K.COMPLAINT, S.NEW) == [A.ACCEPT, A.CANCEL]
    assert workflow.allowed_actions(K.INQUIRY, S.NEW) == [A.ACCEPT, A.RESOLVE, A.CANCEL]
    assert workflow.allowed_actions(K.FAULT, S.IN_PROGRESS) == [
        A.ASSIGN,
        A.PEND,
        A.RESOLVE,
        A.CANCEL,
    ]


def test_every_state_reachable_has_a_way_out_or_is_final() -> None:
    final = {S.CLOSED, S.REJECTED, S.CANCELLED}
    for kind in Kind:
        for status in set(Status) - final:
            assert workflow.allowed_actions(kind, status), (kind, status)


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        (Role.AGENT, A.REGISTER, True),
        (Role.AGENT, A.ASSIGN, False),
        (Role.DISPATCHER, A.ASSIGN, True),
        (Role.TECHNICIAN, A.START, True),
        (Role.TECHNICIAN, A.REGISTER, False),
        (Role.TECHNICIAN, A.CLOSE, False),
        (Role.QUALITY_INSPECTOR, A.REOPEN, True),
        (Role.SUPERVISOR, A.CANCEL, True),
        (Role.ADMIN, A.ASSIGN, True),
        *[(Role.AUDITOR, action, False) for action in workflow.ROLE_ACTIONS],
    ],
)
def test_role_actions(role: str, action: str, allowed: bool) -> None:
    assert workflow.can_role_act(frozenset({role}), action) is allowed


@pytest.mark.parametrize(
    ("kind", "urgencies"),
    [
        (K.SERVICE_ORDER, {"emergency", "important", "general", "non_urgent"}),  # R-CLS-1
        (K.FAULT, {"urgent", "general", "minor"}),  # R-CLS-2
        (K.COMPLAINT, {"general", "serious", "major"}),  # R-CLS-3
    ],
)
def test_urgency_is_kind_specific(kind: str, urgencies: set[str]) -> None:
    assert set(workflow.URGENCIES[kind]) == urgencies
