"""The personal-data access log, for auditors and admins (R-SEC-2, R-SEC-3)."""

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from carrierdesk.accounts.roles import roles_of
from carrierdesk.core.permissions import IsStaffMember
from carrierdesk.privacy import policy
from carrierdesk.privacy.api.serializers import AccessLogSerializer
from carrierdesk.privacy.models import PersonalDataAccess

EXPORT_COLUMNS = AccessLogSerializer.Meta.fields


class CanReadAccessLog(BasePermission):
    message = _("Only auditors and admins read the personal data access log.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return policy.can_read_access_log(roles_of(request.user))


class AccessLogFilter(filters.FilterSet):
    user = filters.CharFilter(field_name="user__username")
    customer = filters.CharFilter(field_name="object_id")
    after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = PersonalDataAccess
        fields = ["user", "customer", "after", "before"]


class _Echo:
    def write(self, value: str) -> str:
        return value


class AccessLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who saw which customer's personal data in clear, when and why."""

    serializer_class = AccessLogSerializer
    permission_classes = [IsStaffMember, CanReadAccessLog]
    filterset_class = AccessLogFilter
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[PersonalDataAccess]:
        return PersonalDataAccess.objects.select_related("user").order_by("-created_at", "-id")

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request: Request) -> StreamingHttpResponse:
        """The filtered log as CSV (UTF-8 with BOM, so spreadsheet programs read Chinese)."""
        rows = self.filter_queryset(self.get_queryset())

        def lines() -> Iterator[str]:
            writer = csv.writer(_Echo())
            yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
            for row in rows.iterator(chunk_size=2000):
                data = AccessLogSerializer(row).data
                yield writer.writerow(
                    [
                        ",".join(value) if isinstance(value, list) else value
                        for value in (data[c] for c in EXPORT_COLUMNS)
                    ]
                )

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="personal-data-access.csv"'
        return response
