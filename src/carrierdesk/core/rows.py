"""Steps every action function takes the same way: clean free text, lock the row it changes,
refuse a stale version (optimistic concurrency)."""

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from carrierdesk.core.errors import Conflict, InvalidInput, NotFound

M = TypeVar("M", bound=Model)


def clean_text(value: Any, field: str, *, required: bool, limit: int) -> str:
    """`value` stripped; refused when required and empty or longer than `limit`."""
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise InvalidInput.field(field, _("This field is required."))
    if len(text) > limit:
        raise InvalidInput.field(field, _("At most %(limit)d characters.") % {"limit": limit})
    return text


def lock_row(queryset: QuerySet[M], missing: str | Promise, **lookup: Any) -> M:
    """The row, locked until the transaction ends (only its own row: `of=self`); NotFound with
    the message `missing` when there is none."""
    try:
        return queryset.select_for_update(of=("self",)).get(**lookup)
    except ObjectDoesNotExist:
        raise NotFound(missing) from None


def check_version(current: int, expected: int | None) -> None:
    """Conflict (with the current version) when the caller saw another version of the row."""
    if expected is not None and expected != current:
        raise Conflict(extra={"current_version": current})
