"""Reads of notifications for screens. The caller has already checked that the user may see
the object the messages are about (a ticket through `access_ticket`)."""

from django.db.models import QuerySet

from carrierdesk.notifications.models import Notification


def customer_messages_about(object_type: str, object_id: str) -> QuerySet[Notification]:
    """Messages to customers about one object, oldest first, each with its customer (their
    number, masked, is where it goes: `masked_address`)."""
    return (
        Notification.objects.filter(
            object_type=object_type, object_id=object_id, customer__isnull=False
        )
        .select_related("customer")
        .order_by("created_at", "id")
    )
