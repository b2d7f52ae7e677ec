"""Anonymise-and-keep (R-SEC-5): a customer's personal data go, their records stay.

After anonymisation the customer, their subscriptions and their tickets still exist with the
same numbers, kinds, times, statuses, clocks and every KPI field, so reports over past years
count the same; what identified a person is replaced by a neutral word, an `ANON-<pk>`
placeholder or nothing. The personal fields are written through model instances and full
`save()` calls, never `queryset.update()`, so encrypted columns and their keyed-hash siblings
follow.
"""

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.roles import roles_of
from carrierdesk.audit.actions import record
from carrierdesk.core import clock
from carrierdesk.core.actors import Actor, acting_user
from carrierdesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.privacy import policy
from carrierdesk.privacy.choices import AnonymisationSource
from carrierdesk.privacy.models import (
    AnonymisedCustomer,
    DataSubjectRequest,
    LegalHold,
    RetentionRun,
)
from carrierdesk.privacy.queries import ENDED_SUBSCRIPTION_STATUSES
from carrierdesk.privacy.retention import ANONYMISED_NAME, placeholder, scrub, scrub_json
from carrierdesk.tickets.choices import TERMINAL_STATUSES
from carrierdesk.tickets.models import ResultFeedback, Ticket, TicketEvent
from carrierdesk.visits.models import ReturnVisit

MAX_REASON = 500

#: Free-text fields of a ticket that may quote a name or a number.
TICKET_TEXT_FIELDS = ("title", "description", "resolution")


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.field("reason", _("This field is required."))
    if len(reason) > MAX_REASON:
        raise InvalidInput.field(
            "reason", _("At most %(limit)d characters.") % {"limit": MAX_REASON}
        )
    return reason


def refusal(customer: Customer) -> Conflict | None:
    """Why `customer` cannot be anonymised now, or None (R-SEC-5): already anonymised, under a
    legal hold, an open ticket, or a live subscription (its service number is in use)."""
    if AnonymisedCustomer.objects.filter(customer=customer).exists():
        return Conflict(_("The customer is already anonymised."), code="already_anonymised")
    if LegalHold.objects.filter(customer=customer, released_at__isnull=True).exists():
        return Conflict(_("The customer is under a legal hold."), code="legal_hold")
    if Ticket.objects.filter(customer=customer).exclude(status__in=TERMINAL_STATUSES).exists():
        return Conflict(_("The customer has an open ticket."), code="open_ticket")
    live = Subscription.objects.filter(customer=customer).exclude(
        status__in=ENDED_SUBSCRIPTION_STATUSES
    )
    if live.exists():
        return Conflict(
            _("The customer holds a subscription that has not ended."), code="live_subscription"
        )
    return None


@transaction.atomic
def anonymise_customer(
    actor: Actor,
    customer: Customer,
    *,
    reason: str,
    source: str,
    run: RetentionRun | None = None,
    request: DataSubjectRequest | None = None,
) -> AnonymisedCustomer:
    """Anonymise `customer` and keep their records (R-SEC-5), in one transaction with the
    customer row locked; one audit entry. Refused with a coded error, having written nothing,
    for a role other than supervisor or admin (the system itself, actor None, may), a missing
    reason, or a customer `refusal` names."""
    if actor is not None and not policy.can_anonymise(roles_of(actor)):
        raise PermissionDenied(_("Your role may not anonymise customers."))
    reason = _clean_reason(reason)
    if source not in AnonymisationSource.values:
        raise InvalidInput.field("source", _("Unknown value."))
    try:
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
    except Customer.DoesNotExist:
        raise NotFound(_("No such customer.")) from None
    refused = refusal(customer)
    if refused is not None:
        raise refused
    now = clock.now()
    # Stored data, not a message: in the site's language whoever asks.
    with translation.override(settings.LANGUAGE_CODE):
        neutral = str(ANONYMISED_NAME)
    subscriptions = list(
        Subscription.objects.select_for_update().filter(customer=customer).order_by("pk")
    )
    tickets = list(Ticket.objects.select_for_update().filter(customer=customer).order_by("pk"))
    known = _known_values(customer, subscriptions, tickets)

    customer.name = neutral
    customer.mobile = ""
    customer.address = ""
    customer.id_number = placeholder(customer.pk)  # keeps (id_type, id_number) unique
    customer.updated_at = now
    customer.save()
    for subscription in subscriptions:
        # Times stay: a subscription's end (its last update) is what its retention counts from.
        subscription.service_number = placeholder(subscription.pk)
        subscription.installation_address = ""
        subscription.save()
    changed_tickets = sum(_anonymise_ticket(ticket, known) for ticket in tickets)
    changed_events = _anonymise_timelines([ticket.pk for ticket in tickets], known)
    changed_events += _anonymise_feedback([ticket.pk for ticket in tickets], known)
    changed_events += _anonymise_visits([ticket.pk for ticket in tickets], known)
    _scrub_own_rows(customer, known)

    counts = {
        "subscriptions": len(subscriptions),
        "tickets": changed_tickets,
        "events": changed_events,
    }
    mark = AnonymisedCustomer.objects.create(
        customer=customer,
        at=now,
        reason=scrub(reason, known),
        source=source,
        actor=acting_user(actor),
        run=run,
        request=request,
        counts=counts,
    )
    changes: dict[str, Any] = {"source": source, "reason": scrub(reason, known), **counts}
    if run is not None:
        changes["run"] = run.pk
    if request is not None:
        changes["request"] = request.number
    record(
        actor=actor,
        event_type="privacy.customer_anonymised",
        object_type="customer",
        object_id=customer.number,
        changes=changes,
    )
    return mark


