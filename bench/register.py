"""Benchmark: tickets registered per second (issue 2 baseline).

Three ways in, on each database, measured in the same run:
  action   register_ticket() called directly (the reference: ratios are against it)
  client   POST /api/v1/tickets/ through Django's in-process test client
  server   POST /api/v1/tickets/ over HTTP to `carrierdesk serve` (gunicorn) on 127.0.0.1,
           from 1 client and from 4 concurrent clients

  python bench/register.py [--count N] [--database sqlite|postgres|both]

PostgreSQL comes from $BENCH_POSTGRES_URL, or a throwaway cluster started with
scripts/pg-test-cluster.sh. Every run uses a fresh database in a temporary folder.
"""

import argparse
import http.client
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import free_port, on_databases, run_worker

BODY = {
    "kind": "complaint",
    "channel": "hotline",
    "category": "billing",
    "urgency": "serious",
    "title": "话费异常",
    "description": "用户反映本月套餐外多扣费，要求核实并退还。",
}


def worker(count: int) -> dict[str, Any]:
    """Runs inside a process whose environment names the database; prints figures as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carrierdesk.config.settings.base")
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from carrierdesk.customers.models import Customer
    from carrierdesk.demo.generate import build_customers, build_organisation
    from carrierdesk.tickets.actions import register_ticket

    call_command("migrate", interactive=False, verbosity=0)
    organisation = build_organisation(seed=7)
    build_customers(7, 20, organisation.districts)
    customer = Customer.objects.order_by("number").first()
    assert customer is not None
    agent = organisation.by_role["agent"][0]
    token = Token.objects.get(user=agent).key
    figures: dict[str, Any] = {"vendor": django.db.connection.vendor}

    started = time.perf_counter()
    for _ in range(count):
        register_ticket(agent, customer=customer, **BODY)
    figures["action"] = count / (time.perf_counter() - started)

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    payload = json.dumps({**BODY, "customer": customer.number})
    started = time.perf_counter()
    for _ in range(count):
        response = client.post("/api/v1/tickets/", payload, content_type="application/json")
        assert response.status_code == 201, response.content
    figures["client"] = count / (time.perf_counter() - started)

    django.db.connections.close_all()
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "carrierdesk.manage",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-migrate",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    try:
        wait_for(port)
        figures["server_1"] = http_rate(port, token, customer.number, count, clients=1)
        figures["server_4"] = http_rate(port, token, customer.number, count, clients=4)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def http_rate(port: int, token: str, customer: str, count: int, clients: int) -> float:
    payload = json.dumps({**BODY, "customer": customer}).encode()
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    per_client = count // clients
    errors: list[str] = []

    def run() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(per_client):
            connection.request("POST", "/api/v1/tickets/", body=payload, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 201:
                errors.append(str(response.status))
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, e.g. HTTP {errors[0]}")
    return per_client * clients / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1000, help="tickets per measurement")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.count)))
        return

    results = on_databases(
        args.database, lambda url: run_worker(__file__, url, ["--count", str(args.count)])
    )

    print(
        f"# register.py: {args.count} tickets per measurement, "
        f"{time.strftime('%Y-%m-%d %H:%M')}, {platform.node()} ({os.cpu_count()} CPUs, "
        f"Python {platform.python_version()})"
    )
    print()
    print("| database | way in | tickets/s | ratio to action layer |")
    print("| --- | --- | ---: | ---: |")
    labels = [
        ("action", "action layer (reference)"),
        ("client", "API, in-process client"),
        ("server_1", "API over HTTP, gunicorn 2 workers, 1 client"),
        ("server_4", "API over HTTP, gunicorn 2 workers, 4 clients"),
    ]
    for figures in results:
        for key, label in labels:
            print(
                f"| {figures['vendor']} | {label} | {figures[key]:.0f} | "
                f"{figures[key] / figures['action']:.2f} |"
            )


if __name__ == "__main__":
    main()
