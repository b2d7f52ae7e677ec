"""Finding the caller at intake (R-INT-5), and what the agent sees about them: subscriptions,
open and recent tickets, possible duplicates and repeat complaints.

Every read goes through the restricting querysets (R-SEC-1). The numbers typed are encrypted
in the database, so they are matched by their keyed hashes: exact, indexed (R-SEC-2). Each
list is bounded, so a customer with a long history costs the same few queries.
"""

import contextlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from carrierdesk.core import clock, identity
from carrierdesk.core.errors import NotFound
from carrierdesk.core.fields import lookup_hash
from carrierdesk.core.masking import (
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text,
)
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.customers.queries import customers_visible_to, subscriptions_visible_to
from carrierdesk.sla.queries import COUNTDOWN_FIELDS, active_clocks, nearest
from carrierdesk.tickets.choices import REPEAT_DAYS, UNRESOLVED_STATUSES, Kind
from carrierdesk.tickets.models import Ticket
from carrierdesk.tickets.queries import tickets_visible_to

User = AbstractBaseUser | AnonymousUser

#: Longest lookup text taken (the longest number we match has 32 characters).
MAX_QUERY = 64
#: Customers listed when a number matches several (a shared family phone).
MAX_MATCHES = 20
MAX_SUBSCRIPTIONS = 50
OPEN_SHOWN = 10
RECENT_SHOWN = 10
#: "Recent" tickets: received in the last 90 days (issue 5 §2).
RECENT_DAYS = 90
#: A complaint within 30 days of an earlier one is a repeat complaint (重复投诉).
REPEATS_SHOWN = 5

#: What the lists show of a ticket.
TICKET_FIELDS = ("id", "number", "kind", "status", "title", "urgency", "received_at")
OWNER_FIELDS = ("first_owner__username", "first_owner__staff_profile__display_name")

_CUSTOMER_NUMBER = re.compile(r"^C\d{10}$")


def _service_number_forms(text: str) -> set[str]:
    """The forms a service number may be stored in: as typed, without spaces or dashes, and
    normalised as a mobile or fixed-line number."""
    compact = re.sub(r"[\s-]", "", text)
    forms = {text, compact}
    for normalise in (identity.normalise_mobile, identity.normalise_phone):
        with contextlib.suppress(ValidationError):
            forms.add(normalise(text))
    return {form for form in forms if form}


def find_customers(user: User, text: str) -> list[Customer]:
    """The customers in `user`'s scope whose customer number, mobile number, ID number or one
    of whose service numbers is `text`: one query, by hash (none for empty text)."""
    text = text.strip()[:MAX_QUERY]
    if not text:
        return []
    compact = re.sub(r"\s", "", text).upper()
    condition = Q(id_number_hash=lookup_hash(compact))
    if _CUSTOMER_NUMBER.match(compact):
        condition |= Q(number=compact)
    with contextlib.suppress(ValidationError):
        condition |= Q(mobile_hash=lookup_hash(identity.normalise_mobile(text)))
    hashes = [lookup_hash(form) for form in sorted(_service_number_forms(text))]
    services = subscriptions_visible_to(user).filter(service_number_hash__in=hashes)
    condition |= Q(pk__in=services.values("customer_id"))
    return list(
        customers_visible_to(user)
        .filter(condition)
        .select_related("region")
        .order_by("number")[:MAX_MATCHES]
    )


def access_caller(user: User, number: str) -> Customer:
    """`access_customer` with the region the panel shows; NotFound out of scope (R-SEC-1)."""
    try:
        return customers_visible_to(user).select_related("region").get(number=number)
    except Customer.DoesNotExist:
        raise NotFound(_("No such customer.")) from None


def matched_subscription(subscriptions: list[Subscription], text: str) -> Subscription | None:
    """The subscription whose service number the caller gave, else the only one there is."""
    forms = _service_number_forms(text.strip()[:MAX_QUERY]) if text.strip() else set()
    for subscription in subscriptions:
        if subscription.service_number in forms:
            return subscription
    return subscriptions[0] if len(subscriptions) == 1 else None


