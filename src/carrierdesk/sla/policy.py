"""Policy packs (R-POL-1, SPEC §4): parsing and checking a YAML pack. Pure: no database access.

A pack is refused as a whole with the line and reason of every problem found, so a loader
either stores all of it or nothing.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import combinations
from typing import Any

import yaml
from django.utils.translation import gettext as _

from carrierdesk.customers.choices import SlaTier
from carrierdesk.sla.choices import CLOCK_EVENTS, ClockName, Escalee, LimitUnit
from carrierdesk.tickets.choices import Category, Channel, Kind, Subtype, Urgency

DEFAULT_WARNINGS = (50, 80)
DEFAULT_ESCALATION = (Escalee.ASSIGNEE, Escalee.SUPERVISOR, Escalee.HEAD)
#: Share of the limit at which a breached clock goes to the third link of the chain.
DEFAULT_ESCALATE_AFTER = 150
BREACH = 100

#: What a target may be matched on, and the values each dimension accepts.
MATCH_DIMENSIONS: dict[str, frozenset[str]] = {
    "kinds": frozenset(Kind.values),
    "subtypes": frozenset(Subtype.values),
    "urgencies": frozenset(Urgency.values),
    "categories": frozenset(Category.values),
    "channels": frozenset(Channel.values),
    "sla_tiers": frozenset(SlaTier.values),
}

_UNITS = {
    "minute": LimitUnit.MINUTES,
    "minutes": LimitUnit.MINUTES,
    "min": LimitUnit.MINUTES,
    "hour": LimitUnit.HOURS,
    "hours": LimitUnit.HOURS,
    "h": LimitUnit.HOURS,
    "day": LimitUnit.DAYS,
    "days": LimitUnit.DAYS,
    "working hour": LimitUnit.WORKING_HOURS,
    "working hours": LimitUnit.WORKING_HOURS,
    "working day": LimitUnit.WORKING_DAYS,
    "working days": LimitUnit.WORKING_DAYS,
}
#: The limit of a target whose deadline is the ticket's due date (`LimitUnit.DUE_DATE`,
#: R-CMP-1): an instant the regulator fixed, so counted on the calendar that never stops.
DUE_DATE_LIMIT = "due date"
DUE_DATE_CALENDAR = "24x7"
_LIMIT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([a-z ]+?)\s*$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class PolicyError(Exception):
    """A pack that cannot be loaded; `problems` holds one "line N: reason" per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Limit:
    value: Decimal
    unit: str

    def __str__(self) -> str:
        if self.unit == LimitUnit.DUE_DATE:
            return str(LimitUnit(self.unit).label)
        return f"{self.value.normalize():f} {LimitUnit(self.unit).label}"


def parse_limit(text: Any) -> Limit:
    """`"5 working days"`, `"15 minutes"`, `"2 hours"`, or `"due date"` (the ticket's
    regulator's due date, R-CMP-1); raises ValueError with the reason."""
    if str(text).strip().lower() == DUE_DATE_LIMIT:
        return Limit(Decimal(0), LimitUnit.DUE_DATE)
    match = _LIMIT.match(str(text).lower())
    if not match or match.group(2) not in _UNITS:
        raise ValueError(
            _("“%(text)s” is not a limit such as “15 minutes”, “4 hours” or “5 working days”.")
            % {"text": text}
        )
    try:
        value = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(_("“%(text)s” is not a number.") % {"text": text}) from None
    if value <= 0:
        raise ValueError(_("A limit must be greater than zero."))
    unit = _UNITS[match.group(2)]
    if unit == LimitUnit.WORKING_DAYS and value != value.to_integral_value():
        raise ValueError(_("Working days are counted in whole days."))
    return Limit(value, unit)


@dataclass(frozen=True)
class TargetSpec:
    """One time limit of a pack: which tickets, which clock, its events, limit and ladder."""

    code: str
    clock: str
    limit: Limit
    calendar: str
    source: str
    match: dict[str, tuple[str, ...]]
    start: tuple[str, ...]
    stop: tuple[str, ...]
    pause: tuple[str, ...] = ()
    resume: tuple[str, ...] = ()
    warnings: tuple[int, ...] = DEFAULT_WARNINGS
    escalation: tuple[str, ...] = DEFAULT_ESCALATION
    escalate_after: int = DEFAULT_ESCALATE_AFTER
    enabled: bool = True
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class Figure:
    """A figure of SPEC §4 that is not a ticket clock (a notice period, an availability)."""

    code: str
    value: str
    source: str
    description: str


@dataclass
class Pack:
    name: str
    label: str
    effective_from: date
    description: str
    targets: list[TargetSpec] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """The pack as JSON-ready data, as stored with its version."""
        return {
            "pack": self.name,
            "version": self.label,
            "effective_from": self.effective_from.isoformat(),
            "description": self.description,
            "figures": [figure.__dict__ for figure in self.figures],
        }


