"""The base of the operator commands (`ticket`, `sla`, `calendar`, `notify`).

Each runs its subcommand in a request context of channel "cli", so the audit trail records
where a change came from. A refused action prints `error: <code>: <message>` and one indented
line per field message and detail to stderr, and exits with status 2, having written nothing.
"""

import json
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.serializers import BaseSerializer
from rest_framework.utils.encoders import JSONEncoder

from carrierdesk.accounts.roles import is_staff_member
from carrierdesk.core import context
from carrierdesk.core.errors import ActionError, InvalidInput

Subcommand = Callable[[dict[str, Any]], None]
StaffSubcommand = Callable[[User, dict[str, Any]], None]


def to_json(data: Any) -> str:
    return json.dumps(data, cls=JSONEncoder, ensure_ascii=False, indent=2)


def acting_staff(username: str) -> User:
    """The active staff user named by `--as`."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not is_staff_member(user):
        raise InvalidInput.field("as", _("No active staff member has this username."))
    return user


def as_staff(handler: StaffSubcommand) -> Subcommand:
    """A subcommand run by the staff user of `--as` (stored as `username`)."""
    return lambda options: handler(acting_staff(options["username"]), options)


def add_as_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--as", dest="username", required=True, metavar="USER", help="the acting staff user"
    )


def add_json_argument(parser: CommandParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the API's JSON")


def parse_time(value: str | None, field: str) -> datetime | None:
    """An ISO 8601 date and time given for `field`, or None when not given."""
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput.field(
            field, _("Give an ISO 8601 date and time, e.g. 2026-11-23T09:30:00+08:00.")
        )
    return parsed


def local_time(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def display_width(text: str) -> int:
    """Terminal columns of `text`: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def table(rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned columns separated by two spaces; the last column is not padded."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return lines


def timeline_line(when: str, item: Mapping[str, Any], before: str | None, after: str) -> str:
    """One event of a timeline: time, actor, action, the move, changes and note if any."""
    move = f"{before} → {after}" if before and before != after else after
    parts = [when, item["actor"] or "-", item["action"], move]
    if item["changes"]:
        parts.append(json.dumps(item["changes"], cls=JSONEncoder, ensure_ascii=False))
    if item["note"]:
        parts.append(item["note"])
    return "  " + "  ".join(str(part) for part in parts)


def command_error(exc: ActionError) -> CommandError:
    """`error: <code>: <message>`, then one indented line per field message and detail."""
    lines = [f"error: {exc.code}: {exc.message}"]
    for field, messages in exc.fields.items():
        lines.extend(f"  {field}: {message}" for message in messages)
    for key, value in exc.extra.items():
        shown = ", ".join(str(item) for item in value) if isinstance(value, list) else value
        lines.append(f"  {key}: {shown}")
    return CommandError("\n".join(lines), returncode=2)


class OperatorCommand(BaseCommand):
    """A command with subcommands (`subcommands()` maps each name to its handler)."""

    def subcommands(self) -> Mapping[str, Subcommand]:
        raise NotImplementedError

    def write_page(
        self,
        items: QuerySet[Any],
        options: dict[str, Any],
        *,
        serializer: type[BaseSerializer[Any]],
        empty: str,
        header: list[str],
        row: Callable[[Any], list[str]],
    ) -> None:
        """The first `--limit` of the ordered `items`: the API's `{count, results}` with `--json`,
        else a table (or `empty`) and how many are left out."""
        if options["limit"] < 1:
            raise InvalidInput.field("limit", _("Give a positive number."))
        total = items.count()
        page = list(items[: options["limit"]])
        if options["json"]:
            results = serializer(page, many=True).data
            self.stdout.write(to_json({"count": total, "results": results}))
            return
        if not page:
            self.stdout.write(empty)
            return
        for line in table([header, *(row(item) for item in page)]):
            self.stdout.write(line)
        if total > len(page):
            self.stdout.write(
                _("(%(shown)d of %(total)d shown; use --limit for more)")
                % {"shown": len(page), "total": total}
            )

    def write_fields(self, data: Mapping[str, Any]) -> None:
        """`key  value` lines, keys aligned, empty values left out, lists comma-separated."""
        fields = [(key, value) for key, value in data.items() if value not in (None, "", [])]
        width = max(len(key) for key, _value in fields)
        for key, value in fields:
            shown = ", ".join(value) if isinstance(value, list) else value
            self.stdout.write(f"{key.ljust(width)}  {shown}")

    def execute(self, *args: Any, **options: Any) -> str | None:
        """From the shell, print a refusal as it is (no "CommandError:" prefix) and exit."""
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            self.stderr.write(str(exc))
            raise SystemExit(exc.returncode) from None

    def handle(self, *args: Any, **options: Any) -> None:
        request = context.RequestContext(request_id=context.new_request_id(), channel="cli")
        with context.bound(request):
            try:
                self.subcommands()[options["subcommand"]](options)
            except ActionError as exc:
                raise command_error(exc) from exc
