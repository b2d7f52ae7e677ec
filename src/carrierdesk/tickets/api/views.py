"""Ticket endpoints: parse, authorise (restricted reads), call an action, render."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from carrierdesk.core.api import ErrorSerializer, parse, represent
from carrierdesk.core.errors import InvalidInput, NotFound
from carrierdesk.customers.models import Customer
from carrierdesk.customers.queries import customers_visible_to
from carrierdesk.sla.api.serializers import ClockSerializer
from carrierdesk.sla.queries import Summaries, clocks_of, prefetch_counting_clocks
from carrierdesk.tickets import actions
from carrierdesk.tickets.api.serializers import (
    ACTION_SERIALIZERS,
    AddNoteSerializer,
    AttachmentSerializer,
    AttachUploadSerializer,
    FeedbackInputSerializer,
    ResultFeedbackSerializer,
    ReturnVisitSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketEventSerializer,
    TicketSerializer,
    TicketUpdateSerializer,
    VisitInputSerializer,
)
from carrierdesk.tickets.choices import Action, Category, Channel, Kind, Status, Urgency
from carrierdesk.tickets.feedback import record_feedback
from carrierdesk.tickets.models import Ticket
from carrierdesk.tickets.queries import TICKET_RELATED, access_ticket, tickets_visible_to
from carrierdesk.visits.actions import record_visit
from carrierdesk.visits.models import ReturnVisit

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class TicketFilter(filters.FilterSet):
    kind = filters.MultipleChoiceFilter(choices=Kind.choices)
    status = filters.MultipleChoiceFilter(choices=Status.choices)
    channel = filters.MultipleChoiceFilter(choices=Channel.choices)
    category = filters.MultipleChoiceFilter(choices=Category.choices)
    urgency = filters.MultipleChoiceFilter(choices=Urgency.choices)
    department = filters.CharFilter(field_name="department__code")
    assignee = filters.CharFilter(field_name="assignee__username")
    first_owner = filters.CharFilter(field_name="first_owner__username")
    customer = filters.CharFilter(field_name="customer__number")
    received_after = filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    repeat_complaint = filters.BooleanFilter(
        field_name="repeat_of",
        lookup_expr="isnull",
        exclude=True,
        label="true: repeat complaints only (R-CMP-3; the page's count counts them)",
    )

    class Meta:
        model = Ticket
        fields = [
            "kind",
            "status",
            "channel",
            "category",
            "urgency",
            "department",
            "assignee",
            "first_owner",
            "customer",
            "received_after",
            "received_before",
            "repeat_complaint",
        ]


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tickets of every kind, and their lifecycle actions (R-WF-1)."""

    serializer_class = TicketSerializer
    lookup_field = "number"
    filterset_class = TicketFilter
    ordering_fields = ["received_at", "registered_at", "number", "updated_at", "status", "urgency"]
    ordering = ["-received_at", "-id"]

    def get_queryset(self) -> QuerySet[Ticket]:
        return (
            tickets_visible_to(self.request.user)
            .select_related(*TICKET_RELATED)
            .prefetch_related(prefetch_counting_clocks())
        )

    def get_object(self) -> Ticket:
        return access_ticket(self.request.user, self.kwargs["number"])

    @extend_schema(responses={200: TicketDetailSerializer, 404: ErrorSerializer})
    def retrieve(self, request: Request, number: str) -> Response:
        """A ticket with its time limits (R-SLA-1)."""
        return Response(represent(TicketDetailSerializer, self.get_object()))

    def _render(self, ticket: Ticket, http_status: int = status.HTTP_200_OK) -> Response:
        """The ticket an action returned (its related rows came with its lock)."""
        return Response(represent(TicketDetailSerializer, ticket), status=http_status)

    @extend_schema(responses={200: ClockSerializer(many=True), 404: ErrorSerializer})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def clocks(self, request: Request, number: str) -> Response:
        """The ticket's time limits: deadline, remaining, state, thresholds, policy."""
        ticket = self.get_object()
        summaries = Summaries()
        return Response(
            ClockSerializer([summaries.of(row) for row in clocks_of(ticket)], many=True).data
        )

    @extend_schema(
        request=TicketCreateSerializer, responses={201: TicketDetailSerializer, **ERRORS}
    )
    def create(self, request: Request) -> Response:
        """Register a ticket; the caller becomes its first owner (R-WF-5)."""
        data = parse(TicketCreateSerializer, request.data)
        # The role first: a role that may not register gets 403 whatever the customer.
        actions.require_role(request.user, Action.REGISTER)
        try:
            data["customer"] = customers_visible_to(request.user).get(number=data["customer"])
        except Customer.DoesNotExist:
            raise InvalidInput.field("customer", _("No such customer.")) from None
        ticket = actions.register_ticket(request.user, **data)
        return self._render(ticket, status.HTTP_201_CREATED)

    @extend_schema(
        request=TicketUpdateSerializer, responses={200: TicketDetailSerializer, **ERRORS}
    )
    def partial_update(self, request: Request, number: str) -> Response:
        """Correct editable fields; pass `version` to refuse overwriting a newer change."""
        ticket = self.get_object()
        data = parse(TicketUpdateSerializer, request.data)
        expected = data.pop("version", None)
        ticket = actions.update_ticket(
            request.user, ticket.number, expected_version=expected, **data
        )
        return self._render(ticket)

    @extend_schema(responses={200: TicketEventSerializer(many=True), 404: ErrorSerializer})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request: Request, number: str) -> Response:
        """The timeline (R-WF-6), oldest first."""
        ticket = self.get_object()
        events = ticket.events.select_related("actor").order_by("created_at", "id")
        return Response(TicketEventSerializer(events, many=True).data)

    @extend_schema(
        methods=["GET"], responses={200: ResultFeedbackSerializer(many=True), 404: ErrorSerializer}
    )
    @extend_schema(
        methods=["POST"],
        request=FeedbackInputSerializer,
        responses={201: ResultFeedbackSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def feedback(self, request: Request, number: str) -> Response:
        """Result feedback to the complainant (R-CMP-2): the list, or record one (a result the
        customer does not accept reopens the complaint)."""
        ticket = self.get_object()
        if request.method == "GET":
            rows = ticket.feedback.select_related("given_by").order_by("given_at", "id")
            return Response(ResultFeedbackSerializer(rows, many=True).data)
        serializer = FeedbackInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = record_feedback(request.user, ticket.number, **serializer.validated_params())
        return Response(ResultFeedbackSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ReturnVisitSerializer(many=True), 404: ErrorSerializer})
    @action(
        detail=True,
        methods=["get"],
        url_path="return_visits",
        pagination_class=None,
        filterset_class=None,
    )
    def return_visits(self, request: Request, number: str) -> Response:
        """The ticket's return visits (R-RV-1), the waiting one and those made."""
        ticket = self.get_object()
        visits = (
            ReturnVisit.objects.filter(ticket=ticket)
            .select_related("visited_by")
            .order_by("created_at", "id")
        )
        return Response(ReturnVisitSerializer(visits, many=True).data)

    @extend_schema(request=VisitInputSerializer, responses={200: ReturnVisitSerializer, **ERRORS})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"return_visits/(?P<visit_id>\d+)",
        filterset_class=None,
    )
    def record_return_visit(self, request: Request, number: str, visit_id: str) -> Response:
        """Record a return visit (R-RV-1): an attempt, or the outcome; unsolved or
        dissatisfied reopens the ticket (R-RV-2)."""
        ticket = self.get_object()
        if not ReturnVisit.objects.filter(ticket=ticket, pk=visit_id).exists():
            raise NotFound(_("No such return visit."))
        data = parse(VisitInputSerializer, request.data)
        visit = record_visit(request.user, int(visit_id), **data)
        return Response(ReturnVisitSerializer(visit).data)

    @extend_schema(request=AddNoteSerializer, responses={201: TicketEventSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="add_note", filterset_class=None)
    def add_note(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        data = parse(AddNoteSerializer, request.data)
        event = actions.add_note(request.user, ticket.number, note=data["note"])
        return Response(TicketEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": AttachUploadSerializer},
        responses={201: AttachmentSerializer, **ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        filterset_class=None,
    )
    def attach(self, request: Request, number: str) -> Response:
        """Upload a file (multipart field `file`), stored with its SHA-256 (R-INT-6)."""
        ticket = self.get_object()
        upload = parse(AttachUploadSerializer, request.data)["file"]
        attachment = actions.attach(
            request.user,
            ticket.number,
            file=upload,
            filename=upload.name or "",
            content_type=upload.content_type,
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: AttachmentSerializer(many=True), 404: ErrorSerializer})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def attachments(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        return Response(
            AttachmentSerializer(ticket.attachments.select_related("uploaded_by"), many=True).data
        )

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 404: ErrorSerializer})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>\d+)",
        filterset_class=None,
    )
    def download(self, request: Request, number: str, attachment_id: str) -> FileResponse:
        ticket = self.get_object()
        attachment = ticket.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise NotFound(_("No such attachment."))
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.filename,
            content_type=attachment.content_type,
        )


def _transition_view(name: str) -> Callable[..., Response]:
    serializer_class = ACTION_SERIALIZERS[name]
    function = actions.VERB_FUNCTIONS[name]

    def view(self: TicketViewSet, request: Request, number: str) -> Response:
        ticket = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        params: dict[str, Any] = serializer.validated_params()
        ticket = function(request.user, ticket.number, **params)
        return self._render(ticket)

    view.__name__ = f"act_{name}"
    view.__doc__ = (function.__doc__ or name).strip().splitlines()[0]
    decorated = action(
        detail=True, methods=["post"], url_path=name, url_name=name, filterset_class=None
    )(view)
    return extend_schema(
        request=serializer_class,
        responses={200: TicketDetailSerializer, **ERRORS},
        operation_id=f"tickets_{name}",
    )(decorated)


for _name in ACTION_SERIALIZERS:
    setattr(TicketViewSet, f"act_{_name}", _transition_view(_name))
