"""The ticket lifecycle as data (R-WF-1..5). Pure: no database access.

One transition table per kind: `TRANSITIONS[kind][action]` maps each status the action may start
from to the status it leads to. Actions enforce it; the API reports `allowed_actions()`.
"""

from collections.abc import Mapping

from carrierdesk.accounts.choices import STAFF_ROLES, Role
from carrierdesk.tickets.choices import (
    COMPLAINT_KINDS,
    TERMINAL_STATUSES,
    Action,
    Kind,
    Status,
    Subtype,
    Urgency,
)

S = Status
Table = Mapping[str, Mapping[str, str]]

#: Actions that change the status. `note`, `attach` and `update` do not.
TRANSITION_ACTIONS = (
    Action.ACCEPT,
    Action.REJECT,
    Action.ASSIGN,
    Action.START,
    Action.PEND,
    Action.RESUME,
    Action.RESOLVE,
    Action.CLOSE,
    Action.REOPEN,
    Action.CANCEL,
)

_CANCELLABLE = (S.NEW, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.PENDING, S.REOPENED)

#: The common lifecycle: new → accepted → assigned → in_progress → resolved → closed,
#: with pending, reopened, rejected and cancelled.
_BASE: dict[str, dict[str, str]] = {
    Action.ACCEPT: {S.NEW: S.ACCEPTED},
    Action.REJECT: {S.NEW: S.REJECTED, S.ACCEPTED: S.REJECTED},
    # Reassignment keeps the ticket assigned; a reopened ticket goes back to a handler.
    Action.ASSIGN: {
        S.ACCEPTED: S.ASSIGNED,
        S.ASSIGNED: S.ASSIGNED,
        S.IN_PROGRESS: S.ASSIGNED,
        S.REOPENED: S.ASSIGNED,
    },
    Action.START: {S.ASSIGNED: S.IN_PROGRESS, S.REOPENED: S.IN_PROGRESS},
    Action.PEND: {S.IN_PROGRESS: S.PENDING},
    Action.RESUME: {S.PENDING: S.IN_PROGRESS},
    Action.RESOLVE: {S.IN_PROGRESS: S.RESOLVED},
    Action.CLOSE: {S.RESOLVED: S.CLOSED},
    # R-RV-2 / R-FLT-3: an unsatisfied return visit, a failed verification or a customer's
    # objection reopens (重新处理), also after archiving.
    Action.REOPEN: {S.RESOLVED: S.REOPENED, S.CLOSED: S.REOPENED},
    Action.CANCEL: {status: S.CANCELLED for status in _CANCELLABLE},
}


def _variant(
    remove: tuple[str, ...] = (), extend: Mapping[str, Mapping[str, str]] | None = None
) -> dict[str, dict[str, str]]:
    table = {action: dict(moves) for action, moves in _BASE.items() if action not in remove}
    for action, moves in (extend or {}).items():
        table.setdefault(action, {}).update(moves)
    return table


TRANSITIONS: Mapping[str, Table] = {
    # An inquiry may be answered at first contact (first-contact resolution), and there is
    # nothing to review, so no rejection.
    Kind.INQUIRY: _variant(
        remove=(Action.REJECT,),
        extend={
            Action.RESOLVE: {S.NEW: S.RESOLVED, S.ACCEPTED: S.RESOLVED, S.ASSIGNED: S.RESOLVED}
        },
    ),
    # R-WF-2: review (审核) may refuse an application: incomplete materials, no resources.
    Kind.SERVICE_ORDER: _variant(),
    # A fault report may be refused at intake only (not a fault, duplicate of an outage).
    Kind.FAULT: _variant(remove=(Action.REJECT,), extend={Action.REJECT: {S.NEW: S.REJECTED}}),
    # R-WF-4: every complaint closes the loop (闭环), so a complaint is never rejected.
    Kind.COMPLAINT: _variant(remove=(Action.REJECT,)),
    Kind.APPEAL: _variant(remove=(Action.REJECT,)),
    # Suggestions: responded to (accepted), then handled; every one is closed.
    Kind.SUGGESTION: _variant(
        remove=(Action.REJECT,),
        extend={Action.RESOLVE: {S.ACCEPTED: S.RESOLVED, S.ASSIGNED: S.RESOLVED}},
    ),
}

#: Actions that must carry a reason (R-WF-1: rejected "with a reason").
NEEDS_REASON = frozenset({Action.REJECT, Action.PEND, Action.REOPEN, Action.CANCEL})
#: Actions that must carry a resolution.
NEEDS_RESOLUTION = frozenset({Action.RESOLVE})

