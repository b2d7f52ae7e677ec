"""Customer and subscription endpoints: parse, authorise, call an action, render."""

import contextlib
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from carrierdesk.core import identity
from carrierdesk.core.api import ErrorSerializer, parse
from carrierdesk.core.errors import InvalidInput
from carrierdesk.core.fields import lookup_hash
from carrierdesk.customers import actions
from carrierdesk.customers.api.serializers import (
    CustomerSerializer,
    CustomerWriteSerializer,
    SubscriptionSerializer,
    SubscriptionWriteSerializer,
)
from carrierdesk.customers.choices import CustomerType, Product, SubscriptionStatus
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.customers.queries import (
    access_customer,
    customers_visible_to,
    subscriptions_visible_to,
)
from carrierdesk.privacy.actions import unmask_customer
from carrierdesk.privacy.api.serializers import UnmaskedSerializer, UnmaskSerializer

ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}


class CustomerFilter(filters.FilterSet):
    customer_type = filters.ChoiceFilter(choices=CustomerType.choices)
    region = filters.CharFilter(field_name="region__code")
    mobile = filters.CharFilter(method="filter_mobile", label="mobile number (exact)")
    id_number = filters.CharFilter(method="filter_id_number", label="ID number (exact)")

    class Meta:
        model = Customer
        fields = ["customer_type", "region", "mobile", "id_number"]

    # Both numbers are encrypted: found by their keyed hashes, an exact, indexed match (R-SEC-2).
    def filter_id_number(self, queryset: QuerySet[Customer], name: str, value: str) -> Any:
        # Stored upper-cased (a trailing x of a resident ID becomes X); the hash upper-cases too.
        return queryset.filter(id_number_hash=lookup_hash(value.strip().upper()))

    def filter_mobile(self, queryset: QuerySet[Customer], name: str, value: str) -> Any:
        try:
            return queryset.filter(mobile_hash=lookup_hash(identity.normalise_mobile(value)))
        except ValidationError:  # an unparsable number simply matches nothing
            return queryset.none()


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Customers (personal data masked)."""

    serializer_class = CustomerSerializer
    lookup_field = "number"
    filterset_class = CustomerFilter
    ordering_fields = ["number", "created_at"]
    ordering = ["number"]

    def get_queryset(self) -> QuerySet[Customer]:
        return customers_visible_to(self.request.user).select_related("region")

    @extend_schema(request=CustomerWriteSerializer, responses={201: CustomerSerializer, **ERRORS})
    def create(self, request: Request) -> Response:
        data = parse(CustomerWriteSerializer, request.data)
        customer = actions.create_customer(request.user, **data)
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CustomerWriteSerializer(partial=True), responses={200: CustomerSerializer, **ERRORS}
    )
    def partial_update(self, request: Request, number: str) -> Response:
        customer = access_customer(request.user, number)
        serializer = CustomerWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        customer = actions.update_customer(request.user, customer, **serializer.validated_data)
        return Response(CustomerSerializer(customer).data)

    @extend_schema(request=UnmaskSerializer, responses={200: UnmaskedSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def unmask(self, request: Request, number: str) -> Response:
        """The customer's personal data in clear, with a reason; logged (R-SEC-2)."""
        data = parse(UnmaskSerializer, request.data)
        assert isinstance(request.user, User)
        values = unmask_customer(
            request.user, number, reason=data["reason"], fields=data.get("show")
        )
        return Response({"customer": number, "values": values})


class SubscriptionFilter(filters.FilterSet):
    customer = filters.CharFilter(field_name="customer__number")
    service_number = filters.CharFilter(
        method="filter_service_number", label="service number (exact)"
    )
    product = filters.ChoiceFilter(choices=Product.choices)
    status = filters.ChoiceFilter(choices=SubscriptionStatus.choices)

    class Meta:
        model = Subscription
        fields = ["customer", "service_number", "product", "status"]

    def filter_service_number(self, queryset: QuerySet[Subscription], name: str, value: str) -> Any:
        # Encrypted: found by its keyed hash (R-SEC-2); a mobile number as it is normalised.
        number = value.strip()
        with contextlib.suppress(ValidationError):  # else a broadband account, a circuit id …
            number = identity.normalise_mobile(number)
        return queryset.filter(service_number_hash=lookup_hash(number))


class SubscriptionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Subscriptions (services customers hold)."""

    serializer_class = SubscriptionSerializer
    # By id: a service number is often a phone number, which must stay out of URLs and logs.
    lookup_field = "pk"
    filterset_class = SubscriptionFilter
    # Not by service number: it is encrypted, its stored order means nothing.
    ordering_fields = ["id", "created_at"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[Subscription]:
        return subscriptions_visible_to(self.request.user).select_related("customer", "region")

    @extend_schema(
        request=SubscriptionWriteSerializer, responses={201: SubscriptionSerializer, **ERRORS}
    )
    def create(self, request: Request) -> Response:
        data = parse(SubscriptionWriteSerializer, request.data)
        number = data.pop("customer")
        try:
            customer = customers_visible_to(request.user).get(number=number)
        except Customer.DoesNotExist:
            raise InvalidInput.field("customer", _("No such customer.")) from None
        subscription = actions.create_subscription(request.user, customer, **data)
        return Response(SubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SubscriptionWriteSerializer(partial=True),
        responses={200: SubscriptionSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        subscription = self.get_object()
        serializer = SubscriptionWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "customer" in data:
            raise InvalidInput.field(
                "customer", _("A subscription cannot move to another customer.")
            )
        subscription = actions.update_subscription(request.user, subscription, **data)
        return Response(SubscriptionSerializer(subscription).data)
