"""Seed the three standard calendars (R-CAL-1).

- `cn`: China's official days off and adjusted working days (调休) for every year the installed
  `chinesecalendar` package covers (2004–2026 in 1.11), whole days: Monday to Friday 00:00–24:00.
- `cn-business`: the same days, business hours 08:30–12:00 and 13:30–17:30 (editable).
- `24x7`: every day all day; needs no holiday data, never "uncovered".

Later years are loaded with `carrierdesk calendar import` (R-CAL-2), not by this migration.
"""

from django.db import migrations
from django.utils import timezone

WHOLE_DAY = [(0, 1440)]
BUSINESS_HOURS = [(510, 720), (810, 1050)]
WORKDAYS = range(5)


def seed(apps, schema_editor):
    import chinese_calendar

    Calendar = apps.get_model("calendars", "Calendar")
    WorkingPeriod = apps.get_model("calendars", "WorkingPeriod")
    CalendarDay = apps.get_model("calendars", "CalendarDay")
    CalendarYear = apps.get_model("calendars", "CalendarYear")

    def chinese_name(english):
        try:
            return chinese_calendar.Holiday(english).chinese
        except ValueError:
            return english

    # A date in both tables is a working day, as chinese_calendar.is_workday reads them.
    days = {day: (False, chinese_name(name)) for day, name in chinese_calendar.holidays.items()}
    days.update(
        {day: (True, chinese_name(name)) for day, name in chinese_calendar.workdays.items()}
    )
    years = range(min(days).year, max(days).year + 1)
    source = f"chinesecalendar {chinese_calendar.__version__}"
    now = timezone.now()

    calendars = {
        "cn": Calendar(
            code="cn",
            name="中国工作日（全天）",
            observes_holidays=True,
            description=(
                "国务院办公厅公布的法定节假日与调休上班日；工作日按全天（00:00–24:00）计。"
            ),
        ),
        "cn-business": Calendar(
            code="cn-business",
            name="中国工作日（营业时间）",
            observes_holidays=True,
            description="与 cn 相同的节假日与调休；营业时间 08:30–12:00、13:30–17:30。",
        ),
        "24x7": Calendar(
            code="24x7",
            name="全天候（7×24）",
            observes_holidays=False,
            description="每天全天计时，不受节假日影响。",
        ),
    }
    Calendar.objects.bulk_create(calendars.values())
    calendars = {calendar.code: calendar for calendar in Calendar.objects.all()}
    patterns = {
        "cn": [(weekday, WHOLE_DAY) for weekday in WORKDAYS],
        "cn-business": [(weekday, BUSINESS_HOURS) for weekday in WORKDAYS],
        "24x7": [(weekday, WHOLE_DAY) for weekday in range(7)],
    }
    WorkingPeriod.objects.bulk_create(
        WorkingPeriod(calendar=calendars[code], weekday=weekday, start_minute=start, end_minute=end)
        for code, pattern in patterns.items()
        for weekday, periods in pattern
        for start, end in periods
    )
    for code in ("cn", "cn-business"):
        CalendarDay.objects.bulk_create(
            CalendarDay(calendar=calendars[code], date=day, is_working=working, name=name)
            for day, (working, name) in sorted(days.items())
        )
        CalendarYear.objects.bulk_create(
            CalendarYear(calendar=calendars[code], year=year, source=source, loaded_at=now)
            for year in years
        )


def unseed(apps, schema_editor):
    apps.get_model("calendars", "Calendar").objects.filter(
        code__in=["cn", "cn-business", "24x7"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
