"""Sign-in in a real browser (issue 5 §1, R-SEC-4): Chinese by default, the second step for
supervisors, a wrong password refused next to the form."""

import re

from django.contrib.auth.models import User
from django.utils import translation
from playwright.sync_api import Page, expect

from carrierdesk.web.signin import SignInForm
from carrierdesk.web.tests.browser.conftest import Pages, fill_password_step, sign_in


def assert_signed_out(page: Page) -> None:
    """The page's session opens no staff page (asked aside, so the page stays as it is for
    its screenshot)."""
    response = page.request.get("/", max_redirects=0)
    assert response.status == 302
    assert response.headers["location"] == "/signin/?next=/"


def test_agent_signs_in_through_the_form_and_lands_on_home(
    page: Page, staff: dict[str, User], problems: list[str]
) -> None:
    page.goto("/tickets/")
    expect(page).to_have_url(re.compile(r"/signin/\?next=/tickets/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")

    sign_in(page, staff["agent"], next_url="/")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    menu = page.get_by_role("navigation").first
    expect(menu.locator('a[href="/intake/"]')).to_be_visible()
    expect(menu.locator('a[href="/dispatch/"]')).to_have_count(0)
    expect(menu).to_contain_text(staff["agent"].staff_profile.display_name)
    assert problems == []


def test_supervisor_signs_in_with_the_code_step(
    page: Page, staff: dict[str, User], problems: list[str]
) -> None:
    sign_in(page, staff["supervisor"], next_url="/board/")

    expect(page).to_have_url(re.compile(r"/board/$"))
    menu = page.get_by_role("navigation").first
    expect(menu.locator('a[href="/board/"]')).to_be_visible()
    assert problems == []


def test_the_password_step_alone_does_not_sign_a_supervisor_in(
    page: Page, staff: dict[str, User]
) -> None:
    page.goto("/signin/")
    fill_password_step(page, "supervisor")
    expect(page).to_have_url(re.compile(r"/signin/code/"))
    expect(page.locator("#id_code")).to_be_focused()

    assert_signed_out(page)


def test_wrong_password_is_refused_with_the_error_and_the_username_kept(
    page: Page, staff: dict[str, User], problems: list[str]
) -> None:
    page.goto("/signin/")
    fill_password_step(page, "agent", password="not-the-password")

    with translation.override("zh-hans"):
        username = User._meta.get_field("username").verbose_name
        message = str(SignInForm.error_messages["invalid_login"]) % {"username": username}
    expect(page.get_by_role("alert")).to_have_text(message)
    expect(page).to_have_url(re.compile(r"/signin/$"))
    expect(page.locator("#id_username")).to_have_value("agent")
    expect(page.locator("#id_password")).to_have_value("")
    assert_signed_out(page)
    assert problems == []


def test_people_in_one_test_keep_their_own_sessions(pages: Pages, staff: dict[str, User]) -> None:
    agent = sign_in(pages.open("agent"), staff["agent"])
    technician = sign_in(pages.open("technician"), staff["technician"])

    agent.goto("/")
    technician.goto("/")
    expect(agent.get_by_role("navigation").first.locator('a[href="/intake/"]')).to_be_visible()
    expect(technician.get_by_role("navigation").first.locator('a[href="/intake/"]')).to_have_count(
        0
    )
