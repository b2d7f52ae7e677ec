"""A page not built yet (removed once every menu entry has its page)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from carrierdesk.web.access import staff_view


@staff_view()
def page(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "web/placeholder.html", {})
