"""Calendar representations and the deadline query's parameters."""

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from carrierdesk.calendars.choices import DayType, Weekday
from carrierdesk.calendars.formats import format_minute
from carrierdesk.calendars.models import Calendar, CalendarDay


class CalendarSerializer(serializers.ModelSerializer):
    """A calendar in the list: the first and last covered years (null for 24x7 and the like)."""

    covered_from = serializers.IntegerField(read_only=True, allow_null=True)
    covered_to = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Calendar
        fields = [
            "code",
            "name",
            "time_zone",
            "observes_holidays",
            "revision",
            "covered_from",
            "covered_to",
        ]


class CalendarPeriodSerializer(serializers.Serializer):
    start = serializers.CharField(help_text="HH:MM, local time")
    end = serializers.CharField(help_text="HH:MM, local time; 24:00 is midnight")


class CalendarWeekdayHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday … 6 = Sunday")
    periods = CalendarPeriodSerializer(many=True)


class CalendarDaySerializer(serializers.ModelSerializer):
    type = serializers.SerializerMethodField()

    class Meta:
        model = CalendarDay
        fields = ["date", "type", "name"]

    # A plain string in the schema: an enum component named after the field ("TypeEnum") would
    # clash with other apps' `type` fields.
    @extend_schema_field(
        {"type": "string", "description": "off (public holiday) or work (adjusted working day)"}
    )
    def get_type(self, day: CalendarDay) -> str:
        return DayType.WORK.value if day.is_working else DayType.OFF.value


class CalendarDetailSerializer(serializers.ModelSerializer):
    """A calendar with its weekly hours and covered years; with `?year=` that year's days."""

    working_hours = serializers.SerializerMethodField()
    covered_years = serializers.SerializerMethodField()
    days = serializers.SerializerMethodField()

    class Meta:
        model = Calendar
        fields = [
            "code",
            "name",
            "description",
            "time_zone",
            "observes_holidays",
            "revision",
            "working_hours",
            "covered_years",
            "days",
        ]

    @extend_schema_field(CalendarWeekdayHoursSerializer(many=True))
    def get_working_hours(self, calendar: Calendar) -> list[dict[str, Any]]:
        by_weekday: dict[int, list[dict[str, str]]] = {day: [] for day in Weekday.values}
        for period in calendar.periods.order_by("weekday", "start_minute"):
            by_weekday[period.weekday].append(
                {
                    "start": format_minute(period.start_minute),
                    "end": format_minute(period.end_minute),
                }
            )
        return [{"weekday": day, "periods": periods} for day, periods in by_weekday.items()]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_covered_years(self, calendar: Calendar) -> list[int]:
        return list(calendar.years.order_by("year").values_list("year", flat=True))

    @extend_schema_field(CalendarDaySerializer(many=True, allow_null=True))
    def get_days(self, calendar: Calendar) -> list[dict[str, Any]] | None:
        year = self.context.get("year")
        if year is None:
            return None
        days = calendar.days.filter(date__year=year).order_by("date")
        return list(CalendarDaySerializer(days, many=True).data)


class DeadlineQuerySerializer(serializers.Serializer):
    """GET parameters of the deadline: a start and exactly one limit."""

    start = serializers.CharField(help_text="ISO 8601 date and time with its offset")
    working_days = serializers.IntegerField(required=False, min_value=1, max_value=100_000)
    working_hours = serializers.DecimalField(
        required=False, min_value=0, max_digits=13, decimal_places=6
    )
    hours = serializers.DecimalField(required=False, min_value=0, max_digits=13, decimal_places=6)

    def validate_start(self, value: str) -> datetime:
        try:
            start = parse_datetime(value.strip())
        except ValueError:
            start = None
        if start is None:
            raise serializers.ValidationError(
                _("Give an ISO 8601 date and time, e.g. 2026-11-23T09:30:00+08:00.")
            )
        if start.tzinfo is None:
            raise serializers.ValidationError(_("Give the time with its time zone."))
        return start


class DeadlineSerializer(serializers.Serializer):
    """A computed deadline (R-CAL-3); `calendar_uncovered` is R-CAL-2's flag."""

    calendar = serializers.CharField()
    start = serializers.DateTimeField()
    deadline = serializers.DateTimeField(help_text="in the calendar's time zone")
    calendar_uncovered = serializers.BooleanField(
        help_text="counted through a year whose holidays are not loaded: weekdays alone"
    )
    limit = inline_serializer(
        name="DeadlineLimit",
        fields={
            "working_days": serializers.IntegerField(required=False),
            "working_hours": serializers.FloatField(required=False),
            "hours": serializers.FloatField(required=False),
        },
    )
