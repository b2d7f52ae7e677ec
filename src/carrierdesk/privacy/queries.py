"""Reads of retention and data-subject requests (STYLE habit 4, R-SEC-5).

`customers_past_retention(as_of)` is the retention job's eligibility: one statement, whatever
the number of customers and tickets, made of NOT EXISTS conditions that each use the
`(customer, …)` indexes of tickets and subscriptions. No per-customer query loop.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.roles import roles_of
from carrierdesk.core.errors import NotFound, PermissionDenied
from carrierdesk.core.masking import mask_name
from carrierdesk.customers.choices import SubscriptionStatus
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.customers.queries import customers_visible_to
from carrierdesk.privacy import policy
from carrierdesk.privacy.choices import OPEN_REQUEST_STATUSES, SUBSCRIPTIONS, RecordType
from carrierdesk.privacy.models import (
    AnonymisedCustomer,
    DataSubjectRequest,
    LegalHold,
    RetentionRule,
)
from carrierdesk.privacy.retention import (
    NO_RECORD_MONTHS,
    retention_cutoff,
    retention_end,
)
from carrierdesk.tickets.choices import TERMINAL_STATUSES, Kind
from carrierdesk.tickets.models import Ticket

User = AbstractBaseUser | AnonymousUser

#: Subscriptions in these statuses have ended; every other status is a live service.
ENDED_SUBSCRIPTION_STATUSES = frozenset({SubscriptionStatus.TERMINATED})


# --- retention --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """The retention rules in force, split by what they apply to."""

    #: (record type, ticket kinds, months) of each ticket rule.
    tickets: tuple[tuple[str, tuple[str, ...], int], ...]
    #: Ticket kinds no rule covers: their tickets are never past retention (kept, to be safe).
    uncovered: tuple[str, ...]
    #: Months after a subscription's end (None: no rule, ended subscriptions are kept).
    subscription_months: int | None

    @classmethod
    def load(cls) -> "Rules":
        tickets = []
        covered: set[str] = set()
        subscription_months = None
        for rule in RetentionRule.objects.order_by("record_type"):
            kinds = tuple(kind for kind in rule.applies_to if kind in Kind.values)
            if SUBSCRIPTIONS in rule.applies_to:
                subscription_months = rule.months
            if kinds:
                tickets.append((rule.record_type, kinds, rule.months))
                covered.update(kinds)
        uncovered = tuple(kind for kind in Kind.values if kind not in covered)
        return cls(tuple(tickets), uncovered, subscription_months)


def ticket_closing_time() -> Coalesce:
    """When a finished ticket's retention starts: closed, else resolved, else last updated."""
    return Coalesce("closed_at", "resolved_at", "updated_at")


def customers_past_retention(as_of: datetime, rules: Rules | None = None) -> QuerySet[Customer]:
    """Customers whose every record is past retention at `as_of` (R-SEC-5): no open ticket, no
    live subscription, no active legal hold, not anonymised yet, every finished ticket and ended
    subscription past its rule's months, and registered more than NO_RECORD_MONTHS ago (which
    is all that applies to a customer with no record at all)."""
    rules = rules or Rules.load()
    zone = timezone.get_default_timezone()
    tickets = Ticket.objects.filter(customer=OuterRef("pk"))
    subscriptions = Subscription.objects.filter(customer=OuterRef("pk"))
    blockers = [
        Exists(AnonymisedCustomer.objects.filter(customer=OuterRef("pk"))),
        Exists(LegalHold.objects.filter(customer=OuterRef("pk"), released_at__isnull=True)),
        Exists(tickets.exclude(status__in=TERMINAL_STATUSES)),
        Exists(subscriptions.exclude(status__in=ENDED_SUBSCRIPTION_STATUSES)),
    ]
    for _record_type, kinds, months in rules.tickets:
        cutoff = retention_cutoff(as_of, months, zone)
        recent = tickets.filter(kind__in=kinds).alias(closing=ticket_closing_time())
        blockers.append(Exists(recent.filter(closing__gte=cutoff)))
    if rules.uncovered:
        blockers.append(Exists(tickets.filter(kind__in=rules.uncovered)))
    if rules.subscription_months is None:
        blockers.append(Exists(subscriptions))
    else:
        cutoff = retention_cutoff(as_of, rules.subscription_months, zone)
        blockers.append(Exists(subscriptions.filter(updated_at__gte=cutoff)))
    registered_before = retention_cutoff(as_of, NO_RECORD_MONTHS, zone)
    return Customer.objects.filter(
        *(~blocker for blocker in blockers), created_at__lt=registered_before
    )


