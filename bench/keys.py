"""Benchmark: re-encrypting personal data under a new key (issue 4, R-SEC-2).

A database of COUNT customers (default 100,000), each with a name, mobile number, ID number and
address encrypted under key k1 (inserted with bulk_create, through the encrypted fields). Then
k2 becomes current and, measured in the same run:

  rotate     `carrierdesk keys rotate` (core.actions.rotate_data_keys): every value decrypted
             under k1 and encrypted under k2, 1,000 rows per transaction
  reference  reading and decrypting every value once through the ORM (the floor of any
             rotation), writing nothing

  python bench/keys.py [--count N] [--batch-size N] [--database sqlite|postgres|both]

Target (issue 4): a rotation of 100k customers takes seconds, not minutes.
"""

import argparse
import importlib.util
import json
import platform
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

INSERT_BATCH = 5_000


def worker(count: int, batch_size: int) -> dict[str, Any]:
    common.setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from carrierdesk.core import crypto
    from carrierdesk.core.actions import rotate_data_keys
    from carrierdesk.core.queries import key_usage
    from carrierdesk.customers.models import Customer

    call_command("migrate", interactive=False, verbosity=0)
    now = timezone.now()
    for start in range(0, count, INSERT_BATCH):
        with transaction.atomic():
            Customer.objects.bulk_create(
                [
                    Customer(
                        number=f"C{index:010d}",
                        customer_type="individual",
                        name=f"张伟{index}",
                        mobile=f"138{index:08d}",
                        id_type="resident_id",
                        id_number=f"110105194912{index:06d}",
                        address="广东省广州市天河区体育西路1号",
                        created_at=now,
                        updated_at=now,
                    )
                    for index in range(start, min(start + INSERT_BATCH, count))
                ]
            )
    old = settings.PERSONAL_DATA_KEYS
    settings.PERSONAL_DATA_KEYS = {
        "current": "k2",
        "keys": {**old["keys"], "k2": crypto.new_key()},
    }

    started = time.perf_counter()
    values = 0
    for row in Customer.objects.values_list("name", "mobile", "id_number", "address").iterator(
        chunk_size=2000
    ):
        values += len(row)
    reference = time.perf_counter() - started

    started = time.perf_counter()
    report = rotate_data_keys(None, batch_size=batch_size)
    rotate = time.perf_counter() - started

    usage = {item.column: item.counts for item in key_usage()}
    left = sum(counts.get("k1", 0) for counts in usage.values())
    assert left == 0, usage
    assert report.rows == count, report.rows
    return {
        "database": connection.vendor,
        "customers": count,
        "values": values,
        "rotate_s": round(rotate, 2),
        "rotate_rows_per_s": round(count / rotate),
        "reference_s": round(reference, 2),
        "ratio": round(rotate / reference, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1_000)
    common.add_run_arguments(parser)
    options = parser.parse_args()
    if options.worker:
        print(json.dumps(worker(options.count, options.batch_size)))
        return
    print(f"# {platform.node()} {platform.python_version()} {platform.machine()}")
    arguments = ["--count", str(options.count), "--batch-size", str(options.batch_size)]
    for result in on_databases(options.database, lambda url: run_worker(__file__, url, arguments)):
        print(
            f"{result['database']:<10} {result['customers']:>8} customers "
            f"({result['values']} values): rotate {result['rotate_s']:.2f} s "
            f"({result['rotate_rows_per_s']} rows/s); reference read+decrypt "
            f"{result['reference_s']:.2f} s; ratio {result['ratio']:.2f}"
        )


if __name__ == "__main__":
    main()
