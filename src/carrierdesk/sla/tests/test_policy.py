"""Policy packs (R-POL-1): the default pack holds SPEC §4; bad packs are refused by line."""

import re
from typing import Any

import pytest

from carrierdesk.config.paths import default_policy_pack
from carrierdesk.conftest import at
from carrierdesk.core.errors import InvalidInput
from carrierdesk.sla.actions import load_policy, policy_in_force
from carrierdesk.sla.models import PolicyVersion, Target
from carrierdesk.sla.policy import PolicyError, parse_limit, parse_pack

CALENDARS = frozenset({"cn", "cn-business", "24x7"})


def default_text() -> str:
    return default_policy_pack().read_text(encoding="utf-8")


def test_every_source_of_spec_section_4_is_in_the_default_pack() -> None:
    pack = parse_pack(default_text(), calendars=CALENDARS)
    cited = " ".join([t.source for t in pack.targets] + [f.source for f in pack.figures])
    spec_sources = {
        "[000 §2.1.3]",
        "[000 §2.1.2]",
        "[002 §2.1]",
        "[001 §1.4]",
        "[000 §5.1.1]",
        "[000 §4.2]",
        "[000 §4.3]",
        "[002 §4.1]",
        "[002 §6.2]",
        "[000 §7.1.2]",
        "[000 §7.3.1]",
        "[003 §3.3]",
        "[002 §3.3]",
        "[000 §4.1]",
    }
    for source in spec_sources:
        assert source.strip("[]") in cited, source
    assert "000 §3.2.1" in cited


@pytest.mark.parametrize(
    ("code", "limit"),
    [
        ("order-acceptance", "3 working days"),
        ("order-review", "2 working days"),
        ("order-review-outer-bound", "5 working days"),
        ("order-provisioning", "3 working days"),
        ("order-change-termination", "15 working days"),
        ("request-emergency", "2 hours"),
        ("request-important", "4 hours"),
        ("request-general", "8 hours"),
        ("general-response", "24 hours"),
        ("major-issue-response", "48 hours"),
        ("first-response", "15 minutes"),
        ("work-order-handled", "24 hours"),
        ("fault-report", "15 minutes"),
        ("fault-first-response", "15 minutes"),
        ("fault-analysis", "1 hours"),
        ("fault-location", "4 hours"),
        ("fault-classification", "24 hours"),
        ("fault-repair-urgent", "24 hours"),
        ("fault-repair-general", "48 hours"),
        ("fault-repair-minor", "72 hours"),
        ("fault-restore-sla-customer", "4 hours"),
        ("delivery-basic", "24 hours"),
        ("delivery-leased-line", "72 hours"),
        ("complaint-initial-check", "24 hours"),
        ("complaint-general-first-handling", "1 working days"),
        ("complaint-general-closure", "5 working days"),
        ("complaint-serious-first-handling", "2 working days"),
        ("complaint-serious-closure", "7 working days"),
        ("complaint-major-first-handling", "3 working days"),
        ("complaint-major-closure", "10 working days"),
        ("complaint-outer-review", "3 working days"),
        ("complaint-outer-investigation", "7 working days"),
        ("complaint-outer-first-result", "15 working days"),
        ("complaint-feedback-first", "2 working days"),
        ("complaint-feedback-final", "5 working days"),
        ("suggestion-response", "24 hours"),
        ("suggestion-handled", "72 hours"),
    ],
)
def test_spec_section_4_limits(code: str, limit: str) -> None:
    pack = parse_pack(default_text(), calendars=CALENDARS)
    target = next(t for t in pack.targets if t.code == code)
    assert target.limit == parse_limit(limit)


def test_figures_that_are_not_clocks_are_kept_with_their_source() -> None:
    pack = parse_pack(default_text(), calendars=CALENDARS)
    figures = {figure.code: figure.value for figure in pack.figures}
    assert figures["termination-notice"].startswith(">= 30")
    assert figures["sla-availability"] == ">= 99.9%"
    assert figures["service-offline-notice"].startswith(">= 72")
    assert {"execution-problem-report", "execution-problem-review"} <= set(figures)


MINIMAL = """\
pack: test
version: "1"
effective_from: 2025-01-01
targets:
  - code: a
    clock: resolution
    applies_to: {kinds: [complaint]}
    start: [register]
    stop: [resolve]
    limit: 5 working days
    calendar: cn
    source: test
"""


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_pack(text, calendars=CALENDARS)
    return caught.value.problems


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "kinds: [complaint]",
            "kinds: [complaint, grievance]",
            r"line 7: unknown kind “grievance”",
        ),
        ("clock: resolution", "clock: closure", r"line 6: unknown clock “closure”"),
        ("calendar: cn", "calendar: mars", r"line 11: unknown calendar “mars”"),
        ("limit: 5 working days", "limit: -5 working days", r"line 10: .*greater than zero"),
        ("limit: 5 working days", "limit: 5 fortnights", r"line 10: .*is not a limit"),
        ("limit: 5 working days", "limit: 2.5 working days", r"line 10: .*whole days"),
        ("stop: [resolve]", "stop: [finish]", r"line 9: unknown event “finish”"),
        ("source: test", "sauce: test", r"unknown key “sauce”"),
        ("effective_from: 2025-01-01", "effective_from: someday", r"line 3: effective_from"),
        ("targets:", "targets: [", r"line \d+: "),
    ],
)
def test_bad_packs_are_refused_with_line_and_reason(old: str, new: str, expected: str) -> None:
    found = problems(MINIMAL.replace(old, new))
    assert any(re.search(expected, problem) for problem in found), found


def test_overlapping_targets_for_one_clock_are_refused() -> None:
    text = (
        MINIMAL
        + """\
  - code: b
    clock: resolution
    applies_to: {urgencies: [general]}
    start: [register]
    stop: [resolve]
    limit: 7 working days
    calendar: cn
    source: test
"""
    )
    assert any("overlaps “a”" in problem for problem in problems(text))
    # Disjoint on one dimension: no overlap.
    disjoint = text.replace("applies_to: {urgencies: [general]}", "applies_to: {kinds: [fault]}")
    assert len(parse_pack(disjoint, calendars=CALENDARS).targets) == 2


def test_a_refused_pack_loads_nothing(db: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_policy(None, MINIMAL.replace("clock: resolution", "clock: closure"))
    assert caught.value.fields["file"] == ["line 6: unknown clock “closure”."]
    assert not PolicyVersion.objects.exists()
    assert not Target.objects.exists()


def test_versions_are_kept_and_a_ticket_keeps_the_one_in_force_when_received(db: Any) -> None:
    first = load_policy(None, default_text())
    with pytest.raises(InvalidInput):  # the same file twice is refused
        load_policy(None, default_text())
    second = load_policy(
        None,
        default_text().replace('version: "2025.3"', 'version: "2026.1"'),
        effective_from=at("2026-01-01 00:00").date(),
    )
    assert (first.version, second.version) == (1, 2)
    assert policy_in_force(at("2025-12-31 23:59")) == first
    assert policy_in_force(at("2026-01-01 00:00")) == second
    assert policy_in_force(at("2024-12-31 23:59")) is None
    assert first.targets.count() == 38
