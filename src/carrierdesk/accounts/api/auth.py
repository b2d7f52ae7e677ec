"""Token endpoints: obtain (a fresh token once the old one expired; refused while the user is
locked out after repeated failures, and without the one-time code for the roles that need
one) and revoke (R-SEC-4)."""

from typing import Any

from axes.handlers.proxy import AxesProxyHandler  # type: ignore[import-untyped]  # no hints
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from carrierdesk.accounts import otp
from carrierdesk.accounts.tokens import expires_at, issue_token, revoke_token
from carrierdesk.core.api import ErrorSerializer
from carrierdesk.core.errors import PermissionDenied

LOCKED_OUT = _(
    "Too many failed sign-ins for this user: try again later, or ask an admin to unlock it."
)


class TokenRequestSerializer(AuthTokenSerializer):
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        write_only=True,
        help_text=_(
            "The one-time code of the user's authenticator app, or a backup code: required for "
            "the roles of OTP_REQUIRED_ROLES (supervisor, auditor, admin)."
        ),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ObtainTokenView(APIView):
    """A token for a username and password, plus the one-time code (`otp`) for supervisors,
    auditors and admins; expires after API_TOKEN_TTL.

    403 answers: `permission_denied` while locked out, `otp_required` without a code,
    `otp_invalid` for a wrong or already used code (it counts as a failed sign-in), and
    `otp_not_enrolled` when no authenticator is set up (an admin enrols it). Nothing is issued.
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        username = str(request.data.get("username", ""))
        if AxesProxyHandler.is_locked(request._request, credentials={"username": username}):
            raise PermissionDenied(LOCKED_OUT)
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        # The same request as the password check, so a wrong code counts like a wrong password.
        otp.verify_second_factor(user, serializer.validated_data.get("otp"), request=request)
        token = issue_token(user)
        return Response({"token": token.key, "expires_at": expires_at(token)})


class RevokeTokenView(APIView):
    """Revoke the token this request was made with (sign out of the API)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 401: ErrorSerializer})
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        revoke_token(request.user, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
