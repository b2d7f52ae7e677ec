"""Customer and subscription serializers. Personal data leave the API masked (R-SEC-2)."""

from rest_framework import serializers

from carrierdesk.accounts.models import Region
from carrierdesk.core.api import MaskedField, natural_key
from carrierdesk.core.masking import mask_address, mask_id_number, mask_name, mask_phone
from carrierdesk.customers.choices import (
    CustomerType,
    IdType,
    Product,
    SlaTier,
    SubscriptionStatus,
)
from carrierdesk.customers.models import Customer, Subscription


class CustomerSerializer(serializers.ModelSerializer):
    name = MaskedField(mask_name)
    mobile = MaskedField(mask_phone)
    id_number = MaskedField(mask_id_number)
    address = MaskedField(mask_address)
    region = natural_key("code")

    class Meta:
        model = Customer
        fields = [
            "number",
            "customer_type",
            "name",
            "mobile",
            "id_type",
            "id_number",
            "address",
            "region",
            "created_at",
            "updated_at",
        ]


class CustomerWriteSerializer(serializers.Serializer):
    """Input of create (all required but address/mobile/region) and update (partial)."""

    customer_type = serializers.ChoiceField(choices=CustomerType.choices)
    name = serializers.CharField(max_length=128)
    mobile = serializers.CharField(max_length=32, required=False, allow_blank=True)
    id_type = serializers.ChoiceField(choices=IdType.choices)
    id_number = serializers.CharField(max_length=32)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True
    )


class SubscriptionSerializer(serializers.ModelSerializer):
    service_number = serializers.CharField(source="masked_service_number", read_only=True)
    customer = natural_key("number")
    installation_address = MaskedField(mask_address)
    region = natural_key("code")

    class Meta:
        model = Subscription
        fields = [
            "id",
            "service_number",
            "customer",
            "product",
            "status",
            "sla_tier",
            "installation_address",
            "region",
            "activated_at",
            "created_at",
            "updated_at",
        ]


class SubscriptionWriteSerializer(serializers.Serializer):
    customer = serializers.CharField(max_length=20)
    service_number = serializers.CharField(max_length=32)
    product = serializers.ChoiceField(choices=Product.choices)
    status = serializers.ChoiceField(choices=SubscriptionStatus.choices, required=False)
    sla_tier = serializers.ChoiceField(choices=SlaTier.choices, required=False)
    installation_address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True
    )
    activated_at = serializers.DateTimeField(required=False, allow_null=True)
