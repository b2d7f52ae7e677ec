"""Reference data for clients: regions and departments (read-only)."""

from rest_framework import serializers, viewsets

from carrierdesk.accounts.models import Department, Region
from carrierdesk.core.api import natural_key


class RegionSerializer(serializers.ModelSerializer):
    parent = natural_key("code")  # type: ignore[assignment]  # a field, not Field.parent

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class DepartmentSerializer(serializers.ModelSerializer):
    region = natural_key("code")

    class Meta:
        model = Department
        fields = ["code", "name", "kind", "region"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer
    lookup_field = "code"
    filterset_fields = ["level"]
    pagination_class = None


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.select_related("region")
    serializer_class = DepartmentSerializer
    lookup_field = "code"
    filterset_fields = ["kind"]
    pagination_class = None
