"""Satisfaction per return-visit batch (R-RV-2, R-QM-1, R-QM-2).

A batch is the return visits *finished* (`visited_at`: the visit done, or given up as
unreachable) within one day, ISO week (Monday to Sunday) or month in the branch's time zone
(settings.TIME_ZONE, Asia/Shanghai). Cancelled visits and visits still waiting are not counted.
For each batch and for the whole range:

- finished = reached (done) + unreachable;
- answered: reached visits with a satisfaction level; satisfied: level 4 or 5 (top-2-box,
  R-QM-1); satisfaction % = satisfied / answered (None when nobody answered);
- solved % = solved / reached visits that say whether the problem is solved;
- NPS = % promoters (9-10) - % detractors (0-6) among the NPS answers (None without any);
- reopened: reached visits unsolved or at most "dissatisfied" (what reopens the ticket, R-RV-2);
- a batch meets its target at >= 85 % satisfied (R-RV-2), the whole range at >= 90 %
  (R-RV-2, R-QM-2); None when nobody answered.

The arithmetic is exact (fractions); figures are rounded to one decimal only for display
(`shown`), and a target is judged on the exact value (84.97 % shows as 85.0 and misses 85 %).

`summarise` is pure (facts in, figures out); `visit_facts` reads the facts for a user — one
grouped statement over the visits finished in the range, on the tickets the user may see,
counted per batch and outcome.
"""

import hashlib
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.cache import cache
from django.db import models
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.models import Department, Region
from carrierdesk.accounts.scope import scope_of
from carrierdesk.core import clock
from carrierdesk.core.errors import InvalidInput
from carrierdesk.tickets.choices import ContactChannel, Kind
from carrierdesk.tickets.queries import User, on_visible_tickets
from carrierdesk.visits.choices import DISSATISFIED_AT_MOST, Satisfaction, VisitStatus
from carrierdesk.visits.models import ReturnVisit

#: Who reads the summary (page and API): the board's roles.
SUMMARY_ROLES = frozenset(
    {Role.QUALITY_INSPECTOR.value, Role.SUPERVISOR.value, Role.AUDITOR.value, Role.ADMIN.value}
)
#: Satisfaction target of each return-visit batch, in % (R-RV-2).
BATCH_TARGET = Fraction(85)
#: Satisfaction target over the whole range, in % (R-RV-2, R-QM-2).
OVERALL_TARGET = Fraction(90)
#: Top-2-box: "satisfied" and "very satisfied" (R-QM-1).
SATISFIED_AT_LEAST = Satisfaction.SATISFIED
#: NPS: promoters answer 9 or 10, detractors 0 to 6.
PROMOTER_AT_LEAST = 9
DETRACTOR_AT_MOST = 6
#: The finished visits; cancelled and scheduled ones are not counted.
FINISHED_STATUSES = (VisitStatus.DONE.value, VisitStatus.UNREACHABLE.value)

#: The default range: the last 12 ISO weeks, the current one included.
DEFAULT_WEEKS = 12
#: The longest range asked at once (days), and the most batches one table shows.
MAX_DAYS = 731
MAX_BATCHES = 120


