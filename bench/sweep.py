"""Benchmark: one time-limit sweep pass at volume (issue 3, R-SLA-3, R-SLA-4).

A database of TOTAL tickets (default 1,000,000), OPEN of them open (100,000) with a running
resolution clock, DUE of those (1,000) past their 50% warning. Measured in the same run:

  sweep      one `sla.sweep.sweep()` pass: takes the due alerts from the index, records each
             on the timeline and in the audit trail, queues the notifications, moves the clocks
  reference  what an engine without a due-alert index does each pass (Frappe's hourly job):
             read every open ticket's clock and check its thresholds, writing nothing

  python bench/sweep.py [--total N] [--open N] [--due N] [--database sqlite|postgres|both]

Target (issue 3): the sweep pass under 1 s on PostgreSQL, costing what is due, not what is
open. Tickets and clocks are bulk-inserted (the actions would take hours for a million); the
clocks are computed by the same engine the actions use.
"""

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

# bench/calendar.py would shadow the standard library's `calendar`: take bench/ off the path
# and load the shared plumbing by file.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
_spec = importlib.util.spec_from_file_location("bench_common", HERE / "common.py")
assert _spec is not None and _spec.loader is not None
common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(common)
on_databases, run_worker = common.on_databases, common.run_worker

BATCH = 20_000


def worker(total: int, open_count: int, due: int) -> dict[str, Any]:
    common.setup_django()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from carrierdesk.calendars.services import schedule_for
    from carrierdesk.config.paths import default_policy_pack
    from carrierdesk.customers.models import Customer
    from carrierdesk.demo.generate import build_customers, build_organisation
    from carrierdesk.sla import engine
    from carrierdesk.sla.actions import load_policy, rule_of, state_of, write_state
    from carrierdesk.sla.models import Clock, Target
    from carrierdesk.sla.sweep import sweep
    from carrierdesk.tickets.choices import Status
    from carrierdesk.tickets.models import Ticket

    call_command("migrate", interactive=False, verbosity=0)
    organisation = build_organisation(seed=7)
    build_customers(7, 50, organisation.districts)
    customers = list(Customer.objects.order_by("id"))
    agent = organisation.by_role["agent"][0]
    policy = load_policy(None, default_policy_pack().read_text(encoding="utf-8"))
    target = Target.objects.get(policy=policy, code="complaint-general-closure")
    rule = rule_of(target)
    schedule = schedule_for(target.calendar)

    now = timezone.now()
    # A due clock has passed 50% (and not 80%) by now; the others are far from their first
    # alert. The hours back that give this depend on today's weekday and holidays.
    due_start = next(
        state
        for state in (
            engine.start(rule, now - timedelta(hours=hours), schedule) for hours in range(1, 500)
        )
        if state.next_alert_at is not None
        and state.next_alert_at <= now
        and engine.crossed(state, rule, now, schedule) == [50]
    )
    calm_start = engine.start(rule, now - timedelta(minutes=30), schedule)
    assert due_start.next_alert_at is not None and due_start.next_alert_at <= now
    assert calm_start.next_alert_at is not None and calm_start.next_alert_at > now

    started = time.perf_counter()
    open_every = total // open_count
    due_every = open_count // due
    for first in range(0, total, BATCH):
        tickets = []
        for index in range(first, min(first + BATCH, total)):
            is_open = index % open_every == 0
            received = due_start.started_at if is_open else now - timedelta(days=30)
            tickets.append(
                Ticket(
                    number=f"TS20250101{index:08d}",
                    kind="complaint",
                    channel="hotline",
                    category="billing",
                    urgency="general",
                    status=Status.IN_PROGRESS if is_open else Status.CLOSED,
                    customer=customers[index % len(customers)],
                    title="话费异常",
                    description="用户反映本月套餐外多扣费。",
                    received_at=received,
                    registered_at=received,
                    first_owner=agent,
                    assignee=agent if is_open else None,
                    status_changed_at=received,
                    updated_at=received,
                    sla_policy=policy,
                )
            )
        with transaction.atomic():
            created = Ticket.objects.bulk_create(tickets)
            clocks = []
            for ticket in created:
                position = int(ticket.number[-8:])
                if position % open_every:
                    continue
                is_due = (position // open_every) % due_every == 0
                row = Clock(ticket=ticket)
                write_state(row, due_start if is_due else calm_start, now)
                clocks.append(row)
            Clock.objects.bulk_create(clocks)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    loaded = time.perf_counter() - started
    counts = {
        "tickets": Ticket.objects.count(),
        "open": Clock.objects.filter(stopped_at__isnull=True).count(),
        "due": Clock.objects.filter(next_alert_at__lte=now).count(),
    }

    # The reference: every open clock read and checked, as an engine without the index must.
    started = time.perf_counter()
    reached = 0
    for row in (
        Clock.objects.filter(ticket__status__in=[Status.IN_PROGRESS])
        .select_related("target")
        .iterator(chunk_size=5000)
    ):
        if engine.crossed(state_of(row), rule, now, schedule):
            reached += 1
    reference = time.perf_counter() - started

    started = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        report = profile.runcall(sweep, now=now)
        stats = pstats.Stats(profile, stream=sys.stderr)
        stats.sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(35)
        if os.environ.get("BENCH_PROFILE_CALLERS"):
            stats.print_callers(os.environ["BENCH_PROFILE_CALLERS"])
    else:
        report = sweep(now=now)
    swept = time.perf_counter() - started
    again = sweep(now=now)
    return {
        "vendor": connection.vendor,
        **counts,
        "load_seconds": loaded,
        "reference_seconds": reference,
        "reference_reached": reached,
        "sweep_seconds": swept,
        "alerts": report.alerts,
        "notifications": report.notifications,
        "batches": report.batches,
        "second_pass_alerts": again.alerts,
        "second_pass_seconds": again.seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    common.add_run_arguments(parser)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.total, args.open, args.due)))
        return
    arguments = ["--total", str(args.total), "--open", str(args.open), "--due", str(args.due)]
    results = on_databases(args.database, lambda url: run_worker(__file__, url, arguments))
    print(
        f"# sweep.py: {args.total} tickets, {args.open} open, {args.due} alerts due; "
        f"{common.machine()}"
    )
    print()
    print(
        "| database | tickets | open | due | sweep pass (s) | alerts | second pass (s) "
        "| reference: scan open (s) | ratio |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for figures in results:
        print(
            f"| {figures['vendor']} | {figures['tickets']} | {figures['open']} | "
            f"{figures['due']} | {figures['sweep_seconds']:.3f} | {figures['alerts']} | "
            f"{figures['second_pass_seconds']:.3f} | {figures['reference_seconds']:.2f} | "
            f"{figures['reference_seconds'] / figures['sweep_seconds']:.1f}x |"
        )
        print(f"<!-- load: {figures['load_seconds']:.0f} s; {json.dumps(figures)} -->")


if __name__ == "__main__":
    main()
