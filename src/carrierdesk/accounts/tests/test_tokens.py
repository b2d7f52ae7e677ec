"""API tokens expire and can be revoked (R-SEC-4)."""

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from carrierdesk.audit.models import AuditEntry
from carrierdesk.core import clock

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def obtain(username: str, password: str = PASSWORD) -> tuple[int, dict[str, Any]]:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    return response.status_code, response.json() if response.content else {}


def tickets_with(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/tickets/").status_code


def test_a_token_works_until_it_expires_then_a_new_one_is_issued(
    staff: dict[str, User], settings: object
) -> None:
    status, body = obtain("agent")
    assert status == 200 and tickets_with(body["token"]) == 200
    assert obtain("agent")[1]["token"] == body["token"]  # the same until it expires
    token = Token.objects.get(key=body["token"])
    later = token.created + timedelta(days=30)
    with clock.frozen(later):
        assert tickets_with(body["token"]) == 401
        status, fresh = obtain("agent")
        assert status == 200 and fresh["token"] != body["token"]
        assert tickets_with(fresh["token"]) == 200
    assert not Token.objects.filter(key=body["token"]).exists()


def test_a_wrong_password_gets_no_token(staff: dict[str, User]) -> None:
    status, body = obtain("agent", "wrong")
    assert status == 400 and body["error"]["code"] == "invalid"
    assert not Token.objects.filter(user=staff["agent"]).exists()


def test_a_revoked_token_is_refused(
    staff: dict[str, User], api: Callable[[str], APIClient]
) -> None:
    key = obtain("agent")[1]["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.post("/api/v1/auth/token/revoke/").status_code == 204
    assert tickets_with(key) == 401
    assert AuditEntry.objects.filter(event_type="token.revoked").count() == 1


def test_an_admin_revokes_a_token_from_the_command_line(staff: dict[str, User]) -> None:
    key = obtain("technician")[1]["token"]
    out = io.StringIO()
    call_command("token", "revoke", "technician", stdout=out)
    assert tickets_with(key) == 401
    call_command("token", "revoke", "technician", stdout=out)
    assert "technician" in out.getvalue()


def test_r_sec_4_repeated_failures_lock_the_user_out(staff: dict[str, User], settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert obtain("dispatcher", "wrong")[0] == 400
    status, body = obtain("dispatcher")  # the right password, too late
    assert status == 403
    assert "Too many failed sign-ins" in body["error"]["message"]
    assert not Token.objects.filter(user=staff["dispatcher"]).exists()
    assert obtain("agent")[0] == 200  # others are not affected
    call_command("axes_reset_username", "dispatcher", stdout=io.StringIO())
    assert obtain("dispatcher")[0] == 200


def test_r_sec_4_the_admin_sign_in_page_locks_out_too(
    staff: dict[str, User], settings: Any
) -> None:
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 429
