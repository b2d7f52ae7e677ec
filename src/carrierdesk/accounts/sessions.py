"""API calls with a session cookie (R-SEC-4), kept apart from `api/` because DRF's settings
import it."""

from typing import Any

from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from carrierdesk.accounts import otp


class VerifiedSessionAuthentication(SessionAuthentication):
    """DRF's session authentication, ignoring the session of a user who must give a one-time
    code and has not (a session from before two-factor sign-in, or whose device was reset)."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None or not otp.session_passes(result[0]):
            return None
        return result
