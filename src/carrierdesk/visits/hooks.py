"""The visits app's part in a ticket's transitions (registered by VisitsConfig.ready)."""

from datetime import datetime

from carrierdesk.core.actors import Actor
from carrierdesk.tickets.choices import Action
from carrierdesk.tickets.hooks import after
from carrierdesk.tickets.models import Ticket
from carrierdesk.visits import actions, surveys


@after(Action.RESOLVE)
def resolved(ticket: Ticket, actor: Actor, now: datetime) -> None:
    """R-RV-1: the return visit, if the kind's rule samples the ticket; R-RV-3: the survey."""
    actions.schedule_after_resolution(ticket, now)
    surveys.invite(ticket, actor, now)


@after(Action.CLOSE, Action.CANCEL, Action.REOPEN)
def left_resolution(ticket: Ticket, actor: Actor, now: datetime) -> None:
    """A visit still waiting is not made once the ticket is archived, withdrawn or handled
    again. The survey link stays: a customer may answer after the archiving."""
    actions.cancel_waiting(ticket)
