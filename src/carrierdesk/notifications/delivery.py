"""Delivering queued notifications (STYLE habit 8: bounded batches, safe to run twice and in
parallel).

A pass claims due rows in one short transaction — state `sending`, `attempts` + 1 and a lease:
`next_attempt_at` = now + LEASE — commits, then sends each row outside any transaction and
records its outcome. Parallel workers never take the same row: on PostgreSQL the claim skips
rows another worker has locked (SELECT … FOR UPDATE SKIP LOCKED), on SQLite the IMMEDIATE
transaction serialises the claims; a claimed row is no longer due until its lease ends. A
worker that dies mid-batch leaves rows in `sending`; when their lease ends they are due again.

Outcomes are written only while the row is still ours (same state and attempt count), so a
worker whose lease ran out cannot overwrite the result of the worker that took the row over;
and a worker stops taking rows from its batch before the lease could end under it, handing the
rest back.
"""

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet, prefetch_related_objects

from carrierdesk.core import clock
from carrierdesk.notifications import senders, templates
from carrierdesk.notifications.addresses import mask_error
from carrierdesk.notifications.choices import State
from carrierdesk.notifications.models import Notification

logger = logging.getLogger(__name__)

#: How long a worker holds the rows it claimed.
LEASE = timedelta(minutes=5)
#: Stop sending from a batch this long before its lease ends (more than the longest send).
LEASE_MARGIN = timedelta(seconds=60)
FIRST_RETRY_DELAY = timedelta(minutes=1)
LONGEST_RETRY_DELAY = timedelta(hours=1)

CurrentTime = Callable[[], datetime]

INTERRUPTED = "interrupted: the worker's lease ended during the last attempt"


@dataclass
class DeliveryReport:
    """What one pass did: messages sent, failed and to be retried, failed for good."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"sent {self.sent}, retried {self.retried}, failed {self.failed}"


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt: 1 min × 2^(attempts − 1), at most 1 h."""
    return min(FIRST_RETRY_DELAY * 2 ** max(attempts - 1, 0), LONGEST_RETRY_DELAY)


def due(now: datetime) -> QuerySet[Notification]:
    """Rows to send at `now`: pending ones whose time has come and `sending` ones whose lease
    has ended. One range scan per state on the (state, next_attempt_at) index."""
    return Notification.objects.filter(
        state__in=[State.PENDING, State.SENDING], next_attempt_at__lte=now
    ).filter(Q(not_before__isnull=True) | Q(not_before__lte=now))


def deliver_due(
    *, limit: int = 200, now: datetime | None = None, ids: Collection[int] | None = None
) -> DeliveryReport:
    """Send up to `limit` due notifications (only those in `ids`, if given); see the module.

    Must not be called inside a transaction (it raises RuntimeError): the claim has to commit
    before anything is sent. `now` fixes the time of the whole pass (tests); by default each
    step reads the clock.
    """

    def current() -> datetime:
        return now if now is not None else clock.now()

    report = DeliveryReport()
    rows, lease_until, report.failed = claim(limit=limit, now=current(), ids=ids)
    deadline = time.monotonic() + (LEASE - LEASE_MARGIN).total_seconds()
    for index, row in enumerate(rows):
        if time.monotonic() > deadline:
            release(rows[index:], lease_until, current())
            break
        outcome = attempt(row, current)
        if outcome == State.SENT:
            report.sent += 1
        elif outcome == State.PENDING:
            report.retried += 1
        elif outcome == State.FAILED:
            report.failed += 1
    if rows or report.failed:
        logger.info("notification delivery: %s", report)
    return report


def claim(
    *, limit: int, now: datetime, ids: Collection[int] | None = None
) -> tuple[list[Notification], datetime, int]:
    """Take up to `limit` due rows for this worker: (rows, end of the lease, rows given up).

    A row whose lease ended after its last allowed attempt is not tried again (it may have been
    sent) but marked failed.
    """
    max_attempts = settings.NOTIFICATION_MAX_ATTEMPTS
    lease_until = now + LEASE
    with transaction.atomic(durable=True):
        queryset = due(now)
        if ids is not None:
            queryset = queryset.filter(pk__in=ids)
        rows = list(
            queryset.order_by("next_attempt_at", "id").select_for_update(skip_locked=True)[:limit]
        )
        exhausted = [row.pk for row in rows if row.attempts >= max_attempts]
        if exhausted:
            Notification.objects.filter(pk__in=exhausted).update(
                state=State.FAILED, last_error=INTERRUPTED
            )
        rows = [row for row in rows if row.attempts < max_attempts]
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
            state=State.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease_until
        )
    for row in rows:
        row.state = State.SENDING
        row.attempts += 1
        row.next_attempt_at = lease_until
    # A customer's number is read from their record at sending time (Notification.destination).
    prefetch_related_objects(rows, "recipient", "customer")
    return rows, lease_until, len(exhausted)


def attempt(row: Notification, current: CurrentTime) -> str:
    """Render and send one claimed row and record the outcome; return its new state."""
    try:
        rendered = templates.render(row.template, row.context, row.language)
    except templates.RenderError as exc:
        # The template changed since the row was queued: trying again cannot help.
        return record_failure(row, str(exc), current(), final=True)
    try:
        senders.sender_for(row.channel).send(row, rendered.subject, rendered.body)
    except Exception as exc:  # any failure of a channel is a failed attempt, retried
        error = f"{type(exc).__name__}: {exc}"
        final = row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        return record_failure(row, error, current(), final=final)
    return record_sent(row, current())


def record_sent(row: Notification, at: datetime) -> str:
    updated = _still_ours(row).update(state=State.SENT, sent_at=at, last_error="")
    if not updated:
        logger.warning("notification %s was sent after its lease ended", row.pk)
    return State.SENT


def record_failure(row: Notification, error: str, at: datetime, *, final: bool) -> str:
    error = mask_error(error, channel=row.channel, address=row.destination)
    state = State.FAILED if final else State.PENDING
    values: dict[str, object] = {"state": state, "last_error": error}
    if not final:
        values["next_attempt_at"] = at + retry_delay(row.attempts)
    _still_ours(row).update(**values)
    logger.warning(
        "notification %s (%s to %s) attempt %d failed%s: %s",
        row.pk,
        row.channel,
        row.masked_address or "-",
        row.attempts,
        ", giving up" if final else "",
        error,
    )
    return state


def release(rows: list[Notification], lease_until: datetime, at: datetime) -> None:
    """Hand back claimed rows that were not tried: due again now, the attempt not counted."""
    Notification.objects.filter(
        pk__in=[row.pk for row in rows], state=State.SENDING, next_attempt_at=lease_until
    ).update(state=State.PENDING, attempts=F("attempts") - 1, next_attempt_at=at)


def _still_ours(row: Notification) -> QuerySet[Notification]:
    return Notification.objects.filter(pk=row.pk, state=State.SENDING, attempts=row.attempts)
