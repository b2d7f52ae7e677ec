"""Ticket serializers: input parsing for each verb, output with personal data masked."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from carrierdesk.accounts.models import Region
from carrierdesk.core.api import MaskedField, natural_key, represent
from carrierdesk.core.masking import mask_name, mask_phone, mask_text
from carrierdesk.customers.models import Subscription
from carrierdesk.sla.api.serializers import ClockSerializer, NextDeadlineSerializer
from carrierdesk.sla.queries import Summaries, clocks_of, counting_clocks, nearest
from carrierdesk.tickets import workflow
from carrierdesk.tickets.choices import (
    Action,
    Category,
    Channel,
    ContactChannel,
    FeedbackStage,
    Kind,
    Subtype,
    Urgency,
)
from carrierdesk.tickets.models import Attachment, ResultFeedback, Ticket, TicketEvent
from carrierdesk.visits.models import ReturnVisit


class TicketSerializer(serializers.ModelSerializer):
    customer = natural_key("number")
    customer_name = serializers.SerializerMethodField()
    subscription = serializers.IntegerField(
        source="subscription_id", read_only=True, allow_null=True
    )
    subscription_number = serializers.CharField(
        source="subscription.masked_service_number",
        read_only=True,
        allow_null=True,
        default=None,
    )
    region = natural_key("code")
    department = natural_key("code")
    first_owner = natural_key("username")
    assignee = natural_key("username")
    closure_approved_by = natural_key("username")
    repeat_complaint = serializers.SerializerMethodField()
    contact_name = MaskedField(mask_name)
    contact_phone = MaskedField(mask_phone)
    allowed_actions = serializers.SerializerMethodField()
    next_deadline = serializers.SerializerMethodField(
        help_text="The counting time limit due first (R-SLA-1), or null."
    )

    class Meta:
        model = Ticket
        fields = [
            "number",
            "kind",
            "subtype",
            "channel",
            "category",
            "urgency",
            "status",
            "customer",
            "customer_name",
            "subscription",
            "subscription_number",
            "region",
            "title",
            "description",
            "contact_name",
            "contact_phone",
            "received_at",
            "registered_at",
            "first_owner",
            "assignee",
            "department",
            "resolution",
            "accepted_at",
            "assigned_at",
            "started_at",
            "resolved_at",
            "closed_at",
            "status_changed_at",
            "updated_at",
            "reopen_count",
            "external_reference",
            "repeat_complaint",
            "regulator_reference",
            "regulator_due_at",
            "closure_approved_by",
            "closure_approved_at",
            "version",
            "allowed_actions",
            "next_deadline",
        ]

    def get_customer_name(self, ticket: Ticket) -> str:
        return mask_name(ticket.customer.name)

    def get_repeat_complaint(self, ticket: Ticket) -> bool:
        """R-CMP-3: a complaint of the same customer and category within 30 days before."""
        return ticket.repeat_of_id is not None

    def get_allowed_actions(self, ticket: Ticket) -> list[str]:
        approved = ticket.closure_approved_at is not None
        return workflow.open_actions(ticket.kind, ticket.status, ticket.urgency, approved)

    @extend_schema_field(NextDeadlineSerializer(allow_null=True))
    def get_next_deadline(self, ticket: Ticket) -> dict[str, Any] | None:
        counting = getattr(ticket, "counting_clocks", None)
        if counting is None:
            counting = list(counting_clocks(ticket))
        row = nearest(counting)
        if row is None:
            return None
        return dict(
            represent(
                NextDeadlineSerializer,
                {"clock": row.name, "deadline": row.deadline, "state": row.state},
            )
        )


class TicketDetailSerializer(TicketSerializer):
    """A ticket with all its time limits (R-SLA-1)."""

    clocks = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "clocks"]

    @extend_schema_field(ClockSerializer(many=True))
    def get_clocks(self, ticket: Ticket) -> list[dict[str, Any]]:
        summaries = Summaries()
        return [represent(ClockSerializer, summaries.of(row)) for row in clocks_of(ticket)]


class TicketCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, allow_blank=True)
    subtype = serializers.ChoiceField(choices=Subtype.choices, required=False, allow_blank=True)
    customer = serializers.CharField(max_length=20, help_text="customer number")
    subscription = serializers.PrimaryKeyRelatedField(
        queryset=Subscription.objects.all(),
        required=False,
        allow_null=True,
        help_text="subscription id",
    )
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000)
    received_at = serializers.DateTimeField(
        required=False,
        help_text="when the customer's request reached the carrier (ISO 8601; without an offset "
        "it is read in the server's time zone, Asia/Shanghai by default); may be earlier than "
        "registration, never in the future; default: now",
    )
    contact_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    external_reference = serializers.CharField(max_length=64, required=False, allow_blank=True)
    regulator_reference = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="the case number of the regulator (工信部申诉) or the 12345 hotline; required "
        "on their complaints and on regulator appeals, refused on other tickets (R-CMP-1)",
    )
    regulator_due_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="the due date the regulator or 12345 set, after the time received; required "
        "and refused as `regulator_reference` is",
    )


class TicketUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=10_000, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    subtype = serializers.ChoiceField(choices=Subtype.choices, required=False, allow_blank=True)
    subscription = serializers.PrimaryKeyRelatedField(
        queryset=Subscription.objects.all(),
        required=False,
        allow_null=True,
        help_text="subscription id",
    )
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True
    )
    contact_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    external_reference = serializers.CharField(max_length=64, required=False, allow_blank=True)
    regulator_reference = serializers.CharField(
        max_length=64, required=False, help_text="a regulated complaint's case number (R-CMP-1)"
    )
    regulator_due_at = serializers.DateTimeField(
        required=False, help_text="a regulated complaint's due date, after the time received"
    )
    note = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="refuse with 409 if the ticket changed since"
    )


class _VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="refuse with 409 if the ticket changed since"
    )

    def validated_params(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        if "version" in data:
            data["expected_version"] = data.pop("version")
        return data


class NoteActionSerializer(_VersionedSerializer):
    note = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class ReasonActionSerializer(_VersionedSerializer):
    reason = serializers.CharField(max_length=2_000)


class AssignActionSerializer(NoteActionSerializer):
    department = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text="department code"
    )
    assignee = serializers.CharField(
        max_length=150, required=False, allow_blank=True, help_text="username"
    )


class ResolveActionSerializer(NoteActionSerializer):
    resolution = serializers.CharField(max_length=10_000)


#: The input of each verb on a ticket (`actions.VERB_FUNCTIONS`).
ACTION_SERIALIZERS: dict[str, type[_VersionedSerializer]] = {
    Action.ACCEPT: NoteActionSerializer,
    Action.REJECT: ReasonActionSerializer,
    Action.ASSIGN: AssignActionSerializer,
    Action.START: NoteActionSerializer,
    Action.PEND: ReasonActionSerializer,
    Action.RESUME: NoteActionSerializer,
    Action.RESOLVE: ResolveActionSerializer,
    Action.CLOSE: NoteActionSerializer,
    Action.REOPEN: ReasonActionSerializer,
    Action.CANCEL: ReasonActionSerializer,
    # Keeps the status: a supervisor's approval to close a major complaint (R-CMP-1).
    Action.APPROVE_CLOSURE: NoteActionSerializer,
}


class AddNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=10_000)


class TicketEventSerializer(serializers.ModelSerializer):
    actor = natural_key("username")

    class Meta:
        model = TicketEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "action",
            "from_status",
            "to_status",
            "changes",
            "note",
        ]


class ResultFeedbackSerializer(serializers.ModelSerializer):
    """A result feedback (R-CMP-2); its free text masked like the timeline's (R-SEC-2)."""

    given_by = natural_key("username")
    cause = MaskedField(mask_text)
    measures = MaskedField(mask_text)

    class Meta:
        model = ResultFeedback
        fields = [
            "id",
            "stage",
            "channel",
            "cause",
            "measures",
            "expected_completion",
            "follow_up_needed",
            "customer_accepts",
            "given_by",
            "given_at",
        ]


