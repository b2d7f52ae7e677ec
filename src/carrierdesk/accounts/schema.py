"""OpenAPI description of the session authentication that requires the second factor."""

from drf_spectacular.authentication import SessionScheme


class VerifiedSessionScheme(SessionScheme):
    target_class = "carrierdesk.accounts.sessions.VerifiedSessionAuthentication"
