"""`GET /api/v1/return_visits/summary/`: satisfaction per return-visit batch (R-RV-2, R-QM-1),
for quality inspectors, supervisors, auditors and admins, over the tickets they may see."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from carrierdesk.accounts.roles import roles_of
from carrierdesk.core.api import ErrorSerializer
from carrierdesk.core.permissions import IsStaffMember
from carrierdesk.tickets.choices import ContactChannel, Kind
from carrierdesk.visits.summary import (
    MAX_BATCHES,
    MAX_DAYS,
    SUMMARY_ROLES,
    Batch,
    Figures,
    Period,
    Summary,
    read_filters,
    satisfaction_summary,
)


class CanReadSatisfaction(BasePermission):
    message = _(
        "Only quality inspectors, supervisors, auditors and admins read the satisfaction summary."
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(roles_of(request.user) & SUMMARY_ROLES)


def _percent(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, **kwargs)


class ReturnVisitFiguresSerializer(serializers.Serializer):
    """Counts (exact, to recompute any figure) and percentages rounded to one decimal."""

    finished = serializers.IntegerField(help_text="Visits finished: reached + unreachable.")
    reached = serializers.IntegerField()
    unreachable = serializers.IntegerField()
    answered = serializers.IntegerField(help_text="Reached visits with a satisfaction level.")
    satisfied = serializers.IntegerField(help_text="Answers 4 or 5 (top-2-box, R-QM-1).")
    satisfaction_percent = _percent(help_text="satisfied / answered; null when none answered.")
    solved = serializers.IntegerField()
    solved_answered = serializers.IntegerField(
        help_text="Reached visits that say whether the problem is solved."
    )
    solved_percent = _percent(help_text="solved / solved_answered.")
    nps_answers = serializers.IntegerField()
    promoters = serializers.IntegerField(help_text="NPS answers 9-10.")
    detractors = serializers.IntegerField(help_text="NPS answers 0-6.")
    nps = _percent(help_text="% promoters - % detractors (-100 to 100); null without answers.")
    reopened = serializers.IntegerField(help_text="Reached visits unsolved or satisfaction <= 2.")
    target_percent = _percent()
    meets_target = serializers.BooleanField(
        allow_null=True, help_text="satisfaction >= target (exact); null when none answered."
    )


class ReturnVisitBatchSerializer(ReturnVisitFiguresSerializer):
    batch = serializers.CharField(help_text="2026-11-23 (day), 2026-W48 (ISO week), 2026-11.")
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    partial = serializers.BooleanField(  # type: ignore[assignment] # a field named "partial"
        help_text="The period reaches beyond the range."
    )


class ReturnVisitSummaryFiltersSerializer(serializers.Serializer):
    department = serializers.CharField(allow_null=True)
    kind = serializers.CharField(allow_null=True)
    channel = serializers.CharField(allow_null=True)


class SatisfactionSummarySerializer(serializers.Serializer):
    period = serializers.CharField(help_text="day, week or month.")
    # "from" is a Python keyword: declared below.
    to = serializers.DateField()
    time_zone = serializers.CharField()
    filters = ReturnVisitSummaryFiltersSerializer()
    batches = ReturnVisitBatchSerializer(many=True)
    overall = ReturnVisitFiguresSerializer(help_text="The whole range, against the overall target.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        ordered = {"period": fields.pop("period"), "from": serializers.DateField()}
        return {**ordered, **fields}


def figures_data(figures: Figures) -> dict[str, Any]:
    return {
        "finished": figures.finished,
        "reached": figures.reached,
        "unreachable": figures.unreachable,
        "answered": figures.answered,
        "satisfied": figures.satisfied,
        "satisfaction_percent": figures.satisfaction_shown,
        "solved": figures.solved,
        "solved_answered": figures.solved_answered,
        "solved_percent": figures.solved_shown,
        "nps_answers": figures.nps_answers,
        "promoters": figures.promoters,
        "detractors": figures.detractors,
        "nps": figures.nps_shown,
        "reopened": figures.reopened,
        "target_percent": figures.target_shown,
        "meets_target": figures.meets_target,
    }


def batch_data(batch: Batch) -> dict[str, Any]:
    return {
        "batch": batch.label,
        "first_day": batch.first_day,
        "last_day": batch.last_day,
        "partial": batch.partial,
        **figures_data(batch.figures),
    }


def summary_data(summary: Summary, filters: dict[str, str]) -> dict[str, Any]:
    return {
        "period": summary.period,
        "from": summary.start,
        "to": summary.end,
        "time_zone": summary.time_zone,
        "filters": {name: filters.get(name) or None for name in ("department", "kind", "channel")},
        "batches": [batch_data(batch) for batch in summary.batches],
        "overall": figures_data(summary.overall),
    }


class SatisfactionSummaryView(APIView):
    """Satisfaction per return-visit batch: the visits finished per day, ISO week or month
    (Asia/Shanghai), each batch against 85 % satisfied (R-RV-2), the whole range against 90 %
    (R-QM-2); over the tickets the caller may see."""

    permission_classes = [IsStaffMember, CanReadSatisfaction]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                enum=Period.values,
                description="Batch length (default week, Monday to Sunday).",
            ),
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                description="First local day (default: the Monday 11 weeks before to's week).",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                description=f"Last local day, inclusive (default today). At most {MAX_DAYS} "
                f"days and {MAX_BATCHES} batches.",
            ),
            OpenApiParameter("department", OpenApiTypes.STR, description="Department code."),
            OpenApiParameter(
                "kind", OpenApiTypes.STR, enum=Kind.values, description="The ticket's kind."
            ),
            OpenApiParameter(
                "channel",
                OpenApiTypes.STR,
                enum=ContactChannel.values,
                description="The return visit's channel.",
            ),
        ],
        responses={
            200: SatisfactionSummarySerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def get(self, request: Request) -> Response:
        filters = read_filters(request.query_params)
        summary = satisfaction_summary(request.user, filters)
        data = summary_data(summary, filters.params)
        return Response(SatisfactionSummarySerializer(data).data)
