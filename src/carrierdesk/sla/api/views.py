"""Time-limit endpoints: clocks at risk (R-SLA-4) and the policy versions (R-POL-1)."""

import re
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from carrierdesk.core.api import ErrorSerializer
from carrierdesk.core.errors import InvalidInput
from carrierdesk.sla.api.serializers import (
    AtRiskSerializer,
    PolicyVersionDetailSerializer,
    PolicyVersionSerializer,
)
from carrierdesk.sla.models import Clock, PolicyVersion
from carrierdesk.sla.queries import Summaries, clocks_at_risk

_WINDOW = re.compile(r"^\s*(\d+)\s*([mhd]?)\s*$")
_UNIT = {"": 60, "m": 60, "h": 3600, "d": 86400}
MAX_WINDOW = timedelta(days=31)


def parse_window(text: str | None) -> timedelta:
    """`60m`, `2h`, `1d` or a number of minutes; 60 minutes when absent."""
    if text is None or text == "":
        return timedelta(hours=1)
    match = _WINDOW.match(text.lower())
    window = timedelta(seconds=int(match.group(1)) * _UNIT[match.group(2)]) if match else None
    if window is None or window > MAX_WINDOW:
        raise InvalidInput.field(
            "within", _("Give a window such as 30m, 2h or 1d (at most 31 days).")
        )
    return window


def at_risk_row(summaries: Summaries, row: Clock) -> dict[str, Any]:
    ticket = row.ticket
    return {
        **summaries.of(row),
        "ticket": ticket.number,
        "kind": ticket.kind,
        "urgency": ticket.urgency,
        "status": ticket.status,
        "assignee": ticket.assignee.username if ticket.assignee else None,
        "department": ticket.department.code if ticket.department else None,
    }


class AtRiskView(generics.GenericAPIView):
    """Clocks that reach their deadline within a window, overdue ones first (R-SLA-4)."""

    serializer_class = AtRiskSerializer

    def get_queryset(self) -> QuerySet[Clock]:
        window = parse_window(self.request.query_params.get("within"))
        return clocks_at_risk(self.request.user, window)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "within",
                OpenApiTypes.STR,
                description="Window ahead of now: 30m, 2h, 1d, or minutes (default 60m).",
            )
        ],
        responses={200: AtRiskSerializer(many=True), 400: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        summaries = Summaries()
        rows = [at_risk_row(summaries, row) for row in (page or [])]
        return self.get_paginated_response(AtRiskSerializer(rows, many=True).data)


class PolicyVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """Loaded time-limit policy versions with their targets and sources (R-POL-1)."""

    queryset = PolicyVersion.objects.select_related("loaded_by").order_by("-loaded_at", "-id")

    def get_serializer_class(self) -> Any:
        return (
            PolicyVersionDetailSerializer if self.action == "retrieve" else PolicyVersionSerializer
        )

    def get_queryset(self) -> QuerySet[PolicyVersion]:
        query = super().get_queryset()
        if self.action == "retrieve":
            query = query.prefetch_related("targets")
        return query
