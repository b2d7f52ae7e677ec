"""Benchmark: the retention job's eligibility query at volume (R-SEC-5).

A database of CUSTOMERS customers (default 20,000) holding TICKETS tickets (default 100,000) of
every kind, closed over the last six years (one in ten still open), and one subscription each
(seven in ten terminated at some time in the last eight years). Measured in the same run:

  count      `privacy.queries.customers_past_retention(now).count()`: the set-based eligibility
  dry run    `list_past_retention(now)`: the same customers with their latest retention end
  reference  what a job without it does: for every customer, read their tickets, subscription,
             holds and anonymisation and decide in Python (five queries a customer)
  anonymise  `anonymise_customer` on the first ANONYMISE customers found (per customer)

  python bench/retention.py [--customers N] [--tickets N] [--anonymise N]
                            [--database sqlite|postgres|both]

Customers, tickets and subscriptions are bulk-inserted (the actions would take an hour).
"""

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
_spec = importlib.util.spec_from_file_location("bench_common", HERE / "common.py")
assert _spec is not None and _spec.loader is not None
common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(common)
on_databases, run_worker = common.on_databases, common.run_worker

BATCH = 10_000
KINDS = ("inquiry", "service_order", "fault", "complaint", "appeal", "suggestion")
SUBTYPES = {"service_order": "open", "fault": "network"}


