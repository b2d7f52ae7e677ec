"""Each role's home page (issue 5 §1)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from carrierdesk.web.access import staff_view


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {})
