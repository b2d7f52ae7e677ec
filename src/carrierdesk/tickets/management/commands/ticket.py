"""`carrierdesk ticket`: register, list, show and act on tickets from the command line.

Reads go through the restricted queries and writes through the actions, as in the API; output
is the API's JSON, personal data masked. Every command runs in a request context of channel
"cli", so the audit trail records where the change came from. A refused action prints
`error: <code>: <message>` (and its field messages) to stderr and exits with status 2, having
written nothing.
"""

import inspect
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from carrierdesk.core.errors import InvalidInput
from carrierdesk.core.fields import lookup_hash
from carrierdesk.core.management.operator import (
    OperatorCommand,
    Subcommand,
    add_as_argument,
    add_json_argument,
    as_staff,
    local_time,
    parse_time,
    table,
    timeline_line,
    to_json,
)
from carrierdesk.customers.models import Subscription
from carrierdesk.customers.queries import customers_visible_to, subscriptions_visible_to
from carrierdesk.notifications.templates import format_minutes
from carrierdesk.sla.choices import ClockState
from carrierdesk.tickets import actions
from carrierdesk.tickets.api.serializers import (
    TicketDetailSerializer,
    TicketEventSerializer,
    TicketSerializer,
)
from carrierdesk.tickets.choices import Kind, Status
from carrierdesk.tickets.models import Ticket
from carrierdesk.tickets.queries import TICKET_RELATED, access_ticket, tickets_visible_to

#: The verb of `act` that adds a note instead of changing the status.
ADD_NOTE = "add_note"
ACT_CHOICES = [*(str(name) for name in actions.TRANSITION_FUNCTIONS), ADD_NOTE]

#: `act` options and the keyword each one becomes in an action function.
ACT_OPTIONS = {
    "note": "note",
    "reason": "reason",
    "resolution": "resolution",
    "department": "department",
    "assignee": "assignee",
    "version": "expected_version",
}

TABLE_COLUMNS = ("number", "kind", "status", "urgency", "received_at", "title")


# --- helpers ----------------------------------------------------------------------------------


