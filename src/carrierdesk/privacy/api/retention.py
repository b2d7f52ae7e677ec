"""Legal holds (R-SEC-5): supervisors and admins place and release them; auditors read them."""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from carrierdesk.accounts.roles import roles_of
from carrierdesk.core.api import ErrorSerializer, natural_key, parse
from carrierdesk.core.errors import InvalidInput
from carrierdesk.core.permissions import IsStaffMember
from carrierdesk.customers.models import Customer
from carrierdesk.customers.queries import customers_visible_to
from carrierdesk.privacy import policy
from carrierdesk.privacy.models import LegalHold
from carrierdesk.privacy.queries import access_legal_hold, legal_holds_visible_to
from carrierdesk.privacy.retention_actions import place_legal_hold, release_legal_hold

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class LegalHoldSerializer(serializers.ModelSerializer):
    customer = natural_key("number")
    placed_by = natural_key("username")
    released_by = natural_key("username")
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = LegalHold
        fields = [
            "id",
            "customer",
            "reason",
            "placed_by",
            "placed_at",
            "active",
            "released_by",
            "released_at",
            "release_reason",
        ]


class PlaceHoldSerializer(serializers.Serializer):
    customer = serializers.CharField(max_length=20, help_text="Customer number.")
    reason = serializers.CharField(max_length=2000, help_text="Why the data must be kept.")


class ReleaseHoldSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class CanUseLegalHolds(BasePermission):
    message = _("Your role may not see or change legal holds.")

    def has_permission(self, request: Request, view: Any) -> bool:
        roles = roles_of(request.user)
        if request.method in SAFE_METHODS:
            return policy.can_read_legal_holds(roles)
        return policy.can_place_legal_hold(roles)


class LegalHoldFilter(filters.FilterSet):
    customer = filters.CharFilter(field_name="customer__number")
    active = filters.BooleanFilter(field_name="released_at", lookup_expr="isnull")

    class Meta:
        model = LegalHold
        fields = ["customer", "active"]


class LegalHoldViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Legal holds on customers: while one is active, nothing of theirs is anonymised."""

    serializer_class = LegalHoldSerializer
    queryset = LegalHold.objects.none()  # the real one is per user: get_queryset
    permission_classes = [IsStaffMember, CanUseLegalHolds]
    filterset_class = LegalHoldFilter
    ordering = ["-placed_at", "-id"]
    ordering_fields = ["placed_at", "released_at"]

    def get_queryset(self) -> QuerySet[LegalHold]:
        return legal_holds_visible_to(self.request.user)

    def get_object(self) -> LegalHold:
        return access_legal_hold(self.request.user, self.kwargs["pk"])

    @extend_schema(request=PlaceHoldSerializer, responses={201: LegalHoldSerializer, **ERRORS})
    def create(self, request: Request) -> Response:
        data = parse(PlaceHoldSerializer, request.data)
        try:
            customer = customers_visible_to(request.user).get(number=data["customer"])
        except Customer.DoesNotExist:
            raise InvalidInput.field("customer", _("No such customer.")) from None
        assert isinstance(request.user, User)
        hold = place_legal_hold(request.user, customer, reason=data["reason"])
        return Response(LegalHoldSerializer(hold).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReleaseHoldSerializer, responses={200: LegalHoldSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def release(self, request: Request, pk: str) -> Response:
        """Release the hold; it stays as a record."""
        hold = self.get_object()
        data = parse(ReleaseHoldSerializer, request.data)
        hold = release_legal_hold(request.user, hold, reason=data.get("reason", ""))
        return Response(LegalHoldSerializer(hold).data)
