"""Who may open a staff page, and how refused actions reach the screen.

Every staff view is wrapped by `staff_view`: signed in, past the second factor where the role
needs it (R-SEC-4), a staff role, and optionally one of the roles the page is for. Reads still
go through the restricting querysets (`tickets_visible_to`, `access_ticket`, …): this only
decides who may open the page at all.
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from carrierdesk.accounts import otp
from carrierdesk.accounts.roles import is_staff_member, roles_of
from carrierdesk.core.errors import ActionError, NotFound, PermissionDenied

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def staff_view(roles: Iterable[str] | None = None) -> Callable[[View], View]:
    """Decorate a view for signed-in staff (of `roles`, if given).

    Anonymous users and privileged users without their second factor go to the sign-in page;
    other roles get 403. A coded NotFound or PermissionDenied raised by a read helper becomes
    the site's 404 or 403 page, so missing and forbidden look alike (R-SEC-1).
    """
    allowed = frozenset(roles) if roles is not None else None

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated or not otp.session_passes(user):
                login = redirect_to_login(request.get_full_path())
                if request.headers.get("HX-Request"):
                    # A partial update (the board's refresh) must not draw the sign-in page
                    # inside the page: htmx loads the whole sign-in page instead.
                    refresh = HttpResponse(status=204)
                    refresh["HX-Redirect"] = login["Location"]
                    return refresh
                return login
            if not is_staff_member(user):
                raise DjangoPermissionDenied(_("This page is for the carrier's staff."))
            if allowed is not None and not roles_of(user) & allowed:
                raise DjangoPermissionDenied(_("Your role has no access to this page."))
            try:
                return view(request, *args, **kwargs)
            except NotFound:
                raise Http404() from None
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(str(exc.message)) from None

        return wrapper  # type: ignore[return-value]  # same signature as `view`

    return decorate


def show_errors(
    form: forms.Form, error: ActionError, field_map: dict[str, str] | None = None
) -> None:
    """Put an action's refusal on the form: each field's messages next to that field (renamed
    through `field_map` where the action and the form name it differently), the rest and the
    message itself at the top. What was typed stays in the form."""
    field_map = field_map or {}
    placed = False
    for name, messages in error.fields.items():
        target = field_map.get(name, name)
        for message in messages:
            if target in form.fields:
                form.add_error(target, message)
                placed = True
            else:
                form.add_error(None, f"{name}: {message}")
    if not placed or not error.fields:
        form.add_error(None, str(error.message))
