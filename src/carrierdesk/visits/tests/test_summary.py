"""Satisfaction per return-visit batch (R-RV-2: >= 85 % per batch; R-QM-2: >= 90 % overall;
top-2-box as R-QM-1 says): the pure summary table-tested and counted by hand, the query in the
user's scope with its filters, the API (roles, bad parameters) and the page."""

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from carrierdesk.accounts.models import Department, Region
from carrierdesk.accounts.scope import scope_of
from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.core.errors import InvalidInput
from carrierdesk.tickets.models import Ticket
from carrierdesk.tickets.tests import conftest as tickets_fixtures
from carrierdesk.visits.models import ReturnVisit
from carrierdesk.visits.summary import (
    Fact,
    Figures,
    Filters,
    read_filters,
    satisfaction_summary,
    shown,
    summarise,
    visit_facts,
)
from carrierdesk.web.tests import conftest as web_fixtures

pytestmark = pytest.mark.django_db

browse = web_fixtures.browse
english = web_fixtures.english
elsewhere = tickets_fixtures.elsewhere

MakeTicket = Callable[..., Ticket]
UTC = ZoneInfo("UTC")
#: Wednesday 25 November 2026 (ISO week 48), when the summaries are read.
NOW = at("2026-11-25 10:00")
#: The two weeks of the hand count: W46 (Mon 9 – Sun 15 Nov), W47 (Mon 16 – Sun 22 Nov).
TWO_WEEKS = {"period": "week", "from": "2026-11-09", "to": "2026-11-22"}


def fact(
    when: str,
    status: str = "done",
    solved: bool | None = True,
    satisfaction: int | None = 5,
    nps: int | None = None,
) -> Fact:
    return Fact(at(when), status, solved, satisfaction, nps)


def overall(facts: list[Fact], start: str = "2026-11-09", end: str = "2026-11-22") -> Figures:
    summary = summarise(
        facts, period="week", start=date.fromisoformat(start), end=date.fromisoformat(end)
    )
    return summary.overall


# --- the pure summary, one rule per line -----------------------------------------------------

#: (what, facts, expected figures of the range: counts and exact percentages)
TABLE: list[tuple[str, list[Fact], dict[str, Any]]] = [
    (
        "a very satisfied, solved promoter",
        [fact("2026-11-10 09:00", nps=10)],
        {
            "finished": 1,
            "reached": 1,
            "answered": 1,
            "satisfied": 1,
            "satisfaction": 100,
            "solved_rate": 100,
            "nps": 100,
            "reopened": 0,
            "meets_target": True,
        },
    ),
    (
        "unreachable: finished, not reached, nothing answered",
        [fact("2026-11-10 09:00", status="unreachable", solved=None, satisfaction=None)],
        {
            "finished": 1,
            "reached": 0,
            "unreachable": 1,
            "answered": 0,
            "satisfaction": None,
            "solved_rate": None,
            "nps": None,
            "meets_target": None,
        },
    ),
    (
        "cancelled and still scheduled visits are not counted",
        [
            fact("2026-11-10 09:00", status="cancelled"),
            fact("2026-11-10 09:00", status="scheduled", solved=None, satisfaction=None),
        ],
        {"finished": 0, "answered": 0, "satisfaction": None, "meets_target": None},
    ),
    (
        "top-2-box: 4 is satisfied, 3 is not (and does not reopen)",
        [fact("2026-11-10 09:00", satisfaction=4), fact("2026-11-10 10:00", satisfaction=3)],
        {"answered": 2, "satisfied": 1, "satisfaction": 50, "reopened": 0, "meets_target": False},
    ),
    (
        "dissatisfied (2) or unsolved reopens; very dissatisfied (1) too",
        [
            fact("2026-11-10 09:00", satisfaction=2),
            fact("2026-11-10 10:00", satisfaction=1),
            fact("2026-11-10 11:00", solved=False, satisfaction=4),
        ],
        {"reopened": 3, "satisfied": 1, "solved": 2, "solved_rate": Fraction(200, 3)},
    ),
    (
        "answered without a level (survey): reached, not in the satisfaction base",
        [fact("2026-11-10 09:00", solved=None, satisfaction=None, nps=9)],
        {"reached": 1, "answered": 0, "satisfaction": None, "solved_rate": None, "nps": 100},
    ),
    (
        "NPS: 9-10 promote, 7-8 are passive, 0-6 detract",
        [fact(f"2026-11-1{n % 3} 09:00", nps=n) for n in (10, 9, 8, 7, 6, 0)],
        {"nps_answers": 6, "promoters": 2, "detractors": 2, "nps": 0},
    ),
    (
        "outside the range (local days) is left out",
        [fact("2026-11-08 23:59"), fact("2026-11-23 00:00"), fact("2026-11-22 23:59")],
        {"finished": 1},
    ),
    (
        "exactly 90 % meets the range's target",
        [fact(f"2026-11-10 {h:02d}:00", satisfaction=5 if h < 18 else 3) for h in range(20)],
        {"satisfaction": 90, "meets_target": True},
    ),
]


