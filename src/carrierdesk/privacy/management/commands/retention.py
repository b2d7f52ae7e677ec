"""`carrierdesk retention`: retention rules, legal holds and the retention run (R-SEC-5).

carrierdesk retention rules [--json]
carrierdesk retention rules --set execution --months 48 --as admin
carrierdesk retention hold C0000000001 --reason "诉讼保全 (2026)粤0106民初123号" --as supervisor
carrierdesk retention release C0000000001 [--reason …] --as supervisor
carrierdesk retention holds [--all] [--json]
carrierdesk retention run --dry-run        # lists the customers past retention, changes none
carrierdesk retention run [--batch-size N] # anonymises them; a rerun resumes an interrupted run
"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from carrierdesk.core.errors import InvalidInput
from carrierdesk.core.management.operator import (
    OperatorCommand,
    Subcommand,
    acting_staff,
    as_staff,
    local_time,
    table,
    to_json,
)
from carrierdesk.customers.models import Customer
from carrierdesk.customers.queries import customers_visible_to
from carrierdesk.privacy.choices import RecordType
from carrierdesk.privacy.models import LegalHold, RetentionRun
from carrierdesk.privacy.queries import Rules, legal_holds_visible_to, retention_rules
from carrierdesk.privacy.retention_actions import (
    DEFAULT_BATCH_SIZE,
    active_hold_of,
    dry_run_retention,
    place_legal_hold,
    release_legal_hold,
    run_retention,
    run_summary,
    update_retention_rule,
)


class Command(OperatorCommand):
    help = "Retention (R-SEC-5): rules, legal holds, and the run that anonymises expired data."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        rules = subparsers.add_parser("rules", help="list the retention rules, or change one")
        rules.add_argument("--set", dest="record_type", choices=RecordType.values, metavar="TYPE")
        rules.add_argument("--months", type=int, metavar="N")
        rules.add_argument(
            "--applies-to", metavar="KIND,KIND", help="ticket kinds, comma-separated"
        )
        rules.add_argument("--source", metavar="TEXT")
        rules.add_argument("--as", dest="username", metavar="USER", help="the acting admin")
        rules.add_argument("--json", action="store_true")

        hold = subparsers.add_parser("hold", help="place a legal hold on a customer")
        hold.add_argument("customer", metavar="CUSTOMER", help="customer number")
        hold.add_argument("--reason", required=True)
        hold.add_argument("--as", dest="username", required=True, metavar="USER")

        release = subparsers.add_parser("release", help="release a customer's legal hold")
        release.add_argument("customer", metavar="CUSTOMER", help="customer number")
        release.add_argument("--reason", default="")
        release.add_argument("--as", dest="username", required=True, metavar="USER")

        holds = subparsers.add_parser("holds", help="list legal holds (active ones by default)")
        holds.add_argument("--all", action="store_true", help="released ones too")
        holds.add_argument("--as", dest="username", required=True, metavar="USER")
        holds.add_argument("--json", action="store_true")

        run = subparsers.add_parser("run", help="anonymise the customers past retention")
        run.add_argument(
            "--dry-run", action="store_true", help="list them and their latest retention end"
        )
        run.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, metavar="N")
        run.add_argument("--json", action="store_true")

    def subcommands(self) -> Mapping[str, Subcommand]:
        return {
            "rules": self.rules,
            "hold": as_staff(self.hold),
            "release": as_staff(self.release),
            "holds": as_staff(self.holds),
            "run": self.run,
        }

    # --- rules --------------------------------------------------------------------------------

    def rules(self, options: dict[str, Any]) -> None:
        if options["record_type"]:
            if not options["username"]:
                raise InvalidInput.field("as", _("Say who changes the rule (--as USER)."))
            changes = {
                "months": options["months"],
                "source": options["source"],
                "applies_to": (
                    [kind.strip() for kind in options["applies_to"].split(",") if kind.strip()]
                    if options["applies_to"] is not None
                    else None
                ),
            }
            if all(value is None for value in changes.values()):
                raise InvalidInput.field(
                    "set", _("Give --months, --applies-to or --source to change.")
                )
            update_retention_rule(
                acting_staff(options["username"]), options["record_type"], **changes
            )
        rows = [
            {
                "record_type": rule.record_type,
                "months": rule.months,
                "applies_to": rule.applies_to,
                "source": rule.source,
                "updated_at": rule.updated_at,
            }
            for rule in retention_rules()
        ]
        uncovered = list(Rules.load().uncovered)
        if options["json"]:
            self.stdout.write(to_json({"rules": rows, "uncovered_kinds": uncovered}))
            return
        header = [_("record type"), _("months"), _("applies to"), _("source")]
        lines = [
            [row["record_type"], str(row["months"]), ",".join(row["applies_to"]), row["source"]]
            for row in rows
        ]
        for line in table([header, *lines]):
            self.stdout.write(line)
        if uncovered:
            self.stdout.write(
                _("No rule covers the ticket kinds %(kinds)s: their tickets are kept.")
                % {"kinds": ", ".join(uncovered)}
            )

    # --- holds --------------------------------------------------------------------------------

    @staticmethod
    def _customer(user: User, number: str) -> Customer:
        customer = customers_visible_to(user).filter(number=number).first()
        if customer is None:
            raise InvalidInput.field("customer", _("No such customer."))
        return customer

    def hold(self, user: User, options: dict[str, Any]) -> None:
        hold = place_legal_hold(
            user, self._customer(user, options["customer"]), reason=options["reason"]
        )
        self.stdout.write(
            _("Legal hold %(id)d placed on %(customer)s.")
            % {"id": hold.pk, "customer": options["customer"]}
        )

    def release(self, user: User, options: dict[str, Any]) -> None:
        hold = active_hold_of(self._customer(user, options["customer"]))
        release_legal_hold(user, hold, reason=options["reason"])
        self.stdout.write(
            _("Legal hold %(id)d on %(customer)s released.")
            % {"id": hold.pk, "customer": options["customer"]}
        )

    def holds(self, user: User, options: dict[str, Any]) -> None:
        holds = legal_holds_visible_to(user).order_by("-placed_at", "-id")
        if not options["all"]:
            holds = holds.filter(released_at__isnull=True)
        rows = list(holds)
        if options["json"]:
            self.stdout.write(to_json([self._hold_data(hold) for hold in rows]))
            return
        if not rows:
            self.stdout.write(_("No legal holds."))
            return
        header = [_("id"), _("customer"), _("placed"), _("by"), _("released"), _("reason")]
        lines = [
            [
                str(hold.pk),
                hold.customer.number,
                local_time(hold.placed_at),
                hold.placed_by.username if hold.placed_by else "-",
                local_time(hold.released_at) or "-",
                hold.reason,
            ]
            for hold in rows
        ]
        for line in table([header, *lines]):
            self.stdout.write(line)

    @staticmethod
    def _hold_data(hold: LegalHold) -> dict[str, Any]:
        return {
            "id": hold.pk,
            "customer": hold.customer.number,
            "reason": hold.reason,
            "placed_by": hold.placed_by.username if hold.placed_by else None,
            "placed_at": hold.placed_at,
            "released_by": hold.released_by.username if hold.released_by else None,
            "released_at": hold.released_at,
            "release_reason": hold.release_reason,
        }

    # --- the run ------------------------------------------------------------------------------

    def run(self, options: dict[str, Any]) -> None:
        if options["dry_run"]:
            outcome = dry_run_retention(None, batch_size=options["batch_size"])
            if options["json"]:
                self.stdout.write(
                    to_json(
                        {
                            **run_summary(outcome.run),
                            "report": outcome.run.report_path,
                            "customers": [item.as_dict() for item in outcome.customers],
                        }
                    )
                )
                return
            if outcome.customers:
                header = [_("customer"), _("name"), _("retention ended")]
                lines = [
                    [item.number, item.masked_name, local_time(item.retention_ended_at)]
                    for item in outcome.customers
                ]
                for line in table([header, *lines]):
                    self.stdout.write(line)
            self.stdout.write(
                _(
                    "Dry run %(run)d: %(found)d customers past retention as of %(as_of)s; "
                    "nothing changed. Report: %(report)s"
                )
                % {
                    "run": outcome.run.pk,
                    "found": outcome.run.found,
                    "as_of": local_time(outcome.run.as_of),
                    "report": outcome.run.report_path,
                }
            )
            return

        def progress(run: RetentionRun) -> None:
            self.stderr.write(
                _("batch %(batches)d: %(anonymised)d anonymised, %(failed)d failed")
                % {"batches": run.batches, "anonymised": run.anonymised, "failed": run.failed}
            )

        outcome = run_retention(None, batch_size=options["batch_size"], progress=progress)
        run = outcome.run
        if options["json"]:
            self.stdout.write(
                to_json({**run_summary(run), "resumed": outcome.resumed, "report": run.report_path})
            )
            return
        if outcome.resumed:
            self.stdout.write(
                _("Resumed run %(run)d (judged as of %(as_of)s).")
                % {"run": run.pk, "as_of": local_time(run.as_of)}
            )
        finished = timezone.localtime(run.finished_at) if run.finished_at else None
        self.stdout.write(
            _(
                "Run %(run)d finished %(finished)s: %(found)d customers past retention, "
                "%(anonymised)d anonymised, %(failed)d failed, in %(batches)d batches. "
                "Report: %(report)s"
            )
            % {
                "run": run.pk,
                "finished": finished.strftime("%Y-%m-%d %H:%M:%S") if finished else "-",
                "found": run.found,
                "anonymised": run.anonymised,
                "failed": run.failed,
                "batches": run.batches,
                "report": run.report_path,
            }
        )
        for error in run.errors:
            self.stdout.write(f"  {error['customer']}: {error['code']}")
