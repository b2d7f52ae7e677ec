"""Time-limit policy versions in the staff UI (issue 5 §7, R-POL-1): read-only, for every
role but technicians."""

import re
from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client

from carrierdesk.config.paths import default_policy_pack
from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.sla.actions import load_policy
from carrierdesk.sla.models import PolicyVersion
from carrierdesk.web.tests import conftest as web_fixtures

pytestmark = pytest.mark.django_db

browse = web_fixtures.browse


@pytest.fixture
def later(policy: PolicyVersion, staff: dict[str, User]) -> PolicyVersion:
    """The same pack again from 2026, loaded by the admin."""
    with clock.frozen(at("2025-12-01 09:00")):
        return load_policy(
            staff["admin"],
            default_policy_pack().read_text(encoding="utf-8"),
            effective_from=date(2026, 1, 1),
            source_name="cn-telecom-2026.yaml",
        )


def get(client: Client, url: str) -> str:
    with clock.frozen(at("2025-12-02 09:00")):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("agent", 200),
        ("dispatcher", 200),
        ("supervisor", 200),
        ("quality_inspector", 200),
        ("auditor", 200),
        ("admin", 200),
        ("technician", 403),
    ],
)
def test_who_reads_the_policies(
    role: str, status: int, policy: PolicyVersion, browse: Callable[..., Client]
) -> None:
    client = browse(role)
    assert client.get("/policies/").status_code == status
    assert client.get(f"/policies/{policy.pk}/").status_code == status


def test_list_shows_each_version_and_the_one_in_force(
    policy: PolicyVersion, later: PolicyVersion, browse: Callable[..., Client]
) -> None:
    body = get(browse("agent"), "/policies/")
    table = re.search(r'<table[^>]*id="policy-versions".*?</table>', body, re.S)
    assert table
    rows = re.findall(r"<tr tabindex=\"-1\">(.*?)</tr>", table[0], re.S)
    cells = [
        [
            re.sub(r"<[^>]+>|\s+", " ", cell).split()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]
    # Newest effective date first; on 2 Dec 2025 the 2025 version is in force.
    assert [row[1] for row in cells] == [["v2"], ["v1", "in", "force"]]
    assert [row[3] for row in cells] == [["2026-01-01"], ["2025-01-01"]]
    assert cells[0][5] == ["Administrator"] and cells[1][5] == ["system"]
    assert cells[0][6] == ["cn-telecom-2026.yaml"]
    assert cells[0][7] == [str(later.targets.count())]
    assert f'href="/policies/{later.pk}/"' in body


def test_a_version_shows_its_targets_with_their_sources_and_figures(
    policy: PolicyVersion, browse: Callable[..., Client]
) -> None:
    body = get(browse("supervisor"), f"/policies/{policy.pk}/")
    assert "in force" in body
    rows = re.findall(
        r"<tr[^>]*>\s*<th scope=\"row\"[^>]*><code>([^<]+)</code></th>(.*?)</tr>", body, re.S
    )
    targets = {code: re.sub(r"<[^>]+>|\s+", " ", rest) for code, rest in rows}
    general = " ".join(targets["complaint-general-closure"].split())
    assert "Resolution" in general
    assert "Kinds: Complaint, Regulator appeal" in general
    assert "Urgencies: General" in general
    assert "5 working days" in general
    assert "paused by Pend; resumed by Resume" in general
    assert "warnings at 50%, 80%" in general
    assert "chain: Assignee → Supervisor → Head of department" in general
    assert "[002 §6.2] general complaint closed within 5 working days" in general
    outer = " ".join(targets["complaint-outer-review"].split())
    assert "no (kept as data)" in outer
    assert "termination-notice" in targets  # the figures, under their own heading
    assert "&gt;= 30 calendar days before the termination takes effect" in body
    assert 'method="post"' not in body.split("<main", 1)[1]  # read-only: no form of its own


def test_an_unknown_version_is_not_found(
    policy: PolicyVersion, browse: Callable[..., Client]
) -> None:
    assert browse("admin").get(f"/policies/{policy.pk + 100}/").status_code == 404


def test_policy_pages_query_counts_are_pinned(
    policy: PolicyVersion,
    later: PolicyVersion,
    browse: Callable[..., Client],
    django_assert_num_queries: Callable,
) -> None:
    client = browse("agent")
    get(client, "/policies/")
    # Session, user, OTP device, roles, profile (menu); the versions.
    with django_assert_num_queries(6):
        get(client, "/policies/")
    # … the version, its targets, the versions of its pack.
    with django_assert_num_queries(8):
        get(client, f"/policies/{policy.pk}/")
