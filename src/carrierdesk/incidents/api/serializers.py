"""Security-incident serializers: input parsing for each verb, output with customers masked."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from carrierdesk.core.api import MaskedField, natural_key
from carrierdesk.core.masking import mask_name
from carrierdesk.incidents import workflow
from carrierdesk.incidents.actions import MAX_LINKS, MAX_TEXT, MAX_TITLE
from carrierdesk.incidents.choices import Level, ResponseLevel, Stage
from carrierdesk.incidents.models import (
    IncidentCustomer,
    IncidentEvent,
    IncidentTicket,
    SecurityIncident,
)

VERSION_HELP = "refuse with 409 if the incident changed since"


class IncidentSerializer(serializers.ModelSerializer):
    reporter = natural_key("username")
    handler = natural_key("username")
    next_stage = serializers.SerializerMethodField(
        help_text="The one stage the incident may move to next, or null once closed."
    )

    class Meta:
        model = SecurityIncident
        fields = [
            "number",
            "title",
            "level",
            "response_level",
            "stage",
            "next_stage",
            "discovered_at",
            "reported_at",
            "stage_changed_at",
            "closed_at",
            "reporter",
            "handler",
            "affected_customers_estimate",
            "personal_data_involved",
            "regulator_notified",
            "regulator_notified_at",
            "updated_at",
            "version",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Stage.choices, allow_null=True))
    def get_next_stage(self, incident: SecurityIncident) -> str | None:
        return workflow.next_stage(incident.stage)


class IncidentEventSerializer(serializers.ModelSerializer):
    actor = natural_key("username")

    class Meta:
        model = IncidentEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "action",
            "from_stage",
            "to_stage",
            "changes",
            "note",
        ]


class LinkedCustomerSerializer(serializers.ModelSerializer):
    """An affected customer: number and masked name only (R-SEC-2)."""

    number = serializers.CharField(source="customer.number", read_only=True)
    name = MaskedField(mask_name, source="customer.name")
    linked_by = natural_key("username")

    class Meta:
        model = IncidentCustomer
        fields = ["number", "name", "linked_by", "linked_at"]


class LinkedTicketSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="ticket.number", read_only=True)
    linked_by = natural_key("username")

    class Meta:
        model = IncidentTicket
        fields = ["number", "linked_by", "linked_at"]


class IncidentDetailSerializer(IncidentSerializer):
    """An incident with its stage times, analysis, links and timeline."""

    customers = LinkedCustomerSerializer(source="customer_links", many=True, read_only=True)
    tickets = LinkedTicketSerializer(source="ticket_links", many=True, read_only=True)
    events = IncidentEventSerializer(many=True, read_only=True)

    class Meta(IncidentSerializer.Meta):
        fields = [
            *IncidentSerializer.Meta.fields,
            "description",
            "report_started_at",
            "response_started_at",
            "analysis_started_at",
            "rectification_started_at",
            "review_started_at",
            "root_cause",
            "measures",
            "customers",
            "tickets",
            "events",
        ]


class IncidentCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=MAX_TITLE)
    description = serializers.CharField(max_length=MAX_TEXT)
    level = serializers.ChoiceField(choices=Level.choices)
    discovered_at = serializers.DateTimeField(
        required=False,
        help_text="when the incident was discovered (ISO 8601; without an offset it is read in "
        "the server's time zone); may be earlier than the report, never in the future; "
        "default: now",
    )
    response_level = serializers.ChoiceField(
        choices=ResponseLevel.choices,
        required=False,
        help_text="default: the level's (general 3, larger 2, major 1); may only be stronger",
    )
    affected_customers_estimate = serializers.IntegerField(
        required=False, min_value=0, max_value=2_000_000_000
    )
    personal_data_involved = serializers.BooleanField(required=False)


class ActionSerializer(serializers.Serializer):
    """The input of one verb; `validated_params()` are its action function's keywords."""

    def validated_params(self) -> dict[str, Any]:
        return dict(self.validated_data)


class _VersionedSerializer(ActionSerializer):
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)

    def validated_params(self) -> dict[str, Any]:
        data = super().validated_params()
        if "version" in data:
            data["expected_version"] = data.pop("version")
        return data


class AdvanceSerializer(_VersionedSerializer):
    to = serializers.ChoiceField(
        choices=Stage.choices, help_text="the next stage (the incident's `next_stage`)"
    )
    note = serializers.CharField(
        max_length=MAX_TEXT, help_text="what was done in the stage the incident leaves"
    )
    root_cause = serializers.CharField(
        max_length=MAX_TEXT,
        required=False,
        allow_blank=True,
        help_text="required when leaving analysis",
    )
    measures = serializers.CharField(
        max_length=MAX_TEXT,
        required=False,
        allow_blank=True,
        help_text="required when leaving rectification",
    )


class LevelSerializer(_VersionedSerializer):
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    response_level = serializers.ChoiceField(
        choices=ResponseLevel.choices,
        required=False,
        help_text="default: the stronger of the current one and the new level's",
    )
    affected_customers_estimate = serializers.IntegerField(
        required=False, min_value=0, max_value=2_000_000_000
    )
    personal_data_involved = serializers.BooleanField(required=False)
    note = serializers.CharField(max_length=MAX_TEXT, help_text="why the assessment changes")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_TEXT)


class LinksSerializer(ActionSerializer):
    customers = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        max_length=MAX_LINKS,
        help_text="customer numbers of affected customers",
    )
    tickets = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        max_length=MAX_LINKS,
        help_text="ticket numbers of related tickets",
    )
    note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)


class RegulatorNoticeSerializer(ActionSerializer):
    notified_at = serializers.DateTimeField(
        required=False, help_text="when the regulator was notified; default: now"
    )
    note = serializers.CharField(max_length=MAX_TEXT, help_text="what was reported, to whom, how")