@dataclass(frozen=True)
class PastRetention:
    """One line of a dry run: no personal data but the masked name."""

    number: str
    masked_name: str
    retention_ended_at: datetime

    def as_dict(self) -> dict[str, str]:
        return {
            "customer": self.number,
            "name": self.masked_name,
            "retention_ended_at": self.retention_ended_at.isoformat(),
        }


def list_past_retention(
    as_of: datetime, rules: Rules | None = None, chunk_size: int = 2000
) -> Iterator[PastRetention]:
    """The customers of `customers_past_retention`, in customer order, each with the latest
    retention end of their records: one statement (a correlated latest closing time per rule),
    read in chunks."""
    rules = rules or Rules.load()
    zone = timezone.get_default_timezone()
    annotations = {}
    for index, (_record_type, kinds, _months) in enumerate(rules.tickets):
        latest = (
            Ticket.objects.filter(customer=OuterRef("pk"), kind__in=kinds)
            .annotate(closing=ticket_closing_time())
            .order_by("-closing")
            .values("closing")[:1]
        )
        annotations[f"latest_{index}"] = Subquery(latest)
    annotations["latest_subscription"] = Subquery(
        Subscription.objects.filter(customer=OuterRef("pk"))
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )
    customers = (
        customers_past_retention(as_of, rules)
        .annotate(**annotations)
        .order_by("pk")
        .only("pk", "number", "name", "created_at")
    )
    for customer in customers.iterator(chunk_size=chunk_size):
        ends = [retention_end(customer.created_at, NO_RECORD_MONTHS, zone)]
        for index, (_record_type, _kinds, months) in enumerate(rules.tickets):
            latest = getattr(customer, f"latest_{index}")
            if latest is not None:
                ends.append(retention_end(latest, months, zone))
        latest_subscription = customer.latest_subscription  # type: ignore[attr-defined]
        if latest_subscription is not None and rules.subscription_months is not None:
            ends.append(retention_end(latest_subscription, rules.subscription_months, zone))
        yield PastRetention(customer.number, mask_name(customer.name), max(ends))


def retention_rules() -> list[RetentionRule]:
    order = {record_type: index for index, record_type in enumerate(RecordType.values)}
    return sorted(RetentionRule.objects.all(), key=lambda rule: order.get(rule.record_type, 99))


# --- legal holds ------------------------------------------------------------------------------


def legal_holds_visible_to(user: User) -> QuerySet[LegalHold]:
    """Holds on the customers the user may read, for the roles that read holds (else 403)."""
    if not policy.can_read_legal_holds(roles_of(user)):
        raise PermissionDenied(_("Your role may not read legal holds."))
    return LegalHold.objects.filter(customer__in=customers_visible_to(user)).select_related(
        "customer", "placed_by", "released_by"
    )


def access_legal_hold(user: User, pk: int | str) -> LegalHold:
    try:
        return legal_holds_visible_to(user).get(pk=pk)
    except (LegalHold.DoesNotExist, ValueError):
        raise NotFound(_("No such legal hold.")) from None


def active_hold_exists(customer: Customer) -> bool:
    return LegalHold.objects.filter(customer=customer, released_at__isnull=True).exists()


# --- data-subject requests --------------------------------------------------------------------

REQUEST_RELATED = ("customer", "registered_by", "handled_by")


def requests_visible_to(user: User) -> QuerySet[DataSubjectRequest]:
    """Requests of the customers the user may read, for the roles that read requests."""
    if not policy.can_read_requests(roles_of(user)):
        raise PermissionDenied(_("Your role may not read data-subject requests."))
    return DataSubjectRequest.objects.filter(
        customer__in=customers_visible_to(user)
    ).select_related(*REQUEST_RELATED)


def access_request(user: User, number: str) -> DataSubjectRequest:
    try:
        return requests_visible_to(user).get(number=number)
    except DataSubjectRequest.DoesNotExist:
        raise NotFound(_("No such data-subject request.")) from None


def requests_needing_warning(now: datetime, limit: int) -> Sequence[int]:
    """Ids of open requests past their 80% time not yet warned about (the sweep)."""
    return list(
        DataSubjectRequest.objects.filter(
            status__in=OPEN_REQUEST_STATUSES, warning_at__lte=now, warned_at__isnull=True
        )
        .order_by("warning_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def requests_needing_breach_warning(now: datetime, limit: int) -> Sequence[int]:
    return list(
        DataSubjectRequest.objects.filter(
            status__in=OPEN_REQUEST_STATUSES, due_at__lte=now, breach_warned_at__isnull=True
        )
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )
