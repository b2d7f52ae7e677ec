"""Benchmark: working-day deadlines per second (issue 3, R-CAL-3).

The same few thousand random (start, N working days) inputs, on the covered years, through:
  reference  chinese_calendar.find_workday stepping day by day, plus the Civil Code convention
             (the day of receipt does not count; the limit ends at close of business)
  schedule   calendars.arithmetic.Schedule.add_working_days (bisection on precomputed tables)
  service    calendars.services.compute_deadline (adds the revision query of the cache)
Every answer is checked against the reference; ratios are to the reference. Also the cost of
building a schedule (the tables over 2000–2100).

  python bench/calendar.py [--count N] [--seed S]

Runs on a fresh SQLite database in a temporary folder (migrated, so seeded by 0002).
"""

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: The SPEC's working-day limits run from 1 to 15 working days.
MAX_DAYS = 15


def unshadow_standard_calendar() -> None:
    """This file is called calendar.py: with its folder first on sys.path, `import calendar`
    (which Django does, through django.utils.dateformat) would import it instead of the
    standard library's module. Take the folder off the path before importing Django."""
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
    sys.path.insert(0, str(ROOT / "src"))


def best_rate(function: Callable[[], int], rounds: int) -> float:
    """Operations per second of the fastest of `rounds` runs (the least disturbed one)."""
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        operations = function()
        best = max(best, operations / (time.perf_counter() - started))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=5000, help="random inputs")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--rounds", type=int, default=3, help="runs per figure; best kept")
    args = parser.parse_args()

    unshadow_standard_calendar()
    var = tempfile.mkdtemp(prefix="carrierdesk-bench-calendar-")
    os.environ.update(
        {
            "CARRIERDESK_VAR_DIR": var,
            "CARRIERDESK_LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{var}/bench.sqlite3",
            "DJANGO_SETTINGS_MODULE": "carrierdesk.config.settings.base",
        }
    )
    import chinese_calendar
    import django

    django.setup()
    from django.core.management import call_command

    from carrierdesk.calendars.arithmetic import Schedule
    from carrierdesk.calendars.models import Calendar
    from carrierdesk.calendars.services import build_schedule, compute_deadline, schedule_for

    call_command("migrate", interactive=False, verbosity=0)

    rng = random.Random(args.seed)
    zone = schedule_for("cn").zone
    # Starts in the covered years, early enough that N working days stay inside them.
    first, last = date(2004, 1, 1), date(2026, 11, 30)
    inputs: list[tuple[datetime, int]] = []
    for _ in range(args.count):
        day = first + timedelta(days=rng.randrange((last - first).days))
        start = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(
            minutes=rng.randrange(1440)
        )
        inputs.append((start, rng.randint(1, MAX_DAYS)))

    calendars = {"cn": None, "cn-business": (17, 30)}  # close of business: 24:00 or 17:30

    def reference(code: str) -> list[datetime]:
        close = calendars[code]
        results = []
        for start, days in inputs:
            # find_workday(0, d) is the first working day on or after d: so the Nth working
            # day after the day of receipt is find_workday(N - 1, next day).
            last_day = chinese_calendar.find_workday(days - 1, start.date() + timedelta(days=1))
            if close is None:
                last_day += timedelta(days=1)
            hour, minute = close or (0, 0)
            results.append(
                datetime(last_day.year, last_day.month, last_day.day, hour, minute, tzinfo=zone)
            )
        return results

    figures: dict[str, dict[str, Any]] = {}
    for code in calendars:
        schedule = schedule_for(code)
        expected = reference(code)
        by_schedule = [schedule.add_working_days(start, days).at for start, days in inputs]
        by_service = [compute_deadline(code, start, working_days=days).at for start, days in inputs]
        mismatches = sum(
            1 for a, b, c in zip(expected, by_schedule, by_service, strict=True) if not a == b == c
        )
        if mismatches:
            raise SystemExit(f"{code}: {mismatches} answers differ from the reference")

        def run_reference(code: str = code) -> int:
            reference(code)
            return len(inputs)

        def run_schedule(schedule: Schedule = schedule) -> int:
            add = schedule.add_working_days
            for start, days in inputs:
                add(start, days)
            return len(inputs)

        def run_service(code: str = code) -> int:
            for start, days in inputs:
                compute_deadline(code, start, working_days=days)
            return len(inputs)

        calendar_id = Calendar.objects.get(code=code).pk

        def run_build(calendar_id: int = calendar_id) -> int:
            for _ in range(10):
                build_schedule(calendar_id)
            return 10

        figures[code] = {
            "reference": best_rate(run_reference, args.rounds),
            "schedule": best_rate(run_schedule, args.rounds),
            "service": best_rate(run_service, args.rounds),
            "build_ms": 1000 / best_rate(run_build, args.rounds),
        }

    print(
        f"# calendar.py: {args.count} random (start, 1–{MAX_DAYS} working days) inputs, "
        f"seed {args.seed}, best of {args.rounds}, {time.strftime('%Y-%m-%d %H:%M')}, "
        f"{platform.node()} ({os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"chinesecalendar {chinese_calendar.__version__}); all answers equal the reference"
    )
    print()
    print("| calendar | way | deadlines/s | ratio to reference |")
    print("| --- | --- | ---: | ---: |")
    labels = [
        ("reference", "chinese_calendar.find_workday (reference)"),
        ("schedule", "Schedule.add_working_days"),
        ("service", "services.compute_deadline (with the revision query)"),
    ]
    for code, values in figures.items():
        for key, label in labels:
            print(
                f"| {code} | {label} | {values[key]:,.0f} | "
                f"{values[key] / values['reference']:.1f} |"
            )
    print()
    for code, values in figures.items():
        print(f"Building the {code} schedule from the database: {values['build_ms']:.1f} ms")


if __name__ == "__main__":
    main()
