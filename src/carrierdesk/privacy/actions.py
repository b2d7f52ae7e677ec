"""Unmasking personal data (R-SEC-2): with a reason, by allowed roles, logged; and the alert
on a user who unmasks too often (R-SEC-3)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.roles import roles_of
from carrierdesk.audit.actions import record
from carrierdesk.audit.models import AuditEntry
from carrierdesk.core import clock, context
from carrierdesk.core.errors import InvalidInput, NotFound, PermissionDenied
from carrierdesk.core.masking import mask_text
from carrierdesk.customers.models import Customer
from carrierdesk.customers.queries import access_customer
from carrierdesk.notifications.actions import enqueue
from carrierdesk.privacy import policy
from carrierdesk.privacy.models import PersonalDataAccess

#: The window of the "too many unmaskings" alert.
ALERT_WINDOW = timedelta(hours=1)


def unmask_customer(
    user: User, number: str, *, reason: str, fields: Sequence[str] | None = None
) -> dict[str, str]:
    """The customer's personal data in clear, for a role that may see them and a reason given.

    Writes an access-log row and an audit entry in one transaction. A refusal for the role is
    itself audited (in its own transaction) before it is raised, since it concerns personal
    data. So is a number outside the caller's scope (or unknown: the two look the same to the
    caller, R-SEC-1), which answers NotFound — probing numbers leaves a trail.
    """
    try:
        customer = access_customer(user, number)
    except NotFound:
        _refuse(user, number, "out_of_scope")
        raise
    if not policy.can_unmask(roles_of(user)):
        _refuse(user, customer.number, "role")
        raise PermissionDenied(_("Your role may not see personal data in clear."))
    reason = (reason or "").strip()
    errors: dict[str, list[Any]] = {}
    if len(reason) < policy.MIN_REASON:
        errors["reason"] = [_("Say why you need the data in clear (a few words at least).")]
    elif len(reason) > policy.MAX_REASON:
        errors["reason"] = [_("At most %(limit)d characters.") % {"limit": policy.MAX_REASON}]
    chosen = list(dict.fromkeys(fields or policy.CUSTOMER_FIELDS))
    unknown = [field for field in chosen if field not in policy.CUSTOMER_FIELDS]
    if unknown:
        errors["show"] = [
            _("Choose among: %(fields)s.") % {"fields": ", ".join(policy.CUSTOMER_FIELDS)}
        ]
    if errors:
        raise InvalidInput(fields=errors)
    return _log_and_reveal(user, customer, chosen, reason)


def _refuse(user: User, number: str, why: str) -> None:
    with transaction.atomic():
        record(
            actor=user,
            event_type="privacy.unmask_refused",
            object_type="customer",
            object_id=mask_text(number)[:64],  # a probe may carry a phone number
            changes={"role": sorted(roles_of(user)), "why": why},
        )


@transaction.atomic
def _log_and_reveal(
    user: User, customer: Customer, fields: list[str], reason: str
) -> dict[str, str]:
    now = clock.now()
    bound = context.current()
    number = customer.number
    PersonalDataAccess.objects.create(
        created_at=now,
        user=user,
        object_type="customer",
        object_id=number,
        fields=fields,
        reason=reason,
        request_id=bound.request_id,
        client_address=bound.client_address,
        channel=bound.channel,
    )
    # The reason is free text: a number typed into it is masked in the audit trail.
    record(
        actor=user,
        event_type="privacy.unmasked",
        object_type="customer",
        object_id=number,
        changes={"fields": fields, "reason": mask_text(reason)},
    )
    _alert_if_too_many(user, now)
    return {field: str(getattr(customer, field)) for field in fields}


def _alert_if_too_many(user: User, now: datetime) -> None:
    """Above the threshold within the window, the admins and auditors are told, once per
    window (R-SEC-3)."""
    threshold = int(settings.PRIVACY_UNMASK_ALERT_PER_HOUR)
    window_start = now - ALERT_WINDOW
    count = PersonalDataAccess.objects.filter(user=user, created_at__gte=window_start).count()
    if count <= threshold:
        return
    already = AuditEntry.objects.filter(
        event_type="privacy.unmask_alert",
        object_id=user.username,
        created_at__gte=window_start,
    ).exists()
    if already:
        return
    watchers = User.objects.filter(
        is_active=True, groups__name__in=[Role.ADMIN, Role.AUDITOR]
    ).select_related("staff_profile")
    record(
        actor=None,
        event_type="privacy.unmask_alert",
        object_type="user",
        object_id=user.username,
        changes={"count": count, "threshold": threshold},
    )
    enqueue(
        recipients=list(watchers),
        template="security_alert",
        context={
            "user": user.username,
            "count": count,
            "window_minutes": int(ALERT_WINDOW.total_seconds() // 60),
            "threshold": threshold,
        },
        object_type="user",
        object_id=user.username,
    )
