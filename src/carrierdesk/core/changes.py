"""Applying a set of cleaned field values to a model instance, recording what changed."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from carrierdesk.core.masking import mask_field


def apply_changes(instance: models.Model, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set each value that differs; return {field: [old, new]} with personal data masked."""
    changes: dict[str, list[Any]] = {}
    for field, value in values.items():
        old = getattr(instance, field)
        if old != value:
            changes[field] = [mask_field(field, old), mask_field(field, value)]
            setattr(instance, field, value)
    return changes


def check_lengths(
    model: type[models.Model], values: dict[str, Any], errors: dict[str, list[Any]]
) -> None:
    """Add an error for each text value longer than its model field allows.

    SQLite would store it, PostgreSQL would refuse it with a database error: say it first.
    """
    for field, value in values.items():
        if not isinstance(value, str):
            continue
        limit = getattr(model._meta.get_field(field), "max_length", None)
        if limit is not None and len(value) > limit:
            errors.setdefault(field, []).append(
                _("At most %(limit)d characters.") % {"limit": limit}
            )
