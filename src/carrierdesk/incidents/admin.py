from django.contrib import admin

from carrierdesk.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from carrierdesk.incidents.models import (
    IncidentCustomer,
    IncidentEvent,
    IncidentTicket,
    SecurityIncident,
)


class EventInline(ReadOnlyInline):
    model = IncidentEvent
    fields = ["created_at", "actor", "action", "from_stage", "to_stage", "changes", "note"]


class CustomerInline(ReadOnlyInline):
    model = IncidentCustomer
    # The customer by number (its __str__), never by name (R-SEC-2).
    fields = ["customer", "linked_by", "linked_at"]


class TicketInline(ReadOnlyInline):
    model = IncidentTicket
    fields = ["ticket", "linked_by", "linked_at"]


@admin.register(SecurityIncident)
class SecurityIncidentAdmin(ReadOnlyAdmin):
    """Read-only: every change goes through `incidents.actions` (timeline and audit)."""

    list_display = [
        "number",
        "title",
        "level",
        "response_level",
        "stage",
        "discovered_at",
        "reported_at",
        "reporter",
        "handler",
        "personal_data_involved",
        "regulator_notified",
    ]
    list_filter = ["stage", "level", "response_level", "personal_data_involved"]
    search_fields = ["number", "title"]
    date_hierarchy = "reported_at"
    inlines = [CustomerInline, TicketInline, EventInline]
    list_select_related = ["reporter", "handler"]
