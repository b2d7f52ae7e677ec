"""Registration at intake with the files the customer handed in (R-INT-3, R-INT-6).

One action, one transaction: the ticket, its acknowledgement (R-INT-4) and every attachment
are written together or not at all, so a refused file leaves no ticket behind.
"""

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from carrierdesk.core.actors import Actor
from carrierdesk.core.errors import InvalidInput
from carrierdesk.tickets.actions import attach, register_ticket
from carrierdesk.tickets.models import Ticket

#: Files one registration takes at most.
MAX_ATTACHMENTS = 10


@transaction.atomic
def register_with_attachments(
    actor: Actor, *, attachments: Sequence[UploadedFile] = (), **fields: Any
) -> Ticket:
    """`register_ticket(actor, **fields)`, then `attach` each file, all in one transaction.

    A refused file raises InvalidInput on the field `attachments`, naming the file, and
    nothing is written: no ticket, no acknowledgement, no attachment.
    """
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidInput.field(
            "attachments",
            _("Attach at most %(limit)d files at registration.") % {"limit": MAX_ATTACHMENTS},
        )
    ticket = register_ticket(actor, **fields)
    for upload in attachments:
        name = upload.name or ""
        try:
            attach(
                actor,
                ticket.number,
                file=upload,
                filename=name,
                content_type=upload.content_type or "",
            )
        except InvalidInput as exc:
            messages = [message for found in exc.fields.values() for message in found]
            raise InvalidInput(
                fields={
                    "attachments": [
                        _("%(file)s: %(message)s") % {"file": name, "message": message}
                        for message in messages or [str(exc.message)]
                    ]
                }
            ) from None
    return ticket
