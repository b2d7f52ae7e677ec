"""Browser tests of the staff UI (issue 5): Playwright drives Debian's Chromium, headless,
against pytest-django's live server.

- `browser`: one Chromium per test process (each pytest-xdist worker has its own, with its own
  live server); missing Chromium fails the tests and says how to install it
  (`scripts/browser.sh ensure`); CARRIERDESK_SKIP_BROWSER=1 skips them instead, and says so.
- `pages.open(...)`: a fresh page in its own browser context (own cookies: one per person of a
  flow); `page` is the first one. Every page is photographed when the test ends, passed or
  failed, as test-output/browser/<test name>[-<page name>].png.
- `problems`: what went wrong in the pages — console errors, uncaught exceptions, Content
  Security Policy violations, failed requests of the app's own files. Tests assert it empty.
- `desk`: the organisation (one user per role), the seeded calendars and the SLA policy.
  The live server needs transactional tests, whose flush also empties the rows migrations
  seeded: the calendars are put back by `seeded_calendars`, the role groups by upsert_staff.
- page objects: `sign_in(page, user)` through the real sign-in form (and the code step for
  roles with a second factor), and the helpers of the flows.

Every test under this folder carries the `browser` marker (`pytest -m browser` runs only them;
`make browser-test` does).
"""

import importlib
import os
import re
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django_otp.oath import totp  # type: ignore[import-untyped]  # no type hints
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    Request,
    Response,
    ViewportSize,
    expect,
    sync_playwright,
)

from carrierdesk.accounts import otp
from carrierdesk.conftest import current_code
from carrierdesk.sla.models import PolicyVersion

# The SLA tests' fixtures, reused: the default policy pack, and the seeded calendars put back
# after each transactional test's flush.
from carrierdesk.sla.tests.conftest import policy, seeded_calendars  # noqa: F401
from carrierdesk.visits.models import VisitRule
from carrierdesk.web.tests.browser import plugin

# Playwright's sync API keeps an asyncio loop running in this thread while a browser is open,
# which makes Django refuse ORM calls from the test ("async context"). The tests only block
# that loop, never run coroutines against the database: allow it for this process.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
PASSWORD = "correct-horse-battery"
#: Chromium's flags: no sandbox (root in CI), no GPU, no background connections (on a closed
#: network Chromium's own calls home are refused and it stalls without these).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers' small /dev/shm crashes tabs; use /tmp instead
]
VIEWPORT: ViewportSize = {"width": 1366, "height": 900}
#: Known problems not counted, each with its reason (none now: web/base.html links an icon,
#: so Chromium no longer asks for /favicon.ico).
TOLERATED: tuple[re.Pattern[str], ...] = ()
#: Milliseconds: actions and assertions wait this long at most (Playwright's default is 30 s).
TIMEOUT = 10_000


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason=f"{plugin.SKIP_ENV}=1: browser tests skipped on request")
    for item in items:
        if HERE not in item.path.resolve().parents:
            continue
        item.add_marker(plugin.MARKER)
        if plugin.skip_requested():
            item.add_marker(skip)


