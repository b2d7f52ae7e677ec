"""The pages run in the browser without errors: no console error, no uncaught exception, no
Content-Security-Policy violation (no inline script may run), every app file found; the
countdowns of web/app.js tick in the page's language (R-SLA-3's warning ladder)."""

import re
from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth.models import User
from django.utils import translation
from playwright.sync_api import Page, expect

from carrierdesk.core import clock
from carrierdesk.web.templatetags.carrierdesk_web import countdown, remaining_text
from carrierdesk.web.tests.browser.conftest import fill_password_step, next_code, sign_in, submit


def test_sign_in_code_and_home_pages_have_no_errors(
    page: Page, staff: dict[str, User], problems: list[str]
) -> None:
    page.goto("/signin/")
    expect(page.locator("#id_username")).to_be_focused()
    code = next_code(staff["supervisor"])
    fill_password_step(page, "supervisor")
    expect(page).to_have_url(re.compile(r"/signin/code/"))
    page.locator("#id_code").fill(code)
    submit(page)
    expect(page).to_have_url(re.compile(r"/$"))
    # Bootstrap's script runs: the menu's language switch and sign-out are there, styled.
    expect(page.locator("#cd-language")).to_be_visible()
    assert page.evaluate("typeof bootstrap") == "object"
    assert page.evaluate("typeof htmx") == "object"
    page.wait_for_timeout(1200)  # a tick of app.js's countdown timer, in case it throws
    assert problems == []


def _countdown_html(deadline_in: timedelta, rendered_ago: timedelta, **row: object) -> str:
    """The countdown of a clock whose deadline is `deadline_in` from now, rendered as
    if `rendered_ago` earlier (so its text is stale until app.js ticks)."""
    now = clock.now()
    values = {"next_alert_at": None, "thresholds_passed": 0, "paused_at": None, "stopped_at": None}
    clock_row = SimpleNamespace(deadline=now + deadline_in, **{**values, **row})
    with translation.override("zh-hans"):
        return str(countdown(clock_row, now=now - rendered_ago))


def test_countdowns_tick_and_climb_the_warning_ladder(
    page: Page, staff: dict[str, User], problems: list[str]
) -> None:
    sign_in(page, staff["agent"])
    running = _countdown_html(
        timedelta(hours=2, minutes=30, seconds=30),
        timedelta(hours=1),
        next_alert_at=clock.now() - timedelta(minutes=1),  # the 50% warning has passed
    )
    overdue = _countdown_html(-timedelta(minutes=5, seconds=30), timedelta(hours=1))
    page.evaluate(
        """html => document.querySelector("main").insertAdjacentHTML("beforeend",
             '<p id="t-running">' + html[0] + '</p><p id="t-overdue">' + html[1] + '</p>')""",
        [running, overdue],
    )
    with translation.override("zh-hans"):
        running_text = remaining_text(2 * 3600 + 30 * 60)
        overdue_text = remaining_text(-5 * 60)
    assert running_text not in running  # rendered an hour early: app.js must correct it

    expect(page.locator("#t-running .cd-remaining")).to_have_text(running_text)
    expect(page.locator("#t-running .cd-countdown")).to_have_class(re.compile(r"\bcd-level-1\b"))
    expect(page.locator("#t-overdue .cd-remaining")).to_have_text(overdue_text)
    expect(page.locator("#t-overdue .cd-countdown")).to_have_class(re.compile(r"\bcd-level-3\b"))
    assert problems == []


def test_the_problem_watch_catches_an_inline_script(page: Page, problems: list[str]) -> None:
    """The harness itself: the CSP forbids inline script, and the tests hear about it."""
    page.goto("/signin/")
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.cdInline = 1"; document.body.append(s); }"""
    )
    page.wait_for_timeout(300)  # the violation event reaches the test through a binding
    assert page.evaluate("window.cdInline") is None
    assert any("CSP violation" in problem and "script-src" in problem for problem in problems)
    problems.clear()  # expected here
