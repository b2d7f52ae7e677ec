"""Retention arithmetic and anonymisation text rules (R-SEC-5). Pure: no database access.

A record's retention ends at its closing time plus the months of its record type's rule,
counted in calendar months on the local wall clock (the 31st plus one month is the last day
of the next month). A record is past retention once that end lies before the moment the
question is asked; equivalently, once its closing time lies before that moment minus the
months, which is how the eligibility query compares (one cut-off per rule, no arithmetic in
SQL).
"""

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from django.utils.translation import gettext_lazy as _

from carrierdesk.core.masking import mask_text
from carrierdesk.privacy.choices import SUBSCRIPTIONS, RecordType
from carrierdesk.tickets.choices import Kind


@dataclass(frozen=True)
class DefaultRule:
    record_type: RecordType
    months: int
    applies_to: tuple[str, ...]
    source: str


#: The rules seeded by migration (R-SEC-5), with the seed section each figure comes from.
DEFAULT_RULES = (
    DefaultRule(
        RecordType.SERVICE_REQUEST,
        12,
        (Kind.INQUIRY.value, Kind.SERVICE_ORDER.value, Kind.SUGGESTION.value),
        "R-SEC-5 [002 §2.4]: service-request records kept >= 12 months",
    ),
    DefaultRule(
        RecordType.EXECUTION,
        36,
        (Kind.FAULT.value, Kind.COMPLAINT.value, Kind.APPEAL.value),
        "R-SEC-5 [002 §3.4, §6.4]: execution and complaint records kept >= 3 years",
    ),
    DefaultRule(
        RecordType.ACCEPTANCE,
        60,
        (SUBSCRIPTIONS,),
        "R-SEC-5 [002 §4.4, 000 §2.3.3]: acceptance records and application materials "
        "kept >= 5 years from the end of the service",
    ),
)

#: The figures of the seeds are minimums: an admin may lengthen a period, never shorten it
#: below these (R-SEC-5).
LEGAL_MINIMUM_MONTHS = {rule.record_type.value: rule.months for rule in DEFAULT_RULES}
MAX_MONTHS = 1200

#: A customer with no record at all is kept this long after registration.
NO_RECORD_MONTHS = 12

#: What replaces a name: a neutral word, stored in the site's language.
ANONYMISED_NAME = _("Anonymised")

#: Data-subject requests are answered within 15 working days (《App违法违规收集使用个人信息行为
#: 认定方法》), on this calendar; supervisors are warned at 80% of the time.
REQUEST_CALENDAR = "cn"
REQUEST_WORKING_DAYS = 15
REQUEST_WARNING_FRACTION = 0.8

#: Known values shorter than this are not searched for in free text (a one-character name
#: would blank every occurrence of a common character).
MIN_KNOWN_VALUE = 2


def placeholder(pk: int) -> str:
    """The unique, non-personal stand-in for an ID or service number: `ANON-<pk>`."""
    return f"ANON-{pk}"


def add_months(instant: datetime, months: int, zone: tzinfo) -> datetime:
    """`instant` plus `months` calendar months (negative: minus) on the wall clock of `zone`;
    a day beyond the target month's end becomes its last day."""
    local = instant.astimezone(zone)
    index = local.year * 12 + (local.month - 1) + months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day)


def retention_cutoff(as_of: datetime, months: int, zone: tzinfo) -> datetime:
    """Records closed before this instant are past a `months` retention at `as_of`."""
    return add_months(as_of, -months, zone)


def retention_end(closed_at: datetime, months: int, zone: tzinfo) -> datetime:
    return add_months(closed_at, months, zone)


def warning_time(received_at: datetime, due_at: datetime) -> datetime:
    """When a request has used REQUEST_WARNING_FRACTION of its time."""
    elapsed = (due_at - received_at).total_seconds() * REQUEST_WARNING_FRACTION
    return received_at + timedelta(seconds=elapsed)


def scrub(text: str, known: Iterable[str]) -> str:
    """`text` with each known personal value (names, addresses, numbers) replaced by the
    neutral placeholder, then any phone or ID number left masked (`core.masking.mask_text`)."""
    if not text:
        return text
    values = sorted({value for value in known if value and len(value) >= MIN_KNOWN_VALUE}, key=len)
    for value in reversed(values):  # longest first: an address before the district in it
        text = re.sub(re.escape(value), str(ANONYMISED_NAME), text, flags=re.IGNORECASE)
    return mask_text(text)


def scrub_json(value: object, known: Iterable[str]) -> object:
    """`scrub` applied to every string inside JSON data (a timeline event's changes)."""
    known = tuple(known)
    if isinstance(value, str):
        return scrub(value, known)
    if isinstance(value, list):
        return [scrub_json(item, known) for item in value]
    if isinstance(value, dict):
        return {key: scrub_json(item, known) for key, item in value.items()}
    return value
