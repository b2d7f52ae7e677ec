"""Forms of the queue and dispatch screens: the queue's filters (a GET form whose canonical
query string is also what a saved view keeps), bulk assignment, saving a view."""

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.models import Department, Region
from carrierdesk.core import clock
from carrierdesk.sla.engine import BREACH
from carrierdesk.sla.models import Clock
from carrierdesk.sla.queries import active_clocks
from carrierdesk.tickets.choices import Category, Channel, Kind, Status, Urgency
from carrierdesk.tickets.web.queue_queries import (
    DEFAULT_SORT,
    MAX_PAGE,
    SORTS,
    is_open,
    received_bounds,
)
from carrierdesk.web.actions import MAX_NAME
from carrierdesk.web.forms import StaffForm

ANY_STATUS = "any"
#: The filters in the order a query string lists them (saved views compare equal this way).
FILTER_KEYS = (
    "segment",
    "number",
    "kind",
    "status",
    "channel",
    "category",
    "urgency",
    "region",
    "department",
    "breach",
    "repeat",
    "received_from",
    "received_to",
    "sort",
)
#: Time-limit filters (R-SLA-4), the supervisor board's drill-downs: a counting clock due
#: within the hour, one already past its deadline, or one whose breach was reported and that
#: still counts (escalations waiting).
BREACH_CHOICES = (
    ("next_hour", _("Breaching within the hour")),
    ("breached", _("Breached, still counting")),
    ("escalated", _("Breach reported, still counting")),
)
#: Every sort both ways, but the deadline nearest first only: "furthest deadline first" is
#: no one's work order, and read off the deadline index it would cost the whole index.
SORT_KEYS = frozenset([*SORTS, *(f"-{key}" for key in SORTS if key != "deadline")])

_NUMBER = re.compile(r"^[A-Za-z0-9]{1,24}$")


