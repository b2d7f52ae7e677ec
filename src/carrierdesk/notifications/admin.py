from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from carrierdesk.core.admin_base import ReadOnlyAdmin
from carrierdesk.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "template",
        "channel",
        "recipient",
        "customer",
        "shown_address",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "object_type",
        "object_id",
    ]
    list_filter = ["state", "channel", "template"]
    search_fields = ["object_id"]
    date_hierarchy = "created_at"
    # The address as stored is personal data (a mobile number, an email address): shown masked.
    exclude = ["address"]
    readonly_fields = ["shown_address"]
    list_select_related = ["recipient", "customer"]

    @admin.display(description=_("address"))
    def shown_address(self, notification: Notification) -> str:
        return notification.masked_address
