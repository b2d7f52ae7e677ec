"""`carrierdesk sla`: load policy packs, compute deadlines, sweep alerts, rebuild clocks."""

import signal
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from carrierdesk.calendars.services import compute_deadline
from carrierdesk.core import clock
from carrierdesk.core.errors import InvalidInput
from carrierdesk.core.management.operator import OperatorCommand, Subcommand, to_json
from carrierdesk.notifications.delivery import deliver_due
from carrierdesk.privacy.request_actions import sweep_requests
from carrierdesk.sla.actions import load_policy
from carrierdesk.sla.sweep import sweep
from carrierdesk.tickets.actions import recompute_time_limits
from carrierdesk.tickets.choices import TERMINAL_STATUSES
from carrierdesk.tickets.models import Ticket
from carrierdesk.visits.sweep import sweep_visits

REBUILD_BATCH = 200


class Command(OperatorCommand):
    help = "Time limits: load a policy pack, compute a deadline, sweep alerts, rebuild clocks."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        load = subparsers.add_parser("load", help="store a policy pack as a new version")
        load.add_argument("file", help="YAML policy pack, e.g. policies/cn-telecom-2025.yaml")
        load.add_argument(
            "--effective-from",
            type=date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="override the pack's effective date",
        )

        deadline = subparsers.add_parser("deadline", help="compute a deadline on a calendar")
        deadline.add_argument("--calendar", required=True, help="cn, cn-business, 24x7, …")
        deadline.add_argument("--start", required=True, help="ISO 8601 instant with its offset")
        limits = deadline.add_mutually_exclusive_group(required=True)
        limits.add_argument("--working-days", type=int, metavar="N")
        limits.add_argument("--working-hours", type=float, metavar="N")
        limits.add_argument("--hours", type=float, metavar="N")
        deadline.add_argument("--json", action="store_true")

        sweeper = subparsers.add_parser("sweep", help="fire due warnings, breaches, escalations")
        sweeper.add_argument("--loop", action="store_true", help="keep sweeping until stopped")
        sweeper.add_argument("--interval", type=float, default=30.0, help="seconds between passes")
        sweeper.add_argument("--batch", type=int, default=1000, help="clocks per transaction")
        sweeper.add_argument(
            "--no-deliver", action="store_true", help="leave notifications for another worker"
        )
        sweeper.add_argument("--json", action="store_true")

        rebuild = subparsers.add_parser(
            "rebuild", help="recompute clocks from the timeline (after a correction)"
        )
        rebuild.add_argument("--ticket", metavar="NUMBER", help="one ticket (default: all open)")

    def subcommands(self) -> Mapping[str, Subcommand]:
        return {
            "load": self.load,
            "deadline": self.deadline,
            "sweep": self.sweep,
            "rebuild": self.rebuild,
        }

    def load(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}, returncode=2
            ) from None
        version = load_policy(
            None, text, effective_from=options["effective_from"], source_name=path.name
        )
        self.stdout.write(
            _(
                "Loaded %(pack)s %(label)s as version %(version)d, effective from %(date)s "
                "(%(targets)d targets)."
            )
            % {
                "pack": version.pack,
                "label": version.label,
                "version": version.version,
                "date": version.effective_from.isoformat(),
                "targets": version.targets.count(),
            }
        )

    def deadline(self, options: dict[str, Any]) -> None:
        start = parse_datetime(options["start"])
        if start is None:
            raise InvalidInput.field(
                "start", _("Give an ISO 8601 time, e.g. 2025-09-30T10:00+08:00.")
            )
        if timezone.is_naive(start):
            raise InvalidInput.field("start", _("Give the time with its offset, e.g. +08:00."))
        result = compute_deadline(
            options["calendar"],
            start,
            working_days=options["working_days"],
            working_hours=options["working_hours"],
            hours=options["hours"],
        )
        if options["json"]:
            self.stdout.write(
                to_json(
                    {
                        "calendar": options["calendar"],
                        "start": start.isoformat(),
                        "deadline": result.at.isoformat(),
                        "calendar_uncovered": result.calendar_uncovered,
                    }
                )
            )
            return
        line = result.at.isoformat()
        if result.calendar_uncovered:
            line += "  " + _(
                "calendar_uncovered: a year on the way is not in the calendar; "
                "counted on weekdays alone"
            )
        self.stdout.write(line)

    def sweep(self, options: dict[str, Any]) -> None:
        stop = {"now": False}

        def finish(signum: int, frame: FrameType | None) -> None:
            stop["now"] = True

        if options["loop"]:
            signal.signal(signal.SIGTERM, finish)
            signal.signal(signal.SIGINT, finish)
        while True:
            report = sweep(batch_size=options["batch"]).as_dict()
            # Data-subject requests run on the same beat: 80% and overdue warnings (R-SEC-5).
            requests = sweep_requests()
            report["request_warnings"] = requests.warnings + requests.breaches
            report["notifications"] += requests.notifications
            # So do the return visits' own limits: 80% and overdue warnings (R-RV-1).
            visits = sweep_visits()
            report["visit_warnings"] = visits.warnings + visits.overdue
            report["notifications"] += visits.notifications
            if not options["no_deliver"]:
                delivered = deliver_due()
                report["delivered"] = delivered.sent
                report["delivery_failed"] = delivered.failed
            if options["json"]:
                self.stdout.write(to_json(report))
            elif (
                report["alerts"]
                or report["request_warnings"]
                or report["visit_warnings"]
                or not options["loop"]
            ):
                self.stdout.write(
                    _(
                        "%(time)s  %(alerts)d alerts on %(clocks)d clocks, %(notes)d "
                        "notifications queued, %(seconds).3f s"
                    )
                    % {
                        "time": timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M:%S"),
                        "alerts": report["alerts"],
                        "clocks": report["clocks"],
                        "notes": report["notifications"],
                        "seconds": report["seconds"],
                    }
                )
            self.stdout.flush()
            if not options["loop"]:
                return
            waited = 0.0
            while waited < options["interval"] and not stop["now"]:
                time.sleep(0.5)
                waited += 0.5
            if stop["now"]:
                return

    def rebuild(self, options: dict[str, Any]) -> None:
        if options["ticket"]:
            numbers = [options["ticket"]]
            if not Ticket.objects.filter(number=options["ticket"]).exists():
                raise InvalidInput.field("ticket", _("No such ticket."))
        else:
            numbers = list(
                Ticket.objects.exclude(status__in=TERMINAL_STATUSES)
                .order_by("id")
                .values_list("number", flat=True)
            )
        changed = 0
        for index in range(0, len(numbers), REBUILD_BATCH):
            for number in numbers[index : index + REBUILD_BATCH]:
                changed += bool(recompute_time_limits(None, number))
            self.stderr.write(
                _("%(done)d of %(total)d tickets")
                % {"done": min(index + REBUILD_BATCH, len(numbers)), "total": len(numbers)}
            )
        self.stdout.write(
            _("Rebuilt the clocks of %(total)d tickets; %(changed)d changed.")
            % {"total": len(numbers), "changed": changed}
        )
