"""Helpers of the staff UI's tests of tickets (test_web_*.py)."""

import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from carrierdesk.tickets import actions
from carrierdesk.tickets.models import Ticket

Browse = Callable[..., Client]
MakeTicket = Callable[..., Ticket]

#: The ticket number of a row of a list of tickets (a queue, the dispatch screen).
ROW_NUMBER = re.compile(r'<td><a href="/tickets/([A-Z]{2}[0-9]+)/">')


def listed(response: Any) -> list[str]:
    """The ticket numbers of the page's rows, in order."""
    assert response.status_code == 200
    return ROW_NUMBER.findall(response.content.decode())


def accepted(make_ticket: MakeTicket, staff: dict[str, User], **values: Any) -> Ticket:
    return actions.accept(staff["agent"], make_ticket(**values).number)


def resolved(make_ticket: MakeTicket, staff: dict[str, User], **values: Any) -> Ticket:
    """A ticket accepted, assigned to the technician, started and resolved."""
    ticket = make_ticket(**values)
    actions.accept(staff["agent"], ticket.number)
    actions.assign(staff["dispatcher"], ticket.number, assignee="technician")
    actions.start(staff["technician"], ticket.number)
    return actions.resolve(staff["technician"], ticket.number, resolution="已退还多扣话费。")
