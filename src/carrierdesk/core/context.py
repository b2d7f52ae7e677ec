"""Who is asking, per request or command: request id and client address for the audit."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    client_address: str = ""
    channel: str = "system"  # "api", "web", "cli", "system"


_context: ContextVar[RequestContext | None] = ContextVar("carrierdesk_request", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current() -> RequestContext:
    value = _context.get()
    return value if value is not None else RequestContext(request_id="", channel="system")


@contextmanager
def bound(context: RequestContext) -> Iterator[RequestContext]:
    token = _context.set(context)
    try:
        yield context
    finally:
        _context.reset(token)
