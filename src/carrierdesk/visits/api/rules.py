"""Return-visit rules through the API (R-RV-1): `GET /api/v1/visit_rules/` and
`GET /api/v1/visit_rules/{kind}/` for quality inspectors, supervisors, auditors and admins;
`PATCH /api/v1/visit_rules/{kind}/` and `POST /api/v1/visit_rules/` (a kind without a rule)
for admins, through the audited actions of `visits.rules`. A change applies to visits
scheduled after it."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from carrierdesk.accounts.roles import roles_of
from carrierdesk.core.api import ErrorSerializer, parse
from carrierdesk.core.errors import NotFound
from carrierdesk.core.permissions import IsStaffMember
from carrierdesk.tickets.choices import ContactChannel, Kind
from carrierdesk.visits import rules
from carrierdesk.visits.models import VisitRule

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


class VisitRuleSerializer(serializers.ModelSerializer):
    """A kind's return-visit rule (R-RV-1)."""

    class Meta:
        model = VisitRule
        fields = ["kind", "share_percent", "channel", "delay_hours", "within_hours", "max_attempts"]
        extra_kwargs = {
            "share_percent": {"help_text": "Share of the kind's resolved tickets visited (%)."},
            "delay_hours": {"help_text": "Not before this many hours after the resolution."},
            "within_hours": {"help_text": "Due this many hours after the resolution."},
            "max_attempts": {"help_text": "Attempts before the customer counts as unreachable."},
        }


def _hours(help_text: str, **kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(help_text=help_text, **kwargs)


class VisitRuleChangeSerializer(serializers.Serializer):
    """The values to change; those left out stay. Checked as a whole by the action:
    `delay_hours` must stay under `within_hours`."""

    share_percent = serializers.IntegerField(
        min_value=0, max_value=100, help_text="Share of the kind's resolved tickets visited (%)."
    )
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    delay_hours = _hours("Not before this many hours after the resolution.", min_value=0)
    within_hours = _hours(
        "Due this many hours after the resolution (1-720).",
        min_value=1,
        max_value=rules.MAX_WITHIN_HOURS,
    )
    max_attempts = serializers.IntegerField(
        min_value=1,
        max_value=rules.MAX_ATTEMPTS,
        help_text="Attempts before the customer counts as unreachable (1-10).",
    )


class VisitRuleCreateSerializer(VisitRuleChangeSerializer):
    """A rule for a kind that has none."""

    kind = serializers.ChoiceField(choices=Kind.choices)
    delay_hours = _hours(
        "Not before this many hours after the resolution.", min_value=0, required=False, default=0
    )
    max_attempts = serializers.IntegerField(
        min_value=1,
        max_value=rules.MAX_ATTEMPTS,
        required=False,
        default=3,
        help_text="Attempts before the customer counts as unreachable (1-10).",
    )


class CanUseVisitRules(BasePermission):
    message = _(
        "Only quality inspectors, supervisors, auditors and admins read the return-visit rules; "
        "only admins change them."
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        roles = roles_of(request.user)
        if request.method in SAFE_METHODS:
            return rules.can_read_rules(roles)
        return rules.can_change_rules(roles)


@extend_schema_view(
    list=extend_schema(responses={200: VisitRuleSerializer(many=True), 403: ErrorSerializer})
)
class VisitRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Return-visit rules, one per ticket kind (R-RV-1): which share of the kind's resolved
    tickets is visited, by which channel, not before and by when, and after how many attempts
    the customer is unreachable. A kind without a rule is not visited."""

    serializer_class = VisitRuleSerializer
    permission_classes = [IsAuthenticated, IsStaffMember, CanUseVisitRules]
    lookup_field = "kind"
    pagination_class = None
    filterset_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[VisitRule]:
        return VisitRule.objects.order_by("kind")

    def _rule(self, kind: str) -> VisitRule:
        rule = VisitRule.objects.filter(kind=kind).first()
        if rule is None:
            raise NotFound(_("No return-visit rule for this kind."))
        return rule

    @extend_schema(responses={200: VisitRuleSerializer, **ERRORS})
    def retrieve(self, request: Request, kind: str) -> Response:
        return Response(VisitRuleSerializer(self._rule(kind)).data)

    @extend_schema(
        request=VisitRuleChangeSerializer(partial=True),
        responses={200: VisitRuleSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, kind: str) -> Response:
        """Change the rule (admins; audited). Applies to visits scheduled after the change."""
        serializer = VisitRuleChangeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        rule = rules.update_visit_rule(request.user, kind, **serializer.validated_data)
        return Response(VisitRuleSerializer(rule).data)

    @extend_schema(
        request=VisitRuleCreateSerializer, responses={201: VisitRuleSerializer, **ERRORS}
    )
    def create(self, request: Request) -> Response:
        """A rule for a kind that has none (admins; audited)."""
        data = parse(VisitRuleCreateSerializer, request.data)
        rule = rules.create_visit_rule(request.user, data.pop("kind"), **data)
        return Response(VisitRuleSerializer(rule).data, status=status.HTTP_201_CREATED)
