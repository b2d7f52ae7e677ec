"""The one source of "now" (STYLE habit 9): always timezone-aware, freezable.

Tests and the demo generator replace the time with `frozen(instant)`; actions call `now()`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_frozen: ContextVar[datetime | None] = ContextVar("carrierdesk_frozen_now", default=None)


def now() -> datetime:
    """The current instant (UTC-aware), or the frozen one."""
    value = _frozen.get()
    return value if value is not None else timezone.now()


@contextmanager
def frozen(instant: datetime) -> Iterator[datetime]:
    """Make `now()` return `instant` inside the block."""
    if timezone.is_naive(instant):
        raise ValueError("frozen() needs a timezone-aware datetime")
    token = _frozen.set(instant)
    try:
        yield instant
    finally:
        _frozen.reset(token)


def local_date_string(instant: datetime) -> str:
    """YYYYMMDD of `instant` in the configured time zone (Asia/Shanghai by default)."""
    return timezone.localtime(instant).strftime("%Y%m%d")
