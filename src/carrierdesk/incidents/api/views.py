"""Security-incident endpoints (R-SEC-6): parse, authorise (restricted reads), call an action,
render. JSON only, so a form post can never turn an absent flag into `false`."""

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from carrierdesk.core.api import ErrorSerializer, parse
from carrierdesk.incidents import actions
from carrierdesk.incidents.api.serializers import (
    ActionSerializer,
    AdvanceSerializer,
    IncidentCreateSerializer,
    IncidentDetailSerializer,
    IncidentEventSerializer,
    IncidentSerializer,
    LevelSerializer,
    LinksSerializer,
    NoteSerializer,
    RegulatorNoticeSerializer,
)
from carrierdesk.incidents.choices import Level, Stage
from carrierdesk.incidents.models import SecurityIncident
from carrierdesk.incidents.queries import (
    INCIDENT_RELATED,
    access_incident,
    access_incident_detail,
    incidents_visible_to,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class IncidentFilter(filters.FilterSet):
    stage = filters.MultipleChoiceFilter(choices=Stage.choices)
    level = filters.MultipleChoiceFilter(choices=Level.choices)
    open = filters.BooleanFilter(method="filter_open", label="open (true) or closed (false)")
    discovered_after = filters.IsoDateTimeFilter(field_name="discovered_at", lookup_expr="gte")
    discovered_before = filters.IsoDateTimeFilter(field_name="discovered_at", lookup_expr="lt")
    personal_data_involved = filters.BooleanFilter()

    class Meta:
        model = SecurityIncident
        fields = [
            "stage",
            "level",
            "open",
            "discovered_after",
            "discovered_before",
            "personal_data_involved",
        ]

    def filter_open(
        self, queryset: QuerySet[SecurityIncident], name: str, value: bool
    ) -> QuerySet[SecurityIncident]:
        closed = Q(stage=Stage.CLOSED)
        return queryset.exclude(closed) if value else queryset.filter(closed)


class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Security incidents (安全事件) from discovery to closure (R-SEC-6)."""

    serializer_class = IncidentSerializer
    lookup_field = "number"
    parser_classes = [JSONParser]
    filterset_class = IncidentFilter
    ordering_fields = ["reported_at", "discovered_at", "number", "updated_at", "response_level"]
    ordering = ["-reported_at", "-id"]

    def get_queryset(self) -> QuerySet[SecurityIncident]:
        return incidents_visible_to(self.request.user).select_related(*INCIDENT_RELATED)

    def get_object(self) -> SecurityIncident:
        return access_incident(self.request.user, self.kwargs["number"])

    def _render(self, number: str, http_status: int = status.HTTP_200_OK) -> Response:
        incident = access_incident_detail(self.request.user, number)
        return Response(IncidentDetailSerializer(incident).data, status=http_status)

    @extend_schema(responses={200: IncidentDetailSerializer, 404: ErrorSerializer})
    def retrieve(self, request: Request, number: str) -> Response:
        """An incident with its stage times, root cause, measures, links and timeline."""
        return self._render(number)

    @extend_schema(
        request=IncidentCreateSerializer, responses={201: IncidentDetailSerializer, **ERRORS}
    )
    def create(self, request: Request) -> Response:
        """Report an incident (discovery stage); the caller is its reporter."""
        data = parse(IncidentCreateSerializer, request.data)
        incident = actions.report_incident(request.user, **data)
        return self._render(incident.number, status.HTTP_201_CREATED)

    def _act(
        self,
        serializer_class: type[ActionSerializer],
        function: Callable[..., SecurityIncident],
        request: Request,
    ) -> Response:
        number = self.get_object().number
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        function(request.user, number, **serializer.validated_params())
        return self._render(number)

    @extend_schema(request=AdvanceSerializer, responses={200: IncidentDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def advance(self, request: Request, number: str) -> Response:
        """Move to the next stage, saying what was done in the stage left."""
        return self._act(AdvanceSerializer, actions.advance_incident, request)

    @extend_schema(request=LevelSerializer, responses={200: IncidentDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def level(self, request: Request, number: str) -> Response:
        """Re-assess: level, response level, customers affected, personal data involved."""
        return self._act(LevelSerializer, actions.change_incident_level, request)

    @extend_schema(request=LinksSerializer, responses={200: IncidentDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def links(self, request: Request, number: str) -> Response:
        """Link affected customers and related tickets by number."""
        return self._act(LinksSerializer, actions.link_objects, request)

    @extend_schema(
        request=RegulatorNoticeSerializer, responses={200: IncidentDetailSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def regulator(self, request: Request, number: str) -> Response:
        """Record that the regulator was notified (once)."""
        return self._act(RegulatorNoticeSerializer, actions.record_regulator_notice, request)

    @extend_schema(request=NoteSerializer, responses={201: IncidentEventSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def notes(self, request: Request, number: str) -> Response:
        """A note on the timeline (handlers, or the incident's reporter)."""
        number = self.get_object().number
        data = parse(NoteSerializer, request.data)
        event = actions.add_incident_note(request.user, number, note=data["note"])
        return Response(IncidentEventSerializer(event).data, status=status.HTTP_201_CREATED)