def worker(customer_count: int, ticket_count: int, anonymise_count: int) -> dict[str, Any]:
    common.setup_django()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from carrierdesk.customers.models import Customer, Subscription
    from carrierdesk.demo.generate import build_organisation
    from carrierdesk.privacy.anonymise import anonymise_customer
    from carrierdesk.privacy.models import AnonymisedCustomer, LegalHold
    from carrierdesk.privacy.queries import (
        Rules,
        customers_past_retention,
        list_past_retention,
        ticket_closing_time,
    )
    from carrierdesk.privacy.retention import NO_RECORD_MONTHS, retention_cutoff
    from carrierdesk.tickets.choices import TERMINAL_STATUSES
    from carrierdesk.tickets.models import Ticket

    call_command("migrate", interactive=False, verbosity=0)
    organisation = build_organisation(seed=7)
    agent = organisation.by_role["agent"][0]
    now = timezone.now()
    day = timedelta(days=1)
    started = time.perf_counter()
    for first in range(0, customer_count, BATCH):
        with transaction.atomic():
            created = Customer.objects.bulk_create(
                Customer(
                    number=f"C{index + 1:010d}",
                    customer_type="individual",
                    name="王秀英",
                    mobile=f"139{index:08d}",
                    id_type="passport",
                    id_number=f"E{index:08d}",
                    address="广东省广州市天河区体育西路1号",
                    created_at=now - 7 * 365 * day,
                    updated_at=now - 7 * 365 * day,
                )
                for index in range(first, min(first + BATCH, customer_count))
            )
            Subscription.objects.bulk_create(
                Subscription(
                    customer=customer,
                    service_number=f"BB{customer.pk:010d}",
                    product="broadband",
                    status="terminated" if customer.pk % 10 < 7 else "active",
                    installation_address="广州市天河区某小区",
                    created_at=now - 7 * 365 * day,
                    updated_at=now - (customer.pk * 7919 % (8 * 365)) * day,
                )
                for customer in created
            )
    customer_ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    for first in range(0, ticket_count, BATCH):
        tickets = []
        for index in range(first, min(first + BATCH, ticket_count)):
            kind = KINDS[index % len(KINDS)]
            is_open = index % 10 == 0
            closed = now - (index * 104_729 % (6 * 365)) * day
            received = closed - 3 * day
            tickets.append(
                Ticket(
                    number=f"TS20200101{index:08d}",
                    kind=kind,
                    subtype=SUBTYPES.get(kind, ""),
                    channel="hotline",
                    category="billing",
                    urgency="general",
                    status="in_progress" if is_open else "closed",
                    customer_id=customer_ids[index * 7 % len(customer_ids)],
                    title="话费异常",
                    description="用户王秀英反映多扣费，回拨13912345678。",
                    contact_name="王秀英",
                    contact_phone="13912345678",
                    received_at=received,
                    registered_at=received,
                    first_owner=agent,
                    resolved_at=None if is_open else closed - day,
                    closed_at=None if is_open else closed,
                    status_changed_at=received if is_open else closed,
                    updated_at=received if is_open else closed,
                )
            )
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    loaded = time.perf_counter() - started

    started = time.perf_counter()
    found = customers_past_retention(now).count()
    count_seconds = time.perf_counter() - started

    started = time.perf_counter()
    listed = list(list_past_retention(now))
    dry_run_seconds = time.perf_counter() - started

    # The reference: decide customer by customer in Python.
    started = time.perf_counter()
    rules = Rules.load()
    zone = timezone.get_default_timezone()
    cutoffs = {
        kind: retention_cutoff(now, months, zone)
        for _type, kinds, months in rules.tickets
        for kind in kinds
    }
    subscription_cutoff = retention_cutoff(now, rules.subscription_months or 0, zone)
    registered_cutoff = retention_cutoff(now, NO_RECORD_MONTHS, zone)
    reference_found = 0
    for customer in Customer.objects.only("pk", "created_at").iterator(chunk_size=2000):
        if customer.created_at >= registered_cutoff:
            continue
        if AnonymisedCustomer.objects.filter(customer=customer).exists():
            continue
        if LegalHold.objects.filter(customer=customer, released_at__isnull=True).exists():
            continue
        subscriptions = list(
            Subscription.objects.filter(customer=customer).values("status", "updated_at")
        )
        if any(
            row["status"] != "terminated" or row["updated_at"] >= subscription_cutoff
            for row in subscriptions
        ):
            continue
        rows = Ticket.objects.filter(customer=customer).annotate(closing=ticket_closing_time())
        if any(
            status not in TERMINAL_STATUSES or kind not in cutoffs or closing >= cutoffs[kind]
            for kind, status, closing in rows.values_list("kind", "status", "closing")
        ):
            continue
        reference_found += 1
    reference_seconds = time.perf_counter() - started
    assert reference_found == found == len(listed), (reference_found, found, len(listed))

    numbers = [item.number for item in listed[:anonymise_count]]
    chosen = list(Customer.objects.filter(number__in=numbers).order_by("pk"))
    started = time.perf_counter()
    for customer in chosen:
        anonymise_customer(None, customer, reason="bench", source="retention")
    anonymise_seconds = time.perf_counter() - started
    return {
        "vendor": connection.vendor,
        "customers": Customer.objects.count(),
        "tickets": Ticket.objects.count(),
        "load_seconds": loaded,
        "found": found,
        "count_seconds": count_seconds,
        "dry_run_seconds": dry_run_seconds,
        "reference_seconds": reference_seconds,
        "anonymised": len(chosen),
        "anonymise_ms_per_customer": 1000 * anonymise_seconds / max(len(chosen), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--anonymise", type=int, default=200)
    common.add_run_arguments(parser, database="sqlite")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.customers, args.tickets, args.anonymise)))
        return
    arguments = [
        "--customers",
        str(args.customers),
        "--tickets",
        str(args.tickets),
        "--anonymise",
        str(args.anonymise),
    ]
    results = on_databases(args.database, lambda url: run_worker(__file__, url, arguments))
    print(f"# retention.py: {args.customers} customers, {args.tickets} tickets; {common.machine()}")
    print()
    print(
        "| database | past retention | count | dry run (listed) | reference | ratio | "
        "anonymise per customer |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in results:
        print(
            f"| {row['vendor']} | {row['found']} | {row['count_seconds']:.2f} s | "
            f"{row['dry_run_seconds']:.2f} s | {row['reference_seconds']:.2f} s | "
            f"{row['reference_seconds'] / max(row['dry_run_seconds'], 1e-9):.1f} | "
            f"{row['anonymise_ms_per_customer']:.1f} ms |"
        )


if __name__ == "__main__":
    main()
