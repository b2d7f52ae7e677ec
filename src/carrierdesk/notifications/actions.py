"""Writing notifications (STYLE habits 1 and 6).

`enqueue` runs inside the caller's transaction and only writes rows: the table is the outbox,
so a message exists exactly when the change it reports was committed, and nothing leaves the
process before that. `delivery.deliver_due` sends the rows afterwards, outside any transaction.
"""

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carrierdesk.core import clock
from carrierdesk.core.bulk import insert_rows
from carrierdesk.core.errors import InvalidInput
from carrierdesk.core.masking import mask_text
from carrierdesk.customers.models import Customer
from carrierdesk.notifications import templates
from carrierdesk.notifications.choices import Channel
from carrierdesk.notifications.models import Notification

logger = logging.getLogger(__name__)

#: Longest caller-given dedupe key (the stored key adds the recipient id and the channel).
MAX_DEDUPE_KEY = 200
MAX_OBJECT_FIELD = 64


@dataclass(frozen=True)
class Message:
    """One `enqueue` call's worth of arguments, for `enqueue_many`."""

    recipients: Sequence[User | None]
    template: str
    context: dict[str, Any]
    channels: Sequence[str] | None = None
    not_before: datetime | None = None
    object_type: str = ""
    object_id: str = ""
    dedupe_key: str | None = None


