"""Two-factor sign-in for privileged roles (R-SEC-4): enrolment, the token endpoint, the admin
sign-in, the command line, strong passwords and expiring sessions."""

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from carrierdesk.accounts import actions as accounts
from carrierdesk.accounts import otp
from carrierdesk.accounts.choices import Role
from carrierdesk.audit.models import AuditEntry
from carrierdesk.conftest import current_code, sign_in_to_admin
from carrierdesk.core.errors import Conflict, InvalidInput


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Command output is asserted in English (the Chinese catalogue is checked by test_i18n)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def obtain(username: str, code: str | None = None) -> tuple[int, dict[str, Any]]:
    data = {"username": username, "password": PASSWORD}
    if code is not None:
        data["otp"] = code
    response = APIClient().post(
        "/api/v1/auth/token/", data, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    return response.status_code, response.json()


def refusals(user: User) -> list[str]:
    entries = AuditEntry.objects.filter(event_type="otp.refused", object_id=str(user.pk))
    return [entry.changes["reason"] for entry in entries.order_by("sequence")]


@pytest.fixture
def no_throttle(settings: Any) -> None:
    """django-otp makes a device wait 1 s, 2 s, 4 s… after each wrong code; tests that follow
    a wrong code with a right one at once turn that off."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


# --- Who needs it ----------------------------------------------------------------------------


def test_r_sec_4_privileged_roles_need_a_second_factor(staff: dict[str, User]) -> None:
    required = {role for role, user in staff.items() if otp.otp_required(user)}
    assert required == {Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN}


def test_r_sec_4_the_required_roles_are_a_setting(staff: dict[str, User], settings: Any) -> None:
    settings.OTP_REQUIRED_ROLES = frozenset()  # a development machine
    assert obtain("admin")[0] == 200
    settings.OTP_REQUIRED_ROLES = frozenset({"agent"})
    status, body = obtain("agent")
    assert status == 403 and body["error"]["code"] == "otp_not_enrolled"


def test_a_user_with_a_confirmed_authenticator_needs_it_whatever_the_role(
    staff: dict[str, User],
) -> None:
    agent = staff["agent"]
    enrolment = otp.enrol_totp(None, agent)
    assert not otp.otp_required(agent)  # not until it is confirmed
    otp.confirm_totp(None, agent, current_code(enrolment))
    assert otp.otp_required(agent)
    assert obtain("agent")[1]["error"]["code"] == "otp_required"


# --- Enrolment -------------------------------------------------------------------------------


def test_r_sec_4_enrol_gives_an_unconfirmed_authenticator_and_audits_it(
    staff: dict[str, User],
) -> None:
    supervisor = staff["supervisor"]
    enrolment = otp.enrol_totp(staff["admin"], supervisor)
    assert enrolment.device.confirmed is False
    assert enrolment.url.startswith("otpauth://totp/carrierdesk%3Asupervisor?secret=")
    assert f"secret={enrolment.secret}" in enrolment.url
    assert "issuer=carrierdesk" in enrolment.url
    entry = AuditEntry.objects.get(event_type="otp.enrolled")
    assert entry.object_id == str(supervisor.pk) and entry.actor == staff["admin"]
    assert enrolment.secret not in json.dumps(entry.changes)  # the secret is never audited
    # Enrolling again before confirming replaces the pending one.
    again = otp.enrol_totp(None, supervisor)
    assert again.secret != enrolment.secret
    assert otp.status_of(supervisor).authenticator == "unconfirmed"


def test_enrol_refuses_over_a_confirmed_authenticator_and_changes_nothing(
    staff: dict[str, User],
) -> None:
    supervisor = staff["supervisor"]
    enrolment = otp.enrol_totp(None, supervisor)
    otp.confirm_totp(None, supervisor, current_code(enrolment))
    entries = AuditEntry.objects.count()
    with pytest.raises(Conflict) as refused:
        otp.enrol_totp(None, supervisor)
    assert refused.value.code == "otp_already_enrolled"
    assert otp.authenticator_of(supervisor).secret == enrolment.secret  # type: ignore[union-attr]
    assert AuditEntry.objects.count() == entries


def test_confirm_refuses_a_wrong_code_and_changes_nothing(staff: dict[str, User]) -> None:
    supervisor = staff["supervisor"]
    enrolment = otp.enrol_totp(None, supervisor)
    wrong = f"{(int(current_code(enrolment)) + 1) % 1_000_000:06d}"
    with pytest.raises(InvalidInput):
        otp.confirm_totp(None, supervisor, wrong)
    assert otp.status_of(supervisor).authenticator == "unconfirmed"
    otp.confirm_totp(None, supervisor, current_code(enrolment))
    assert otp.status_of(supervisor).authenticator == "confirmed"
    assert AuditEntry.objects.filter(event_type="otp.confirmed").count() == 1


# --- The token endpoint ----------------------------------------------------------------------


def test_r_sec_4_the_full_token_flow_with_a_one_time_code(
    staff: dict[str, User], no_throttle: None
) -> None:
    supervisor = staff["supervisor"]
    # Not enrolled: told to ask an admin; nothing issued.
    status, body = obtain("supervisor")
    assert status == 403 and body["error"]["code"] == "otp_not_enrolled"
    assert "ask an admin" in body["error"]["message"]
    enrolment = otp.enrol_totp(None, supervisor)
    # Enrolled, no code: asked for one.
    status, body = obtain("supervisor")
    assert status == 403 and body["error"]["code"] == "otp_required"
    assert "6-digit code" in body["error"]["message"]
    # A wrong code.
    wrong = f"{(int(current_code(enrolment)) + 1) % 1_000_000:06d}"
    status, body = obtain("supervisor", wrong)
    assert status == 403 and body["error"]["code"] == "otp_invalid"
    assert not Token.objects.filter(user=supervisor).exists()
    assert otp.status_of(supervisor).authenticator == "unconfirmed"
    # The first right code confirms the authenticator and gets a token.
    code = current_code(enrolment)
    status, body = obtain("supervisor", code)
    assert status == 200 and Token.objects.get(user=supervisor).key == body["token"]
    assert otp.status_of(supervisor).authenticator == "confirmed"
    # The same code again is a replay: refused by django-otp.
    status, body = obtain("supervisor", code)
    assert status == 403 and body["error"]["code"] == "otp_invalid"
    # The next code works.
    assert obtain("supervisor", current_code(enrolment, steps_ahead=1))[0] == 200
    assert refusals(supervisor) == [
        "otp_not_enrolled",
        "otp_required",
        "otp_invalid",
        "otp_invalid",
    ]
    entry = AuditEntry.objects.filter(event_type="otp.refused").first()
    assert entry is not None and entry.channel == "api" and entry.actor == supervisor


def test_r_sec_4_the_code_may_be_sent_as_a_form_field(staff: dict[str, User]) -> None:
    enrolment = otp.enrol_totp(None, staff["auditor"])
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "auditor", "password": PASSWORD, "otp": current_code(enrolment)},
    )
    assert response.status_code == 200


def test_r_sec_4_other_roles_are_unaffected(staff: dict[str, User]) -> None:
    for role in (Role.AGENT, Role.DISPATCHER, Role.TECHNICIAN, Role.QUALITY_INSPECTOR):
        assert obtain(role.value)[0] == 200, role
        assert obtain(role.value, "whatever")[0] == 200, role  # ignored
    assert not AuditEntry.objects.filter(event_type="otp.refused").exists()


def test_r_sec_4_a_wrong_password_is_refused_before_the_code(staff: dict[str, User]) -> None:
    otp.enrol_totp(None, staff["admin"])
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "admin", "password": "wrong", "otp": "123456"}
    )
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(event_type="otp.refused").exists()


def test_r_sec_4_wrong_codes_count_towards_the_lockout(
    staff: dict[str, User], settings: Any, no_throttle: None
) -> None:
    enrolment = otp.enrol_totp(None, staff["admin"])
    wrong = f"{(int(current_code(enrolment)) + 3) % 1_000_000:06d}"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert obtain("admin", wrong)[1]["error"]["code"] == "otp_invalid"
    status, body = obtain("admin", current_code(enrolment))  # the right code, too late
    assert status == 403 and "Too many failed sign-ins" in body["error"]["message"]
    assert not Token.objects.filter(user=staff["admin"]).exists()
    call_command("axes_reset_username", "admin", stdout=io.StringIO())
    assert obtain("admin", current_code(enrolment))[0] == 200


def test_r_sec_4_repeated_wrong_codes_are_slowed_down(staff: dict[str, User]) -> None:
    enrolment = otp.enrol_totp(None, staff["admin"])
    wrong = f"{(int(current_code(enrolment)) + 3) % 1_000_000:06d}"
    assert obtain("admin", wrong)[1]["error"]["code"] == "otp_invalid"
    status, body = obtain("admin", current_code(enrolment))  # at once: django-otp waits 1 s
    assert status == 403 and "Too many wrong authentication codes" in body["error"]["message"]


def test_r_sec_4_backup_codes_work_once(staff: dict[str, User]) -> None:
    admin = staff["admin"]
    codes = otp.issue_backup_codes(None, admin)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(not code.isdigit() for code in codes)
    assert obtain("admin", codes[0].upper())[0] == 200  # case does not matter
    Token.objects.filter(user=admin).delete()
    status, body = obtain("admin", codes[0])
    assert status == 403 and body["error"]["code"] == "otp_invalid"
    assert otp.status_of(admin).backup_codes == 9
    # New codes replace the old ones.
    fresh = otp.issue_backup_codes(None, admin)
    assert otp.status_of(admin).backup_codes == 10 and codes[1] not in fresh


def test_r_sec_4_reset_removes_the_second_factor_and_is_audited(staff: dict[str, User]) -> None:
    admin = staff["admin"]
    enrolment = otp.enrol_totp(None, admin)
    otp.issue_backup_codes(None, admin)
    assert otp.reset_second_factor(staff["auditor"], admin) is True
    entry = AuditEntry.objects.get(event_type="otp.reset")
    assert entry.changes == {"authenticators": 1, "backup_codes": 10}
    assert obtain("admin", current_code(enrolment))[1]["error"]["code"] == "otp_not_enrolled"
    assert otp.reset_second_factor(None, admin) is False


# --- The admin site --------------------------------------------------------------------------


def admin_sign_in(client: Client, username: str, code: str | None = None) -> Any:
    data = {"username": username, "password": PASSWORD, "next": "/admin/"}
    if code is not None:
        data["otp_token"] = code
    return client.post("/admin/login/", data, HTTP_ACCEPT_LANGUAGE="en")


def test_r_sec_4_the_admin_sign_in_needs_the_code(
    staff: dict[str, User], no_throttle: None
) -> None:
    client = Client()
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'name="otp_token"' in page.content.decode()
    enrolment = otp.enrol_totp(None, staff["admin"])
    response = admin_sign_in(client, "admin")
    assert response.status_code == 200 and "6-digit code" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # not signed in
    wrong = f"{(int(current_code(enrolment)) + 1) % 1_000_000:06d}"
    response = admin_sign_in(client, "admin", wrong)
    assert response.status_code == 200 and "wrong or was already used" in response.content.decode()
    response = admin_sign_in(client, "admin", current_code(enrolment))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert refusals(staff["admin"]) == ["otp_required", "otp_invalid"]
    assert AuditEntry.objects.filter(event_type="otp.refused", channel="web").count() == 2


def test_r_sec_4_a_session_without_the_second_factor_is_not_enough(
    staff: dict[str, User],
) -> None:
    client = Client()
    client.force_login(staff["admin"])  # e.g. a session from before two-factor sign-in
    assert client.get("/admin/").status_code == 302
    # The API ignores that session too.
    assert client.get("/api/v1/tickets/").status_code in (401, 403)
    sign_in_to_admin(client, staff["admin"])
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/v1/tickets/").status_code == 200
    # Resetting the authenticator ends the verified session.
    otp.reset_second_factor(None, staff["admin"])
    assert client.get("/admin/").status_code == 302


def test_a_staff_account_of_another_role_signs_in_to_the_admin_without_a_code(
    staff: dict[str, User],
) -> None:
    dispatcher = staff["dispatcher"]
    dispatcher.is_staff = True
    dispatcher.save()
    client = Client()
    assert admin_sign_in(client, "dispatcher").status_code == 302
    assert client.get("/admin/").status_code == 200


# --- Command line ----------------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("otp", *args, stdout=out)
    return out.getvalue()


def test_r_sec_4_the_otp_command_enrols_confirms_reports_and_resets(
    staff: dict[str, User],
) -> None:
    status = json.loads(run("status", "--json"))
    assert [(row["username"], row["can_sign_in"]) for row in status] == [
        ("admin", False),
        ("auditor", False),
        ("supervisor", False),
    ]
    out = run("enrol", "supervisor")
    enrolment = otp.authenticator_of(staff["supervisor"])
    assert enrolment is not None
    assert enrolment.secret in out and enrolment.url in out
    assert "█" in out  # the QR code
    assert "█" not in run("reset", "supervisor") + run("enrol", "supervisor", "--no-qr")
    enrolment = otp.authenticator_of(staff["supervisor"])
    assert enrolment is not None
    assert "confirmed" in run("confirm", "supervisor", current_code(enrolment))
    codes = run("backup-codes", "supervisor").splitlines()[1:]
    assert len(codes) == 10
    table = run("status", "supervisor")
    assert "supervisor" in table and "confirmed" in table and "10" in table
    assert "removed" in run("reset", "supervisor")
    assert AuditEntry.objects.filter(event_type__startswith="otp.", channel="cli").count() == 6


def test_the_otp_command_refuses_unknown_users_and_wrong_codes(staff: dict[str, User]) -> None:
    with pytest.raises(CommandError, match="username"):
        run("enrol", "nobody")
    run("enrol", "auditor")
    with pytest.raises(CommandError, match="otp_not_enrolled"):
        run("confirm", "admin", "123456")
    with pytest.raises(CommandError, match="invalid"):
        run("confirm", "auditor", "abc")


# --- Passwords and sessions ------------------------------------------------------------------


def test_r_sec_4_weak_passwords_are_refused_and_change_nothing(staff: dict[str, User]) -> None:
    for weak in ("short-pw", "12345678901234", "password1234", "qwertyuiop123"):
        with pytest.raises(InvalidInput) as refused:
            accounts.upsert_staff(
                None,
                username="agent",
                password=weak,
                role=Role.AGENT,
                display_name="坐席",
                employee_number="E0000",
            )
        assert refused.value.fields["password"], weak
        assert weak not in str(refused.value.fields)
    staff["agent"].refresh_from_db()
    assert staff["agent"].check_password(PASSWORD)
    with pytest.raises(InvalidInput):
        accounts.upsert_staff(
            None,
            username="newcomer",
            password="newcomer1",
            role=Role.AGENT,
            display_name="新人",
            employee_number="E9999",
        )
    assert not User.objects.filter(username="newcomer").exists()


def test_r_sec_4_session_and_cookie_settings(settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_HTTPONLY is True
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"
    minimum = next(
        v["OPTIONS"]["min_length"]
        for v in settings.AUTH_PASSWORD_VALIDATORS
        if v["NAME"].endswith("MinimumLengthValidator")
    )
    assert minimum == 12


def test_r_sec_4_the_admin_session_cookie_is_http_only_and_lax(staff: dict[str, User]) -> None:
    dispatcher = staff["dispatcher"]
    dispatcher.is_staff = True
    dispatcher.save()
    client = Client()
    admin_sign_in(client, "dispatcher")
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # ends with the browser; the server ends it after 8 h


def test_the_admin_does_not_show_or_edit_authenticators(staff: dict[str, User]) -> None:
    client = Client()
    sign_in_to_admin(client, staff["admin"])
    for path in ("/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/"):
        assert client.get(path).status_code == 404
