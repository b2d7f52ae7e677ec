"""Bind a request id and the client address to every request (for audit and logs)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from carrierdesk.core import context

REQUEST_ID_HEADER = "X-Request-ID"


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        # Accept a caller's id only if it is short and plain, so it cannot inject log text.
        request_id = (
            incoming
            if incoming
            and len(incoming) <= 64
            and incoming.isascii()
            and incoming.replace("-", "").isalnum()
            else context.new_request_id()
        )
        channel = "api" if request.path.startswith("/api/") else "web"
        bound = context.RequestContext(
            request_id=request_id,
            client_address=request.META.get("REMOTE_ADDR", ""),
            channel=channel,
        )
        with context.bound(bound):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response