def enqueue(
    *,
    recipients: Iterable[User | None],
    template: str,
    context: dict[str, Any],
    channels: Sequence[str] | None = None,
    not_before: datetime | None = None,
    object_type: str = "",
    object_id: str = "",
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Queue template `template` with `context` for each recipient on each channel.

    One row per (recipient, channel), channels defaulting to settings.NOTIFICATION_CHANNELS.
    A recipient with no address on a channel (no email address; no mobile number in the staff
    profile; None on email or SMS) is skipped. The webhook gets one row per call, with no
    recipient, and only if settings.NOTIFICATION_WEBHOOK_URL is set. Each row's language is the
    recipient's `staff_profile.language`, else settings.LANGUAGE_CODE. `not_before` holds the
    messages back until then (quiet hours).

    `context` must be JSON, must hold every key the template needs and must not hold personal
    data (a phone or ID number in it is refused): it is stored and sent to the webhook as is.

    With `dedupe_key`, each row's stored key is `<dedupe_key>:<recipient id or ->:<channel>`
    and rows already stored under their key are skipped (the unique index settles a race), so
    calling twice queues once; the rows returned are those this call added.

    Raises InvalidInput, having written nothing, for an unknown template or channel, a context
    that does not fit the template, or an invalid argument.
    """
    return enqueue_many(
        [
            Message(
                recipients=list(recipients),
                template=template,
                context=context,
                channels=channels,
                not_before=not_before,
                object_type=object_type,
                object_id=object_id,
                dedupe_key=dedupe_key,
            )
        ]
    )


def customer_channel() -> str:
    """How a message reaches a customer: SMS through the gateway, or — where no gateway is
    configured (development, the demo) — a console line standing in for it."""
    return Channel.SMS if settings.NOTIFICATION_SMS_URL else Channel.CONSOLE


def enqueue_to_customer(
    customer: Customer,
    *,
    template: str,
    context: dict[str, Any],
    object_type: str = "",
    object_id: str = "",
    not_before: datetime | None = None,
) -> Notification | None:
    """Queue template `template` for `customer` by SMS (`customer_channel()`), in the site's
    language, inside the caller's transaction; None if the customer has no mobile number.
    `not_before` (aware) holds the message back until then (the customers' quiet hours).

    The row names the customer and stores no address: the mobile number is read from the
    customer's encrypted record when the message is sent (`Notification.destination`), so it
    is never stored in clear here (R-SEC-2). `context` is checked as in `enqueue`.
    """
    channel = customer_channel()
    _check_arguments(template, context, [channel], not_before, object_type, object_id)
    if not customer.mobile:
        logger.debug("customer %s has no mobile number; %s skipped", customer.number, template)
        return None
    language = str(settings.LANGUAGE_CODE)
    _check_renders(template, context, {language})
    now = clock.now()
    return Notification.objects.create(
        created_at=now,
        customer=customer,
        channel=channel,
        template=template,
        context=context,
        language=language,
        address="",
        not_before=not_before,
        next_attempt_at=max(now, not_before) if not_before else now,
        object_type=object_type,
        object_id=object_id,
    )


def queue_system_messages(messages: Sequence[Message]) -> int:
    """Queue messages whose contexts the system built itself from codes, numbers and times
    (the time-limit sweeper, a thousand in one pass); returns how many rows were queued.

    Keys and types are checked as in `enqueue`, but the scan for personal data and the trial
    rendering in each language are skipped, rows are inserted many per statement without
    building model instances, and no ids are read back. Dedupe keys are not taken.
    """
    now = clock.now()
    values = [row for message in messages for row in _rows(message, now, system_context=True)]
    if any(row["dedupe_key"] is not None for row in values):
        raise ValueError("queue_system_messages takes no dedupe keys")
    insert_rows(Notification, [_by_attname(row) for row in values])
    return len(values)


def enqueue_many(messages: Sequence[Message]) -> list[Notification]:
    """`enqueue` for many messages at once, with one insert for all of them. All are checked
    before anything is written."""
    now = clock.now()
    rows = [Notification(**row) for message in messages for row in _rows(message, now)]
    deduplicated = [row for row in rows if row.dedupe_key is not None]
    if not deduplicated:
        created = Notification.objects.bulk_create(rows)
    else:
        keys = [row.dedupe_key for row in deduplicated]
        stored = set(
            Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
        )
        rows = [row for row in rows if row.dedupe_key not in stored]
        # A concurrent call may have added a key meanwhile: the unique index keeps it once.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        fresh = [row.dedupe_key for row in rows if row.dedupe_key is not None]
        created = [row for row in rows if row.dedupe_key is None] + list(
            Notification.objects.filter(dedupe_key__in=fresh)
            .select_related("recipient")
            .order_by("id")
        )
    logger.debug("queued %d notification(s)", len(created))
    return created


def _by_attname(row: dict[str, Any]) -> dict[str, Any]:
    recipient = row["recipient"]
    return {**row, "recipient_id": recipient.pk if recipient else None}


def _rows(message: Message, now: datetime, system_context: bool = False) -> list[dict[str, Any]]:
    """The rows of one message, checked; raises InvalidInput having written nothing."""
    template, context, not_before = message.template, message.context, message.not_before
    dedupe_key = message.dedupe_key
    channel_list = list(
        dict.fromkeys(
            message.channels if message.channels is not None else settings.NOTIFICATION_CHANNELS
        )
    )
    recipient_list = list(dict.fromkeys(message.recipients))
    _check_arguments(
        template,
        context,
        channel_list,
        not_before,
        message.object_type,
        message.object_id,
        scan_personal_data=not system_context,
    )
    if dedupe_key is not None and not 0 < len(dedupe_key) <= MAX_DEDUPE_KEY:
        raise InvalidInput.field(
            "dedupe_key",
            _("At most %(limit)d characters, and not empty.") % {"limit": MAX_DEDUPE_KEY},
        )
    rows: list[dict[str, Any]] = []
    for channel in channel_list:
        destinations: list[tuple[User | None, str | None]] = (
            [(None, settings.NOTIFICATION_WEBHOOK_URL)]
            if channel == Channel.WEBHOOK
            else [(recipient, address_of(recipient, channel)) for recipient in recipient_list]
        )
        for recipient, address in destinations:
            if address is None or (channel == Channel.WEBHOOK and not address):
                logger.debug(
                    "no %s address for %s; %s notification skipped",
                    channel,
                    recipient.username if recipient else "-",
                    template,
                )
                continue
            rows.append(
                {
                    "created_at": now,
                    "recipient": recipient,
                    "channel": channel,
                    "template": template,
                    "context": context,
                    "language": language_of(recipient),
                    "address": address,
                    "not_before": not_before,
                    "next_attempt_at": max(now, not_before) if not_before else now,
                    "object_type": message.object_type,
                    "object_id": message.object_id,
                    "dedupe_key": (
                        f"{dedupe_key}:{recipient.pk if recipient else '-'}:{channel}"
                        if dedupe_key is not None
                        else None
                    ),
                }
            )
    if not system_context:
        languages = {settings.LANGUAGE_CODE, *(row["language"] for row in rows)}
        _check_renders(template, context, languages)
    return rows


def address_of(recipient: User | None, channel: str) -> str | None:
    """Where a message to `recipient` on `channel` goes, or None if it cannot go there."""
    if channel == Channel.CONSOLE:
        return ""
    if recipient is None:
        return None
    if channel == Channel.EMAIL:
        return recipient.email.strip() or None
    if channel == Channel.SMS:
        profile = getattr(recipient, "staff_profile", None)
        return (profile.mobile if profile is not None else "") or None
    return None


def language_of(recipient: User | None) -> str:
    """The recipient's language (staff profile), else the site's."""
    profile = getattr(recipient, "staff_profile", None) if recipient is not None else None
    language = profile.language if profile is not None else ""
    return language or str(settings.LANGUAGE_CODE)


def personal_data_in(value: Any, path: str = "context") -> list[str]:
    """Paths of the strings in `value` that hold a phone or ID number."""
    if isinstance(value, str):
        return [path] if mask_text(value) != value else []
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in personal_data_in(item, f"{path}.{key}")
        ]
    if isinstance(value, list | tuple):
        return [
            found
            for index, item in enumerate(value)
            for found in personal_data_in(item, f"{path}[{index}]")
        ]
    return []


def _check_arguments(
    template: str,
    context: dict[str, Any],
    channels: list[str],
    not_before: datetime | None,
    object_type: str,
    object_id: str,
    *,
    scan_personal_data: bool = True,
) -> None:
    errors: dict[str, list[Any]] = {}
    if template not in templates.TEMPLATES:
        errors["template"] = [_("Unknown notification template.")]
    else:
        problems = templates.check_context(templates.TEMPLATES[template], context)
        if problems:
            errors["context"] = list(problems)
    unknown = [channel for channel in channels if channel not in Channel.values]
    if unknown:
        errors["channels"] = [
            _("Unknown channel: %(channel)s.") % {"channel": channel} for channel in unknown
        ]
    try:
        json.dumps(context)
    except (TypeError, ValueError):
        errors.setdefault("context", []).append(_("The context must be JSON data."))
    leaks = personal_data_in(context) if scan_personal_data else []
    if leaks:
        errors.setdefault("context", []).append(
            _("Personal data (a phone or ID number) in %(keys)s.") % {"keys": ", ".join(leaks)}
        )
    if not_before is not None and timezone.is_naive(not_before):
        errors["not_before"] = [_("A time zone is required.")]
    for name, value in (("object_type", object_type), ("object_id", object_id)):
        if len(value) > MAX_OBJECT_FIELD:
            errors[name] = [_("At most %(limit)d characters.") % {"limit": MAX_OBJECT_FIELD}]
    if errors:
        raise InvalidInput(_("The notification cannot be queued."), fields=errors)


def _check_renders(template: str, context: dict[str, Any], languages: set[str]) -> None:
    """Render once per language now, so a context that cannot render fails the caller."""
    for language in sorted(languages):
        try:
            templates.render(template, context, language)
        except templates.RenderError as exc:
            raise InvalidInput(
                _("The notification cannot be queued."), fields={"context": [str(exc)]}
            ) from None