# --- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.access(plugin.CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is not installed at {plugin.CHROMIUM}: run `scripts/browser.sh ensure` "
            f"(installs Debian's chromium package; `make test` does it), or set "
            f"CARRIERDESK_CHROMIUM to a Chromium binary. {plugin.SKIP_ENV}=1 skips the "
            "browser tests instead (never in CI).",
            pytrace=False,
        )
    chromium = playwright.chromium.launch(
        executable_path=plugin.CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


# --- pages, their problems, their screenshots -----------------------------------------------

# Reports each Content-Security-Policy violation to the test (the binding survives navigation;
# the init script runs before the page's own scripts and is not subject to the policy).
_REPORT_CSP = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.cdReportViolation(event.violatedDirective + " blocked " + (event.blockedURI || "inline")
    + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


class Problems(list[str]):
    """What went wrong in a test's pages, in order; the TOLERATED ones are left out."""

    def add(self, text: str) -> None:
        if not any(pattern.search(text) for pattern in TOLERATED):
            self.append(text)


class Pages:
    """The pages a test opens, each in its own context, watched for problems."""

    def __init__(self, browser: Browser, base_url: str, test_name: str, shots: Path) -> None:
        self.browser = browser
        self.base_url = base_url
        self.test_name = re.sub(r"[^\w.-]+", "-", test_name).strip("-")
        self.shots = shots
        self.problems = Problems()
        self.opened: list[tuple[str, BrowserContext, Page]] = []

    def open(self, name: str = "", locale: str = "zh-CN") -> Page:
        """A new page in a new context (its own cookies) with the browser's language `locale`;
        `name` suffixes its screenshot."""
        context = self.browser.new_context(base_url=self.base_url, locale=locale, viewport=VIEWPORT)
        context.set_default_timeout(TIMEOUT)
        context.expose_binding(
            "cdReportViolation",
            lambda source, text: self.problems.add(
                f"CSP violation on {source['page'].url}: {text}"
            ),
        )
        context.add_init_script(_REPORT_CSP)
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.add(f"uncaught exception: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        self.opened.append((name, context, page))
        return page

    def _violation(self, source: dict[str, Any], text: str) -> None:
        self.problems.add(f"CSP violation on {source['page'].url}: {text}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.add(
                f"console error on {message.page.url if message.page else '?'}: "
                f"{message.text} ({message.location.get('url', '')})"
            )

    def _own(self, url: str) -> bool:
        return url.startswith(self.base_url)

    def _request_failed(self, request: Request) -> None:
        if self._own(request.url):
            self.problems.add(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: Response) -> None:
        # Pages answer 4xx on purpose (a refused form says 200 or 422); the app's files never.
        if self._own(response.url) and response.status >= 400 and "/static/" in response.url:
            self.problems.add(f"{response.status} for {response.url}")

    def screenshot_all(self) -> list[Path]:
        self.shots.mkdir(parents=True, exist_ok=True)
        taken = []
        for name, _context, page in self.opened:
            path = self.shots / (
                f"{self.test_name}-{name}.png" if name else f"{self.test_name}.png"
            )
            try:
                page.screenshot(path=path, full_page=True)
            except Error as exc:  # a crashed page must not hide the test's own failure
                warnings.warn(f"no screenshot of {path.name}: {exc}", stacklevel=1)
            else:
                taken.append(path)
        return taken

    def close(self) -> None:
        for _name, context, _page in self.opened:
            context.close()


@pytest.fixture
def pages(browser: Browser, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Pages]:
    opened = Pages(
        browser, live_server.url, request.node.name, plugin.screenshot_dir(request.config)
    )
    yield opened
    opened.screenshot_all()
    opened.close()


@pytest.fixture
def page(pages: Pages) -> Page:
    """The test's first page, in Chinese (zh-CN) unless the test opens others."""
    return pages.open()


@pytest.fixture
def problems(pages: Pages) -> Problems:
    """Console errors, uncaught exceptions, CSP violations and failed own files, as they come."""
    return pages.problems


# --- the organisation ------------------------------------------------------------------------


@pytest.fixture
def desk(
    seeded_calendars: None,  # noqa: F811  # the SLA tests' fixture, imported above
    policy: PolicyVersion,  # noqa: F811
    staff: dict[str, User],
) -> dict[str, User]:
    """One user per role (username = role, password PASSWORD), calendars and the SLA policy:
    the time limits of tickets registered in the test run; and the return-visit rules, which a
    data migration seeds and an earlier transactional test's flush removed."""
    if not VisitRule.objects.exists():
        importlib.import_module("carrierdesk.visits.migrations.0002_default_rules").seed(apps, None)
    return staff


# --- page objects ------------------------------------------------------------------------------


def next_code(user: User) -> str:
    """A code of `user`'s authenticator the server takes now: within the device's tolerance
    around the current step, and after the last step used (each step's code works once).
    Enrols and confirms an authenticator if the user has none."""
    enrolment = otp.authenticator_of(user) or otp.enrol_totp(None, user)
    if not enrolment.device.confirmed:
        otp.confirm_totp(None, user, current_code(enrolment))
        enrolment = otp.authenticator_of(user)  # type: ignore[assignment]  # just confirmed
    device = enrolment.device
    now = int(time.time() - device.t0) // device.step
    step = max(device.last_t + 1, now + device.drift - device.tolerance)
    if step > now + device.drift + device.tolerance:  # this window's codes are spent: wait
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.2)
        return next_code(user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=step - now):06d}"


def submit(page: Page) -> None:
    """Press the main form's submit button."""
    page.locator("main form button[type=submit]").first.click()


def fill_password_step(page: Page, username: str, password: str = PASSWORD) -> None:
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    submit(page)


def sign_in(page: Page, user: User, next_url: str = "") -> Page:
    """Sign in through the real sign-in page: the password, then the one-time code for roles
    with a second factor (R-SEC-4). Ends on the page the sign-in leads to."""
    needs_code = otp.otp_required(user)
    code = next_code(user) if needs_code else ""  # enrols before the password step
    page.goto(f"/signin/?next={next_url}" if next_url else "/signin/")
    fill_password_step(page, user.username)
    if needs_code:
        page.wait_for_url(re.compile(r"/signin/code/"))
        page.locator("#id_code").fill(code)
        submit(page)
    # Waits for the navigation itself (an `expect` would poll, adding up to a second).
    page.wait_for_url(lambda url: "/signin/" not in url)
    return page


def signed_in(pages: Pages, user: User, locale: str = "zh-CN") -> Page:
    """A new page (own cookies) signed in as `user`, its screenshot named after them."""
    return sign_in(pages.open(user.username, locale=locale), user)


def open_queue(page: Page, **filters: str) -> Page:
    """The ticket queue (/tickets/), with query-string filters (e.g. queue="unassigned")."""
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    page.goto(f"/tickets/?{query}" if query else "/tickets/")
    expect(page.locator("main table")).to_be_visible()
    return page


def queue_row(page: Page, number: str) -> Any:
    """The queue's row of ticket `number`."""
    return page.locator("main table tbody tr", has_text=number)


def open_ticket(page: Page, number: str) -> Page:
    """The ticket workspace (/tickets/<number>/)."""
    page.goto(f"/tickets/{number}/")
    expect(page.locator("main")).to_contain_text(number)
    return page


def workflow_action(page: Page, action: str, **fields: str) -> Page:
    """Take a workflow action in the workspace: open its panel (the `<details>` whose summary
    says data-action="<action>"), fill the fields it asks for by name (reason, resolution,
    department, assignee, note; a <select> gets the option of that value), press its button."""
    panel = page.locator(f'main details:has(> summary[data-action="{action}"])')
    expect(panel, f"the {action} action is offered").to_have_count(1)
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    form = panel.locator("form")
    for name, value in fields.items():
        choose(form, name, value)
        page.wait_for_load_state("networkidle")  # a department may swap its people in
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    return page


def choose(form: Any, name: str, value: str) -> None:
    """Set the control `name` of `form`: a <select> gets the option of that value."""
    control = form.locator(f'[name="{name}"]')
    if control.evaluate("el => el.tagName") == "SELECT":
        control.select_option(value)
    else:
        control.fill(value)


def find_caller(page: Page, number: str) -> Page:
    """Intake (R-INT-5): look the caller up by phone, customer, service or ID number; the
    customer panel and the new-ticket form come in by htmx."""
    page.goto("/intake/")
    page.locator("#intake-q").fill(number)
    page.locator("#intake-q").press("Enter")
    expect(page.locator("#intake-form")).to_be_visible()
    return page


def register_from_intake(page: Page, **fields: str) -> Page:
    """Fill the new-ticket form of intake (kind first: it brings the subtypes and urgencies it
    allows) and save; ends on the confirmation page."""
    form = page.locator("#intake-form")
    if "kind" in fields:
        choose(form, "kind", fields["kind"])
        page.wait_for_load_state("networkidle")  # the kind's classification fields swap in
    for name, value in fields.items():
        if name != "kind":
            choose(form, name, value)
    with page.expect_navigation():
        form.locator("button[type=submit]").last.click()
    return page
