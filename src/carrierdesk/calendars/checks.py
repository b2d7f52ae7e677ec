"""System check (R-CAL-2): from 1 November, warn about calendars that do not cover next year.

The State Council publishes next year's holidays and adjusted working days each November;
until an admin imports them, deadlines counted into next year fall back to weekdays alone.
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db.utils import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from carrierdesk.calendars.models import Calendar
from carrierdesk.core import clock

#: From this (month, day) on, next year's schedule is due.
WARN_FROM = (11, 1)


@checks.register()
def check_next_year_covered(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if app_configs is not None and not any(app.label == "calendars" for app in app_configs):
        return []
    today = timezone.localdate(clock.now())
    if (today.month, today.day) < WARN_FROM:
        return []
    next_year = today.year + 1
    try:
        missing = list(
            Calendar.objects.filter(observes_holidays=True)
            .exclude(years__year=next_year)
            .order_by("code")
            .values_list("code", flat=True)
        )
    except DatabaseError:  # not migrated yet (a fresh database) or not reachable: say nothing
        return []
    return [
        checks.Warning(
            _("Calendar “%(code)s” has no holidays for %(year)d.")
            % {"code": code, "year": next_year},
            hint=_(
                "Import the State Council schedule: "
                "carrierdesk calendar import FILE --calendar %(code)s --year %(year)d"
            )
            % {"code": code, "year": next_year},
            id="carrierdesk.W101",
        )
        for code in missing
    ]