class FeedbackInputSerializer(_VersionedSerializer):
    stage = serializers.ChoiceField(choices=FeedbackStage.choices)
    channel = serializers.ChoiceField(
        choices=ContactChannel.choices, help_text="how the customer was reached"
    )
    cause = serializers.CharField(max_length=10_000)
    measures = serializers.CharField(max_length=10_000)
    expected_completion = serializers.DateTimeField(required=False, allow_null=True)
    follow_up_needed = serializers.BooleanField(required=False, default=False)
    customer_accepts = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="required on the final feedback; false reopens the complaint",
    )


class ReturnVisitSerializer(serializers.ModelSerializer):
    """A return visit (R-RV-1); its comment masked like the timeline's (R-SEC-2)."""

    comment = MaskedField(mask_text)
    visited_by = natural_key("username")

    class Meta:
        model = ReturnVisit
        fields = [
            "id",
            "status",
            "channel",
            "not_before",
            "due_at",
            "attempts",
            "max_attempts",
            "solved",
            "satisfaction",
            "nps",
            "comment",
            "visited_by",
            "visited_at",
            "by_survey",
        ]


class VisitInputSerializer(serializers.Serializer):
    reached = serializers.BooleanField(help_text="false: an attempt that did not reach them")
    solved = serializers.BooleanField(required=False, allow_null=True, default=None)
    satisfaction = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="1 (very dissatisfied) to 5"
    )
    nps = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="0-10")
    comment = serializers.CharField(max_length=2_000, required=False, allow_blank=True)


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = natural_key("username")

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]


class AttachUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
