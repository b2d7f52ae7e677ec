"""`carrierdesk incident`: list, show, report and advance security incidents (R-SEC-6).

Reads go through the restricted queries and writes through the actions, as in the API; output
is the API's JSON, customers masked. A refused action prints `error: <code>: <message>` (and
its field messages) to stderr and exits with status 2, having written nothing.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandParser
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from carrierdesk.core.management.operator import (
    OperatorCommand,
    Subcommand,
    add_as_argument,
    add_json_argument,
    as_staff,
    local_time,
    parse_time,
    timeline_line,
    to_json,
)
from carrierdesk.incidents import actions
from carrierdesk.incidents.api.serializers import IncidentDetailSerializer, IncidentSerializer
from carrierdesk.incidents.choices import Level, ResponseLevel, Stage
from carrierdesk.incidents.queries import (
    INCIDENT_RELATED,
    access_incident,
    access_incident_detail,
    incidents_visible_to,
)


class Command(OperatorCommand):
    help = "List, show, report and advance security incidents (as a named staff user)."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        listing = subparsers.add_parser("list", help="the incidents you may see, newest first")
        add_as_argument(listing)
        listing.add_argument(
            "--stage", nargs="+", action="extend", choices=Stage.values, metavar="S"
        )
        listing.add_argument(
            "--level", nargs="+", action="extend", choices=Level.values, metavar="L"
        )
        state = listing.add_mutually_exclusive_group()
        state.add_argument("--open", action="store_true", help="only open incidents")
        state.add_argument("--closed", action="store_true", help="only closed incidents")
        listing.add_argument("--limit", type=int, default=50, metavar="N")
        add_json_argument(listing)

        show = subparsers.add_parser("show", help="an incident, its links and its timeline")
        show.add_argument("number")
        add_as_argument(show)
        add_json_argument(show)

        report = subparsers.add_parser("report", help="report an incident (discovery stage)")
        add_as_argument(report)
        report.add_argument("--title", required=True)
        report.add_argument("--description", required=True)
        report.add_argument("--level", required=True, help=", ".join(Level.values))
        report.add_argument(
            "--discovered-at",
            metavar="ISO8601",
            help="when it was discovered, with its time zone (default: now)",
        )
        report.add_argument(
            "--response-level",
            type=int,
            choices=ResponseLevel.values,
            help="default: the level's (general 3, larger 2, major 1)",
        )
        report.add_argument("--affected", type=int, default=0, metavar="N", help="customers")
        report.add_argument("--personal-data", action="store_true", help="personal data involved")
        add_json_argument(report)

        advance = subparsers.add_parser("advance", help="move an incident to its next stage")
        advance.add_argument("number")
        add_as_argument(advance)
        advance.add_argument("--to", required=True, help=", ".join(Stage.values))
        advance.add_argument("--note", default="", help="what was done in the stage left")
        advance.add_argument("--root-cause", default="", help="required when leaving analysis")
        advance.add_argument("--measures", default="", help="required when leaving rectification")
        advance.add_argument(
            "--version", type=int, metavar="N", help="refuse if the incident changed since"
        )
        add_json_argument(advance)

    def subcommands(self) -> Mapping[str, Subcommand]:
        return {
            "list": as_staff(self.list_incidents),
            "show": as_staff(self.show_incident),
            "report": as_staff(self.report_incident),
            "advance": as_staff(self.advance_incident),
        }

    # --- subcommands --------------------------------------------------------------------------

    def list_incidents(self, user: User, options: dict[str, Any]) -> None:
        incidents = incidents_visible_to(user).select_related(*INCIDENT_RELATED)
        if options["stage"]:
            incidents = incidents.filter(stage__in=options["stage"])
        if options["level"]:
            incidents = incidents.filter(level__in=options["level"])
        if options["open"]:
            incidents = incidents.exclude(stage=Stage.CLOSED)
        if options["closed"]:
            incidents = incidents.filter(stage=Stage.CLOSED)
        self.write_page(
            incidents.order_by("-reported_at", "-id"),
            options,
            serializer=IncidentSerializer,
            empty=_("No security incidents."),
            header=[
                _("number"),
                _("level"),
                _("response"),
                _("stage"),
                _("discovered"),
                _("title"),
            ],
            row=lambda incident: [
                incident.number,
                str(incident.get_level_display()),
                str(incident.response_level),
                str(incident.get_stage_display()),
                local_time(incident.discovered_at),
                incident.title,
            ],
        )

    def show_incident(self, user: User, options: dict[str, Any]) -> None:
        data = dict(IncidentDetailSerializer(access_incident_detail(user, options["number"])).data)
        if options["json"]:
            self.stdout.write(to_json(data))
            return
        customers, tickets, events = data.pop("customers"), data.pop("tickets"), data.pop("events")
        self.write_fields(data)
        if customers:
            self.stdout.write("")
            self.stdout.write(_("Affected customers:"))
            for item in customers:
                self.stdout.write(f"  {item['number']}  {item['name']}")
        if tickets:
            self.stdout.write("")
            self.stdout.write(_("Related tickets:"))
            for item in tickets:
                self.stdout.write(f"  {item['number']}")
        self.stdout.write("")
        self.stdout.write(_("Timeline:"))
        for item in events:
            when = local_time(parse_datetime(item["created_at"]))
            self.stdout.write(timeline_line(when, item, item["from_stage"], item["to_stage"]))

    def report_incident(self, user: User, options: dict[str, Any]) -> None:
        incident = actions.report_incident(
            user,
            title=options["title"],
            description=options["description"],
            level=options["level"],
            discovered_at=parse_time(options["discovered_at"], "discovered_at"),
            response_level=options["response_level"],
            affected_customers_estimate=options["affected"],
            personal_data_involved=options["personal_data"],
        )
        self._print_result(user, incident.number, options["json"])

    def advance_incident(self, user: User, options: dict[str, Any]) -> None:
        number = access_incident(user, options["number"]).number
        actions.advance_incident(
            user,
            number,
            to=options["to"],
            note=options["note"],
            root_cause=options["root_cause"],
            measures=options["measures"],
            expected_version=options["version"],
        )
        self._print_result(user, number, options["json"])

    def _print_result(self, user: User, number: str, as_json: bool) -> None:
        incident = access_incident(user, number)
        if as_json:
            self.stdout.write(to_json(IncidentSerializer(incident).data))
        else:
            self.stdout.write(
                _("%(number)s: %(stage)s (version %(version)d)")
                % {"number": incident.number, "stage": incident.stage, "version": incident.version}
            )
