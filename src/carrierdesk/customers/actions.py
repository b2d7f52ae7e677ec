"""Writes of customers and subscriptions: validate, write, audit — in one transaction."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.models import Region
from carrierdesk.accounts.roles import roles_of
from carrierdesk.accounts.scope import in_region_scope, scope_of
from carrierdesk.audit.actions import record
from carrierdesk.core import clock, identity
from carrierdesk.core.actors import Actor, acting_user
from carrierdesk.core.changes import apply_changes, check_lengths
from carrierdesk.core.errors import InvalidInput, PermissionDenied
from carrierdesk.core.fields import lookup_hash
from carrierdesk.core.masking import mask_field
from carrierdesk.core.models import next_value
from carrierdesk.customers.choices import (
    CustomerType,
    IdType,
    Product,
    SlaTier,
    SubscriptionStatus,
)
from carrierdesk.customers.models import Customer, Subscription

CUSTOMER_FIELDS = ("customer_type", "name", "mobile", "id_type", "id_number", "address", "region")
SUBSCRIPTION_FIELDS = (
    "service_number",
    "product",
    "status",
    "sla_tier",
    "installation_address",
    "region",
    "activated_at",
)


def _choice(
    errors: dict[str, list[Any]], data: dict[str, Any], field: str, values: list[str]
) -> None:
    if field in data and data[field] not in values:
        errors.setdefault(field, []).append(
            _("Unknown value; choose one of: %(choices)s.") % {"choices": ", ".join(values)}
        )


#: How the number of each ID type is checked and normalised.
ID_NORMALISERS: dict[str, Callable[[str], str]] = {
    IdType.RESIDENT_ID: identity.normalise_resident_id,
    IdType.PASSPORT: identity.normalise_passport,
    IdType.USCC: identity.normalise_uscc,
}


def _clean_customer(data: dict[str, Any], current: Customer | None) -> dict[str, Any]:
    """Normalise and validate customer fields; raise InvalidInput naming every bad field."""
    errors: dict[str, list[Any]] = {}
    cleaned = dict(data)
    _choice(errors, cleaned, "customer_type", CustomerType.values)
    _choice(errors, cleaned, "id_type", IdType.values)
    for field in ("name",):
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").strip()
            if not cleaned[field]:
                errors.setdefault(field, []).append(_("This field is required."))
    if cleaned.get("mobile"):
        try:
            cleaned["mobile"] = identity.normalise_mobile(cleaned["mobile"])
        except ValidationError as exc:
            errors.setdefault("mobile", []).extend(exc.messages)
    id_type = cleaned.get("id_type", current.id_type if current else None)
    if "id_number" in cleaned or "id_type" in cleaned:
        id_number = cleaned.get("id_number", current.id_number if current else "")
        normalise = ID_NORMALISERS.get(id_type or "")
        if normalise is not None:
            try:
                cleaned["id_number"] = normalise(id_number)
            except ValidationError as exc:
                errors.setdefault("id_number", []).extend(exc.messages)
    customer_type = cleaned.get("customer_type", current.customer_type if current else None)
    if customer_type == CustomerType.ENTERPRISE and id_type == IdType.RESIDENT_ID:
        errors.setdefault("id_type", []).append(
            _("An enterprise is identified by its unified social credit code.")
        )
    if customer_type == CustomerType.INDIVIDUAL and id_type == IdType.USCC:
        errors.setdefault("id_type", []).append(
            _("An individual is identified by a resident ID card or a passport.")
        )
    check_lengths(Customer, cleaned, errors)
    if errors:
        raise InvalidInput(fields=errors)
    return cleaned


#: Who registers and corrects customers and subscriptions (SPEC §0): those who take requests.
#: Auditors, technicians and quality inspectors read only.
WRITER_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})


def _require_writer(actor: Actor, data: dict[str, Any]) -> None:
    """Refuse a writer without the role, or a record placed in a region outside their area
    (R-SEC-1). Which records they may change at all, their reads decide (queries.py).

    The system itself (actor None: imports, the demo, migrations) may write anywhere.
    """
    if actor is None:
        return
    if not roles_of(actor) & WRITER_ROLES:
        raise PermissionDenied(_("Your role may not register or change customers."))
    if "region" not in data:
        return
    region: Region | None = data["region"]
    if not in_region_scope(scope_of(actor), region.path if region else None):
        raise InvalidInput.field("region", _("This region is outside your area."))


def _home_region(actor: Actor) -> Region | None:
    profile = getattr(acting_user(actor), "staff_profile", None) if actor else None
    return getattr(profile, "region", None) if profile else None


def _duplicate_id_error() -> InvalidInput:
    return InvalidInput.field("id_number", _("A customer with this ID number already exists."))


def _duplicate_service_error() -> InvalidInput:
    return InvalidInput.field("service_number", _("This service number is already registered."))


def _check_keys(data: dict[str, Any], allowed: tuple[str, ...], required: tuple[str, ...]) -> None:
    """Refuse unknown fields and missing required ones, naming each."""
    errors = {field: [_("Unknown field.")] for field in sorted(set(data) - set(allowed))}
    errors.update(
        {field: [_("This field is required.")] for field in required if not data.get(field)}
    )
    if errors:
        raise InvalidInput(fields=errors)


def _save(instance: Customer | Subscription, duplicate: Callable[[], InvalidInput]) -> None:
    """Save; a unique-key race lost to another writer is the same 400 as a duplicate."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise duplicate() from None


