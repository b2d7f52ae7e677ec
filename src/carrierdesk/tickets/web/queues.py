"""Placeholder: being built."""

from django.http import HttpRequest, HttpResponse

from carrierdesk.web.placeholder import page


def queue(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return page(request, **kwargs)
