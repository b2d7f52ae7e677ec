"""Placeholder: being built."""

from django.http import HttpRequest, HttpResponse

from carrierdesk.web.placeholder import page


def calendars(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return page(request, **kwargs)
