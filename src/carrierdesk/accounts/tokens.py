"""API tokens that expire and can be revoked (R-SEC-4).

DRF's token table is kept (one token per user); a token older than `API_TOKEN_TTL` is refused,
`POST /api/v1/auth/token/` hands out a fresh one in place of an expired one, and
`POST /api/v1/auth/token/revoke/` (or `carrierdesk token revoke USER`) deletes it.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from carrierdesk.audit.actions import record
from carrierdesk.core import clock
from carrierdesk.core.actors import Actor


def expires_at(token: Token) -> datetime:
    created: datetime = token.created
    return created + settings.API_TOKEN_TTL


def is_expired(token: Token) -> bool:
    return clock.now() >= expires_at(token)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused once the token is older than API_TOKEN_TTL."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if is_expired(token):
            raise AuthenticationFailed(_("The token has expired; ask for a new one."))
        return user, token


@transaction.atomic
def issue_token(user: User) -> Token:
    """The user's token: the current one, or a fresh one if it expired."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not is_expired(token):
        return token
    if token is not None:
        token.delete()
    token = Token.objects.create(user=user)
    record(actor=user, event_type="token.issued", object_type="user", object_id=user.pk)
    return token


@transaction.atomic
def revoke_token(actor: Actor, user: User) -> bool:
    """Delete the user's token; True if there was one."""
    deleted, _count = Token.objects.filter(user=user).delete()
    if deleted:
        record(actor=actor, event_type="token.revoked", object_type="user", object_id=user.pk)
    return bool(deleted)
