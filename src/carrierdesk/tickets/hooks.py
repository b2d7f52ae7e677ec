"""What other apps do when a ticket changes status, inside the change's transaction.

The tickets app knows nothing of the apps built on it (return visits, surveys); they register
a function for the verbs they follow (`after(Action.RESOLVE)`) from their AppConfig.ready(),
and `_transition` calls them once the ticket, its clocks and its timeline event are written.
A hook that raises rolls the whole change back, so hooks check their input before writing.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from carrierdesk.core.actors import Actor
from carrierdesk.tickets.models import Ticket

Hook = Callable[[Ticket, Actor, datetime], None]

_HOOKS: defaultdict[str, list[Hook]] = defaultdict(list)


def after(*actions: str) -> Callable[[Hook], Hook]:
    """Register the decorated function to run after each of `actions` (once per function)."""

    def register(hook: Hook) -> Hook:
        for action in actions:
            if hook not in _HOOKS[action]:
                _HOOKS[action].append(hook)
        return hook

    return register


def run(action: str, ticket: Ticket, actor: Actor, now: datetime) -> None:
    """Call the hooks of `action`, in the order they were registered."""
    for hook in _HOOKS.get(action, ()):
        hook(ticket, actor, now)
