"""Calendars in the admin: read-only. Changes go through the actions (the `calendar` command),
which bump the revision and write the audit entry."""

from django.contrib import admin

from carrierdesk.calendars.models import Calendar, CalendarDay, CalendarYear, WorkingPeriod
from carrierdesk.core.admin_base import ReadOnlyAdmin, ReadOnlyInline


class WorkingPeriodInline(ReadOnlyInline):
    model = WorkingPeriod
    fields = ["weekday", "start_minute", "end_minute"]


class CalendarYearInline(ReadOnlyInline):
    model = CalendarYear
    fields = ["year", "source", "loaded_at"]


@admin.register(Calendar)
class CalendarAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "time_zone", "observes_holidays", "revision"]
    search_fields = ["code", "name"]
    inlines = [WorkingPeriodInline, CalendarYearInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    list_display = ["calendar", "date", "is_working", "name"]
    list_filter = ["calendar", "is_working"]
    date_hierarchy = "date"
    list_select_related = ["calendar"]
