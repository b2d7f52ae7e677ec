"""Template tags of the staff UI: live countdowns coloured by the warning ladder (R-SLA-3)."""

from datetime import datetime
from typing import Any

from django import template
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from carrierdesk.core import clock as wall_clock
from carrierdesk.notifications.templates import format_minutes

register = template.Library()

#: The warning ladder (R-SLA-3): the share of the limit used → the level a countdown shows.
#: 0 on time, 1 first warning (50%), 2 second warning (80%), 3 breached, 4 escalated (150%).
LADDER = ((150, 4), (100, 3), (80, 2), (50, 1))
LEVEL_LABELS = {
    0: _("On time"),
    1: _("Early warning"),
    2: _("Warning"),
    3: _("Breached"),
    4: _("Escalated"),
}


def level_of(thresholds_passed: int, deadline: datetime | None, now: datetime) -> int:
    level = next((lvl for share, lvl in LADDER if thresholds_passed >= share), 0)
    if deadline is not None and deadline <= now:
        level = max(level, 3)
    return level


def remaining_text(seconds: int) -> str:
    text = format_minutes(abs(seconds) // 60)
    return gettext("%(duration)s overdue") % {"duration": text} if seconds < 0 else text


@register.inclusion_tag("web/partials/countdown.html")
def countdown(row: Any, now: datetime | None = None, label: bool = False) -> dict[str, Any]:
    """A clock's countdown: `row` is a `sla.Clock` (or anything with `deadline`, `name`,
    `thresholds_passed`, `next_alert_at`, `paused_at`, `stopped_at`). Running clocks count
    down in the browser (web/app.js); paused and stopped ones show what is left."""
    now = now or wall_clock.now()
    if row is None:
        return {"row": None}
    deadline = row.deadline
    seconds = int((deadline - now).total_seconds())
    running = getattr(row, "paused_at", None) is None and getattr(row, "stopped_at", None) is None
    level = level_of(getattr(row, "thresholds_passed", 0), deadline if running else None, now)
    return {
        "row": row,
        "running": running,
        "level": level,
        "level_label": LEVEL_LABELS[level],
        "text": remaining_text(seconds),
        "show_label": label,
    }


@register.simple_tag
def duration_formats() -> str:
    """The duration units in the page's language, for web/app.js (data attribute values)."""
    return "|".join(
        (
            gettext("%(count)dd"),
            gettext("%(count)dh"),
            gettext("%(count)dm"),
            gettext("%(duration)s overdue"),
        )
    )
