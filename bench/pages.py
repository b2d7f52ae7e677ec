"""Server render time of the staff UI's main pages (issue 5 §8): with the demo data, then with
1,000,000 tickets in the database.

Each page is requested in-process through Django's test client (the whole middleware stack,
the view, its queries and the template; no network), as the role that uses it, signed in with
the second factor where the role needs it. A page is requested twice to warm up, then
`--repeat` times; the figures are the median and the 95th percentile, and the number of
queries. The reference is the same page with the demo data, measured in the same run: the
ratio shows how the page grows with the table.

    .venv/bin/python bench/pages.py [--database sqlite|postgres|both] [--total 1000000]

The large database keeps the demo's tickets and adds generated ones: received over the last
two years, about 4 % still open with a running resolution clock (their deadlines spread around
now, so some are due, some breached), spread over the demo's customers, districts,
departments and handlers. Added tickets carry no timeline events (only the demo's have them).
A third of the closed ones had a return visit (done, most satisfied); 1 % are resolved in the
last two weeks with their return visit waiting (the worklist), some of them overdue. The
satisfaction pages are measured twice: as most readers get them (the batches that have ended
kept in the cache), and with the cache emptied before each request.
"""

import argparse
import json
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import common

# bench/calendar.py would shadow the standard library's `calendar` (the demo data need it).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

BATCH = 5_000
TARGET_MS = 200.0


def pages(context: dict[str, str]) -> list[tuple[str, str, str]]:
    """(name, role, URL) of the pages measured; `context` names a ticket, a phone number and
    the current year found in the data."""
    return [
        ("home", "agent", "/"),
        ("home", "dispatcher", "/"),
        ("home", "technician", "/"),
        ("home", "supervisor", "/"),
        ("home", "inspector", "/"),
        ("home", "auditor", "/"),
        ("home", "admin", "/"),
        ("intake form", "agent", "/intake/"),
        ("intake lookup by phone (htmx)", "agent", f"/intake/?q={context['phone']}"),
        ("intake with the customer", "agent", f"/intake/?customer={context['customer']}"),
        ("queue: mine", "agent", "/tickets/"),
        ("queue: all I can see", "supervisor", "/tickets/?segment=all"),
        ("queue: all, by deadline", "admin", "/tickets/?segment=all&sort=deadline"),
        ("queue: unassigned", "dispatcher", "/tickets/?segment=unassigned"),
        ("queue: department", "technician", "/tickets/?segment=department"),
        ("ticket workspace", "supervisor", f"/tickets/{context['ticket']}/"),
        ("dispatch", "dispatcher", "/dispatch/"),
        ("supervisor board", "supervisor", "/board/"),
        ("calendar year", "admin", f"/calendars/cn/{context['year']}/"),
        ("policies", "admin", "/policies/"),
        ("users and roles", "admin", "/users/"),
        ("return-visit worklist", "inspector", "/visits/"),
        ("return-visit worklist, overdue", "inspector", "/visits/?due=overdue"),
        ("return visit", "inspector", f"/visits/{context['visit']}/"),
        ("satisfaction by week (12 weeks)", "supervisor", "/visits/satisfaction/"),
        ("satisfaction by week (12 weeks), cold cache", "supervisor", "/visits/satisfaction/"),
        (
            "satisfaction by month (a year)",
            "admin",
            f"/visits/satisfaction/?period=month&from={context['year_ago']}",
        ),
        (
            "satisfaction by month (a year), cold cache",
            "admin",
            f"/visits/satisfaction/?period=month&from={context['year_ago']}",
        ),
    ]


def _signed_in_clients() -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY  # type: ignore[import-untyped]
    from django_otp.oath import totp  # type: ignore[import-untyped]

    from carrierdesk.accounts import otp

    clients = {}
    for user in User.objects.filter(
        username__in=[
            "agent",
            "dispatcher",
            "technician",
            "supervisor",
            "inspector",
            "auditor",
            "admin",
        ]
    ):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HOST="127.0.0.1")
        client.force_login(user)
        enrolment = otp.authenticator_of(user)
        if enrolment is not None:
            if not enrolment.device.confirmed:  # the demo prints the secret; confirm it here
                otp.confirm_totp(None, user, f"{totp(enrolment.device.bin_key):06d}")
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = enrolment.device.persistent_id
            session.save()
        clients[user.username] = client
    return clients


