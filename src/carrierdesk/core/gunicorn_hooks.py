"""gunicorn server hooks of `carrierdesk serve`: the time-limit sweeper runs beside the web
workers, started when gunicorn is ready and stopped when it exits (R-SLA-3), so the embedded
mode needs nothing else running. Loaded by gunicorn with `--config python:<this module>`.

The sweeper is a child process (`carrierdesk sla sweep --loop`), not a thread in the arbiter:
the arbiter forks workers, and a forked thread holding a database connection is a hazard.
"""

import os
import subprocess
import sys
from typing import Any

#: Set by `serve`: seconds between passes; 0 or absent runs no sweeper.
INTERVAL_VARIABLE = "CARRIERDESK_SERVE_SWEEP_INTERVAL"

_sweeper: dict[str, subprocess.Popen[bytes]] = {}


def sweeper_argv(interval: float) -> list[str]:
    return [
        sys.executable,
        "-m",
        "carrierdesk.manage",
        "sla",
        "sweep",
        "--loop",
        "--interval",
        f"{interval:g}",
    ]


def when_ready(server: Any) -> None:
    interval = float(os.environ.get(INTERVAL_VARIABLE, "0") or 0)
    if interval > 0:
        _sweeper["process"] = subprocess.Popen(sweeper_argv(interval))  # noqa: S603 - fixed argv
        server.log.info("time-limit sweeper started (every %gs)", interval)


def on_exit(server: Any) -> None:
    process = _sweeper.pop("process", None)
    if process is not None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
