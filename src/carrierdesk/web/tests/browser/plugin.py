"""Pytest plugin of the browser tests (loaded with `-p` from pyproject's pytest options).

A plugin rather than conftest hooks because under pytest-xdist the controller, which prints
the terminal summary, never imports the test folders' conftest files. It tells where the
screenshots are, or that the browser tests were skipped on purpose. Imports nothing from
Django: it is loaded before Django is set up.
"""

import os
from pathlib import Path

import pytest

#: The browser: Debian's Chromium (scripts/browser.sh ensure installs it).
CHROMIUM = os.environ.get("CARRIERDESK_CHROMIUM", "/usr/bin/chromium")
#: CARRIERDESK_SKIP_BROWSER=1 skips the browser tests (a machine without Chromium); never in CI.
SKIP_ENV = "CARRIERDESK_SKIP_BROWSER"
MARKER = "browser"


def skip_requested() -> bool:
    return os.environ.get(SKIP_ENV, "") == "1"


def screenshot_dir(config: pytest.Config) -> Path:
    """test-output/browser/ at the repository's root (pytest's rootdir)."""
    return config.rootpath / "test-output" / "browser"


class _Tally:
    ran = 0
    skipped = 0


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if MARKER not in report.keywords:
        return
    if report.when == "call":
        _Tally.ran += 1
    elif report.when == "setup" and report.skipped:
        _Tally.skipped += 1


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller reports
        return
    if _Tally.ran:
        terminalreporter.write_sep("-", "browser tests")
        terminalreporter.write_line(
            f"{_Tally.ran} browser tests ran; screenshots in {screenshot_dir(config)}/"
        )
    if skip_requested() and _Tally.skipped:
        terminalreporter.write_sep("-", "browser tests")
        terminalreporter.write_line(
            f"{_Tally.skipped} browser tests SKIPPED because {SKIP_ENV}=1 is set",
            yellow=True,
            bold=True,
        )