#: The urgency values each kind takes: priority for service requests (R-CLS-1), fault class
#: (R-CLS-2), complaint severity (R-CLS-3). The first is the default.
_PRIORITY = (Urgency.GENERAL, Urgency.EMERGENCY, Urgency.IMPORTANT, Urgency.NON_URGENT)
_SEVERITY = (Urgency.GENERAL, Urgency.SERIOUS, Urgency.MAJOR)
URGENCIES: Mapping[str, tuple[str, ...]] = {
    Kind.INQUIRY: _PRIORITY,
    Kind.SERVICE_ORDER: _PRIORITY,
    Kind.SUGGESTION: _PRIORITY,
    Kind.FAULT: (Urgency.GENERAL, Urgency.URGENT, Urgency.MINOR),
    Kind.COMPLAINT: _SEVERITY,
    Kind.APPEAL: _SEVERITY,
}

#: Subtypes per kind; a kind with an empty tuple takes none, one with values requires one.
SUBTYPES: Mapping[str, tuple[str, ...]] = {
    Kind.INQUIRY: (),
    Kind.SERVICE_ORDER: (Subtype.OPEN, Subtype.CHANGE, Subtype.TERMINATE, Subtype.RELOCATE),
    Kind.FAULT: (Subtype.SYSTEM, Subtype.NETWORK, Subtype.BUSINESS, Subtype.USER_SIDE),
    Kind.COMPLAINT: (),
    Kind.APPEAL: (),
    Kind.SUGGESTION: (),
}

_ALL_STAFF = STAFF_ROLES - {Role.AUDITOR.value}
_HANDLERS = frozenset({Role.TECHNICIAN, Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
_FEEDBACK = frozenset({Role.AGENT, Role.QUALITY_INSPECTOR, Role.SUPERVISOR, Role.ADMIN})

#: Which roles may take each action (SPEC §0). Auditors read only.
ROLE_ACTIONS: Mapping[str, frozenset[str]] = {
    Action.REGISTER: frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN}),
    Action.ACCEPT: frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN}),
    Action.REJECT: frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN}),
    Action.ASSIGN: frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN}),
    Action.START: _HANDLERS,
    Action.PEND: _HANDLERS,
    Action.RESUME: _HANDLERS,
    Action.RESOLVE: _HANDLERS,
    Action.CLOSE: frozenset({Role.AGENT, Role.QUALITY_INSPECTOR, Role.SUPERVISOR, Role.ADMIN}),
    Action.REOPEN: frozenset({Role.AGENT, Role.QUALITY_INSPECTOR, Role.SUPERVISOR, Role.ADMIN}),
    Action.CANCEL: frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN}),
    Action.UPDATE: frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN}),
    # R-CMP-1: closing a major complaint needs a supervisor's approval.
    Action.APPROVE_CLOSURE: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    # R-CMP-2 / R-WF-5: the result is fed back by whoever keeps the customer relationship.
    Action.FEEDBACK_FIRST: _FEEDBACK,
    Action.FEEDBACK_FINAL: _FEEDBACK,
    # R-RV-1: return visits are the quality inspectors' worklist.
    Action.RETURN_VISIT: frozenset({Role.QUALITY_INSPECTOR, Role.SUPERVISOR, Role.ADMIN}),
    Action.NOTE: _ALL_STAFF,
    Action.ATTACH: _ALL_STAFF,
}


def target_status(kind: str, status: str, action: str) -> str | None:
    """The status `action` leads to from `status` for this kind, or None if not allowed."""
    return TRANSITIONS[kind].get(action, {}).get(status)


def allowed_actions(kind: str, status: str) -> list[str]:
    """The status-changing actions open to a ticket of `kind` in `status`, in lifecycle order."""
    table = TRANSITIONS[kind]
    return [action for action in TRANSITION_ACTIONS if status in table.get(action, {})]


def open_actions(kind: str, status: str, urgency: str, closure_approved: bool) -> list[str]:
    """The verbs open to a ticket now: `allowed_actions`, where a resolved major complaint not
    yet approved offers its supervisor's approval instead of closing (R-CMP-1)."""
    actions = allowed_actions(kind, status)
    if (
        kind in COMPLAINT_KINDS
        and urgency == Urgency.MAJOR
        and status == S.RESOLVED
        and not closure_approved
    ):
        actions = [
            Action.APPROVE_CLOSURE if action == Action.CLOSE else action for action in actions
        ]
    return actions


def can_role_act(roles: frozenset[str], action: str) -> bool:
    return bool(roles & ROLE_ACTIONS[action])


def is_frozen(status: str) -> bool:
    """Finished tickets take no field updates (notes and attachments are still allowed)."""
    return status in TERMINAL_STATUSES
