"""Data-subject requests 个人信息主体请求 (R-SEC-5): register, handle, download the export.

Agents, supervisors and admins register; supervisors and admins handle and download exports;
auditors read the requests (never an export's contents); every other role gets 403.
"""

import json
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from carrierdesk.accounts.roles import roles_of
from carrierdesk.core.api import ErrorSerializer, MaskedField, natural_key, parse
from carrierdesk.core.errors import InvalidInput
from carrierdesk.core.masking import mask_text
from carrierdesk.core.permissions import IsStaffMember
from carrierdesk.customers.models import Customer
from carrierdesk.customers.queries import customers_visible_to
from carrierdesk.privacy import export, policy, request_actions
from carrierdesk.privacy.choices import RequestKind, RequestStatus
from carrierdesk.privacy.models import DataSubjectRequest
from carrierdesk.privacy.queries import access_request, requests_visible_to
from carrierdesk.tickets.choices import Channel

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class DataSubjectRequestSerializer(serializers.ModelSerializer):
    customer = natural_key("number")
    registered_by = natural_key("username")
    handled_by = natural_key("username")
    # Free text may quote a number: shown masked, like every personal value (R-SEC-2).
    verification_note = MaskedField(mask_text)
    description = MaskedField(mask_text)

    class Meta:
        model = DataSubjectRequest
        fields = [
            "number",
            "kind",
            "customer",
            "channel",
            "received_at",
            "registered_at",
            "registered_by",
            "verification_note",
            "description",
            "status",
            "due_at",
            "handled_by",
            "started_at",
            "completed_at",
            "refusal_reason",
            "result",
        ]


class RegisterRequestSerializer(serializers.Serializer):
    customer = serializers.CharField(max_length=20, help_text="Customer number.")
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    verification_note = serializers.CharField(
        max_length=request_actions.MAX_NOTE,
        help_text="How the requester's identity was verified (required).",
    )
    description = serializers.CharField(
        max_length=request_actions.MAX_DESCRIPTION, required=False, allow_blank=True
    )
    received_at = serializers.DateTimeField(
        required=False, help_text="When the request reached us (default: now)."
    )


class CompleteRequestSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=request_actions.MAX_NOTE, required=False, allow_blank=True
    )
    corrections = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Correction requests only: the corrected values of some of "
        + ", ".join(request_actions.CORRECTABLE_FIELDS)
        + ".",
    )


class RefuseRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=request_actions.MAX_NOTE)


#: The roles each view action needs; reads are the default.
ACTION_ROLES = {
    "create": policy.can_register_request,
    "start": policy.can_handle_request,
    "complete": policy.can_handle_request,
    "refuse": policy.can_handle_request,
    "export_json": policy.can_handle_request,
    "export_pdf": policy.can_handle_request,
}


class CanUseRequests(BasePermission):
    message = _("Your role may not do this with data-subject requests.")

    def has_permission(self, request: Request, view: Any) -> bool:
        allowed = ACTION_ROLES.get(getattr(view, "action", "") or "", policy.can_read_requests)
        return allowed(roles_of(request.user))


class PdfRenderer(BaseRenderer):
    """Lets a client ask for application/pdf; an error is still JSON, and says so."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False).encode()


class RequestFilter(filters.FilterSet):
    customer = filters.CharFilter(field_name="customer__number")
    kind = filters.ChoiceFilter(choices=RequestKind.choices)
    status = filters.MultipleChoiceFilter(choices=RequestStatus.choices)
    due_before = filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = DataSubjectRequest
        fields = ["customer", "kind", "status", "due_before"]


class DataSubjectRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Data-subject requests: access and copy, correction, deletion (anonymise-and-keep)."""

    serializer_class = DataSubjectRequestSerializer
    queryset = DataSubjectRequest.objects.none()  # the real one is per user: get_queryset
    permission_classes = [IsStaffMember, CanUseRequests]
    lookup_field = "number"
    filterset_class = RequestFilter
    ordering = ["-received_at", "-id"]
    ordering_fields = ["received_at", "due_at", "number"]

    def get_queryset(self) -> QuerySet[DataSubjectRequest]:
        return requests_visible_to(self.request.user)

    def get_object(self) -> DataSubjectRequest:
        return access_request(self.request.user, self.kwargs["number"])

    def _render(self, item: DataSubjectRequest, code: int = status.HTTP_200_OK) -> Response:
        return Response(DataSubjectRequestSerializer(item).data, status=code)

    @extend_schema(
        request=RegisterRequestSerializer, responses={201: DataSubjectRequestSerializer, **ERRORS}
    )
    def create(self, request: Request) -> Response:
        """Register a request; it is due 15 working days after receipt."""
        data = parse(RegisterRequestSerializer, request.data)
        try:
            customer = customers_visible_to(request.user).get(number=data.pop("customer"))
        except Customer.DoesNotExist:
            raise InvalidInput.field("customer", _("No such customer.")) from None
        item = request_actions.register_request(request.user, customer=customer, **data)
        return self._render(item, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: DataSubjectRequestSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def start(self, request: Request, number: str) -> Response:
        """Take the request in hand (received → in progress)."""
        item = self.get_object()
        return self._render(request_actions.start_request(request.user, item.number))

    @extend_schema(
        request=CompleteRequestSerializer, responses={200: DataSubjectRequestSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def complete(self, request: Request, number: str) -> Response:
        """Answer the request: produce the export, apply the corrections, or anonymise."""
        item = self.get_object()
        data = parse(CompleteRequestSerializer, request.data)
        item = request_actions.complete_request(
            request.user,
            item.number,
            note=data.get("note", ""),
            corrections=data.get("corrections"),
        )
        return self._render(item)

    @extend_schema(
        request=RefuseRequestSerializer, responses={200: DataSubjectRequestSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def refuse(self, request: Request, number: str) -> Response:
        """Refuse the request, with a reason."""
        item = self.get_object()
        data = parse(RefuseRequestSerializer, request.data)
        return self._render(
            request_actions.refuse_request(request.user, item.number, reason=data["reason"])
        )

    def _export(self, request: Request, number: str, purpose: str) -> tuple[str, dict[str, Any]]:
        item = self.get_object()
        assert isinstance(request.user, User)
        return item.number, request_actions.export_request(
            request.user, item.number, purpose=purpose
        )

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT, **ERRORS})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"export\.json",
        url_name="export-json",
        filterset_class=None,
        pagination_class=None,
    )
    def export_json(self, request: Request, number: str) -> Response:
        """Everything held about the customer, in clear, as JSON (logged)."""
        number, data = self._export(request, number, "json")
        response = Response(data)
        response["Content-Disposition"] = f'attachment; filename="{number}-export.json"'
        return response

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"export\.pdf",
        url_name="export-pdf",
        filterset_class=None,
        pagination_class=None,
        renderer_classes=[JSONRenderer, PdfRenderer],
    )
    def export_pdf(self, request: Request, number: str) -> HttpResponse:
        """Everything held about the customer, in clear, as a readable PDF (logged)."""
        number, data = self._export(request, number, "pdf")
        response = HttpResponse(export.render_pdf(data), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{number}-export.pdf"'
        return response