@dataclass(frozen=True)
class MaskedCustomer:
    """A customer as intake shows them: personal data masked as the API masks them (R-SEC-2)."""

    number: str
    customer_type: str
    name: str
    mobile: str
    id_type: str
    id_number: str
    address: str
    region: str

    @classmethod
    def of(cls, customer: Customer) -> "MaskedCustomer":
        return cls(
            number=customer.number,
            customer_type=customer.get_customer_type_display(),
            name=mask_name(customer.name),
            mobile=mask_phone(customer.mobile),
            id_type=customer.get_id_type_display(),
            id_number=mask_id_number(customer.id_number),
            address=mask_address(customer.address),
            region=customer.region.name if customer.region else "",
        )


@dataclass
class History:
    """What intake shows about a customer."""

    subscriptions: list[Subscription]
    open_tickets: list[Ticket]
    recent_tickets: list[Ticket]
    #: Numbers of the complaints received in the last REPEAT_DAYS days, newest first.
    repeat_complaints: list[str] = field(default_factory=list)
    recent_days: int = RECENT_DAYS

    def duplicates(self, kind: str) -> list[Ticket]:
        """Open tickets of `kind`: the new one may repeat one of them."""
        return [ticket for ticket in self.open_tickets if ticket.kind == kind]


def subscriptions_of(user: User, customer: Customer) -> list[Subscription]:
    return list(
        subscriptions_visible_to(user).filter(customer=customer).order_by("id")[:MAX_SUBSCRIPTIONS]
    )


def history_of(
    user: User,
    customer: Customer,
    subscriptions: list[Subscription] | None = None,
    now: datetime | None = None,
) -> History:
    """Subscriptions, open tickets (with their counting clocks as `counting_clocks` and the
    nearest as `nearest_clock`), recent finished tickets and repeat complaints; five queries."""
    now = now or clock.now()
    tickets = tickets_visible_to(user).filter(customer=customer).only(*TICKET_FIELDS)
    open_tickets: list[Ticket] = list(
        tickets.filter(status__in=UNRESOLVED_STATUSES)
        # R-WF-5: a follow-up call goes to the ticket's first owner, named in the list.
        .select_related("first_owner__staff_profile")
        .only(*TICKET_FIELDS, *OWNER_FIELDS)
        .prefetch_related(
            Prefetch(
                "clocks",
                queryset=active_clocks().only(*COUNTDOWN_FIELDS),
                to_attr="counting_clocks",
            )
        )
        .order_by("-received_at", "-id")[:OPEN_SHOWN]
    )
    for ticket in open_tickets:
        ticket.nearest_clock = nearest(ticket.counting_clocks)  # type: ignore[attr-defined]
    recent = list(
        tickets.exclude(status__in=UNRESOLVED_STATUSES)
        .filter(received_at__gte=now - timedelta(days=RECENT_DAYS))
        .order_by("-received_at", "-id")[:RECENT_SHOWN]
    )
    for listed in (*open_tickets, *recent):
        # Free text may carry a phone or ID number the caller dictated (R-SEC-2).
        listed.shown_title = mask_text(listed.title)  # type: ignore[attr-defined]
    repeats = list(
        tickets.filter(kind=Kind.COMPLAINT, received_at__gte=now - timedelta(days=REPEAT_DAYS))
        .order_by("-received_at", "-id")
        .values_list("number", flat=True)[:REPEATS_SHOWN]
    )
    if subscriptions is None:
        subscriptions = subscriptions_of(user, customer)
    return History(
        subscriptions=subscriptions,
        open_tickets=open_tickets,
        recent_tickets=recent,
        repeat_complaints=repeats,
    )


def open_tickets_of_kind(user: User, customer: Customer, kind: str) -> list[Ticket]:
    """The customer's open tickets of `kind` (possible duplicates); one query."""
    return list(
        tickets_visible_to(user)
        .filter(customer=customer, kind=kind, status__in=UNRESOLVED_STATUSES)
        .only(*TICKET_FIELDS)
        .order_by("-received_at", "-id")[:OPEN_SHOWN]
    )
