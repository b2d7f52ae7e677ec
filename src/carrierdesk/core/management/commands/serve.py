"""`carrierdesk serve`: migrate, then replace this process with gunicorn serving the project.

Not Django's runserver: gunicorn with a few workers, access log on stdout, static files served
by WhiteNoise. The settings module in use is passed on through the environment.
"""

import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _

from carrierdesk.core.gunicorn_hooks import INTERVAL_VARIABLE

WSGI_APPLICATION = "carrierdesk.config.wsgi:application"
TIMEOUT_SECONDS = 60


def bind_address(host: str, port: int) -> str:
    """`host:port`, with an IPv6 host in brackets."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


#: The access log leaves out query strings (`?mobile=…` is personal data, R-SEC-2) and
#: carries the request id that the audit trail records.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'


def gunicorn_argv(host: str, port: int, workers: int) -> list[str]:
    """The command line that `serve` replaces itself with."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        bind_address(host, port),
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--timeout",
        str(TIMEOUT_SECONDS),
        # gunicorn 27 opens a control socket; keep it in var/ rather than the home folder.
        "--control-socket",
        str(settings.VAR_DIR / "gunicorn.ctl"),
        # Starts and stops the time-limit sweeper with the server.
        "--config",
        "python:carrierdesk.core.gunicorn_hooks",
        WSGI_APPLICATION,
    ]


class Command(BaseCommand):
    help = "Apply migrations and serve carrierdesk with gunicorn (API, API docs and admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument(
            "--no-migrate", action="store_true", help="do not apply migrations first"
        )
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=None,
            help="seconds between time-limit sweeps run beside the server (default "
            "settings.SLA_SWEEP_INTERVAL, 30; 0: none)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"]
        workers: int = options["workers"]
        if not 0 < port < 65536:
            raise CommandError(_("The port must be between 1 and 65535."), returncode=2)
        if workers < 1:
            raise CommandError(_("Give at least one worker."), returncode=2)
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
        base = f"http://{bind_address(host, port)}"
        self.stdout.write(_("Serving carrierdesk at %(url)s/") % {"url": base})
        self.stdout.write(_("  API docs: %(url)s/api/docs/") % {"url": base})
        self.stdout.write(_("  Admin:    %(url)s/admin/") % {"url": base})
        self.stdout.flush()
        sys.stderr.flush()
        if settings.STATIC_ROOT:
            # WhiteNoise serves from the finders, but warns at every start if this is missing.
            Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        argv = gunicorn_argv(host, port, workers)
        # The workers import the same settings as this command.
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
        interval = options["sweep_interval"]
        if interval is None:
            interval = settings.SLA_SWEEP_INTERVAL
        os.environ[INTERVAL_VARIABLE] = f"{max(interval, 0):g}"
        connections.close_all()
        os.execvp(argv[0], argv)  # noqa: S606 - a fixed argv: this interpreter running gunicorn.
