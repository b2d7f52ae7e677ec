"""`GET /api/v1/return_visits/`: the return-visit worklist (R-RV-1) — the visits waiting in
the caller's ticket scope, nearest due first, with each one's limit on the warning ladder; and
`GET /api/v1/return_visits/{id}/`. Visits are recorded through
`POST /api/v1/tickets/{number}/return_visits/{id}/`."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.roles import roles_of
from carrierdesk.core import clock
from carrierdesk.core.api import ErrorSerializer
from carrierdesk.core.errors import InvalidInput
from carrierdesk.tickets.api.serializers import ReturnVisitSerializer
from carrierdesk.tickets.choices import ContactChannel, Kind
from carrierdesk.visits.models import ReturnVisit
from carrierdesk.visits.worklist import DUE_FILTERS, countdown_of, visible_visits, waiting_visits

READERS = frozenset({Role.QUALITY_INSPECTOR, Role.SUPERVISOR, Role.ADMIN, Role.AUDITOR})


class CanReadVisits(BasePermission):
    message = _("Only quality inspectors, supervisors, auditors and admins read return visits.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(roles_of(request.user) & READERS)


class WorklistVisitSerializer(ReturnVisitSerializer):
    """A waiting visit with its ticket and its limit's place on the warning ladder."""

    ticket = serializers.CharField(source="ticket.number")
    kind = serializers.CharField(source="ticket.kind")
    urgency = serializers.CharField(source="ticket.urgency", allow_null=True)
    created_at = serializers.DateTimeField(help_text="Scheduled (the resolution).")
    thresholds_passed = serializers.SerializerMethodField(
        help_text="The highest share of the visit's window passed: 0, 50, 80 or 100 (overdue)."
    )

    class Meta(ReturnVisitSerializer.Meta):
        fields = [
            "ticket",
            "kind",
            "urgency",
            "created_at",
            *ReturnVisitSerializer.Meta.fields,
            "thresholds_passed",
        ]

    def get_thresholds_passed(self, visit: ReturnVisit) -> int:
        return countdown_of(visit, self.context["now"]).thresholds_passed


def _choice(request: Request, name: str, allowed: Any) -> str:
    value = request.query_params.get(name, "")
    if value and value not in allowed:
        raise InvalidInput.field(
            name, _("Choose one of: %(values)s.") % {"values": ", ".join(allowed)}
        )
    return value


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("due", OpenApiTypes.STR, enum=["overdue"], description="Past due."),
            OpenApiParameter("channel", OpenApiTypes.STR, enum=ContactChannel.values),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Kind.values),
        ],
        responses={200: WorklistVisitSerializer(many=True), 400: ErrorSerializer},
    ),
    retrieve=extend_schema(responses={200: WorklistVisitSerializer, 404: ErrorSerializer}),
)
class ReturnVisitViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ReturnVisit]
):
    """The return-visit worklist (R-RV-1): waiting visits in scope, nearest due first."""

    serializer_class = WorklistVisitSerializer
    permission_classes = [CanReadVisits]
    filterset_class = None

    def get_queryset(self) -> QuerySet[ReturnVisit]:
        user = self.request.user
        if self.action == "retrieve":
            return visible_visits(user)  # type: ignore[arg-type]  # the permission: staff
        return waiting_visits(
            user,  # type: ignore[arg-type]  # the permission: a staff member
            now=self.now,
            due=_choice(self.request, "due", DUE_FILTERS[:1]),
            channel=_choice(self.request, "channel", ContactChannel.values),
            kind=_choice(self.request, "kind", Kind.values),
        )

    @property
    def now(self) -> Any:
        if not hasattr(self, "_now"):
            self._now = clock.now()
        return self._now

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": self.now}
