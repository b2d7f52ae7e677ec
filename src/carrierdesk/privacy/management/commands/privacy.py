"""`carrierdesk privacy requests`: data-subject requests 个人信息主体请求 (R-SEC-5).

    carrierdesk privacy requests list --as auditor [--status received in_progress] [--json]
    carrierdesk privacy requests show GR20251009000001 --as supervisor [--json]
    carrierdesk privacy requests sweep [--json]   # warn supervisors at 80% of the time, at breach

Reads go through the restricted queries (the roles that read requests); output is the API's
JSON, free text masked.
"""

from collections.abc import Mapping
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from carrierdesk.core.management.operator import (
    OperatorCommand,
    Subcommand,
    acting_staff,
    local_time,
    to_json,
)
from carrierdesk.notifications.delivery import deliver_due
from carrierdesk.privacy.api.requests import DataSubjectRequestSerializer
from carrierdesk.privacy.choices import RequestKind, RequestStatus
from carrierdesk.privacy.queries import access_request, requests_visible_to
from carrierdesk.privacy.request_actions import sweep_requests


class Command(OperatorCommand):
    help = "Privacy: data-subject requests (list, show, sweep the 15-working-day limit)."

    def add_arguments(self, parser: CommandParser) -> None:
        areas = parser.add_subparsers(dest="area", required=True, metavar="AREA")
        requests = areas.add_parser("requests", help="data-subject requests")
        subparsers = requests.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        listing = subparsers.add_parser("list", help="requests, newest first")
        listing.add_argument("--as", dest="username", required=True, metavar="USER")
        listing.add_argument(
            "--status", nargs="+", action="extend", choices=RequestStatus.values, metavar="S"
        )
        listing.add_argument("--kind", choices=RequestKind.values)
        listing.add_argument("--customer", metavar="NUMBER")
        listing.add_argument("--limit", type=int, default=50, metavar="N")
        listing.add_argument("--json", action="store_true")

        show = subparsers.add_parser("show", help="one request")
        show.add_argument("number")
        show.add_argument("--as", dest="username", required=True, metavar="USER")
        show.add_argument("--json", action="store_true")

        sweep = subparsers.add_parser("sweep", help="warn supervisors of requests running late")
        sweep.add_argument(
            "--no-deliver", action="store_true", help="leave notifications for another worker"
        )
        sweep.add_argument("--json", action="store_true")

    def subcommands(self) -> Mapping[str, Subcommand]:
        return {"list": self.list_requests, "show": self.show_request, "sweep": self.sweep}

    def list_requests(self, options: dict[str, Any]) -> None:
        user = acting_staff(options["username"])
        requests = requests_visible_to(user)
        if options["status"]:
            requests = requests.filter(status__in=options["status"])
        if options["kind"]:
            requests = requests.filter(kind=options["kind"])
        if options["customer"]:
            requests = requests.filter(customer__number=options["customer"])
        self.write_page(
            requests.order_by("-received_at", "-id"),
            options,
            serializer=DataSubjectRequestSerializer,
            empty=_("No data-subject requests."),
            header=[_("number"), _("kind"), _("status"), _("customer"), _("received"), _("due")],
            row=lambda item: [
                item.number,
                str(item.get_kind_display()),
                str(item.get_status_display()),
                item.customer.number,
                local_time(item.received_at),
                local_time(item.due_at),
            ],
        )

    def show_request(self, options: dict[str, Any]) -> None:
        user = acting_staff(options["username"])
        item = access_request(user, options["number"])
        data = dict(DataSubjectRequestSerializer(item).data)
        if options["json"]:
            self.stdout.write(to_json(data))
            return
        width = max(len(key) for key in data)
        for key, value in data.items():
            if value in (None, "", {}, []):
                continue
            shown = to_json(value).replace("\n", " ") if isinstance(value, dict) else value
            self.stdout.write(f"{key.ljust(width)}  {shown}")

    def sweep(self, options: dict[str, Any]) -> None:
        report = sweep_requests().as_dict()
        if not options["no_deliver"]:
            delivered = deliver_due()
            report["delivered"] = delivered.sent
            report["delivery_failed"] = delivered.failed
        if options["json"]:
            self.stdout.write(to_json(report))
            return
        self.stdout.write(
            _(
                "%(warnings)d requests at 80%% of their time, %(breaches)d overdue; "
                "%(notes)d notifications queued."
            )
            % {
                "warnings": report["warnings"],
                "breaches": report["breaches"],
                "notes": report["notifications"],
            }
        )
