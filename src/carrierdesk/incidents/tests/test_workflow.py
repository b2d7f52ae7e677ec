"""The security-incident workflow table (R-SEC-6), tested as data. Pure."""

import pytest

from carrierdesk.accounts.choices import Role
from carrierdesk.incidents import workflow
from carrierdesk.incidents.choices import Level, Stage

S, L, R = Stage, Level, Role

ORDER = [S.DISCOVERY, S.REPORT, S.RESPONSE, S.ANALYSIS, S.RECTIFICATION, S.REVIEW, S.CLOSED]


def test_r_sec_6_stages_move_strictly_forward_one_step() -> None:
    assert [workflow.next_stage(stage) for stage in ORDER] == [*ORDER[1:], None]
    assert set(workflow.MOVES) == set(ORDER[:-1])  # closed is the end
    assert set(Stage) == set(ORDER)


@pytest.mark.parametrize(
    ("stage", "required"),
    [
        (S.DISCOVERY, None),
        (S.REPORT, None),
        (S.RESPONSE, None),
        (S.ANALYSIS, "root_cause"),
        (S.RECTIFICATION, "measures"),
        (S.REVIEW, None),
        (S.CLOSED, None),
    ],
)
def test_r_sec_6_analysis_needs_root_cause_and_rectification_measures(
    stage: str, required: str | None
) -> None:
    assert workflow.required_field(stage) == required


def test_every_stage_after_discovery_has_its_timestamp() -> None:
    assert set(workflow.STAGE_STARTED_FIELD) == set(ORDER[1:])


# (roles, stage, level, may advance)
ADVANCE_CASES = [
    *[(frozenset({role}), S.DISCOVERY, L.GENERAL, True) for role in (R.SUPERVISOR, R.ADMIN)],
    *[
        (frozenset({role}), S.DISCOVERY, L.GENERAL, False)
        for role in (R.AGENT, R.DISPATCHER, R.TECHNICIAN, R.QUALITY_INSPECTOR, R.AUDITOR)
    ],
    (frozenset({R.SUPERVISOR}), S.REVIEW, L.GENERAL, True),
    (frozenset({R.SUPERVISOR}), S.REVIEW, L.LARGER, True),
    (frozenset({R.SUPERVISOR}), S.REVIEW, L.MAJOR, False),  # only an admin closes a major one
    (frozenset({R.ADMIN}), S.REVIEW, L.MAJOR, True),
    (frozenset({R.SUPERVISOR}), S.RECTIFICATION, L.MAJOR, True),  # the other moves: handlers
    (frozenset({R.SUPERVISOR, R.ADMIN}), S.REVIEW, L.MAJOR, True),
    (frozenset({R.ADMIN}), S.CLOSED, L.GENERAL, False),  # nothing after closed
    (frozenset(), S.DISCOVERY, L.GENERAL, False),
]


@pytest.mark.parametrize(("roles", "stage", "level", "allowed"), ADVANCE_CASES)
def test_r_sec_6_who_advances(roles: frozenset[str], stage: str, level: str, allowed: bool) -> None:
    assert workflow.can_advance(roles, stage, level) is allowed


@pytest.mark.parametrize(
    ("level", "response_level", "allowed"),
    [
        (L.GENERAL, 3, True),
        (L.GENERAL, 2, True),
        (L.GENERAL, 1, True),
        (L.LARGER, 3, False),  # never weaker than the level's
        (L.LARGER, 2, True),
        (L.LARGER, 1, True),
        (L.MAJOR, 2, False),
        (L.MAJOR, 1, True),
        (L.GENERAL, 4, False),
        (L.GENERAL, 0, False),
    ],
)
def test_r_sec_6_response_level_may_be_raised_never_weakened(
    level: str, response_level: int, allowed: bool
) -> None:
    assert workflow.response_level_allowed(level, response_level) is allowed


def test_r_sec_6_default_response_levels() -> None:
    assert {level: workflow.default_response_level(level) for level in Level} == {
        L.GENERAL: 3,
        L.LARGER: 2,
        L.MAJOR: 1,
    }


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_r_sec_6_role_table(role: str) -> None:
    roles = frozenset({role})
    staff_but_auditor = role not in (R.AUDITOR, R.CUSTOMER)
    assert workflow.can_report(roles) is staff_but_auditor
    assert workflow.can_handle(roles) is (role in (R.SUPERVISOR, R.ADMIN))
    assert workflow.can_read_all(roles) is (role in (R.SUPERVISOR, R.ADMIN, R.AUDITOR))
    assert workflow.can_add_note(roles, is_reporter=True) is staff_but_auditor
    assert workflow.can_add_note(roles, is_reporter=False) is (role in (R.SUPERVISOR, R.ADMIN))
