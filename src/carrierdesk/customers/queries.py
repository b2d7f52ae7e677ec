"""Restricted reads of customers and subscriptions (STYLE habit 4, R-SEC-1).

A customer is in a user's scope when their region is, or when one of their tickets is (a
technician sees the customer of the fault they repair). A subscription follows the same rule
through its own region or its customer's. Missing and forbidden answer the same NotFound.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.scope import Scope, scope_of
from carrierdesk.core.errors import NotFound
from carrierdesk.customers.models import Customer, Subscription

User = AbstractBaseUser | AnonymousUser


def _customer_condition(scope: Scope, prefix: str = "") -> Q:
    from carrierdesk.tickets.models import Ticket  # tickets depend on customers, not back

    condition = scope.region_condition(f"{prefix}region") or Q(pk__in=[])
    tickets = scope.ticket_condition()
    if tickets is not None:
        owner = OuterRef("customer_id" if prefix else "pk")
        condition |= Q(Exists(Ticket.objects.filter(tickets, customer=owner)))
    return condition


def customers_visible_to(user: User) -> QuerySet[Customer]:
    scope = scope_of(user)
    if scope.is_empty:
        return Customer.objects.none()
    if scope.everything:
        return Customer.objects.all()
    return Customer.objects.filter(_customer_condition(scope))


def subscriptions_visible_to(user: User) -> QuerySet[Subscription]:
    scope = scope_of(user)
    if scope.is_empty:
        return Subscription.objects.none()
    if scope.everything:
        return Subscription.objects.all()
    own_region = scope.region_condition("region") or Q(pk__in=[])
    return Subscription.objects.filter(own_region | _customer_condition(scope, "customer__"))


def access_customer(user: User, number: str) -> Customer:
    try:
        return customers_visible_to(user).get(number=number)
    except Customer.DoesNotExist:
        raise NotFound(_("No such customer.")) from None