@pytest.mark.parametrize(
    ("facts", "expected"), [row[1:] for row in TABLE], ids=[r[0] for r in TABLE]
)
def test_the_summary_counts_each_rule(facts: list[Fact], expected: dict[str, Any]) -> None:
    figures = overall(facts)
    assert {name: getattr(figures, name) for name in expected} == expected


def test_a_batch_is_a_local_week_day_or_month() -> None:
    """Sunday 15 Nov 23:30 and Monday 16 Nov 00:10 in Shanghai are both Sunday in UTC: the
    batches follow the local calendar (settings.TIME_ZONE)."""
    sunday, monday = at("2026-11-15 23:30"), at("2026-11-16 00:10")
    assert sunday.astimezone(UTC).date() == monday.astimezone(UTC).date()
    facts = [Fact(sunday, "done", True, 5, None), Fact(monday, "done", True, 5, None)]
    start, end = date(2026, 11, 1), date(2026, 12, 3)
    weeks = summarise(facts, period="week", start=start, end=end)
    assert [(b.label, b.figures.finished) for b in weeks.batches if b.figures.finished] == [
        ("2026-W46", 1),
        ("2026-W47", 1),
    ]
    # Every week of the range is a batch, the empty ones too; the ends are partial.
    assert [b.label for b in weeks.batches][:2] == ["2026-W44", "2026-W45"]
    first, last = weeks.batches[0], weeks.batches[-1]
    assert (first.first_day, first.last_day, first.partial) == (start, date(2026, 11, 1), True)
    assert (last.first_day, last.last_day, last.partial) == (date(2026, 11, 30), end, True)
    assert weeks.batches[1].partial is False
    days = summarise(facts, period="day", start=date(2026, 11, 15), end=date(2026, 11, 16))
    assert [(b.label, b.figures.finished) for b in days.batches] == [
        ("2026-11-15", 1),
        ("2026-11-16", 1),
    ]
    months = summarise(facts, period="month", start=date(2026, 11, 20), end=date(2027, 1, 5))
    assert [b.label for b in months.batches] == ["2026-11", "2026-12", "2027-01"]
    assert months.batches[0].first_day == date(2026, 11, 20)
    # Facts already counted per local day (as the query dates them) land in the same batches.
    grouped = [Fact(date(2026, 11, 15), "done", True, 5, None, count=3)]
    assert summarise(grouped, period="week", start=start, end=end).overall.finished == 3


def test_a_target_is_judged_exactly_not_on_the_rounded_figure() -> None:
    # 147 satisfied of 173 answers = 84.971…%: shown as 85.0, yet below the 85 % target.
    facts = [
        Fact(date(2026, 11, 10), "done", True, 5, None, count=147),
        Fact(date(2026, 11, 10), "done", True, 3, None, count=26),
    ]
    batch = summarise(
        facts, period="week", start=date(2026, 11, 9), end=date(2026, 11, 15)
    ).batches[0]
    assert batch.figures.satisfaction_shown == Decimal("85.0")
    assert batch.figures.meets_target is False
    # 17 of 20 = exactly 85 %: met.
    facts = [
        Fact(date(2026, 11, 10), "done", True, 4, None, count=17),
        Fact(date(2026, 11, 10), "done", True, 1, None, count=3),
    ]
    batch = summarise(
        facts, period="week", start=date(2026, 11, 9), end=date(2026, 11, 15)
    ).batches[0]
    assert (batch.figures.satisfaction, batch.figures.meets_target) == (85, True)
    assert shown(Fraction(-1, 8) * 100) == Decimal("-12.5")  # halves away from zero
    assert shown(Fraction(1, 3)) == Decimal("0.3") and shown(Fraction(-1, 30)) == Decimal("0.0")


