"""zh-Hans is the default language and its catalogue covers every enumeration label."""

import pytest
from django.db import models
from django.utils import translation

from carrierdesk.accounts.choices import DepartmentKind, Role
from carrierdesk.customers.choices import CustomerType, IdType, Product
from carrierdesk.incidents import choices as incidents
from carrierdesk.tickets.choices import Action, Category, Channel, Kind, Status, Subtype, Urgency

ENUMERATIONS: list[type[models.TextChoices]] = [
    Role,
    DepartmentKind,
    CustomerType,
    IdType,
    Product,
    Kind,
    Status,
    Channel,
    Category,
    Urgency,
    Subtype,
    Action,
    incidents.Level,
    incidents.Stage,
    incidents.EventAction,
]


@pytest.mark.parametrize("enumeration", ENUMERATIONS, ids=lambda e: e.__name__)
def test_every_label_is_translated(enumeration: type[models.TextChoices]) -> None:
    for member in enumeration:
        with translation.override("en"):
            english = str(member.label)
        with translation.override("zh-hans"):
            chinese = str(member.label)
        assert chinese != english, f"{enumeration.__name__}.{member.name} is not translated"


def test_default_language_is_simplified_chinese(settings: object) -> None:
    assert settings.LANGUAGE_CODE == "zh-hans"  # type: ignore[attr-defined]
