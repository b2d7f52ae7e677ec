from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from carrierdesk.core.admin_base import ReadOnlyAdmin
from carrierdesk.core.fields import lookup_hash
from carrierdesk.core.masking import mask_id_number, mask_name, mask_phone
from carrierdesk.customers.models import Customer, Subscription


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "customer_type",
        "masked_name",
        "masked_mobile",
        "id_type",
        "masked_id_number",
        "region",
    ]
    list_filter = ["customer_type", "id_type"]
    # Also by exact mobile or ID number, through their keyed hashes (encrypted, R-SEC-2).
    search_fields = ["number"]
    exclude = ["name", "mobile", "id_number", "address"]
    readonly_fields = ["masked_name", "masked_mobile", "masked_id_number"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Customer], search_term: str
    ) -> tuple[QuerySet[Customer], bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        digest = lookup_hash(search_term.strip())
        if digest:
            found |= queryset.filter(mobile_hash=digest) | queryset.filter(id_number_hash=digest)
        return found, duplicates

    @admin.display(description="name")
    def masked_name(self, obj: Customer) -> str:
        return mask_name(obj.name)

    @admin.display(description="mobile")
    def masked_mobile(self, obj: Customer) -> str:
        return mask_phone(obj.mobile)

    @admin.display(description="ID number")
    def masked_id_number(self, obj: Customer) -> str:
        return mask_id_number(obj.id_number)


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["service_number", "customer", "product", "status", "sla_tier", "region"]
    list_filter = ["product", "status", "sla_tier"]
    # By exact service number through its keyed hash (encrypted, R-SEC-2).
    search_fields = ["customer__number"]
    exclude = ["installation_address"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Subscription], search_term: str
    ) -> tuple[QuerySet[Subscription], Any]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        digest = lookup_hash(search_term.strip())
        if digest:
            found |= queryset.filter(service_number_hash=digest)
        return found, duplicates
