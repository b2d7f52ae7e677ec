"""API permission classes (kept apart from core.api, which DRF's settings import)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from carrierdesk.accounts.roles import is_staff_member


class IsStaffMember(BasePermission):
    """The staff API: only users holding a staff role (SPEC §0) get in; others get 403."""

    message = _("This API is for the carrier's staff.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_staff_member(request.user)