class _Loader(yaml.SafeLoader):
    """A safe loader whose mappings remember the line of each key."""


class _Mapping(dict[str, Any]):
    line: int = 0
    lines: dict[str, int]


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Mapping:
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[str(key)] = value_node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_TARGET_KEYS = {
    "code",
    "clock",
    "applies_to",
    "start",
    "stop",
    "pause",
    "resume",
    "limit",
    "calendar",
    "warnings",
    "escalation",
    "escalate_after",
    "source",
    "note",
    "enabled",
}


class _Problems(list[str]):
    def add(self, line: int, message: str) -> None:
        self.append(_("line %(line)d: %(message)s") % {"line": line, "message": message})


def _line(mapping: Any, key: str | None = None) -> int:
    if isinstance(mapping, _Mapping):
        return mapping.lines.get(key, mapping.line) if key else mapping.line
    return 0


def _names(
    raw: Any, allowed: frozenset[str] | tuple[str, ...], what: str, line: int, problems: _Problems
) -> tuple[str, ...]:
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        problems.add(line, _("%(what)s must be a list of names.") % {"what": what})
        return ()
    for value in values:
        if value not in allowed:
            problems.add(line, _("unknown %(what)s “%(value)s”.") % {"what": what, "value": value})
    return tuple(values)


def _percentages(raw: Any, line: int, problems: _Problems) -> tuple[int, ...]:
    if not isinstance(raw, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in raw
    ):
        problems.add(line, _("warnings must be a list of whole percentages."))
        return DEFAULT_WARNINGS
    if any(not 0 < v < BREACH for v in raw) or len(set(raw)) != len(raw):
        problems.add(line, _("warnings must be distinct percentages between 1 and 99."))
    return tuple(sorted(raw))


def _target(
    raw: Any, defaults: dict[str, Any], calendars: frozenset[str], problems: _Problems
) -> TargetSpec | None:
    line = _line(raw)
    if not isinstance(raw, dict):
        problems.add(line, _("each target must be a mapping."))
        return None
    for key in sorted(set(raw) - _TARGET_KEYS):
        problems.add(_line(raw, key), _("unknown key “%(key)s”.") % {"key": key})
    before = len(problems)
    code = raw.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        problems.add(line, _("a target needs a code of lower-case letters, digits, . _ -"))
        code = ""
    clock = raw.get("clock")
    if clock not in ClockName.values:
        problems.add(_line(raw, "clock"), _("unknown clock “%(clock)s”.") % {"clock": clock})
    limit: Limit | None = None
    try:
        limit = parse_limit(raw.get("limit", ""))
    except ValueError as exc:
        problems.add(_line(raw, "limit"), str(exc))
    calendar = raw.get("calendar", defaults.get("calendar"))
    if calendar not in calendars:
        problems.add(
            _line(raw, "calendar"),
            _("unknown calendar “%(calendar)s”.") % {"calendar": calendar},
        )
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.add(line, _("every target names its source."))
    applies = raw.get("applies_to", {})
    match: dict[str, tuple[str, ...]] = {}
    if not isinstance(applies, dict):
        problems.add(_line(raw, "applies_to"), _("applies_to must be a mapping."))
    else:
        for key, value in applies.items():
            if key not in MATCH_DIMENSIONS:
                problems.add(_line(applies, key), _("unknown key “%(key)s”.") % {"key": key})
                continue
            match[key] = _names(
                value, MATCH_DIMENSIONS[key], key[:-1], _line(applies, key), problems
            )
    events = {}
    for key in ("start", "stop", "pause", "resume"):
        value = raw.get(key, [])
        events[key] = _names(value, CLOCK_EVENTS, _("event"), _line(raw, key), problems)
    if not events["start"] or not events["stop"]:
        problems.add(line, _("a target needs start and stop events."))
    if bool(events["pause"]) != bool(events["resume"]):
        problems.add(line, _("pause and resume events go together."))
    if limit is not None and limit.unit == LimitUnit.DUE_DATE:
        # The due date is an instant: any other calendar, or a pause, would move it.
        if calendar in calendars and calendar != DUE_DATE_CALENDAR:
            problems.add(
                _line(raw, "calendar"),
                _("a due-date limit counts on the %(calendar)s calendar.")
                % {"calendar": DUE_DATE_CALENDAR},
            )
        if events["pause"]:
            problems.add(_line(raw, "pause"), _("a due-date limit does not pause."))
    warnings = _percentages(
        raw.get("warnings", defaults.get("warnings", list(DEFAULT_WARNINGS))),
        _line(raw, "warnings"),
        problems,
    )
    escalation = _names(
        raw.get("escalation", defaults.get("escalation", list(DEFAULT_ESCALATION))),
        frozenset(Escalee.values),
        _("escalation link"),
        _line(raw, "escalation"),
        problems,
    )
    escalate_after = raw.get(
        "escalate_after", defaults.get("escalate_after", DEFAULT_ESCALATE_AFTER)
    )
    if not isinstance(escalate_after, int) or escalate_after <= BREACH:
        problems.add(
            _line(raw, "escalate_after"), _("escalate_after must be a percentage above 100.")
        )
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.add(_line(raw, "enabled"), _("enabled must be true or false."))
    if len(problems) > before or limit is None:
        return None
    return TargetSpec(
        code=code,
        clock=str(clock),
        limit=limit,
        calendar=str(calendar),
        source=str(source).strip(),
        match=match,
        start=events["start"],
        stop=events["stop"],
        pause=events["pause"],
        resume=events["resume"],
        warnings=warnings,
        escalation=escalation,
        escalate_after=int(escalate_after),
        enabled=bool(enabled),
        note=str(raw.get("note", "")).strip(),
        line=line,
    )


