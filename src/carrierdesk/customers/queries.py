"""Restricted reads of customers and subscriptions (STYLE habit 4)."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.roles import is_staff_member
from carrierdesk.core.errors import NotFound
from carrierdesk.customers.models import Customer, Subscription

User = AbstractBaseUser | AnonymousUser


def customers_visible_to(user: User) -> QuerySet[Customer]:
    return Customer.objects.all() if is_staff_member(user) else Customer.objects.none()


def subscriptions_visible_to(user: User) -> QuerySet[Subscription]:
    return Subscription.objects.all() if is_staff_member(user) else Subscription.objects.none()


def access_customer(user: User, number: str) -> Customer:
    try:
        return customers_visible_to(user).get(number=number)
    except Customer.DoesNotExist:
        raise NotFound(_("No such customer.")) from None
