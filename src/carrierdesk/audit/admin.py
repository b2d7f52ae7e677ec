from django.contrib import admin

from carrierdesk.audit.models import AuditEntry
from carrierdesk.core.admin_base import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "event_type",
        "object_type",
        "object_id",
        "actor",
        "channel",
        "request_id",
    ]
    list_filter = ["event_type", "object_type", "channel"]
    search_fields = ["object_id", "request_id"]
    date_hierarchy = "created_at"
