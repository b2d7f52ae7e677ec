"""`carrierdesk token revoke USER`: revoke a user's API token (R-SEC-4)."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from carrierdesk.accounts.tokens import revoke_token
from carrierdesk.core.errors import InvalidInput
from carrierdesk.core.management.operator import OperatorCommand, Subcommand


class Command(OperatorCommand):
    help = "API tokens: revoke a user's token."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        revoke = subparsers.add_parser("revoke", help="revoke a user's API token")
        revoke.add_argument("username")

    def subcommands(self) -> Mapping[str, Subcommand]:
        return {"revoke": self.revoke}

    def revoke(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise InvalidInput.field("username", _("No user has this username."))
        if revoke_token(None, user):
            self.stdout.write(_("The API token of %(user)s is revoked.") % {"user": user.username})
        else:
            self.stdout.write(_("%(user)s has no API token.") % {"user": user.username})
