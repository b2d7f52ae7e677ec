"""Unmask requests and access-log rows."""

from rest_framework import serializers

from carrierdesk.core.api import MaskedField
from carrierdesk.core.masking import mask_text
from carrierdesk.privacy import policy
from carrierdesk.privacy.models import PersonalDataAccess


class UnmaskSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=policy.MAX_REASON, help_text="Why the clear values are needed (required)."
    )
    show = serializers.ListField(
        child=serializers.ChoiceField(choices=policy.CUSTOMER_FIELDS),
        required=False,
        help_text="Which fields to show in clear: name, mobile, id_number, address "
        "(default: all of them).",
    )


class UnmaskedSerializer(serializers.Serializer):
    customer = serializers.CharField()
    values = serializers.DictField(child=serializers.CharField())


class AccessLogSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    # A reason is free text: numbers typed into it are masked here and in the CSV (R-SEC-2).
    reason = MaskedField(mask_text)

    class Meta:
        model = PersonalDataAccess
        fields = [
            "id",
            "created_at",
            "user",
            "object_type",
            "object_id",
            "fields",
            "reason",
            "request_id",
            "client_address",
            "channel",
        ]
