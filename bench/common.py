"""Shared plumbing of the benchmarks: a fresh database per run, in a worker process."""

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    """In a worker: Django set up with the base settings (unless the environment names others)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carrierdesk.config.settings.base")
    django.setup()


def add_run_arguments(parser: argparse.ArgumentParser, *, database: str = "both") -> None:
    """`--database sqlite|postgres|both` and the hidden `--worker` of `run_worker`."""
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default=database)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)


def machine() -> str:
    """`2026-11-23 09:30, host (2 CPUs, Python 3.12.3)`: when and where the figures were taken."""
    return (
        f"{time.strftime('%Y-%m-%d %H:%M')}, {platform.node()} ({os.cpu_count()} CPUs, "
        f"Python {platform.python_version()})"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_worker(script: str, database_url: str, arguments: list[str]) -> dict[str, Any]:
    """Run `script --worker ARGUMENTS` on a fresh var/ folder and database; its last stdout
    line is the JSON of its figures."""
    with tempfile.TemporaryDirectory(prefix="carrierdesk-bench-") as var:
        env = {
            **os.environ,
            "CARRIERDESK_VAR_DIR": var,
            "CARRIERDESK_LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url.replace("{var}", var),
        }
        output = subprocess.run(
            [sys.executable, script, "--worker", *arguments],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


@contextmanager
def postgres() -> Iterator[str]:
    """$BENCH_POSTGRES_URL, or a throwaway cluster from scripts/pg-test-cluster.sh."""
    url = os.environ.get("BENCH_POSTGRES_URL")
    if url:
        yield url
        return
    folder = tempfile.mkdtemp(prefix="carrierdesk-bench-pg-")
    os.chmod(folder, 0o755)  # noqa: S103 - the postgres user must reach its cluster folder.
    script = str(ROOT / "scripts/pg-test-cluster.sh")
    try:
        yield subprocess.run(
            ["bash", script, "start", folder, str(free_port())],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    finally:
        subprocess.run(["bash", script, "stop", folder], capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def on_databases(choice: str, measure: Callable[[str], dict[str, Any]]) -> list[dict[str, Any]]:
    """Run `measure(database_url)` on SQLite and/or PostgreSQL as `choice` says."""
    results = []
    if choice in ("sqlite", "both"):
        results.append(measure("sqlite:///{var}/bench.sqlite3"))
    if choice in ("postgres", "both"):
        with postgres() as url:
            results.append(measure(url))
    return results
