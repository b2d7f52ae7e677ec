from django.contrib import admin

from carrierdesk.core.admin_base import ReadOnlyAdmin
from carrierdesk.visits.models import ReturnVisit, VisitRule


@admin.register(VisitRule)
class VisitRuleAdmin(ReadOnlyAdmin):
    list_display = ["kind", "share_percent", "channel", "delay_hours", "within_hours"]


@admin.register(ReturnVisit)
class ReturnVisitAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "status", "channel", "due_at", "attempts", "satisfaction", "nps"]
    list_filter = ["status", "channel"]
    list_select_related = ["ticket"]
