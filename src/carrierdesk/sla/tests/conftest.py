import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.utils import translation

from carrierdesk.calendars.models import Calendar
from carrierdesk.config.paths import default_policy_pack
from carrierdesk.sla.actions import load_policy
from carrierdesk.sla.models import PolicyVersion


@pytest.fixture
def policy(db: Any) -> PolicyVersion:
    """The default pack, in force from 2025-01-01."""
    return load_policy(None, default_policy_pack().read_text(encoding="utf-8"))


@pytest.fixture
def seeded_calendars(transactional_db: Any) -> None:
    """The calendars of the seeding migration, for transactional tests: the database is
    flushed after each of them, data migrations included."""
    if Calendar.objects.exists():
        return
    migration = importlib.import_module("carrierdesk.calendars.migrations.0002_seed_calendars")
    migration.seed(apps, None)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English (the catalogue's Chinese is checked by test_i18n)."""
    with translation.override("en"):
        yield
