"""Users and roles in the staff UI (issue 5 §7): read-only, for admins, with each person's
second-factor state (R-SEC-4) read in a fixed number of queries."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.template.loader import get_template
from django.test import Client

from carrierdesk.accounts import actions, otp
from carrierdesk.accounts.models import Department, Region
from carrierdesk.conftest import current_code
from carrierdesk.web.tests import conftest as web_fixtures

pytestmark = pytest.mark.django_db

browse = web_fixtures.browse


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("supervisor", 403),
        ("auditor", 403),
        ("agent", 403),
        ("dispatcher", 403),
        ("technician", 403),
        ("quality_inspector", 403),
    ],
)
def test_only_admins_open_users_and_roles(
    role: str, status: int, staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    assert browse(role).get("/users/").status_code == status


def test_each_staff_member_with_role_department_region_and_second_factor(
    staff: dict[str, User], browse: Callable[..., Client]
) -> None:
    auditor = staff["auditor"]
    enrolment = otp.enrol_totp(None, auditor)
    otp.confirm_totp(None, auditor, current_code(enrolment))
    otp.issue_backup_codes(None, auditor, count=3)
    staff["dispatcher"].is_active = False
    staff["dispatcher"].save()
    body = browse("admin").get("/users/").content.decode()
    rows = {}
    for row in re.findall(r'<tr tabindex="-1">(.*?)</tr>', body, re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows[cells[2]] = " ".join(cells)
    assert "customer" not in rows  # customers are not staff
    assert set(rows) == {
        "agent",
        "dispatcher",
        "technician",
        "supervisor",
        "quality_inspector",
        "auditor",
        "admin",
    }
    assert rows["technician"] == (
        "E0002 Technician technician Technician network_operations 天河区 yes none — "
        "Change technician"
    )
    assert "authenticator · 3 backup codes required" in rows["auditor"]
    assert "none required, not set up: cannot sign in" in rows["supervisor"]
    assert "deactivated" in rows["dispatcher"]
    assert "Administrator" in rows["admin"] and "authenticator required" in rows["admin"]
    assert f'href="/admin/auth/user/{staff["technician"].pk}/change/"' in body
    assert 'href="/admin/auth/user/"' in body
    assert "carrierdesk otp enrol|reset USERNAME" in body
    assert 'method="post"' not in body.split("<main", 1)[1]  # read-only


def test_bulk_statuses_agree_with_status_of(staff: dict[str, User]) -> None:
    enrolment = otp.enrol_totp(None, staff["admin"])
    otp.confirm_totp(None, staff["admin"], current_code(enrolment))
    otp.enrol_totp(None, staff["agent"])  # pending
    otp.issue_backup_codes(None, staff["technician"], count=2)
    people = list(User.objects.prefetch_related("groups").order_by("pk"))
    bulk = otp.statuses_of(people)
    for person in people:
        single = otp.status_of(User.objects.get(pk=person.pk))
        assert bulk[person.pk] == single, person.username


def test_users_page_query_count_does_not_grow_with_people(
    staff: dict[str, User],
    departments: dict[str, Department],
    region: Region,
    browse: Callable[..., Client],
    django_assert_num_queries: Callable,
) -> None:
    client = browse("admin")
    client.get("/users/")
    # Session, user, OTP device, roles, profile (menu); the count, the page of people, their
    # groups, authenticators, backup codes.
    with django_assert_num_queries(10):
        assert client.get("/users/").status_code == 200
    for index in range(20):
        person = actions.upsert_staff(
            None,
            username=f"tech{index}",
            password="correct-horse-battery",
            role="technician",
            display_name=f"维修员{index}",
            employee_number=f"T{index:04d}",
            department=departments["network_operations"],
            region=region,
        )
        otp.issue_backup_codes(None, person, count=1)
    with django_assert_num_queries(10):
        body = client.get("/users/").content.decode()
    assert body.count('<tr tabindex="-1">') == 27


# --- the Django admin in the staff UI's look ---------------------------------------------------

ADMIN_TEMPLATE = "accounts/templates/admin/base_site.html"


def accounts_before_admin(apps: list[str]) -> list[str]:
    """INSTALLED_APPS with the admin after the accounts app, so that the accounts app's
    admin/base_site.html is found first (the settings change this page asks for)."""
    admin_app = "carrierdesk.accounts.apps.AdminConfig"
    ordered = [app for app in apps if app != admin_app]
    ordered.insert(ordered.index("carrierdesk.accounts") + 1, admin_app)
    return ordered


def test_admin_pages_wear_the_brand_and_lead_back_to_the_staff_pages(
    staff: dict[str, User], browse: Callable[..., Client], settings: Any
) -> None:
    settings.INSTALLED_APPS = accounts_before_admin(list(settings.INSTALLED_APPS))
    client = browse("admin")
    for url in ("/admin/", "/admin/auth/user/"):
        body = client.get(url).content.decode()
        assert 'href="/static/accounts/admin.css"' in body
        assert '<a href="/" id="staff-ui-link">← Back to the staff pages</a>' in body
    sign_in = Client(HTTP_ACCEPT_LANGUAGE="en").get("/admin/login/").content.decode()
    assert 'id="staff-ui-link"' in sign_in


def test_settings_let_the_accounts_app_style_the_admin() -> None:
    origin = get_template("admin/base_site.html").origin  # type: ignore[attr-defined]
    assert origin.name.endswith(ADMIN_TEMPLATE)
