"""Assigning several tickets at once, from a queue or the dispatch screen (issue 5 §5).

Each ticket is its own `tickets.actions.assign` call with the version the page showed: the
action owns the transaction, so a ticket that changed meanwhile (or whose status no longer
allows assignment) is refused on its own and the others go through.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carrierdesk.core.errors import ActionError, Conflict, InvalidInput
from carrierdesk.tickets import actions
from carrierdesk.tickets.queries import tickets_visible_to
from carrierdesk.tickets.web.queue_forms import AssignForm
from carrierdesk.web.access import show_errors

User = AbstractBaseUser | AnonymousUser


@dataclass
class Outcome:
    assigned: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """ "Assigned 7, refused 1: TS… changed meanwhile." in the page's language."""
        text = ngettext(
            "Assigned %(count)d ticket.", "Assigned %(count)d tickets.", len(self.assigned)
        ) % {"count": len(self.assigned)}
        if self.refused:
            reasons = "; ".join(f"{number}: {reason}" for number, reason in self.refused)
            text += " " + ngettext(
                "Refused %(count)d: %(reasons)s.",
                "Refused %(count)d: %(reasons)s.",
                len(self.refused),
            ) % {"count": len(self.refused), "reasons": reasons}
        return text


def _reason(error: ActionError) -> str:
    if isinstance(error, Conflict):
        return _("changed meanwhile (reload to see the change)")
    return str(error.message)


def assign_each(
    actor: User,
    picked: list[tuple[str, int]],
    *,
    department: str,
    assignee: str,
    note: str,
) -> Outcome:
    """Assign each `(number, version)` the actor may see; refusals are collected per ticket.

    An InvalidInput (unknown department, a person outside it, a note too long) is the same
    for every ticket, so it is raised for the form on the first call, before anything changed.
    """
    outcome = Outcome()
    numbers = [number for number, _version in picked]
    # Out-of-scope tickets look missing (R-SEC-1): the action itself does not check scope.
    visible = set(
        tickets_visible_to(actor).filter(number__in=numbers).values_list("number", flat=True)
    )
    for number, version in picked:
        if number not in visible:
            outcome.refused.append((number, _("no such ticket")))
            continue
        try:
            actions.assign(
                actor,
                number,
                department=department or None,
                assignee=assignee or None,
                note=note,
                expected_version=version,
            )
        except InvalidInput:
            if not outcome.assigned:
                raise
            outcome.refused.append((number, _("the input was refused")))
        except ActionError as error:
            outcome.refused.append((number, _reason(error)))
        else:
            outcome.assigned.append(number)
    return outcome


def assign_submitted(request: HttpRequest, form: AssignForm) -> Outcome | None:
    """Assign what a bulk-assignment form asks for (`assign_each`) and tell the outcome as a
    message; None when the form is invalid or the input refused (the errors are on the form)."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        outcome = assign_each(
            request.user,
            data["tickets"],
            department=data["department"],
            assignee=data["assignee"],
            note=data["note"],
        )
    except ActionError as error:
        show_errors(form, error)
        return None
    level = messages.WARNING if outcome.refused else messages.SUCCESS
    messages.add_message(request, level, outcome.summary())
    return outcome
