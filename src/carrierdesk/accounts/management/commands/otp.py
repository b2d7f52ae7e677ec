"""`carrierdesk otp enrol|confirm|status|backup-codes|reset`: two-factor sign-in (R-SEC-4)."""

import io
from collections.abc import Mapping
from typing import Any

import segno
from django.contrib.auth.models import User
from django.core.management.base import CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from carrierdesk.accounts import otp
from carrierdesk.core.errors import InvalidInput
from carrierdesk.core.management.operator import OperatorCommand, Subcommand, to_json


class Command(OperatorCommand):
    help = (
        "Two-factor sign-in: enrol a user's authenticator app, confirm it, show who has one, "
        "issue backup codes, reset a lost one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        enrol = subparsers.add_parser(
            "enrol", help="a new authenticator: prints its otpauth URL, secret and QR code"
        )
        enrol.add_argument("username")
        enrol.add_argument("--no-qr", action="store_true", help="leave out the QR code")
        confirm = subparsers.add_parser(
            "confirm", help="confirm a new authenticator with a code from it"
        )
        confirm.add_argument("username")
        confirm.add_argument("code")
        status = subparsers.add_parser(
            "status", help="who needs a second factor and has one (default: everyone concerned)"
        )
        status.add_argument("username", nargs="?")
        status.add_argument("--json", action="store_true")
        backup = subparsers.add_parser(
            "backup-codes", help="replace a user's backup codes with ten new single-use ones"
        )
        backup.add_argument("username")
        reset = subparsers.add_parser(
            "reset", help="remove a user's authenticator and backup codes (a lost phone)"
        )
        reset.add_argument("username")

    def subcommands(self) -> Mapping[str, Subcommand]:
        return {
            "enrol": self.enrol,
            "confirm": self.confirm,
            "status": self.status,
            "backup-codes": self.backup_codes,
            "reset": self.reset,
        }

    @staticmethod
    def user(username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise InvalidInput.field("username", _("No user has this username."))
        return user

    def enrol(self, options: dict[str, Any]) -> None:
        user = self.user(options["username"])
        enrolment = otp.enrol_totp(None, user)
        self.stdout.write(
            _(
                "A new authenticator for %(user)s. Scan the QR code or type the secret into an "
                "authenticator app; its first code confirms it (at sign-in, or with "
                "'carrierdesk otp confirm %(user)s CODE')."
            )
            % {"user": user.username}
        )
        self.stdout.write(_("secret: %(secret)s") % {"secret": enrolment.secret})
        self.stdout.write(_("URL:    %(url)s") % {"url": enrolment.url})
        if not options["no_qr"]:
            drawing = io.StringIO()
            segno.make(enrolment.url, micro=False).terminal(out=drawing, compact=True)
            self.stdout.write(drawing.getvalue(), ending="")

    def confirm(self, options: dict[str, Any]) -> None:
        user = self.user(options["username"])
        otp.confirm_totp(None, user, options["code"])
        self.stdout.write(
            _("The authenticator of %(user)s is confirmed.") % {"user": user.username}
        )

    def status(self, options: dict[str, Any]) -> None:
        users = [self.user(options["username"])] if options["username"] else otp.users_to_report()
        rows = [otp.status_of(user) for user in users]
        if options["json"]:
            self.stdout.write(
                to_json([{**row.__dict__, "can_sign_in": row.can_sign_in} for row in rows])
            )
            return
        header = (
            _("username"),
            _("roles"),
            _("code required"),
            _("authenticator"),
            _("backup codes"),
            _("last used"),
        )
        authenticator = {
            "none": _("none"),
            "unconfirmed": _("not yet confirmed"),
            "confirmed": _("confirmed"),
        }
        lines = [header] + [
            (
                row.username,
                ",".join(row.roles) or "-",
                (_("yes") if row.required else _("no"))
                + ("" if row.can_sign_in else " " + _("(cannot sign in: enrol)")),
                authenticator[row.authenticator],
                str(row.backup_codes),
                timezone.localtime(row.last_used_at).strftime("%Y-%m-%d %H:%M")
                if row.last_used_at
                else "-",
            )
            for row in rows
        ]
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        for line in lines:
            self.stdout.write(
                "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
            )

    def backup_codes(self, options: dict[str, Any]) -> None:
        user = self.user(options["username"])
        codes = otp.issue_backup_codes(None, user)
        self.stdout.write(
            _(
                "New backup codes of %(user)s (each works once; the old ones no longer work). "
                "Hand them over safely: they are not shown again."
            )
            % {"user": user.username}
        )
        for code in codes:
            self.stdout.write(f"  {code}")

    def reset(self, options: dict[str, Any]) -> None:
        user = self.user(options["username"])
        if otp.reset_second_factor(None, user):
            self.stdout.write(
                _(
                    "The authenticator and backup codes of %(user)s are removed; enrol a new "
                    "one with 'carrierdesk otp enrol %(user)s'."
                )
                % {"user": user.username}
            )
        else:
            self.stdout.write(_("%(user)s has no authenticator.") % {"user": user.username})
