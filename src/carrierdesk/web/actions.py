"""Writes of the staff UI's own records: saved queue views (STYLE habit 1: each owns its
transaction and its audit entry)."""

import unicodedata

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.roles import is_staff_member
from carrierdesk.audit.actions import record
from carrierdesk.core import clock
from carrierdesk.core.errors import InvalidInput, PermissionDenied
from carrierdesk.core.rows import clean_text, lock_row
from carrierdesk.web.models import SavedView

#: Longest name and query string kept, and how many views one person may keep.
MAX_NAME = 60
MAX_QUERY = 1000
MAX_VIEWS_PER_USER = 50

User = AbstractBaseUser | AnonymousUser


def _staff_id(actor: User) -> int:
    """The acting staff member's id; anyone else is refused."""
    if not actor.is_authenticated or not is_staff_member(actor) or actor.pk is None:
        raise PermissionDenied(_("Saved views are for the carrier's staff."))
    return int(actor.pk)


def _clean_name(value: str) -> str:
    name = " ".join(clean_text(value, "name", required=True, limit=MAX_NAME).split())
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise InvalidInput.field("name", _("A name cannot contain control characters."))
    return name


@transaction.atomic
def save_view(actor: User, *, name: str, query: str) -> SavedView:
    """Keep the queue's filters `query` under `name` for `actor`; names are unique per person."""
    owner = _staff_id(actor)
    name = _clean_name(name)
    query = str(query or "").strip().lstrip("?")
    if len(query) > MAX_QUERY:
        raise InvalidInput.field("query", _("These filters are too long to save."))
    owned = SavedView.objects.filter(user_id=owner)
    if owned.count() >= MAX_VIEWS_PER_USER:
        raise InvalidInput.field(
            "name",
            _("You can keep at most %(count)d saved views; delete one first.")
            % {"count": MAX_VIEWS_PER_USER},
        )
    view = SavedView(user_id=owner, name=name, query=query, created_at=clock.now())
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError:
        raise InvalidInput.field(
            "name", _("You already have a saved view with this name.")
        ) from None
    record(
        actor=actor,
        event_type="saved_view.created",
        object_type="saved_view",
        object_id=view.pk,
        changes={"name": name, "query": query},
    )
    return view


@transaction.atomic
def delete_view(actor: User, view_id: int) -> None:
    """Delete one of `actor`'s saved views; another person's answers NotFound (R-SEC-1)."""
    owner = _staff_id(actor)
    view = lock_row(SavedView.objects.filter(user_id=owner), _("No such saved view."), pk=view_id)
    record(
        actor=actor,
        event_type="saved_view.deleted",
        object_type="saved_view",
        object_id=view.pk,
        changes={"name": view.name, "query": view.query},
    )
    view.delete()
