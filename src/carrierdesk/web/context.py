"""Template context for every staff page: the menu and who is signed in."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.roles import roles_of
from carrierdesk.web.navigation import menu_for


def _staff(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    roles = roles_of(user)
    labels = [str(Role(role).label) for role in Role.values if role in roles]
    profile = getattr(user, "staff_profile", None)
    return {
        "menu": menu_for(roles),
        "roles": roles,
        "role_labels": labels,
        "display_name": profile.display_name if profile else user.get_username(),
    }


def staff(request: HttpRequest) -> dict[str, Any]:
    """`staff.menu`, `staff.roles`, `staff.role_labels`, `staff.display_name` (lazy: pages that
    don't show the menu pay nothing)."""
    if not request.user.is_authenticated:
        return {}
    return {"staff": SimpleLazyObject(lambda: _staff(request))}