# --- the hand count: 20 visits over two weeks ------------------------------------------------

#: W46 (Mon 9 – Sun 15 Nov 2026): 12 finished — 2 unreachable, 10 reached.
#:   levels 5 5 5 5 5 4 4 4 3 2: answered 10, satisfied 8 → 80.0 %: BELOW the 85 % target.
#:   solved: all but the "3" → 9 / 10 = 90.0 %.
#:   reopened: the unsolved "3" and the dissatisfied "2" → 2.
#:   NPS given by 8: 10 10 9 9 8 7 6 0 → 4 promoters, 2 detractors → (4 − 2) / 8 = 25.0.
#:   The last one is finished Sunday 23:30 in Shanghai (15:30 UTC): still W46.
#: W47 (Mon 16 – Sun 22 Nov): 8 finished — 1 unreachable, 7 reached.
#:   levels 5 5 5 4 4 4 and one survey answer without a level: answered 6, satisfied 6 → 100.0 %.
#:   solved 6 of the 6 that say (the survey answer does not) → 100.0 %; reopened 0.
#:   NPS given by 3: 10 9 8 → 2 promoters, 0 detractors → 2 / 3 = 66.666… → 66.7.
#:   The first one is finished Monday 00:10 in Shanghai (Sunday 16:10 UTC): W47.
#: Not counted: one visit cancelled, one still scheduled (after a failed attempt).
#: Overall: finished 20, reached 17, unreachable 3, answered 16, satisfied 14 → 87.5 %: below
#:   the 90 % overall target; solved 15 / 16 = 93.75 → 93.8; NPS (6 − 2) / 11 = 36.36… → 36.4;
#:   reopened 2.
HAND_COUNT: list[tuple[str, str, bool | None, int | None, int | None]] = [
    # (finished, status, solved, satisfaction, nps)
    ("2026-11-09 09:00", "unreachable", None, None, None),
    ("2026-11-09 10:00", "done", True, 5, 10),
    ("2026-11-10 11:00", "done", True, 5, 10),
    ("2026-11-10 14:00", "done", True, 5, 9),
    ("2026-11-11 09:30", "done", True, 5, 9),
    ("2026-11-11 16:00", "done", True, 5, 8),
    ("2026-11-12 10:00", "done", True, 4, 7),
    ("2026-11-12 15:00", "unreachable", None, None, None),
    ("2026-11-13 09:00", "done", True, 4, 6),
    ("2026-11-13 17:00", "done", False, 3, 0),
    ("2026-11-14 10:00", "done", True, 2, None),
    ("2026-11-15 23:30", "done", True, 4, None),
    ("2026-11-16 00:10", "done", True, 5, 10),
    ("2026-11-17 09:00", "done", True, 5, 9),
    ("2026-11-18 10:00", "done", True, 5, 8),
    ("2026-11-19 11:00", "done", True, 4, None),
    ("2026-11-20 12:00", "unreachable", None, None, None),
    ("2026-11-22 10:00", "done", True, 4, None),
    ("2026-11-22 14:00", "done", True, 4, None),
    ("2026-11-22 20:00", "done", None, None, None),
    ("2026-11-12 12:00", "cancelled", None, None, None),
    ("2026-11-18 12:00", "scheduled", None, None, None),
]

EXPECTED_WEEKS = [
    # label, finished, reached, unreachable, answered, satisfied, satisfaction %, solved %,
    # NPS, reopened, meets 85 %
    ("2026-W46", 12, 10, 2, 10, 8, "80.0", "90.0", "25.0", 2, False),
    ("2026-W47", 8, 7, 1, 6, 6, "100.0", "100.0", "66.7", 0, True),
]
EXPECTED_OVERALL = (20, 17, 3, 16, 14, "87.5", "93.8", "36.4", 2, False)


def row_of(figures: Figures) -> tuple[Any, ...]:
    return (
        figures.finished,
        figures.reached,
        figures.unreachable,
        figures.answered,
        figures.satisfied,
        str(figures.satisfaction_shown),
        str(figures.solved_shown),
        str(figures.nps_shown),
        figures.reopened,
        figures.meets_target,
    )


def check_hand_count(summary: Any) -> None:
    assert [(b.label, *row_of(b.figures)) for b in summary.batches] == EXPECTED_WEEKS
    assert row_of(summary.overall) == EXPECTED_OVERALL
    assert summary.overall.satisfaction == Fraction(175, 2)  # exactly 87.5
    assert [b.label for b in summary.below_target] == ["2026-W46"]