@transaction.atomic
def create_customer(actor: Actor, **data: Any) -> Customer:
    """Register a customer; the customer number is assigned here."""
    _check_keys(data, CUSTOMER_FIELDS, ("customer_type", "name", "id_type", "id_number"))
    if data.get("region") is None:  # intake defaults to the registering agent's region
        data["region"] = _home_region(actor)
    _require_writer(actor, data)
    cleaned = _clean_customer(data, None)
    # By the ID number's keyed hash: the number itself is encrypted (R-SEC-2).
    same_id = lookup_hash(cleaned["id_number"])
    if Customer.objects.filter(id_type=cleaned["id_type"], id_number_hash=same_id).exists():
        raise _duplicate_id_error()
    now = clock.now()
    customer = Customer(
        number=f"C{next_value('customer'):010d}", created_at=now, updated_at=now, **cleaned
    )
    _save(customer, _duplicate_id_error)
    record(
        actor=actor,
        event_type="customer.created",
        object_type="customer",
        object_id=customer.number,
        changes={f: mask_field(f, getattr(customer, f)) for f in CUSTOMER_FIELDS},
    )
    return customer


def _update(
    actor: Actor,
    instance: Customer | Subscription,
    cleaned: dict[str, Any],
    duplicate: Callable[[], InvalidInput],
    object_type: str,
    object_id: str,
) -> None:
    changes = apply_changes(instance, cleaned)
    if not changes:
        return
    instance.updated_at = clock.now()
    _save(instance, duplicate)
    record(
        actor=actor,
        event_type=f"{object_type}.updated",
        object_type=object_type,
        object_id=object_id,
        changes=changes,
    )


@transaction.atomic
def update_customer(actor: Actor, customer: Customer, **data: Any) -> Customer:
    _require_writer(actor, data)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _check_keys(data, CUSTOMER_FIELDS, ())
    cleaned = _clean_customer(data, customer)
    _update(actor, customer, cleaned, _duplicate_id_error, "customer", customer.number)
    return customer


def _clean_subscription(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    cleaned = dict(data)
    _choice(errors, cleaned, "product", Product.values)
    _choice(errors, cleaned, "status", SubscriptionStatus.values)
    _choice(errors, cleaned, "sla_tier", SlaTier.values)
    if "service_number" in cleaned:
        cleaned["service_number"] = (cleaned["service_number"] or "").strip()
        if not cleaned["service_number"]:
            errors.setdefault("service_number", []).append(_("This field is required."))
        elif cleaned.get("product") == Product.MOBILE:
            try:
                cleaned["service_number"] = identity.normalise_mobile(cleaned["service_number"])
            except ValidationError as exc:
                errors.setdefault("service_number", []).extend(exc.messages)
    check_lengths(Subscription, cleaned, errors)
    if errors:
        raise InvalidInput(fields=errors)
    return cleaned


@transaction.atomic
def create_subscription(actor: Actor, customer: Customer, **data: Any) -> Subscription:
    _check_keys(data, SUBSCRIPTION_FIELDS, ("service_number", "product"))
    _require_writer(actor, data)
    cleaned = _clean_subscription(data)
    same_number = lookup_hash(cleaned["service_number"])
    if Subscription.objects.filter(service_number_hash=same_number).exists():
        raise _duplicate_service_error()
    now = clock.now()
    subscription = Subscription(customer=customer, created_at=now, updated_at=now, **cleaned)
    if subscription.region is None:
        subscription.region = customer.region
    _save(subscription, _duplicate_service_error)
    record(
        actor=actor,
        event_type="subscription.created",
        object_type="subscription",
        object_id=subscription.pk,
        changes={
            "customer": customer.number,
            **{f: mask_field(f, getattr(subscription, f)) for f in SUBSCRIPTION_FIELDS},
        },
    )
    return subscription


@transaction.atomic
def update_subscription(actor: Actor, subscription: Subscription, **data: Any) -> Subscription:
    _require_writer(actor, data)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    _check_keys(data, SUBSCRIPTION_FIELDS, ())
    cleaned = _clean_subscription({"product": subscription.product, **data})
    _update(
        actor, subscription, cleaned, _duplicate_service_error, "subscription", str(subscription.pk)
    )
    return subscription
