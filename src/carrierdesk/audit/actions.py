"""Writing the audit trail. Called by every action inside its transaction (STYLE habit 5)."""

from typing import Any

from carrierdesk.audit.models import AuditEntry
from carrierdesk.core import clock, context
from carrierdesk.core.actors import Actor, acting_user


def record(
    *,
    actor: Actor,
    event_type: str,
    object_type: str,
    object_id: str | int,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry. `changes` must already have personal data masked."""
    bound = context.current()
    return AuditEntry.objects.create(
        created_at=clock.now(),
        actor=acting_user(actor),
        request_id=bound.request_id,
        client_address=bound.client_address,
        channel=bound.channel,
        event_type=event_type,
        object_type=object_type,
        object_id=str(object_id),
        changes=changes or {},
    )
