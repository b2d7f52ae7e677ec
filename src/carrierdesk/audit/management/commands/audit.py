"""`carrierdesk audit verify`: check the audit trail's hash chain (R-SEC-3)."""

from collections.abc import Mapping
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from carrierdesk.audit.verify import verify_chain
from carrierdesk.core.management.operator import OperatorCommand, Subcommand


class Command(OperatorCommand):
    help = "The audit trail: verify its hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        subparsers.add_parser("verify", help="walk the chain; report the first broken link")

    def subcommands(self) -> Mapping[str, Subcommand]:
        return {"verify": self.verify}

    def verify(self, options: dict[str, Any]) -> None:
        def progress(checked: int) -> None:
            if checked and checked % 50_000 == 0:
                self.stderr.write(_("%(n)d entries checked") % {"n": checked})

        verdict = verify_chain(progress)
        if not verdict.intact:
            raise CommandError(
                _(
                    "The audit chain is broken at entry %(n)d: %(reason)s "
                    "(the %(ok)d entries before it hold)."
                )
                % {"n": verdict.broken_at, "reason": verdict.reason, "ok": verdict.checked},
                returncode=1,
            )
        self.stdout.write(
            _("The audit chain holds: %(n)d entries checked.") % {"n": verdict.checked}
        )
