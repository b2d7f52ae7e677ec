"""Template tags of the staff UI: live countdowns coloured by the warning ladder (R-SLA-3)."""

from datetime import datetime
from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
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


@register.simple_tag
def countdown(row: Any, now: datetime | None = None, label: bool = False) -> SafeString:
    """A clock's countdown: `row` is a `sla.Clock` (or anything with `deadline`, `name`,
    `thresholds_passed`, `next_alert_at`, `paused_at`, `stopped_at`). Running clocks count
    down in the browser (web/app.js); paused and stopped ones show what is left.

    Built here rather than from a template: a queue page shows fifty, and rendering a
    template for each took a third of the page's rows.
    """
    if row is None:
        return mark_safe('<span class="text-body-secondary">—</span>')
    now = now or wall_clock.now()
    deadline = row.deadline
    seconds = int((deadline - now).total_seconds())
    running = getattr(row, "paused_at", None) is None and getattr(row, "stopped_at", None) is None
    level = level_of(getattr(row, "thresholds_passed", 0), deadline if running else None, now)
    level_label = LEVEL_LABELS[level]
    data = ""
    if running:
        next_alert = getattr(row, "next_alert_at", None)
        data = format_html(
            ' data-deadline="{}"{} data-level="{}"',
            deadline.isoformat(),
            format_html(' data-next-alert="{}"', next_alert.isoformat()) if next_alert else "",
            level,
        )
    name = ""
    if label:
        name = format_html('<span class="cd-clock-label">{}</span> ', row.get_name_display())
    state = ""
    if not running:
        word = gettext("stopped") if getattr(row, "stopped_at", None) else gettext("paused")
        state = format_html(' <span class="badge text-bg-secondary">{}</span>', word)
    return format_html(
        '<span class="cd-countdown cd-level-{}"{} title="{} · {}">{}<span class="cd-remaining">'
        '{}</span>{}<span class="visually-hidden"> {}</span></span>',
        level,
        data,
        level_label,
        dateformat.format(timezone.localtime(deadline), "Y-m-d H:i"),
        name,
        remaining_text(seconds),
        state,
        level_label,
    )


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
