"""Security headers on every kind of page (R-SEC-4): Content-Security-Policy without inline
scripts, no framing, referrer and content-type policies, cross-origin isolation, HSTS."""

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def directives(response: Any) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_secure_headers(response: Any) -> None:
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def assert_no_inline_script(html: str) -> None:
    """Every executable <script> loads a file; an inline one would need a nonce the policy
    does not grant."""
    for attributes, body in SCRIPT_TAG.findall(html):
        if "application/json" in attributes:  # data, not executed
            continue
        assert "src=" in attributes and not body.strip(), attributes


def test_r_sec_4_api_responses_carry_the_security_headers(api: Any, staff: dict[str, User]) -> None:
    response = api("agent").get("/api/v1/tickets/")
    assert response.status_code == 200
    assert_secure_headers(response)
    assert_secure_headers(APIClient().get("/api/v1/tickets/"))  # refusals too


def test_r_sec_4_the_admin_sign_in_page_has_no_inline_script(db: Any) -> None:
    response = Client().get("/admin/login/")
    assert response.status_code == 200
    assert_secure_headers(response)
    assert_no_inline_script(response.content.decode())


def test_r_sec_4_swagger_ui_loads_its_start_script_from_a_url(db: Any) -> None:
    client = Client()
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert_secure_headers(page)
    html = page.content.decode()
    assert_no_inline_script(html)
    sources = re.findall(r'<script src="([^"]+)"', html)
    start = next(src for src in sources if "script" in src.split("?", 1)[-1])
    script = client.get(start.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    for src in sources:  # everything from the app itself (no CDN)
        assert src.startswith("/")


def test_r_sec_4_redoc_has_no_inline_script_and_may_start_its_worker(db: Any) -> None:
    page = Client().get("/api/redoc/")
    assert page.status_code == 200
    assert_secure_headers(page)
    assert_no_inline_script(page.content.decode())
    assert directives(page)["worker-src"] == ["'self'", "blob:"]


def test_r_sec_4_no_hsts_over_plain_http_by_default(settings: Any, db: Any) -> None:
    assert settings.HTTPS is False
    assert settings.SESSION_COOKIE_SECURE is False
    assert "Strict-Transport-Security" not in Client().get("/admin/login/")


def settings_with(environment: dict[str, str]) -> dict[str, Any]:
    """Some base settings as a fresh process reads them with `environment` (and none of the
    variables under test otherwise)."""
    tested = ("CARRIERDESK_HTTPS", "CARRIERDESK_SESSION_HOURS", "CARRIERDESK_OTP_REQUIRED_ROLES")
    inherited = {name: value for name, value in os.environ.items() if name not in tested}
    program = (
        "import json; from carrierdesk.config.settings import base as s; print(json.dumps("
        "{'HSTS': s.SECURE_HSTS_SECONDS, 'SECURE': [s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE], 'PROXY': getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
        "'AGE': s.SESSION_COOKIE_AGE, 'OTP': sorted(s.OTP_REQUIRED_ROLES)}))"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-c", program],
        env={**inherited, **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_r_sec_4_environment_switches_https_session_length_and_otp_roles() -> None:
    defaults = settings_with({})
    assert defaults == {
        "HSTS": 0,
        "SECURE": [False, False],
        "PROXY": None,
        "AGE": 8 * 3600,
        "OTP": ["admin", "auditor", "supervisor"],
    }
    https = settings_with(
        {"CARRIERDESK_HTTPS": "1", "CARRIERDESK_SESSION_HOURS": "4"}
        | {"CARRIERDESK_OTP_REQUIRED_ROLES": ""}
    )
    assert https == {
        "HSTS": 365 * 24 * 3600,
        "SECURE": [True, True],
        "PROXY": ["HTTP_X_FORWARDED_PROTO", "https"],
        "AGE": 4 * 3600,
        "OTP": [],
    }


def test_r_sec_4_hsts_and_secure_cookies_over_https(settings: Any, db: Any) -> None:
    # What CARRIERDESK_HTTPS=1 sets (above), behind a TLS proxy.
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.CSRF_COOKIE_SECURE = True
    response = Client().get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert response.cookies["csrftoken"]["secure"]
