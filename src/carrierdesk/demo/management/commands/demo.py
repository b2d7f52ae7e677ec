"""`carrierdesk demo [--tickets N] [--seed S] [--json]`: load demo data (idempotent)."""

import json
import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from carrierdesk.core import context
from carrierdesk.demo.generate import load


class Command(BaseCommand):
    help = _(
        "Load demo data: regions, departments, one user per role, customers and tickets with "
        "consistent timelines. Running it again adds only what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tickets", type=int, default=2000, help=_("number of demo tickets (default 2000)")
        )
        parser.add_argument("--seed", type=int, default=1, help=_("random seed (default 1)"))
        parser.add_argument(
            "--json", action="store_true", help=_("print the users and counts as one JSON document")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["tickets"]
        if count < 0:
            self.stderr.write(_("--tickets must be 0 or more."))
            sys.exit(2)
        as_json: bool = options["json"]
        call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            self.stderr.write(
                _("tickets: %(done)d/%(total)d (%(rate).0f/s)")
                % {"done": done, "total": total, "rate": rate}
            )

        bound = context.RequestContext(request_id=context.new_request_id(), channel="cli")
        with context.bound(bound):
            result = load(options["seed"], count, progress)
        if as_json:
            document = {
                "users": [user.__dict__ for user in result.users],
                "customers": result.customers,
                "tickets_created": result.tickets_created,
                "tickets_total": result.tickets_total,
                "alerts": result.alerts,
            }
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            _(
                "Demo data ready: %(customers)d customers, %(created)d tickets "
                "created, %(total)d in all, %(alerts)d time-limit alerts (%(seconds).1f s)."
            )
            % {
                "customers": result.customers,
                "created": result.tickets_created,
                "total": result.tickets_total,
                "alerts": result.alerts,
                "seconds": time.monotonic() - started,
            }
        )
        header = (_("role"), _("username"), _("password"), _("API token"), _("area"))
        rows = [(u.role, u.username, u.password, u.token, u.area) for u in result.users]
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(5)]
        for row in [header, *rows]:
            self.stdout.write(
                "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
            )
        self.stdout.write(
            _(
                "Sign in to the admin at /admin/ as admin; call the API with "
                "'Authorization: Token <API token>'."
            )
        )
        privileged = [u for u in result.users if u.otp_secret]
        if privileged:
            self.stdout.write(
                _(
                    "%(users)s also give a one-time code (R-SEC-4): add their secret below to "
                    "an authenticator app (otpauth URLs with --json), then type its code in the "
                    'admin sign-in form, or send it as "otp" when asking for a token.'
                )
                % {"users": ", ".join(u.username for u in privileged)}
            )
            for user in privileged:
                self.stdout.write(f"  {user.username.ljust(widths[1])}  {user.otp_secret}")
