from django.contrib import admin

from carrierdesk.core.admin_base import ReadOnlyAdmin
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
    search_fields = ["number"]
    exclude = ["name", "mobile", "id_number", "address"]
    readonly_fields = ["masked_name", "masked_mobile", "masked_id_number"]

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
    search_fields = ["service_number", "customer__number"]
    exclude = ["installation_address"]