def test_the_hand_count() -> None:
    facts = [
        fact(when, status, solved, level, nps) for when, status, solved, level, nps in HAND_COUNT
    ]
    summary = summarise(facts, period="week", start=date(2026, 11, 9), end=date(2026, 11, 22))
    check_hand_count(summary)


# --- the query -------------------------------------------------------------------------------


def add_visit(
    ticket: Ticket,
    finished: datetime,
    status: str = "done",
    solved: bool | None = True,
    satisfaction: int | None = 5,
    nps: int | None = None,
    channel: str = "phone",
) -> ReturnVisit:
    """A visit row as record_visit (or a survey answer) leaves it."""
    reached = status == "done"
    return ReturnVisit.objects.create(
        ticket=ticket,
        status=status,
        channel=channel,
        not_before=finished,
        due_at=finished,
        created_at=finished,
        max_attempts=3,
        attempts=1 if status != "cancelled" else 0,
        visited_at=finished if status != "cancelled" else None,
        solved=solved if reached else None,
        satisfaction=satisfaction if reached else None,
        nps=nps if reached else None,
    )


@pytest.fixture
def hand_count(make_ticket: MakeTicket) -> list[Ticket]:
    """The hand count's visits, each on a ticket of its own in the staff's district."""
    tickets = []
    for when, status, solved, satisfaction, nps in HAND_COUNT:
        ticket = make_ticket()
        add_visit(ticket, at(when), status, solved, satisfaction, nps)
        tickets.append(ticket)
    return tickets


def two_weeks(**extra: str) -> Filters:
    return read_filters({**TWO_WEEKS, **extra})


def test_the_query_counts_the_hand_count(hand_count: list[Ticket], staff: dict[str, User]) -> None:
    filters = two_weeks()
    scope_of(staff["quality_inspector"])  # roles and profile, read once per request
    with CaptureQueriesContext(connection) as queries:
        facts = visit_facts(staff["quality_inspector"], filters)
    # One grouped statement for the batches that have ended (W46), one for the last (W47).
    assert len(queries) == 2
    with CaptureQueriesContext(connection) as again:
        assert visit_facts(staff["quality_inspector"], filters) == facts
    assert len(again) == 1  # the ended batches are kept: the last one is counted again
    # Grouped per batch and outcome: 20 visits, 15 rows (W46: the two unreachable, two pairs
    # of alike 5s; W47: three alike 4s), each dated to its batch's first day.
    assert (len(facts), sum(each.count for each in facts)) == (15, 20)
    assert {each.finished for each in facts} == {date(2026, 11, 9), date(2026, 11, 16)}
    check_hand_count(satisfaction_summary(staff["quality_inspector"], two_weeks()))


def test_the_query_batches_by_local_day_and_month(
    hand_count: list[Ticket], staff: dict[str, User]
) -> None:
    def batches(**params: str) -> list[tuple[str, int]]:
        summary = satisfaction_summary(staff["admin"], read_filters(params))
        return [(batch.label, batch.figures.finished) for batch in summary.batches]

    # Sunday 23:30 and Monday 00:10 in Shanghai (both Sunday in UTC).
    assert batches(period="day", **{"from": "2026-11-15", "to": "2026-11-16"}) == [
        ("2026-11-15", 1),
        ("2026-11-16", 1),
    ]
    # From Tuesday 10 Nov: Monday 9 Nov's two visits are out of the range.
    assert batches(period="month", **{"from": "2026-11-10", "to": "2026-12-31"}) == [
        ("2026-11", 18),
        ("2026-12", 0),
    ]


def test_the_query_keeps_to_the_users_scope_and_the_filters(
    make_ticket: MakeTicket, staff: dict[str, User], elsewhere: Ticket
) -> None:
    here = make_ticket()
    fault = make_ticket()
    Ticket.objects.filter(pk=fault.pk).update(kind="fault")
    network = Department.objects.get(code="NETWORK_OPER")
    Ticket.objects.filter(pk=here.pk).update(department=network)
    add_visit(here, at("2026-11-10 09:00"), satisfaction=5)
    add_visit(fault, at("2026-11-10 10:00"), satisfaction=4, channel="sms")
    add_visit(elsewhere, at("2026-11-10 11:00"), satisfaction=1)

    def finished(role: str, **extra: str) -> int:
        return satisfaction_summary(staff[role], two_weeks(**extra)).overall.finished

    # The district's quality inspector sees the district's tickets; the other district's is
    # counted for the read-all roles only.
    assert finished("quality_inspector") == 2
    assert finished("admin") == finished("auditor") == 3
    assert finished("admin", department="NETWORK_OPER") == 1
    assert finished("admin", kind="fault") == 1
    assert finished("admin", channel="sms") == 1
    assert finished("admin", kind="complaint", channel="phone") == 2
    assert finished("quality_inspector", kind="complaint") == 1
    # A technician's scope is the tickets routed to them or their department (network
    # operations): the one routed there.
    assert finished("technician") == 1


