"""The security-incident workflow as data (R-SEC-6). Pure: no database access.

`MOVES` is the one transition table: each stage leads strictly forward to one next stage
(discovery → report → response → analysis → rectification → review → closed). Every move
carries a note saying what was done in the stage being left; leaving analysis needs the root
cause and leaving rectification the measures taken; only an admin closes a major incident.
Actions enforce the table; the API reports `next_stage()`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from carrierdesk.accounts.choices import STAFF_ROLES, Role
from carrierdesk.incidents.choices import Level, ResponseLevel, Stage

#: Any staff member may report (discover) an incident; auditors read and change nothing.
REPORT_ROLES = STAFF_ROLES - {Role.AUDITOR.value}
#: Supervisors and admins handle incidents: advance, re-assess, link.
HANDLER_ROLES = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})
#: Roles that read every incident; the others read the incidents they reported.
READ_ALL_ROLES = HANDLER_ROLES | {Role.AUDITOR.value}
ADMIN_ONLY = frozenset({Role.ADMIN.value})


@dataclass(frozen=True)
class Move:
    """One row of the table: the stage a move leads to, the incident field that must hold
    text before the stage is left, and the roles that may make the move (for a major incident
    `major_roles`, when given)."""

    to: str
    requires: str | None = None
    roles: frozenset[str] = HANDLER_ROLES
    major_roles: frozenset[str] | None = field(default=None)

    def roles_for(self, level: str) -> frozenset[str]:
        if level == Level.MAJOR and self.major_roles is not None:
            return self.major_roles
        return self.roles


#: The transition table: from each stage, the one move allowed.
MOVES: Mapping[str, Move] = {
    Stage.DISCOVERY: Move(Stage.REPORT),
    Stage.REPORT: Move(Stage.RESPONSE),
    Stage.RESPONSE: Move(Stage.ANALYSIS),
    Stage.ANALYSIS: Move(Stage.RECTIFICATION, requires="root_cause"),
    Stage.RECTIFICATION: Move(Stage.REVIEW, requires="measures"),
    Stage.REVIEW: Move(Stage.CLOSED, major_roles=ADMIN_ONLY),
}

#: The incident field stamped with the time each stage was entered (discovery: `reported_at`).
STAGE_STARTED_FIELD: Mapping[str, str] = {
    Stage.REPORT: "report_started_at",
    Stage.RESPONSE: "response_started_at",
    Stage.ANALYSIS: "analysis_started_at",
    Stage.RECTIFICATION: "rectification_started_at",
    Stage.REVIEW: "review_started_at",
    Stage.CLOSED: "closed_at",
}

#: The response level each incident level starts with (一般 → Ⅲ级, 较大 → Ⅱ级, 重大 → Ⅰ级).
DEFAULT_RESPONSE_LEVEL: Mapping[str, int] = {
    Level.GENERAL: ResponseLevel.LEVEL_3,
    Level.LARGER: ResponseLevel.LEVEL_2,
    Level.MAJOR: ResponseLevel.LEVEL_1,
}


def next_stage(stage: str) -> str | None:
    """The one stage an incident in `stage` may move to, or None once closed."""
    move = MOVES.get(stage)
    return move.to if move else None


def is_closed(stage: str) -> bool:
    return stage == Stage.CLOSED


def default_response_level(level: str) -> int:
    return DEFAULT_RESPONSE_LEVEL[level]


def response_level_allowed(level: str, response_level: int) -> bool:
    """A handler may raise the response (a smaller number), never weaken it below the level's."""
    return (
        response_level in ResponseLevel.values and response_level <= DEFAULT_RESPONSE_LEVEL[level]
    )


def required_field(stage: str) -> str | None:
    """The field that must hold text before an incident leaves `stage`."""
    move = MOVES.get(stage)
    return move.requires if move else None


def can_report(roles: frozenset[str]) -> bool:
    return bool(roles & REPORT_ROLES)


def can_handle(roles: frozenset[str]) -> bool:
    """Re-assess the level, link customers and tickets, record the regulator's notice."""
    return bool(roles & HANDLER_ROLES)


def can_read_all(roles: frozenset[str]) -> bool:
    return bool(roles & READ_ALL_ROLES)


def can_advance(roles: frozenset[str], stage: str, level: str) -> bool:
    """Whether `roles` may move an incident of `level` out of `stage` (to its next stage)."""
    move = MOVES.get(stage)
    return move is not None and bool(roles & move.roles_for(level))


def can_add_note(roles: frozenset[str], *, is_reporter: bool) -> bool:
    """Handlers note on any incident; whoever reported one may add what they learn later."""
    return can_handle(roles) or (is_reporter and can_report(roles))
