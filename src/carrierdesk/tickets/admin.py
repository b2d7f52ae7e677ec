from django.contrib import admin

from carrierdesk.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from carrierdesk.tickets.models import Attachment, Ticket, TicketEvent


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "actor", "action", "from_status", "to_status", "changes", "note"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["filename", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "kind",
        "status",
        "urgency",
        "channel",
        "category",
        "received_at",
        "assignee",
        "department",
    ]
    list_filter = ["kind", "status", "channel", "category", "urgency"]
    search_fields = ["number", "external_reference"]
    date_hierarchy = "received_at"
    exclude = ["contact_name", "contact_phone"]
    inlines = [EventInline, AttachmentInline]
    list_select_related = ["assignee", "department"]