def test_bad_filters_are_named_and_defaults_are_twelve_weeks() -> None:
    filters = read_filters({}, on=date(2026, 11, 25))
    assert (filters.period, filters.start, filters.end) == (
        "week",
        date(2026, 9, 7),  # the Monday 11 weeks before the week of Wed 25 Nov
        date(2026, 11, 25),
    )
    cases = [
        ({"period": "year"}, "period"),
        ({"from": "2026-13-01"}, "from"),
        ({"to": "25/11/2026"}, "to"),
        ({"from": "2026-11-20", "to": "2026-11-10"}, "to"),
        ({"from": "2020-01-01", "to": "2026-11-10"}, "from"),
        ({"period": "day", "from": "2026-01-01", "to": "2026-11-10"}, "period"),
        ({"kind": "parcel"}, "kind"),
        ({"channel": "fax"}, "channel"),
        ({"department": "NOPE"}, "department"),
    ]
    for params, name in cases:
        with pytest.raises(InvalidInput) as refused:
            read_filters(params, on=date(2026, 11, 25))
        assert list(refused.value.fields) == [name], params


# --- the API ---------------------------------------------------------------------------------

URL = "/api/v1/return_visits/summary/"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("quality_inspector", 200),
        ("supervisor", 200),
        ("auditor", 200),
        ("admin", 200),
        ("agent", 403),
        ("dispatcher", 403),
        ("technician", 403),
        ("customer", 403),
    ],
)
def test_the_api_is_for_quality_roles(
    api: Callable[[str], APIClient], role: str, status: int
) -> None:
    with clock.frozen(NOW):
        response = api(role).get(URL)
    assert response.status_code == status, response.json()
    if status == 200:
        body = response.json()
        assert (body["period"], body["from"], body["to"]) == ("week", "2026-09-07", "2026-11-25")
        assert len(body["batches"]) == 12 and body["overall"]["meets_target"] is None


def test_the_api_gives_the_hand_count(
    api: Callable[[str], APIClient], hand_count: list[Ticket]
) -> None:
    with clock.frozen(NOW):
        body = api("quality_inspector").get(URL, TWO_WEEKS).json()
    assert body["time_zone"] == "Asia/Shanghai"
    assert body["filters"] == {"department": None, "kind": None, "channel": None}
    first, second = body["batches"]
    assert (first["batch"], first["first_day"], first["last_day"]) == (
        "2026-W46",
        "2026-11-09",
        "2026-11-15",
    )
    assert (first["satisfaction_percent"], first["target_percent"], first["meets_target"]) == (
        "80.0",
        "85.0",
        False,
    )
    assert (first["nps"], first["reopened"], second["nps"], second["meets_target"]) == (
        "25.0",
        2,
        "66.7",
        True,
    )
    whole = body["overall"]
    assert (whole["answered"], whole["satisfied"], whole["satisfaction_percent"]) == (
        16,
        14,
        "87.5",
    )
    assert (whole["target_percent"], whole["meets_target"]) == ("90.0", False)


