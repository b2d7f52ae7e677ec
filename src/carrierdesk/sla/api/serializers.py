"""Read-only representations of clocks and policy versions."""

from typing import Any

from rest_framework import serializers

from carrierdesk.sla.choices import ClockName, ClockState
from carrierdesk.sla.models import PolicyVersion, Target
from carrierdesk.sla.policy import Limit


class ClockSerializer(serializers.Serializer):
    """One time limit on a ticket (R-SLA-1). Times used are working time on its calendar."""

    clock = serializers.ChoiceField(choices=ClockName.choices)
    label = serializers.CharField()  # type: ignore[assignment] # a field named "label"
    state = serializers.ChoiceField(choices=ClockState.choices)
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    remaining_seconds = serializers.IntegerField(
        help_text="Seconds to the deadline while counting (negative when overdue); the "
        "working time left when paused or stopped."
    )
    used_seconds = serializers.IntegerField()
    budget_seconds = serializers.IntegerField()
    paused_seconds = serializers.IntegerField()
    used_percent = serializers.IntegerField()
    thresholds_passed = serializers.IntegerField(help_text="Highest alert share passed (%).")
    next_alert_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    limit = serializers.CharField()
    calendar = serializers.CharField()
    calendar_uncovered = serializers.BooleanField()
    target = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment] # a field named "source"
    policy = serializers.CharField()


class NextDeadlineSerializer(serializers.Serializer):
    clock = serializers.ChoiceField(choices=ClockName.choices)
    deadline = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=ClockState.choices)


class AtRiskSerializer(ClockSerializer):
    ticket = serializers.CharField()
    kind = serializers.CharField()
    urgency = serializers.CharField()
    status = serializers.CharField()
    assignee = serializers.CharField(allow_null=True)
    department = serializers.CharField(allow_null=True)


class TargetSerializer(serializers.ModelSerializer):
    limit = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "code",
            "clock",
            "match",
            "start_events",
            "stop_events",
            "pause_events",
            "resume_events",
            "limit",
            "limit_value",
            "limit_unit",
            "calendar",
            "warnings",
            "escalation",
            "escalate_after",
            "enabled",
            "source",
            "note",
        ]

    def get_limit(self, target: Target) -> str:
        return str(Limit(target.limit_value, target.limit_unit))


class PolicyVersionSerializer(serializers.ModelSerializer):
    loaded_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = PolicyVersion
        fields = [
            "id",
            "pack",
            "version",
            "label",
            "effective_from",
            "description",
            "sha256",
            "loaded_at",
            "loaded_by",
        ]


class PolicyVersionDetailSerializer(PolicyVersionSerializer):
    targets = TargetSerializer(many=True, read_only=True)
    figures = serializers.SerializerMethodField()

    class Meta(PolicyVersionSerializer.Meta):
        fields = [*PolicyVersionSerializer.Meta.fields, "targets", "figures"]

    def get_figures(self, version: PolicyVersion) -> list[dict[str, str]]:
        figures: list[dict[str, str]] = version.document.get("figures", [])
        return figures
