"""Shared API plumbing: pagination with a total count and the one error format."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from carrierdesk.core.errors import ActionError


class Pagination(PageNumberPagination):
    """Pages of 50 (up to 500 with ?page_size=); the body carries `count`."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {"field" or "field.sub": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for sub_name, messages in _flatten(value, name).items():
                out.setdefault(sub_name, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                name = f"{prefix}.{index}" if prefix else str(index)
                for sub_name, messages in _flatten(item, name).items():
                    out.setdefault(sub_name, []).extend(messages)
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def error_response(
    code: str,
    message: str,
    http_status: int,
    fields: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    if extra:
        body.update(extra)
    return Response({"error": body}, status=http_status)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error as {"error": {"code", "message", "fields"}}."""
    if isinstance(exc, ActionError):
        body = exc.as_dict()
        return Response({"error": body}, status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        return error_response(
            "invalid",
            _("Some fields are not valid."),
            status.HTTP_400_BAD_REQUEST,
            fields=_flatten(exc.detail),
        )
    if isinstance(exc, exceptions.ParseError):
        return error_response("malformed", str(exc.detail), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else exc.default_detail
        code = exc.default_code if not isinstance(exc.get_codes(), str) else exc.get_codes()
        new = error_response(str(code), str(message), response.status_code)
        for header in ("WWW-Authenticate", "Retry-After", "Allow"):
            if header in response:
                new[header] = response[header]
        return new
    return response


class ErrorSerializer(serializers.Serializer):
    """The one error format of the API (for the OpenAPI description)."""

    error = inline_serializer(
        name="ErrorBody",
        fields={
            "code": serializers.CharField(),
            "message": serializers.CharField(),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()), required=False
            ),
            "allowed_actions": serializers.ListField(child=serializers.CharField(), required=False),
        },
    )


def natural_key(slug_field: str, **kwargs: Any) -> serializers.SlugRelatedField[Any]:
    """A read-only reference rendered as the related object's natural key (code, number)."""
    return serializers.SlugRelatedField(slug_field=slug_field, read_only=True, **kwargs)


def parse(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """Validate request data with `serializer_class`; return its validated data."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema_field(OpenApiTypes.STR)
class MaskedField(serializers.Field):
    """Read-only: the attribute passed through a masking function (R-SEC-2)."""

    def __init__(self, mask: Callable[[str], str], **kwargs: Any) -> None:
        self.mask = mask
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str:
        return self.mask(value or "")


_PREBUILT: dict[type[serializers.BaseSerializer], serializers.BaseSerializer] = {}


def represent(serializer_class: type[serializers.BaseSerializer], instance: Any) -> Any:
    """One object's representation through a serializer built once per class.

    Building a ModelSerializer's fields costs about 2 ms a request, representing an object
    with them 0.2 ms (bench/register.py). Only for output serializers that read nothing but
    the instance (no request context); field labels are not part of the output.
    """
    serializer = _PREBUILT.get(serializer_class)
    if serializer is None:
        serializer = _PREBUILT.setdefault(serializer_class, serializer_class())
    return serializer.to_representation(instance)