def test_the_api_refuses_bad_parameters_with_a_message(api: Callable[[str], APIClient]) -> None:
    response = api("admin").get(
        URL,
        {"period": "year", "from": "2026-02-30", "kind": "parcel", "department": "NOPE"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "period": ["Choose the period: day, week or month."],
        "from": ["Give a date as YYYY-MM-DD."],
        "kind": ["Unknown ticket kind."],
        "department": ["No department with this code."],
    }
    backwards = api("admin").get(
        URL, {"from": "2026-11-20", "to": "2026-11-10"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert backwards.json()["error"]["fields"] == {"to": ["The end date is before the start date."]}


# --- the page --------------------------------------------------------------------------------

PAGE = "/visits/satisfaction/"


def row_html(body: str, row_id: str) -> str:
    found = re.search(rf'<tr id="{row_id}".*?</tr>', body, re.S)
    assert found, row_id
    return found[0]


def test_the_page_marks_a_batch_under_target(
    browse: Callable[..., Any], hand_count: list[Ticket]
) -> None:
    with clock.frozen(NOW):
        response = browse("quality_inspector").get(PAGE, TWO_WEEKS)
    assert response.status_code == 200
    body = response.content.decode()
    below = row_html(body, "batch-2026-W46")
    assert 'data-meets="no"' in below and "Below target" in below and "under 85 %" in below
    assert "80.0 %" in below and "25.0" in below
    met = row_html(body, "batch-2026-W47")
    assert 'data-meets="yes"' in met and "Met" in met and "Below target" not in met
    whole = row_html(body, "batch-overall")
    assert "87.5 %" in whole and "Below target" in whole and "under 90 %" in whole
    assert "1 batch is below the 85 % target." in body
    assert 'href="/visits/satisfaction/"' in body  # the menu entry


def test_the_page_defaults_refuses_other_roles_and_shows_bad_filters(
    browse: Callable[..., Any],
) -> None:
    with clock.frozen(NOW):
        default = browse("supervisor").get(PAGE)
        assert default.status_code == 200
        body = default.content.decode()
        assert "Visits finished from 2026-09-07 to 2026-11-25" in body
        assert body.count('<tr id="batch-2026-W') == 12
        assert browse("agent").get(PAGE).status_code == 403
        assert browse("technician").get(PAGE).status_code == 403
        bad = browse("auditor").get(PAGE, {"from": "2026-11-20", "to": "2026-11-10"})
    assert bad.status_code == 200
    bad_body = bad.content.decode()
    assert "The end date is before the start date." in bad_body
    assert 'id="satisfaction-batches"' not in bad_body


def test_a_visit_recorded_today_counts_at_once_though_the_past_is_kept(
    hand_count: list[Ticket], staff: dict[str, User]
) -> None:
    """The ended batches are kept for an hour; a visit is dated when it is recorded, so a new
    one always lands in the running batch, which is counted at every request."""
    filters = read_filters({"from": "2026-11-09", "to": "2026-11-29"})  # W46 to W48
    with clock.frozen(at("2026-11-25 10:00")):
        before = satisfaction_summary(staff["admin"], filters)
        add_visit(hand_count[0], at("2026-11-25 09:00"), "done", True, 5, None)
        after = satisfaction_summary(staff["admin"], filters)
    counted = [batch.figures.finished for batch in before.batches]
    assert counted[2] == 0
    assert [batch.figures.finished for batch in after.batches] == [*counted[:2], 1]


def test_a_province_wide_scope_counts_without_the_tickets(
    hand_count: list[Ticket], staff: dict[str, User], region: Region
) -> None:
    """Every region lies in the province: a scope holding the province holds every ticket."""
    province = Region.objects.get(code="440000")
    profile = staff["quality_inspector"].staff_profile
    profile.region = province
    profile.save()
    inspector = User.objects.get(pk=staff["quality_inspector"].pk)  # the scope read again
    with CaptureQueriesContext(connection) as queries:
        counted = satisfaction_summary(inspector, two_weeks())
    assert "tickets_ticket" not in queries[-1]["sql"]
    assert counted.overall == satisfaction_summary(staff["admin"], two_weeks()).overall
    Region.objects.create(code="450000", name="广西壮族自治区", level="province", path="/450000/")
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        satisfaction_summary(inspector, two_weeks())
    assert "tickets_ticket" in queries[-1]["sql"]  # another province: the scope joins again


def test_many_ended_batches_are_counted_in_one_statement_alike(
    hand_count: list[Ticket], staff: dict[str, User]
) -> None:
    """Up to 26 ended batches are counted a statement each, more in one: the same figures."""
    by_day = read_filters({"period": "day", "from": "2026-10-20", "to": "2026-11-22"})
    by_week = read_filters({"period": "week", "from": "2026-10-20", "to": "2026-11-22"})
    days = satisfaction_summary(staff["admin"], by_day)
    weeks = satisfaction_summary(staff["admin"], by_week)
    assert (len(days.batches), len(weeks.batches)) == (34, 5)
    assert days.overall == weeks.overall
    assert days.overall.finished == 20
