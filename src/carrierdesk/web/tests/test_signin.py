"""Sign-in to the staff UI, with the second factor for privileged roles (R-SEC-4)."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from carrierdesk.accounts import otp
from carrierdesk.accounts.models import StaffProfile
from carrierdesk.conftest import current_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def post_password(client: Client, username: str, password: str = PASSWORD, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/signin/", data, HTTP_ACCEPT_LANGUAGE="en")


def test_anonymous_pages_redirect_to_sign_in(client: Client) -> None:
    response = client.get("/tickets/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/tickets/"


def test_agent_signs_in_with_password_only(staff: dict[str, User], client: Client) -> None:
    response = post_password(client, "agent", next_url="/tickets/")
    assert response.status_code == 302
    assert response["Location"] == "/tickets/"
    assert client.get("/").status_code == 200


def test_wrong_password_keeps_the_username_and_says_why(staff: dict[str, User]) -> None:
    client = Client()
    response = post_password(client, "agent", password="wrong-password-here")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please enter a correct username and password" in body
    assert 'value="agent"' in body
    assert client.get("/").status_code == 302


def test_supervisor_needs_the_code_before_being_signed_in(staff: dict[str, User]) -> None:
    supervisor = staff["supervisor"]
    enrolment = otp.enrol_totp(None, supervisor)
    otp.confirm_totp(None, supervisor, current_code(enrolment))
    client = Client()
    response = post_password(client, "supervisor", next_url="/board/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/code/?next=%2Fboard%2F"
    # Between the two steps nobody is signed in.
    assert client.get("/").status_code == 302

    wrong = client.post("/signin/code/?next=/board/", {"code": "000000", "next": "/board/"})
    assert wrong.status_code == 200
    assert "is-invalid" in wrong.content.decode()
    assert client.get("/").status_code == 302

    # django-otp throttles a device for a second after a wrong code: lift it, as time would.
    enrolment.device.refresh_from_db()
    enrolment.device.throttle_reset()
    right = client.post(
        "/signin/code/", {"code": current_code(enrolment, steps_ahead=1), "next": "/board/"}
    )
    assert right.status_code == 302
    assert right["Location"] == "/board/"
    assert client.get("/").status_code == 200


def test_code_page_without_a_password_step_goes_back(client: Client) -> None:
    response = client.get("/signin/code/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/"


def test_offsite_next_is_ignored(staff: dict[str, User], client: Client) -> None:
    response = post_password(client, "agent", next_url="https://evil.example/")
    assert response["Location"] == "/"


def test_customer_account_gets_no_staff_page(staff: dict[str, User], client: Client) -> None:
    client.force_login(staff["customer"])
    assert client.get("/").status_code == 403


def test_chinese_by_default_and_english_by_choice(
    staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    client = Client()
    client.force_login(staff["agent"])
    assert '<html lang="zh-Hans">' in client.get("/").content.decode()
    response = client.post("/language/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert StaffProfile.objects.get(user=staff["agent"]).language == "en"
    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_sign_out(browse: Callable[..., Client]) -> None:
    client = browse("agent")
    assert client.post("/signout/").status_code == 302
    assert client.get("/").status_code == 302


def test_menu_follows_the_role(browse: Callable[..., Client]) -> None:
    agent = browse("agent").get("/").content.decode()
    assert 'href="/intake/"' in agent
    assert 'href="/dispatch/"' not in agent
    technician = browse("technician").get("/").content.decode()
    assert 'href="/intake/"' not in technician
    assert 'href="/tickets/"' in technician
