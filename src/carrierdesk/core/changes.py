"""Applying a set of cleaned field values to a model instance, recording what changed."""

from typing import Any

from django.db import models

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
