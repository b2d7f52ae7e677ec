"""The base of the operator commands (`ticket`, `sla`, `calendar`, `notify`).

Each runs its subcommand in a request context of channel "cli", so the audit trail records
where a change came from. A refused action prints `error: <code>: <message>` and one indented
line per field message and detail to stderr, and exits with status 2, having written nothing.
"""

import json
from collections.abc import Callable, Mapping
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rest_framework.utils.encoders import JSONEncoder

from carrierdesk.core import context
from carrierdesk.core.errors import ActionError

Subcommand = Callable[[dict[str, Any]], None]


def to_json(data: Any) -> str:
    return json.dumps(data, cls=JSONEncoder, ensure_ascii=False, indent=2)


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
