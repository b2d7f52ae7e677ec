"""Calendar endpoints: read the calendars (R-CAL-1) and compute deadlines on them (R-CAL-3).

Calendars are changed through `carrierdesk calendar` (the actions), not through the API.
"""

from django.db.models import Max, Min, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from carrierdesk.calendars import services
from carrierdesk.calendars.api.serializers import (
    CalendarDetailSerializer,
    CalendarSerializer,
    DeadlineQuerySerializer,
    DeadlineSerializer,
)
from carrierdesk.calendars.arithmetic import FIRST_DAY, LAST_DAY
from carrierdesk.calendars.models import Calendar
from carrierdesk.core.api import ErrorSerializer, parse
from carrierdesk.core.errors import InvalidInput, NotFound

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(responses={200: CalendarSerializer(many=True), 403: ErrorSerializer})
)
class CalendarViewSet(viewsets.ReadOnlyModelViewSet):
    """Business calendars: weekly hours, holidays and adjusted working days (调休)."""

    lookup_field = "code"
    pagination_class = None
    filterset_class = None
    ordering = ["code"]

    def get_queryset(self) -> QuerySet[Calendar]:
        return Calendar.objects.annotate(
            covered_from=Min("years__year"), covered_to=Max("years__year")
        ).order_by("code")

    def get_serializer_class(self) -> type[CalendarSerializer | CalendarDetailSerializer]:
        return CalendarDetailSerializer if self.action == "retrieve" else CalendarSerializer

    def _calendar(self, code: str) -> Calendar:
        calendar = Calendar.objects.filter(code=code).first()
        if calendar is None:
            raise NotFound(_("No such calendar."))
        return calendar

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "year", OpenApiTypes.INT, description="include this year's exception days"
            )
        ],
        responses={200: CalendarDetailSerializer, **ERRORS},
    )
    def retrieve(self, request: Request, code: str) -> Response:
        year = request.query_params.get("year")
        if year is not None and (
            not year.isdigit() or not FIRST_DAY.year <= int(year) <= LAST_DAY.year
        ):
            raise InvalidInput.field(
                "year",
                _("Give a year from %(first)d to %(last)d.")
                % {"first": FIRST_DAY.year, "last": LAST_DAY.year},
            )
        context = {"year": int(year) if year is not None else None}
        return Response(CalendarDetailSerializer(self._calendar(code), context=context).data)

    @extend_schema(
        parameters=[DeadlineQuerySerializer], responses={200: DeadlineSerializer, **ERRORS}
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def deadline(self, request: Request, code: str) -> Response:
        """When a limit from `start` is due: exactly one of `working_days` (the day of receipt
        does not count; ends at close of business), `working_hours` or `hours` (elapsed)."""
        query = parse(DeadlineQuerySerializer, request.query_params)
        start = query.pop("start")
        limit = {
            name: int(value) if name == "working_days" else float(value)
            for name, value in query.items()
            if value is not None
        }
        deadline = services.compute_deadline(code, start, **query)
        return Response(
            {
                "calendar": code,
                "start": start.isoformat(),
                "deadline": deadline.at.isoformat(),
                "calendar_uncovered": deadline.calendar_uncovered,
                "limit": limit,
            }
        )
