"""The staff UI's main menu, by role (issue 5). Pure: roles in, menu entries out."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import Role

R = Role


@dataclass(frozen=True)
class Entry:
    """One menu entry: its URL name, label, the roles that see it, and its access key."""

    url_name: str
    label: str | Promise
    roles: frozenset[str]
    key: str = ""


_EVERYONE = frozenset(role.value for role in Role if role != Role.CUSTOMER)
_REGISTER = frozenset({R.AGENT, R.DISPATCHER, R.SUPERVISOR, R.ADMIN})
_DISPATCH = frozenset({R.DISPATCHER, R.SUPERVISOR, R.ADMIN})
_BOARD = frozenset({R.SUPERVISOR, R.ADMIN, R.AUDITOR, R.QUALITY_INSPECTOR})
_ADMIN = frozenset({R.ADMIN})
_VISITS = frozenset({R.QUALITY_INSPECTOR, R.SUPERVISOR, R.ADMIN})

MENU: tuple[Entry, ...] = (
    Entry("web:home", _("Home"), _EVERYONE, "h"),
    Entry("web:intake", _("Register"), _REGISTER, "n"),
    Entry("web:queue", _("Tickets"), _EVERYONE, "q"),
    Entry("web:dispatch", _("Dispatch"), _DISPATCH, "d"),
    Entry("web:board", _("Supervisor board"), _BOARD, "b"),
    Entry("web:visits", _("Return visits"), _VISITS, "v"),
    Entry("web:satisfaction", _("Satisfaction"), _BOARD, ""),
    Entry("web:calendars", _("Calendars"), _ADMIN | {R.SUPERVISOR}, ""),
    Entry("web:policies", _("Time-limit policies"), _EVERYONE - {R.TECHNICIAN}, ""),
    Entry(
        "web:visit-rules",
        _("Return-visit rules"),
        frozenset({R.QUALITY_INSPECTOR, R.SUPERVISOR, R.AUDITOR, R.ADMIN}),
        "",
    ),
    Entry("web:users", _("Users and roles"), _ADMIN, ""),
)


def menu_for(roles: frozenset[str]) -> list[Entry]:
    return [entry for entry in MENU if entry.roles & roles]
