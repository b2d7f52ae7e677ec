from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from carrierdesk.accounts import actions, otp
from carrierdesk.accounts.models import Department, Region, Skill, StaffProfile
from carrierdesk.core.admin_base import ReadOnlyAdmin


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]

    def save_model(self, request: HttpRequest, obj: Region, form: Any, change: bool) -> None:
        saved = actions.upsert_region(
            request.user,
            code=obj.code,
            name=obj.name,
            level=obj.level,
            parent_code=obj.parent.code if obj.parent else None,
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region", "head"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]

    def save_model(self, request: HttpRequest, obj: Department, form: Any, change: bool) -> None:
        saved = actions.upsert_department(
            request.user, code=obj.code, name=obj.name, kind=obj.kind, region=obj.region
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(StaffProfile)
class StaffProfileAdmin(ReadOnlyAdmin):
    list_display = ["employee_number", "display_name", "user", "role", "department", "region"]
    list_filter = ["role", "department"]
    search_fields = ["employee_number", "display_name", "user__username"]


# django-otp registers its device tables, showing the secret keys and writing around the audit
# trail: authenticators are managed with `carrierdesk otp` instead (R-SEC-3, R-SEC-4).
for device_model in otp.DEVICE_MODELS:
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)