def measure(repeat: int, context: dict[str, str]) -> list[dict[str, Any]]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = _signed_in_clients()
    results = []
    for name, role, url in pages(context):
        client = clients[role]
        # The lookup is what the intake page asks as you type: htmx's partial request.
        headers = {"HX-Request": "true"} if "(htmx)" in name else None
        # A cached page (the satisfaction summary keeps the batches that have ended) is also
        # measured as its first reader after the cache was emptied.
        cold = "cold cache" in name
        for _ in range(2):
            client.get(url, headers=headers)
        times = []
        status = 0
        queries = 0
        for _ in range(repeat):
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
            status = response.status_code
            queries = len(captured.captured_queries)
        times.sort()
        results.append(
            {
                "page": name,
                "role": role,
                "url": url,
                "status": status,
                "queries": queries,
                "median_ms": statistics.median(times),
                "p95_ms": times[max(0, round(0.95 * len(times)) - 1)],
            }
        )
    return results


def grow(total: int) -> dict[str, Any]:
    """Add generated tickets until there are `total`, with running clocks on the open ones."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.utils import timezone

    from carrierdesk.calendars.services import schedule_for
    from carrierdesk.core.bulk import insert_rows
    from carrierdesk.customers.models import Customer
    from carrierdesk.sla import engine
    from carrierdesk.sla.actions import applicable, write_state
    from carrierdesk.sla.models import Clock, PolicyVersion
    from carrierdesk.tickets import workflow
    from carrierdesk.tickets.choices import NUMBER_PREFIX, Category, Channel, Kind, Status
    from carrierdesk.tickets.models import Ticket
    from carrierdesk.visits.models import ReturnVisit

    rng = random.Random(5)
    visiting = random.Random(7)  # apart, so the tickets are those of earlier runs
    existing = Ticket.objects.count()
    people = list(Customer.objects.values_list("id", "region_id"))
    staff = {
        role: list(User.objects.filter(groups__name=role).values_list("id", flat=True))
        for role in ("agent", "technician")
    }
    departments = dict(
        User.objects.filter(groups__name="technician").values_list(
            "id", "staff_profile__department_id"
        )
    )
    policy = PolicyVersion.objects.order_by("-id").first()
    now = timezone.now()
    kinds = [Kind.INQUIRY, Kind.SERVICE_ORDER, Kind.FAULT, Kind.COMPLAINT, Kind.SUGGESTION]
    weights = [30, 25, 25, 15, 5]
    open_statuses = [Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING, Status.ACCEPTED]
    started = time.perf_counter()
    added = 0
    opened = 0
    visited = 0
    for first in range(existing, total, BATCH):
        tickets = []
        clocks: list[tuple[int, Any, Any]] = []
        visits: list[tuple[int, dict[str, Any]]] = []
        for index in range(first, min(first + BATCH, total)):
            kind = rng.choices(kinds, weights)[0]
            urgency = workflow.URGENCIES[kind][0]
            subtypes = workflow.SUBTYPES[kind]
            customer_id, region_id = rng.choice(people)
            # About 4 % open, received in the last two weeks; the rest closed, over two years.
            is_open = rng.random() < 0.04
            minutes_back = rng.randrange(5, 20_000 if is_open else 2 * 365 * 24 * 60)
            received = now - timedelta(minutes=minutes_back)
            handler = rng.choice(staff["technician"])
            status = rng.choice(open_statuses) if is_open else Status.CLOSED
            assigned = status != Status.ACCEPTED
            share = visiting.random()
            if not is_open and share < 0.01:  # resolved lately, its visit waiting
                status = Status.RESOLVED
                received = now - timedelta(minutes=visiting.randrange(60, 20_000))
                visits.append((index - first, waiting_visit(visiting, received, now)))
            elif not is_open and share < 0.34:
                visits.append((index - first, done_visit(visiting, received)))
            tickets.append(
                Ticket(
                    number=f"{NUMBER_PREFIX[kind]}{received:%Y%m%d}9{index:08d}",
                    kind=kind,
                    subtype=rng.choice(subtypes) if subtypes else "",
                    channel=Channel.HOTLINE,
                    category=Category.NETWORK_QUALITY if kind == Kind.FAULT else Category.BILLING,
                    urgency=urgency,
                    status=status,
                    customer_id=customer_id,
                    region_id=region_id,
                    title="生成的工单",
                    description="基准测试生成的工单。",
                    received_at=received,
                    registered_at=received,
                    first_owner_id=rng.choice(staff["agent"]),
                    assignee_id=handler if assigned else None,
                    department_id=departments[handler] if assigned else None,
                    status_changed_at=received,
                    updated_at=received,
                    resolved_at=None if is_open else received + timedelta(days=1),
                    closed_at=None
                    if is_open or status == Status.RESOLVED
                    else received + timedelta(days=2),
                    sla_policy=policy,
                )
            )
            if is_open:
                bounds = [b for b in applicable(tickets[-1]) if b.target.clock == "resolution"]
                if bounds:
                    clocks.append((index - first, bounds[0], received))
        with transaction.atomic():
            created = Ticket.objects.bulk_create(tickets)
            rows = []
            for position, bound, received in clocks:
                row = Clock(ticket=created[position])
                schedule = schedule_for(bound.target.calendar)
                state = engine.settle(
                    engine.start(bound.rule, received, schedule), bound.rule, schedule, now
                )
                write_state(row, state, now)
                rows.append(row)
            if visits:
                insert_rows(
                    ReturnVisit,
                    [{"ticket_id": created[position].pk, **row} for position, row in visits],
                )
            if rows:
                insert_rows(
                    Clock,
                    [
                        {
                            field.attname: getattr(row, field.attname)
                            for field in Clock._meta.concrete_fields
                            if not field.primary_key
                        }
                        for row in rows
                    ],
                )
        added += len(tickets)
        opened += len(clocks)
        visited += len(visits)
        if added % 100_000 < BATCH:
            print(f"  {existing + added} tickets", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        # PostgreSQL: VACUUM also marks the pages all-visible, as autovacuum would after a
        # bulk load, so counts can be read off covering indexes alone.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "added": added,
        "open_added": opened,
        "visits_added": visited,
        "seconds": time.perf_counter() - started,
    }


#: Satisfaction levels of the generated visits (about 86 % satisfied, top-2-box).
LEVELS = [5, 4, 3, 2, 1]
LEVEL_WEIGHTS = [50, 36, 8, 4, 2]


def waiting_visit(rng: random.Random, resolved: Any, now: Any) -> dict[str, Any]:
    """A return visit scheduled at the resolution, due 48 hours later (R-RV-1)."""
    due = resolved + timedelta(hours=48)
    return {
        "status": "scheduled",
        "channel": "phone",
        "not_before": resolved,
        "due_at": due,
        "warning_at": resolved + timedelta(hours=38.4),
        "max_attempts": 3,
        "attempts": rng.choice([0, 0, 0, 1]),
        "created_at": resolved,
        "comment": "",
        "by_survey": False,
    }


def done_visit(rng: random.Random, received: Any) -> dict[str, Any]:
    """A return visit made within a day of the resolution: reached, solved, rated."""
    resolved = received + timedelta(days=1)
    reached = rng.random() > 0.05
    return {
        "status": "done" if reached else "unreachable",
        "channel": rng.choice(["phone", "phone", "sms"]),
        "not_before": resolved,
        "due_at": resolved + timedelta(hours=48),
        "warning_at": resolved + timedelta(hours=38.4),
        "max_attempts": 3,
        "attempts": 1 if reached else 3,
        "created_at": resolved,
        "visited_at": resolved + timedelta(minutes=rng.randrange(60, 1400)),
        "solved": (rng.random() > 0.06) if reached else None,
        "satisfaction": rng.choices(LEVELS, LEVEL_WEIGHTS)[0] if reached else None,
        "nps": rng.randrange(0, 11) if reached and rng.random() < 0.5 else None,
        "comment": "",
        "by_survey": rng.random() < 0.2,
    }


def worker(total: int, demo_tickets: int, repeat: int) -> dict[str, Any]:
    common.setup_django()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from carrierdesk.core import clock
    from carrierdesk.customers.queries import customers_visible_to
    from carrierdesk.demo.generate import load
    from carrierdesk.tickets.models import Ticket
    from carrierdesk.visits.worklist import waiting_visits

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    load(seed=1, ticket_count=demo_tickets)
    demo_seconds = time.perf_counter() - started
    ticket = (
        Ticket.objects.filter(status="in_progress", events__isnull=False)
        .order_by("-received_at")
        .values_list("number", flat=True)
        .first()
    )
    # The agent's first customer: in their district (another district's would answer 404).
    customer = customers_visible_to(User.objects.get(username="agent")).order_by("id").first()
    # A waiting return visit the inspector may see (the demo leaves some on the worklist).
    inspector = User.objects.get(username="inspector")
    visit = waiting_visits(inspector, now=clock.now()).values_list("id", flat=True).first()
    assert ticket is not None and customer is not None and visit is not None
    today = timezone.localdate()
    context = {
        "ticket": ticket,
        "phone": customer.mobile,
        "customer": customer.number,
        "year": str(time.localtime().tm_year),
        "visit": str(visit),
        "year_ago": (today - timedelta(days=364)).isoformat(),
    }
    demo = measure(repeat, context)
    demo_count = Ticket.objects.count()
    growth = grow(total)
    large = measure(repeat, context)
    return {
        "vendor": connection.vendor,
        "demo_tickets": demo_count,
        "demo_load_seconds": demo_seconds,
        "tickets": Ticket.objects.count(),
        "growth": growth,
        "demo": demo,
        "large": large,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--demo-tickets", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    common.add_run_arguments(parser)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.total, args.demo_tickets, args.repeat)))
        return
    arguments = [
        "--total",
        str(args.total),
        "--demo-tickets",
        str(args.demo_tickets),
        "--repeat",
        str(args.repeat),
    ]
    results = common.on_databases(
        args.database, lambda url: common.run_worker(__file__, url, arguments)
    )
    print(f"# pages.py: server render time, {args.repeat} requests per page; {common.machine()}")
    for figures in results:
        print()
        print(
            f"## {figures['vendor']}: demo data ({figures['demo_tickets']} tickets), then "
            f"{figures['tickets']} tickets (target: under {TARGET_MS:.0f} ms)"
        )
        print()
        print(
            "| page | role | queries | demo median (ms) | demo p95 | "
            f"{figures['tickets']:,} median (ms) | p95 | ratio | under target |"
        )
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for small, large in zip(figures["demo"], figures["large"], strict=True):
            ok = (
                large["p95_ms"] < TARGET_MS
                and small["p95_ms"] < TARGET_MS
                and large["status"] == small["status"] == 200
            )
            status = "".join(
                f" ({label}: HTTP {figures['status']})"
                for label, figures in (("demo", small), ("large", large))
                if figures["status"] != 200
            )
            print(
                f"| {small['page']}{status} | {small['role']} | {large['queries']} | "
                f"{small['median_ms']:.1f} | {small['p95_ms']:.1f} | {large['median_ms']:.1f} | "
                f"{large['p95_ms']:.1f} | {large['median_ms'] / small['median_ms']:.2f}x | "
                f"{'yes' if ok else 'NO'} |"
            )
        growth = figures["growth"]
        print(
            f"<!-- demo load {figures['demo_load_seconds']:.0f} s; added {growth['added']} "
            f"tickets ({growth['open_added']} open with a clock, {growth['visits_added']} with a "
            f"return visit) in {growth['seconds']:.0f} s -->"
        )


if __name__ == "__main__":
    main()
