"""Coded errors raised by actions; the API turns them into {"error": {...}} responses.

Messages are translatable and never contain personal data (names, numbers, addresses).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ActionError(Exception):
    """A refused action. Nothing was written."""

    code = "error"
    http_status = 400
    default_message: str | Promise = _("The request could not be carried out.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        fields: Mapping[str, Iterable[str | Promise]] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}
        self.extra = dict(extra or {})
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return body


class InvalidInput(ActionError):
    code = "invalid"
    http_status = 400
    default_message = _("Some fields are not valid.")

    @classmethod
    def field(cls, name: str, message: str | Promise) -> "InvalidInput":
        return cls(fields={name: [message]})


class NotFound(ActionError):
    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class PermissionDenied(ActionError):
    code = "permission_denied"
    http_status = 403
    default_message = _("Your role may not do this.")


class Conflict(ActionError):
    code = "conflict"
    http_status = 409
    default_message = _("The object changed meanwhile; reload it and try again.")


class IllegalTransition(ActionError):
    """R-WF-1: an action that the ticket's kind does not allow in its current status."""

    code = "illegal_transition"
    http_status = 409
    default_message = _("This action is not allowed in the ticket's current status.")
