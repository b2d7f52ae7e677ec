"""Every write to a calendar (STYLE habit 1). Each function owns its transaction: it locks the
calendar row, validates everything before writing, replaces the data, bumps the calendar's
`revision` (so cached schedules are rebuilt), writes the audit entry and commits — or raises a
coded error having written nothing.
"""

from collections.abc import Mapping, Sequence
from datetime import date

from django.db import transaction
from django.db.models import F, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from carrierdesk.audit.actions import record
from carrierdesk.calendars import services
from carrierdesk.calendars.arithmetic import FIRST_DAY, LAST_DAY
from carrierdesk.calendars.choices import MINUTES_PER_DAY
from carrierdesk.calendars.formats import NAME_LENGTH, ScheduleRow, format_minute
from carrierdesk.calendars.models import Calendar, CalendarDay, CalendarYear, WorkingPeriod
from carrierdesk.core import clock
from carrierdesk.core.actors import Actor
from carrierdesk.core.errors import InvalidInput, NotFound

SOURCE_LENGTH = 200


def _lock(code: str) -> Calendar:
    calendar = Calendar.objects.select_for_update().filter(code=code).first()
    if calendar is None:
        raise NotFound(_("No such calendar."))
    return calendar


def _bump_revision(calendar: Calendar) -> None:
    Calendar.objects.filter(pk=calendar.pk).update(revision=F("revision") + 1)
    calendar.refresh_from_db(fields=["revision"])
    # This process may hold a schedule read inside this transaction; never trust it again.
    services.forget(calendar.code)
    transaction.on_commit(lambda: services.forget(calendar.code))


def _check_rows(rows: Sequence[ScheduleRow], year: int | None) -> None:
    """R-CAL-2: refuse the whole schedule if any row is wrong, naming the row's line."""
    if not rows:
        raise InvalidInput(
            _("The schedule is empty; nothing was loaded."),
            fields={"rows": [_("Give at least one day.")]},
        )
    errors: dict[str, list[str | Promise]] = {}
    seen: dict[date, int] = {}
    for index, row in enumerate(rows, start=1):
        key = f"line {row.line}" if row.line else f"row {index}"
        messages: list[str | Promise] = []
        if year is not None and row.date.year != year:
            messages.append(
                _("%(date)s is not in %(year)d.") % {"date": row.date.isoformat(), "year": year}
            )
        elif not FIRST_DAY <= row.date <= LAST_DAY:
            messages.append(
                _("Calendars cover %(first)d to %(last)d.")
                % {"first": FIRST_DAY.year, "last": LAST_DAY.year}
            )
        if row.date in seen:
            messages.append(
                _("%(date)s is listed twice (also on line %(line)d).")
                % {"date": row.date.isoformat(), "line": seen[row.date]}
            )
        else:
            seen[row.date] = row.line or index
        if len(row.name) > NAME_LENGTH:
            messages.append(_("At most %(limit)d characters.") % {"limit": NAME_LENGTH})
        if messages:
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise InvalidInput(_("The schedule is not valid; nothing was loaded."), fields=errors)


@transaction.atomic
def import_schedule(
    actor: Actor,
    code: str,
    rows: Sequence[ScheduleRow],
    *,
    source: str,
    year: int | None = None,
) -> list[CalendarYear]:
    """Load official schedules (R-CAL-2): replace the exception days of each year the rows lie
    in (or of `year`, which then every row must lie in) and mark those years covered.

    Returns the covered-year rows written, oldest first.
    """
    calendar = _lock(code)
    if not calendar.observes_holidays:
        raise InvalidInput.field(
            "calendar", _("This calendar does not observe public holidays; it needs no schedule.")
        )
    _check_rows(rows, year)
    source = source.strip()[:SOURCE_LENGTH]
    years = sorted({year} if year is not None else {row.date.year for row in rows})
    in_years = Q()
    for each in years:
        in_years |= Q(date__gte=date(each, 1, 1), date__lte=date(each, 12, 31))
    replaced = CalendarDay.objects.filter(in_years, calendar=calendar).delete()[0]
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(calendar=calendar, date=row.date, is_working=row.is_working, name=row.name)
            for row in sorted(rows, key=lambda row: row.date)
        ]
    )
    now = clock.now()
    covered = []
    for each in years:
        entry, _created = CalendarYear.objects.update_or_create(
            calendar=calendar, year=each, defaults={"source": source, "loaded_at": now}
        )
        covered.append(entry)
    old_revision = calendar.revision
    _bump_revision(calendar)
    record(
        actor=actor,
        event_type="calendar.imported",
        object_type="calendar",
        object_id=code,
        changes={
            "years": years,
            "source": source,
            "days_off": sum(1 for row in rows if not row.is_working),
            "working_days": sum(1 for row in rows if row.is_working),
            "days_replaced": replaced,
            "revision": [old_revision, calendar.revision],
        },
    )
    return covered


def _check_periods(
    periods: Mapping[int, Sequence[tuple[int, int]]],
) -> dict[int, list[tuple[int, int]]]:
    errors: dict[str, list[str | Promise]] = {}
    cleaned: dict[int, list[tuple[int, int]]] = {}
    for weekday, spans in periods.items():
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            errors.setdefault("periods", []).append(_("Weekdays are 0 (Monday) to 6 (Sunday)."))
            continue
        ordered = sorted((int(start), int(end)) for start, end in spans)
        previous_end = 0
        for start, end in ordered:
            if not 0 <= start < end <= MINUTES_PER_DAY:
                errors.setdefault(f"periods.{weekday}", []).append(
                    _("A period must start before it ends, between 00:00 and 24:00.")
                )
            elif start < previous_end:
                errors.setdefault(f"periods.{weekday}", []).append(_("Periods overlap."))
            previous_end = max(previous_end, end)
        cleaned[weekday] = ordered
    if not errors and not any(cleaned.values()):
        errors["periods"] = [_("Give at least one working period in the week.")]
    if errors:
        raise InvalidInput(fields=errors)
    return cleaned


def _describe(periods: Mapping[int, Sequence[tuple[int, int]]]) -> dict[str, list[str]]:
    return {
        str(weekday): [f"{format_minute(start)}-{format_minute(end)}" for start, end in spans]
        for weekday, spans in sorted(periods.items())
        if spans
    }


@transaction.atomic
def set_working_periods(
    actor: Actor, code: str, periods: Mapping[int, Sequence[tuple[int, int]]]
) -> Calendar:
    """Replace the calendar's weekly working hours (R-CAL-1): weekday (0 = Monday) →
    [(start_minute, end_minute)], minutes after local midnight, 24:00 = 1440. A weekday left
    out has no working time."""
    calendar = _lock(code)
    cleaned = _check_periods(periods)
    before: dict[int, list[tuple[int, int]]] = {}
    for period in calendar.periods.order_by("weekday", "start_minute"):
        before.setdefault(period.weekday, []).append((period.start_minute, period.end_minute))
    if _describe(before) == _describe(cleaned):
        return calendar
    calendar.periods.all().delete()
    WorkingPeriod.objects.bulk_create(
        [
            WorkingPeriod(calendar=calendar, weekday=weekday, start_minute=start, end_minute=end)
            for weekday, spans in sorted(cleaned.items())
            for start, end in spans
        ]
    )
    old_revision = calendar.revision
    _bump_revision(calendar)
    record(
        actor=actor,
        event_type="calendar.hours_changed",
        object_type="calendar",
        object_id=code,
        changes={
            "periods": [_describe(before), _describe(cleaned)],
            "revision": [old_revision, calendar.revision],
        },
    )
    return calendar