def overlaps(first: TargetSpec, second: TargetSpec) -> bool:
    """Whether some ticket could match both (an absent dimension matches every value)."""
    for dimension in MATCH_DIMENSIONS:
        a, b = first.match.get(dimension), second.match.get(dimension)
        if a and b and not set(a) & set(b):
            return False
    return True


def parse_pack(text: str, *, calendars: frozenset[str]) -> Pack:
    """Parse and check a pack; raise PolicyError listing every problem with its line."""
    problems = _Problems()
    try:
        raw = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader.
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.add(mark.line + 1 if mark else 0, str(getattr(exc, "problem", exc)))
        raise PolicyError(problems) from None
    if not isinstance(raw, dict):
        problems.add(1, _("a pack is a mapping with pack, version, effective_from and targets."))
        raise PolicyError(problems)
    name, label = raw.get("pack"), raw.get("version")
    if not isinstance(name, str) or not _CODE.match(name):
        problems.add(_line(raw, "pack"), _("pack must be a name of lower-case letters and digits."))
    if not isinstance(label, str | int | float) or not str(label).strip():
        problems.add(_line(raw, "version"), _("version is required."))
    effective = raw.get("effective_from")
    if isinstance(effective, str):
        try:
            effective = date.fromisoformat(effective)
        except ValueError:
            effective = None
    if not isinstance(effective, date):
        problems.add(_line(raw, "effective_from"), _("effective_from must be a date (YYYY-MM-DD)."))
    defaults = raw.get("defaults", {}) or {}
    if not isinstance(defaults, dict):
        problems.add(_line(raw, "defaults"), _("defaults must be a mapping."))
        defaults = {}
    targets_raw = raw.get("targets")
    if not isinstance(targets_raw, list) or not targets_raw:
        problems.add(_line(raw, "targets"), _("targets must be a non-empty list."))
        targets_raw = []
    targets = [
        target
        for target in (_target(item, defaults, calendars, problems) for item in targets_raw)
        if target is not None
    ]
    seen: dict[str, int] = {}
    for target in targets:
        if target.code in seen:
            problems.add(
                target.line,
                _("target code “%(code)s” is used twice (first at line %(first)d).")
                % {"code": target.code, "first": seen[target.code]},
            )
        seen.setdefault(target.code, target.line)
    enabled = [target for target in targets if target.enabled]
    for first, second in combinations(enabled, 2):
        if first.clock == second.clock and overlaps(first, second):
            problems.add(
                second.line,
                _(
                    "target “%(second)s” overlaps “%(first)s” (line %(line)d) on clock "
                    "“%(clock)s”: some ticket would match both."
                )
                % {
                    "second": second.code,
                    "first": first.code,
                    "line": first.line,
                    "clock": first.clock,
                },
            )
    figures = []
    for item in raw.get("figures", []) or []:
        if not isinstance(item, dict) or not all(
            isinstance(item.get(key), str) and item.get(key) for key in ("code", "value", "source")
        ):
            problems.add(_line(item), _("a figure needs code, value and source."))
            continue
        figures.append(
            Figure(
                code=item["code"],
                value=item["value"],
                source=item["source"],
                description=str(item.get("description", "")),
            )
        )
    if problems:
        raise PolicyError(problems)
    assert isinstance(effective, date)
    return Pack(
        name=str(name),
        label=str(label),
        effective_from=effective,
        description=str(raw.get("description", "")).strip(),
        targets=targets,
        figures=figures,
    )


def matches(match: Mapping[str, Sequence[str]], attributes: Mapping[str, str]) -> bool:
    """Whether a ticket is covered by a target's `match` (an absent or empty dimension covers
    every value); `attributes` is keyed like MATCH_DIMENSIONS (`kinds`: the ticket's kind)."""
    return all(
        not values or attributes.get(dimension) in values for dimension, values in match.items()
    )
