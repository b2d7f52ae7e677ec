"""Placeholder: being built."""

from django.http import HttpRequest, HttpResponse

from carrierdesk.web.placeholder import page


def users(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return page(request, **kwargs)