def duration(seconds: int) -> str:
    """`-1d 2h 5m`: the notifications' duration text, negative when overdue."""
    return ("-" if seconds < 0 else "") + format_minutes(abs(seconds) // 60)


def clock_table(clocks: list[dict[str, Any]]) -> list[str]:
    """The ticket's time limits: clock, state, deadline, remaining, used, passed, policy."""
    header = [
        _("clock"),
        _("state"),
        _("deadline"),
        _("remaining"),
        _("used"),
        _("limit"),
        _("alerts passed"),
        _("policy"),
    ]
    rows = [
        [
            item["clock"],
            str(ClockState(item["state"]).label) + (" ⚠" if item["calendar_uncovered"] else ""),
            str(item["deadline"]),
            duration(item["remaining_seconds"]),
            f"{item['used_percent']}%",
            f"{item['limit']} ({item['calendar']})",
            f"{item['thresholds_passed']}%" if item["thresholds_passed"] else "-",
            f"{item['policy']} / {item['target']}",
        ]
        for item in clocks
    ]
    return table([header, *rows])


def act_params(function: Callable[..., Any], options: dict[str, Any]) -> dict[str, Any]:
    """The keywords for an action function from the `act` options; refuse ones it does not take.

    A required keyword left out (a reason, a resolution) is passed empty so the action itself
    refuses it with its usual coded error.
    """
    parameters = inspect.signature(function).parameters
    params: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for option, keyword in ACT_OPTIONS.items():
        value = options.get(option)
        if value is None:
            continue
        if keyword in parameters:
            params[keyword] = value
        else:
            errors[option] = [_("This action does not take this option.")]
    if errors:
        raise InvalidInput(fields=errors)
    for name, parameter in parameters.items():
        required = parameter.default is inspect.Parameter.empty
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and required and name not in params:
            params[name] = ""
    return params


# --- the command ------------------------------------------------------------------------------


class Command(OperatorCommand):
    help = "Register, list, show and act on tickets (as a named staff user)."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        create = subparsers.add_parser("create", help="register a ticket")
        add_as_argument(create)
        create.add_argument("--kind", required=True, help=", ".join(Kind.values))
        create.add_argument("--channel", required=True)
        create.add_argument("--category", required=True)
        create.add_argument("--customer", required=True, metavar="NUMBER", help="customer number")
        create.add_argument("--title", required=True)
        create.add_argument("--description", required=True)
        create.add_argument("--urgency", default="")
        create.add_argument("--subtype", default="")
        create.add_argument("--subscription", metavar="SERVICE_NUMBER")
        create.add_argument(
            "--received-at",
            metavar="ISO8601",
            help="when the request reached us, with its time zone (default: now)",
        )
        create.add_argument("--contact-name", default="")
        create.add_argument("--contact-phone", default="")
        create.add_argument("--external-reference", default="")
        add_json_argument(create)

        listing = subparsers.add_parser("list", help="list the tickets you may see, newest first")
        add_as_argument(listing)
        listing.add_argument(
            "--status", nargs="+", action="extend", choices=Status.values, metavar="S"
        )
        listing.add_argument("--kind", nargs="+", action="extend", choices=Kind.values, metavar="K")
        listing.add_argument("--assignee", metavar="USER")
        listing.add_argument("--department", metavar="CODE")
        listing.add_argument("--customer", metavar="NUMBER")
        listing.add_argument("--limit", type=int, default=50, metavar="N")
        add_json_argument(listing)

        show = subparsers.add_parser("show", help="a ticket and its timeline")
        show.add_argument("number")
        add_as_argument(show)
        add_json_argument(show)

        act = subparsers.add_parser("act", help="take an action on a ticket")
        act.add_argument("number")
        act.add_argument(
            "action", choices=ACT_CHOICES, metavar="ACTION", help=", ".join(ACT_CHOICES)
        )
        add_as_argument(act)
        act.add_argument("--note")
        act.add_argument("--reason")
        act.add_argument("--resolution")
        act.add_argument("--department", metavar="CODE")
        act.add_argument("--assignee", metavar="USER")
        act.add_argument(
            "--version", type=int, metavar="N", help="refuse if the ticket changed since"
        )
        add_json_argument(act)

    def subcommands(self) -> Mapping[str, Subcommand]:
        return {
            "create": as_staff(self.create_ticket),
            "list": as_staff(self.list_tickets),
            "show": as_staff(self.show_ticket),
            "act": as_staff(self.act_on_ticket),
        }

    # --- subcommands --------------------------------------------------------------------------

    def create_ticket(self, user: User, options: dict[str, Any]) -> None:
        errors: dict[str, list[str]] = {}
        customer = customers_visible_to(user).filter(number=options["customer"]).first()
        if customer is None:
            errors["customer"] = [_("No such customer.")]
        subscription: Subscription | None = None
        if options["subscription"]:
            subscription = (
                subscriptions_visible_to(user)
                .filter(service_number_hash=lookup_hash(options["subscription"]))
                .first()
            )
            if subscription is None:
                errors["subscription"] = [_("No such subscription.")]
        received_at: datetime | None = None
        try:
            received_at = parse_time(options["received_at"], "received_at")
        except InvalidInput as exc:
            errors.update(exc.fields)
        if errors or customer is None:
            raise InvalidInput(fields=errors)
        ticket = actions.register_ticket(
            user,
            kind=options["kind"],
            channel=options["channel"],
            category=options["category"],
            customer=customer,
            title=options["title"],
            description=options["description"],
            urgency=options["urgency"],
            subtype=options["subtype"],
            subscription=subscription,
            received_at=received_at,
            contact_name=options["contact_name"],
            contact_phone=options["contact_phone"],
            external_reference=options["external_reference"],
        )
        self._print_result(user, ticket, options["json"])

    def list_tickets(self, user: User, options: dict[str, Any]) -> None:
        tickets = tickets_visible_to(user).select_related(*TICKET_RELATED)
        if options["status"]:
            tickets = tickets.filter(status__in=options["status"])
        if options["kind"]:
            tickets = tickets.filter(kind__in=options["kind"])
        if options["assignee"]:
            tickets = tickets.filter(assignee__username=options["assignee"])
        if options["department"]:
            tickets = tickets.filter(department__code=options["department"])
        if options["customer"]:
            tickets = tickets.filter(customer__number=options["customer"])
        self.write_page(
            tickets.order_by("-received_at", "-id"),
            options,
            serializer=TicketSerializer,
            empty=_("No tickets."),
            header=[
                _("number"),
                _("kind"),
                _("status"),
                _("urgency"),
                _("received"),
                _("title"),
            ],
            row=lambda t: [
                t.number,
                str(t.get_kind_display()),
                str(t.get_status_display()),
                str(t.get_urgency_display()),
                local_time(t.received_at),
                t.title,
            ],
        )

    def show_ticket(self, user: User, options: dict[str, Any]) -> None:
        ticket = access_ticket(user, options["number"])
        data = dict(TicketDetailSerializer(ticket).data)
        clocks = data.pop("clocks")
        data.pop("next_deadline", None)
        events = list(ticket.events.select_related("actor").order_by("created_at", "id"))
        event_data = TicketEventSerializer(events, many=True).data
        if options["json"]:
            self.stdout.write(to_json({**data, "clocks": clocks, "events": event_data}))
            return
        self.write_fields(data)
        if clocks:
            self.stdout.write("")
            self.stdout.write(_("Time limits:"))
            for line in clock_table(clocks):
                self.stdout.write("  " + line)
        self.stdout.write("")
        self.stdout.write(_("Timeline:"))
        for event, item in zip(events, event_data, strict=True):
            when = local_time(event.created_at)
            self.stdout.write(timeline_line(when, item, item["from_status"], item["to_status"]))

    def act_on_ticket(self, user: User, options: dict[str, Any]) -> None:
        number = access_ticket(user, options["number"]).number
        name = options["action"]
        if name == ADD_NOTE:
            params = act_params(actions.add_note, options)
            event = actions.add_note(user, number, **params)
            if options["json"]:
                self.stdout.write(to_json(TicketEventSerializer(event).data))
            else:
                self.stdout.write(_("Note added to %(number)s.") % {"number": number})
            return
        function = actions.TRANSITION_FUNCTIONS[name]
        ticket = function(user, number, **act_params(function, options))
        self._print_result(user, ticket, options["json"])

    def _print_result(self, user: User, ticket: Ticket, as_json: bool) -> None:
        ticket = access_ticket(user, ticket.number)
        if as_json:
            self.stdout.write(to_json(TicketSerializer(ticket).data))
        else:
            self.stdout.write(
                _("%(number)s: %(status)s (version %(version)d)")
                % {"number": ticket.number, "status": ticket.status, "version": ticket.version}
            )
