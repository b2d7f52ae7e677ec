"""Errors outside the views' own handling still answer in the API's format."""

from collections.abc import Callable

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from carrierdesk.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_unknown_api_url_is_json_404(api: Callable[[str], APIClient]) -> None:
    response = api("agent").get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@override_settings(DEBUG=False)
def test_unknown_page_outside_the_api_is_html() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_request_id_is_echoed_and_generated() -> None:
    client = Client()
    given = client.get("/api/v1/tickets/", HTTP_X_REQUEST_ID="abc-123")
    assert given["X-Request-ID"] == "abc-123"
    made = client.get("/api/v1/tickets/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert made["X-Request-ID"] != "bad id\nwith newline"
    assert len(made["X-Request-ID"]) == 32


def test_unexpected_error_is_json_500_and_writes_nothing(
    api: Callable[[str], APIClient], customer: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carrierdesk.audit.models import AuditEntry
    from carrierdesk.tickets import actions
    from carrierdesk.tickets.models import Ticket

    real_append = actions.append_event

    def fail_after_writing(*args: object, **kwargs: object) -> object:
        real_append(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(actions, "append_event", fail_after_writing)
    client = api("agent")
    client.raise_request_exception = False
    before = (Ticket.objects.count(), AuditEntry.objects.count())
    response = client.post(
        "/api/v1/tickets/",
        {
            "kind": "inquiry",
            "channel": "hotline",
            "category": "billing",
            "customer": customer.number,
            "title": "t",
            "description": "d",
        },
        format="json",
    )
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert (Ticket.objects.count(), AuditEntry.objects.count()) == before