def set_choices(form: forms.Form, name: str, choices: Iterable[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = list(choices)


def _any(choices: Iterable[tuple[str, Any]], label: Any = None) -> list[tuple[str, Any]]:
    return [("", label or _("Any")), *choices]


class QueueFilterForm(StaffForm):
    """The queue's filters (all optional). Status defaults to the open ones."""

    # Segment, sort and page come from links: an unknown value falls back to the default.
    segment = forms.CharField(required=False, widget=forms.HiddenInput)
    number = forms.CharField(
        label=_("Ticket number"),
        required=False,
        max_length=24,
        widget=forms.TextInput(
            attrs={
                "data-search": "",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": _("Number or its start (press /)"),
            }
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=_any(Kind.choices), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", _("Open (not finished)")),
            (ANY_STATUS, _("Any status")),
            *Status.choices,
        ],
        required=False,
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=_any(Channel.choices), required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=_any(Category.choices), required=False
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=_any(Urgency.choices), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    breach = forms.ChoiceField(label=_("Time limit"), choices=_any(BREACH_CHOICES), required=False)
    repeat = forms.ChoiceField(
        label=_("Repeat complaints"),
        choices=_any([("yes", _("Repeats only"))]),
        required=False,
    )
    received_from = forms.DateField(
        label=_("Received from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_to = forms.DateField(
        label=_("Received until (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    page = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Mapping[str, Any],
        *,
        regions: Iterable[Region],
        departments: Iterable[Department],
        segments: Iterable[str],
        default_segment: str,
    ) -> None:
        super().__init__(data)
        self.default_segment = default_segment
        self.segments = list(segments)
        self.regions = {region.code: region for region in regions}
        set_choices(
            self,
            "region",
            _any(
                (code, "\u2003" * (region.path.count("/") - 2) + region.name)
                for code, region in self.regions.items()
            ),
        )
        self.departments = {department.code: department for department in departments}
        set_choices(
            self,
            "department",
            _any((code, department.name) for code, department in self.departments.items()),
        )
        if not self.regions:
            del self.fields["region"]

    def clean_segment(self) -> str:
        value = str(self.cleaned_data.get("segment") or "")
        return value if value in self.segments else self.default_segment

    def clean_sort(self) -> str:
        value = str(self.cleaned_data.get("sort") or "")
        return value if value in SORT_KEYS else DEFAULT_SORT

    def clean_page(self) -> int:
        value = str(self.cleaned_data.get("page") or "")
        return min(int(value), MAX_PAGE) if value.isdigit() and int(value) > 0 else 1

    def clean_number(self) -> str:
        number = str(self.cleaned_data.get("number") or "").strip().upper()
        if number and not _NUMBER.match(number):
            raise ValidationError(_("A ticket number has only letters and digits."))
        return number

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and end < start:
            self.add_error("received_to", _("The end date is before the start date."))
        return cleaned

    # --- reading the filters -----------------------------------------------------------------

    @property
    def current_segment(self) -> str:
        self.is_valid()  # cleans the fields: segment and sort are cleaned whatever else is wrong
        return str(self.cleaned_data.get("segment") or self.default_segment)

    @property
    def current_sort(self) -> str:
        self.is_valid()
        return str(self.cleaned_data.get("sort") or DEFAULT_SORT)

    def condition(self, segment: str) -> Q:
        """The tickets the filters let through in `segment` (call only on a valid form)."""
        data = self.cleaned_data
        condition = Q()
        for name in ("kind", "channel", "category", "urgency"):
            if data.get(name):
                condition &= Q(**{name: data[name]})
        status = data.get("status")
        if not status:
            condition &= is_open(segment)
        elif status != ANY_STATUS:
            condition &= Q(status=status)
        if data.get("number"):
            condition &= _number_prefix(data["number"])
        if data.get("region"):
            path = self.regions[data["region"]].path
            condition &= Q(region_id__in=Region.objects.filter(path__startswith=path).values("pk"))
        if data.get("department"):
            condition &= Q(department_id=self.departments[data["department"]].pk)
        if data.get("breach"):
            condition &= Q(pk__in=_breach_clocks(data["breach"]).values("ticket_id"))
        if data.get("repeat"):  # counted by the queue's total (R-CMP-3)
            condition &= Q(repeat_of__isnull=False)
        condition &= received_bounds(_day_start(data.get("received_from")), _day_end(data))
        return condition

    def params(self, **overrides: Any) -> dict[str, str]:
        """The filters as query parameters (canonical when valid), with `overrides`; empty
        values and the defaults left out."""
        self.is_valid()  # what is valid comes cleaned, the rest as it was typed
        values = {
            key: _as_text(self.cleaned_data[key])
            if key in self.cleaned_data
            else str(self.data.get(key, "")).strip()
            for key in FILTER_KEYS
        }
        values.update({key: _as_text(value) for key, value in overrides.items()})
        if values.get("sort") == DEFAULT_SORT:
            values["sort"] = ""
        return {key: value for key, value in values.items() if value}

    def query(self, **overrides: Any) -> str:
        """`params` as a query string: links to other segments, sorts and pages, and what a
        saved view keeps."""
        params = self.params(**overrides)
        ordered = [(key, params[key]) for key in (*FILTER_KEYS, "page") if key in params]
        return urlencode(ordered)

    @property
    def filtered(self) -> bool:
        """Whether any filter beyond the segment and the sort is set."""
        return any(key not in ("segment", "sort") for key in self.params())


def _breach_clocks(choice: str) -> QuerySet[Clock]:
    """Counting clocks in the chosen time-limit state, read off the deadline index."""
    now = clock.now()
    counting = active_clocks()
    if choice == "next_hour":
        return counting.filter(deadline__gt=now, deadline__lte=now + timedelta(hours=1))
    if choice == "breached":
        return counting.filter(deadline__lte=now)
    return counting.filter(deadline__lte=now, thresholds_passed__gte=BREACH)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _number_prefix(prefix: str) -> Q:
    """Numbers starting with `prefix`, as a range on the unique index (LIKE would not use it
    on SQLite, where LIKE ignores case)."""
    following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(number__gte=prefix, number__lt=following)


def _day_start(day: date | None) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))


def _day_end(data: Mapping[str, Any]) -> datetime | None:
    day = data.get("received_to")
    return _day_start(day + timedelta(days=1)) if day else None


# --- bulk assignment --------------------------------------------------------------------------

_TICKET_VERSION = re.compile(r"^([A-Z]{2}[0-9]{6,22}):([0-9]{1,9})$")


class TicketVersionsField(forms.Field):
    """The ticked rows: each `NUMBER:VERSION`, the version the page showed (to refuse a ticket
    that changed meanwhile)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Tick at least one ticket."),
        "invalid": _("The ticked rows could not be read; reload the page."),
    }

    def to_python(self, value: Any) -> list[tuple[str, int]]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        picked: dict[str, int] = {}
        for item in values:
            match = _TICKET_VERSION.match(str(item))
            if match is None:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            picked[match.group(1)] = int(match.group(2))
        return list(picked.items())


#: How many tickets one bulk assignment takes (each is its own action call).
MAX_BULK = 100


class AssignForm(StaffForm):
    """Assign ticked tickets to a department and/or a person (R-DSP-1)."""

    tickets = TicketVersionsField(label=_("Tickets"))
    department = forms.ChoiceField(label=_("Department"), required=False)
    assignee = forms.ChoiceField(label=_("Person"), required=False)
    note = forms.CharField(
        label=_("Note (reason for reassigning)"), required=False, max_length=2000
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        departments: Iterable[Any],
        candidates: Iterable[User],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "assign_%s")
        super().__init__(data, **kwargs)
        set_choices(
            self,
            "department",
            [
                ("", _("— keep or take the person's —")),
                *((department.code, _department_label(department)) for department in departments),
            ],
        )
        set_choices(self, "assignee", [("", _("— nobody yet —")), *_people_choices(candidates)])

    @property
    def picked(self) -> set[str]:
        """The rows ticked when the form was sent (they stay ticked when it comes back)."""
        return set(self.data.getlist("tickets")) if isinstance(self.data, QueryDict) else set()

    def clean_tickets(self) -> list[tuple[str, int]]:
        picked: list[tuple[str, int]] = self.cleaned_data["tickets"]
        if len(picked) > MAX_BULK:
            raise ValidationError(
                _("Assign at most %(count)d tickets at once.") % {"count": MAX_BULK}
            )
        return picked

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("department") and not cleaned.get("assignee"):
            message = _("Choose a department, a person or both.")
            if "department" not in self.errors:
                self.add_error("department", message)
        return cleaned


def _department_label(department: Any) -> str:
    load = getattr(department, "open_load", None)
    if load is None:
        return str(department.name)
    return str(_("%(name)s — %(count)d open") % {"name": department.name, "count": load})


def _people_choices(candidates: Iterable[User]) -> list[tuple[str, Any]]:
    """People grouped by department, each with their open load (R-DSP-1)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for person in candidates:
        profile = getattr(person, "staff_profile", None)
        department = profile.department.name if profile and profile.department else ""
        name = profile.display_name if profile else person.username
        label = _("%(name)s — %(count)d open") % {
            "name": name,
            "count": getattr(person, "open_load", 0),
        }
        groups.setdefault(department or str(_("No department")), []).append(
            (person.username, str(label))
        )
    return [(group, options) for group, options in sorted(groups.items())]


# --- saved views ------------------------------------------------------------------------------


class SavedViewForm(StaffForm):
    name = forms.CharField(
        label=_("Save these filters as"),
        max_length=MAX_NAME,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "view_%s")
        super().__init__(*args, **kwargs)