def _known_values(
    customer: Customer, subscriptions: list[Subscription], tickets: list[Ticket]
) -> tuple[str, ...]:
    """The clear personal values to look for in free text."""
    values = [customer.name, customer.mobile, customer.id_number, customer.address]
    for subscription in subscriptions:
        values += [subscription.service_number, subscription.installation_address]
    for ticket in tickets:
        values += [ticket.contact_name, ticket.contact_phone]
    return tuple(str(value) for value in values if value)


def _anonymise_ticket(ticket: Ticket, known: tuple[str, ...]) -> bool:
    """Clear the contact and scrub the free text; numbers, times, statuses and every KPI field
    (including `updated_at` and `version`) stay. Whether the ticket changed."""
    changed = bool(ticket.contact_name or ticket.contact_phone)
    ticket.contact_name = ""
    ticket.contact_phone = ""
    for field in TICKET_TEXT_FIELDS:
        old = getattr(ticket, field)
        new = scrub(old, known)
        if new != old:
            setattr(ticket, field, new)
            changed = True
    if changed:
        ticket.save()
    return changed


def _anonymise_timelines(ticket_ids: list[int], known: tuple[str, ...]) -> int:
    """Scrub the notes (and the free text recorded in `changes`) of the tickets' timelines.

    The timeline is append-only by design (R-WF-6) and its model refuses updates; anonymisation
    is the one permitted rewrite, so it goes through a plain QuerySet, one UPDATE per event
    whose text holds personal data, touching the note and changes columns only: who, when,
    which action and which statuses stay as they were. `changes` is included because an
    update of a ticket's title or description records the old and new text there.
    """
    events = TicketEvent.objects.filter(ticket_id__in=ticket_ids).only("id", "note", "changes")
    rewritten = 0
    for event in events.order_by("id").iterator(chunk_size=500):
        note = scrub(event.note, known)
        changes = scrub_json(event.changes, known)
        if note == event.note and changes == event.changes:
            continue
        models.QuerySet(model=TicketEvent).filter(pk=event.pk).update(note=note, changes=changes)
        rewritten += 1
    return rewritten


def _anonymise_feedback(ticket_ids: list[int], known: tuple[str, ...]) -> int:
    """Scrub the cause and measures of the result feedback given on the tickets (R-CMP-2):
    append-only like the timeline, rewritten the same way (counted with the events)."""
    rows = ResultFeedback.objects.filter(ticket_id__in=ticket_ids).only("id", "cause", "measures")
    rewritten = 0
    for row in rows.order_by("id").iterator(chunk_size=500):
        cause, measures = scrub(row.cause, known), scrub(row.measures, known)
        if (cause, measures) == (row.cause, row.measures):
            continue
        models.QuerySet(model=ResultFeedback).filter(pk=row.pk).update(
            cause=cause, measures=measures
        )
        rewritten += 1
    return rewritten


def _anonymise_visits(ticket_ids: list[int], known: tuple[str, ...]) -> int:
    """Scrub the comments of the tickets' return visits (R-RV-1), counted with the events."""
    rewritten = 0
    visits = ReturnVisit.objects.filter(ticket_id__in=ticket_ids).exclude(comment="")
    for visit in visits.only("id", "comment").order_by("id").iterator(chunk_size=500):
        comment = scrub(visit.comment, known)
        if comment != visit.comment:
            ReturnVisit.objects.filter(pk=visit.pk).update(comment=comment)
            rewritten += 1
    return rewritten


def _scrub_own_rows(customer: Customer, known: tuple[str, ...]) -> None:
    """The privacy app's own free text about the customer: request notes, hold reasons."""
    for subject_request in DataSubjectRequest.objects.select_for_update().filter(customer=customer):
        note = scrub(subject_request.verification_note, known)
        description = scrub(subject_request.description, known)
        if (note, description) != (subject_request.verification_note, subject_request.description):
            subject_request.verification_note = note
            subject_request.description = description
            subject_request.save(update_fields=["verification_note", "description"])
    for hold in LegalHold.objects.select_for_update().filter(customer=customer):
        reason, release_reason = scrub(hold.reason, known), scrub(hold.release_reason, known)
        if (reason, release_reason) != (hold.reason, hold.release_reason):
            hold.reason, hold.release_reason = reason, release_reason
            hold.save(update_fields=["reason", "release_reason"])