class Period(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week (Monday to Sunday)")
    MONTH = "month", _("Month")


# --- the pure part ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """What a summary needs of one finished visit (or of `count` alike visits).

    `finished` is the aware time the visit was finished, or already the local day it was
    finished on (the query's: the first day of the visit's batch within the range)."""

    finished: datetime | date
    status: str
    solved: bool | None
    satisfaction: int | None
    nps: int | None
    count: int = 1


def percent(part: int, whole: int) -> Fraction | None:
    return Fraction(100 * part, whole) if whole else None


def shown(value: Fraction | None) -> Decimal | None:
    """`value` rounded to one decimal, halves away from zero, for display: exactly, from the
    fraction (no binary floating point on the way)."""
    if value is None:
        return None
    tenths = abs(value) * 10
    whole, rest = divmod(tenths.numerator, tenths.denominator)
    if 2 * rest >= tenths.denominator:
        whole += 1
    return Decimal(-whole if value < 0 else whole).scaleb(-1)


@dataclass
class Figures:
    """The counts of a batch (or of the range) and what follows from them."""

    target: Fraction
    finished: int = 0
    reached: int = 0
    unreachable: int = 0
    answered: int = 0
    satisfied: int = 0
    solved: int = 0
    #: Reached visits that say whether the problem is solved.
    solved_answered: int = 0
    nps_answers: int = 0
    promoters: int = 0
    detractors: int = 0
    reopened: int = 0

    def add(self, fact: Fact) -> None:
        count = fact.count
        self.finished += count
        if fact.status == VisitStatus.UNREACHABLE:
            self.unreachable += count
            return
        self.reached += count
        if fact.satisfaction is not None:
            self.answered += count
            if fact.satisfaction >= SATISFIED_AT_LEAST:
                self.satisfied += count
        if fact.solved is not None:
            self.solved_answered += count
            if fact.solved:
                self.solved += count
        if fact.nps is not None:
            self.nps_answers += count
            if fact.nps >= PROMOTER_AT_LEAST:
                self.promoters += count
            elif fact.nps <= DETRACTOR_AT_MOST:
                self.detractors += count
        dissatisfied = fact.satisfaction is not None and fact.satisfaction <= DISSATISFIED_AT_MOST
        if fact.solved is False or dissatisfied:
            self.reopened += count

    @property
    def satisfaction(self) -> Fraction | None:
        """Satisfied among the answers, in %."""
        return percent(self.satisfied, self.answered)

    @property
    def solved_rate(self) -> Fraction | None:
        return percent(self.solved, self.solved_answered)

    @property
    def nps(self) -> Fraction | None:
        """% promoters - % detractors, from -100 to 100."""
        return percent(self.promoters - self.detractors, self.nps_answers)

    @property
    def meets_target(self) -> bool | None:
        rate = self.satisfaction
        return None if rate is None else rate >= self.target

    # Rounded for display.
    @property
    def satisfaction_shown(self) -> Decimal | None:
        return shown(self.satisfaction)

    @property
    def solved_shown(self) -> Decimal | None:
        return shown(self.solved_rate)

    @property
    def nps_shown(self) -> Decimal | None:
        return shown(self.nps)

    @property
    def target_shown(self) -> Decimal | None:
        return shown(self.target)


@dataclass(frozen=True)
class Batch:
    """The visits finished within one period (`first_day` to `last_day`, clipped to the range;
    `partial` when the period reaches beyond the range)."""

    key: date
    label: str
    first_day: date
    last_day: date
    partial: bool
    figures: Figures


@dataclass(frozen=True)
class Summary:
    period: str
    start: date
    end: date
    batches: tuple[Batch, ...]
    overall: Figures
    time_zone: str = ""

    @property
    def below_target(self) -> list[Batch]:
        return [batch for batch in self.batches if batch.figures.meets_target is False]


def period_start(day: date, period: str) -> date:
    """The first day of the period holding `day`."""
    if period == Period.DAY:
        return day
    if period == Period.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_period(first: date, period: str) -> date:
    if period == Period.DAY:
        return first + timedelta(days=1)
    if period == Period.WEEK:
        return first + timedelta(days=7)
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def period_label(first: date, period: str) -> str:
    """ISO labels: 2026-11-23, 2026-W48, 2026-11."""
    if period == Period.DAY:
        return first.isoformat()
    if period == Period.WEEK:
        year, week, _weekday = first.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{first:%Y-%m}"


def periods(start: date, end: date, period: str) -> list[date]:
    """The first days of the periods meeting the range `start`..`end` (inclusive)."""
    firsts = []
    first = period_start(start, period)
    while first <= end:
        firsts.append(first)
        first = next_period(first, period)
    return firsts


def local_day(finished: datetime | date, zone: tzinfo) -> date:
    if isinstance(finished, datetime):
        if timezone.is_naive(finished):
            raise ValueError("a finishing time must be timezone-aware")
        return finished.astimezone(zone).date()
    return finished


def summarise(
    facts: Iterable[Fact],
    *,
    period: str,
    start: date,
    end: date,
    zone: tzinfo | None = None,
) -> Summary:
    """The figures of each batch of the range `start`..`end` (local days, inclusive) — every
    period of the range, those without a finished visit too — and of the whole range. Facts
    not finished (cancelled, scheduled) or outside the range are left out."""
    if period not in Period.values:
        raise ValueError(f"unknown period {period!r}")
    zone = zone or timezone.get_default_timezone()
    figures = {first: Figures(BATCH_TARGET) for first in periods(start, end, period)}
    overall = Figures(OVERALL_TARGET)
    for fact in facts:
        if fact.status not in FINISHED_STATUSES:
            continue
        day = local_day(fact.finished, zone)
        if not start <= day <= end:
            continue
        figures[period_start(day, period)].add(fact)
        overall.add(fact)
    batches = []
    for first, counted in figures.items():
        last = next_period(first, period) - timedelta(days=1)
        batches.append(
            Batch(
                key=first,
                label=period_label(first, period),
                first_day=max(first, start),
                last_day=min(last, end),
                partial=first < start or last > end,
                figures=counted,
            )
        )
    return Summary(period, start, end, tuple(batches), overall, str(zone))


# --- the filters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a summary is asked for (cleaned): the period, the range of local days, and the
    optional ticket department, ticket kind and visit channel."""

    period: str
    start: date
    end: date
    department: Department | None = None
    kind: str = ""
    channel: str = ""
    #: The query parameters as given back (canonical), for links and the API's echo.
    params: dict[str, str] = field(default_factory=dict)


def today() -> date:
    return timezone.localdate(clock.now(), timezone.get_default_timezone())


def default_start(end: date) -> date:
    """The Monday DEFAULT_WEEKS - 1 weeks before `end`'s week: 12 weeks with `end`'s."""
    return period_start(end, Period.WEEK) - timedelta(weeks=DEFAULT_WEEKS - 1)


_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _read_date(params: Mapping[str, Any], name: str, errors: dict[str, list[Any]]) -> date | None:
    text = str(params.get(name) or "").strip()
    if not text:
        return None
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = [_("Give a date as YYYY-MM-DD.")]
        return None


def read_filters(params: Mapping[str, Any], *, on: date | None = None) -> Filters:
    """Clean the query parameters period, from, to, department (code), kind and channel; all
    optional (a week's batches over the last 12 weeks up to today `on`). InvalidInput names
    each bad one."""
    errors: dict[str, list[Any]] = {}
    period = str(params.get("period") or Period.WEEK).strip()
    if period not in Period.values:
        errors["period"] = [_("Choose the period: day, week or month.")]
    start = _read_date(params, "from", errors)
    end = _read_date(params, "to", errors)
    end = end or on or today()
    start = start or default_start(end)
    if "from" not in errors and "to" not in errors:
        if end < start:
            errors["to"] = [_("The end date is before the start date.")]
        elif (end - start).days + 1 > MAX_DAYS:
            errors["from"] = [_("Choose a range of at most two years.")]
        elif period in Period.values and len(periods(start, end, period)) > MAX_BATCHES:
            errors["period"] = [
                _("The range holds too many batches for one table: choose a longer period.")
            ]
    kind = str(params.get("kind") or "").strip()
    if kind and kind not in Kind.values:
        errors["kind"] = [_("Unknown ticket kind.")]
    channel = str(params.get("channel") or "").strip()
    if channel and channel not in ContactChannel.values:
        errors["channel"] = [_("Unknown return-visit channel.")]
    code = str(params.get("department") or "").strip()
    department = None
    if code:
        department = Department.objects.filter(code=code).only("code", "name").first()
        if department is None:
            errors["department"] = [_("No department with this code.")]
    if errors:
        raise InvalidInput(fields=errors)
    canonical = {
        "period": period,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "department": code,
        "kind": kind,
        "channel": channel,
    }
    return Filters(period, start, end, department, kind, channel, canonical)


# --- the reads -------------------------------------------------------------------------------


def midnight(day: date, zone: tzinfo) -> datetime:
    """The instant `day` starts in `zone`."""
    return datetime.combine(day, time.min, tzinfo=zone)


def batch_number(firsts: list[date], zone: tzinfo) -> Case | Value:
    """Which batch a visit's finishing time falls in (0, 1, …), by comparing it with the
    batches' local-midnight boundaries: plain comparisons the database makes itself (truncating
    to a local day calls a Python function per row on SQLite: several times slower)."""
    if len(firsts) == 1:
        return Value(0)
    boundaries = [
        When(visited_at__lt=midnight(following, zone), then=Value(index))
        for index, following in enumerate(firsts[1:])
    ]
    return Case(*boundaries, default=Value(len(firsts) - 1), output_field=IntegerField())


#: How long the counts of batches that have ended are kept (see `visit_facts`).
CLOSED_BATCHES_SECONDS = 3600
#: Up to this many ended batches are counted a statement each; more (days) in one statement.
COUNTED_APART_AT_MOST = 26


def visit_facts(user: User, filters: Filters) -> list[Fact]:
    """The finished visits of the range on the tickets `user` may see (the ticket queue's
    scope, `on_visible_tickets`), filtered, as facts counted per batch and outcome, each dated
    to its batch's first day in the range.

    A visit is dated when it is recorded (`visited_at` is the time of recording), so the
    batches that have ended never gain or lose a visit: their facts are counted once and kept
    for CLOSED_BATCHES_SECONDS per scope and filters (a ticket moved to another department
    meanwhile shows there after that); the batch still running is counted at every request."""
    firsts = [
        max(first, filters.start) for first in periods(filters.start, filters.end, filters.period)
    ]
    running = [first for first in firsts if first <= timezone.localdate(clock.now())]
    cut = running[-1] if running else firsts[0]  # the batch running today (or the first)
    live = count_facts(user, filters, firsts, cut, filters.end + timedelta(days=1))
    if cut == firsts[0]:
        return live
    key = (
        "visits.summary:"
        + hashlib.sha256(
            repr(
                (scope_of(user), sorted(filters.params.items()), filters.period, firsts, cut)
            ).encode()
        ).hexdigest()
    )
    closed: list[Fact] | None = cache.get(key)
    if closed is None:
        ended = [first for first in firsts if first < cut]
        if len(ended) <= COUNTED_APART_AT_MOST:
            # A statement per batch: no batch number to work out per visit, which on SQLite
            # cost more than the counting (a year by month, 1,000,000 tickets: 290 → 180 ms).
            bounds = [*ended, cut]
            closed = [
                fact
                for first, following in itertools.pairwise(bounds)
                for fact in count_facts(user, filters, [first], first, following)
            ]
        else:
            closed = count_facts(user, filters, firsts, filters.start, cut)
        cache.set(key, closed, CLOSED_BATCHES_SECONDS)
    return closed + live


def in_scope(visits: QuerySet[ReturnVisit], user: User) -> QuerySet[ReturnVisit]:
    """The visits of the tickets `user` may see (`on_visible_tickets`). A scope whose regions
    hold every region and the unregioned records (a province-wide inspector or supervisor)
    holds every ticket: the visits are then counted without joining the tickets, which on
    PostgreSQL meant hashing the whole ticket table."""
    scope = scope_of(user)
    if not scope.everything and scope.holds_unregioned:
        subtree = Q()
        for path in scope.region_paths:
            subtree |= Q(path__startswith=path)
        if not Region.objects.exclude(subtree).exists():
            return visits
    return on_visible_tickets(visits, user)


def count_facts(
    user: User, filters: Filters, firsts: list[date], start: date, end: date
) -> list[Fact]:
    """The facts of the visits finished from local day `start` to before `end`: one grouped
    statement returning a few rows per batch whatever the number of visits, reading nothing
    but the columns counted. Meant to walk the finished visits of the range on the index
    `visit_finished` (status, visited_at, …), joining the ticket only for the scope and the
    ticket filters."""
    zone = timezone.get_default_timezone()
    visits = ReturnVisit.objects.filter(
        status__in=FINISHED_STATUSES,
        visited_at__gte=midnight(start, zone),
        visited_at__lt=midnight(end, zone),
    )
    if filters.department is not None:
        visits = visits.filter(ticket__department_id=filters.department.pk)
    if filters.kind:
        visits = visits.filter(ticket__kind=filters.kind)
    if filters.channel:
        visits = visits.filter(channel=filters.channel)
    rows = (
        in_scope(visits, user)
        .annotate(batch=batch_number(firsts, zone))
        .values_list("batch", "status", "solved", "satisfaction", "nps")
        .annotate(count=Count("*"))
        .order_by()
    )
    return [
        Fact(firsts[batch], status, solved, satisfaction, nps, count)
        for batch, status, solved, satisfaction, nps, count in rows
    ]


def satisfaction_summary(user: User, filters: Filters) -> Summary:
    """The batches and the range's figures of what `user` may see (R-RV-2)."""
    return summarise(
        visit_facts(user, filters),
        period=filters.period,
        start=filters.start,
        end=filters.end,
        zone=timezone.get_default_timezone(),
    )
