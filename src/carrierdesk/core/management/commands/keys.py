"""`carrierdesk keys`: the personal-data encryption keys (R-SEC-2) — status, new, rotate."""

import os
import time
from collections.abc import Mapping
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from carrierdesk.config.paths import var_dir
from carrierdesk.core import crypto
from carrierdesk.core.actions import DEFAULT_BATCH, add_data_key, rotate_data_keys
from carrierdesk.core.management.operator import OperatorCommand, Subcommand
from carrierdesk.core.queries import key_usage

#: The key file, in the state folder.
KEY_FILE = "data_keys.json"


class Command(OperatorCommand):
    help = "Personal-data encryption keys: where values stand, a new key, re-encryption."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        subparsers.add_parser("status", help="per encrypted column, rows under each key")
        subparsers.add_parser("new", help="add a fresh key to var/data_keys.json, made current")
        rotate = subparsers.add_parser(
            "rotate", help="re-encrypt every value not under the current key (resumable)"
        )
        rotate.add_argument(
            "--batch-size", type=int, default=DEFAULT_BATCH, help="rows per transaction"
        )

    def subcommands(self) -> Mapping[str, Subcommand]:
        return {"status": self.status, "new": self.new, "rotate": self.rotate}

    def _source(self) -> str:
        if os.environ.get(crypto.DATA_KEYS_ENV, "").strip():
            return crypto.DATA_KEYS_ENV
        return str(var_dir() / KEY_FILE)

    def status(self, options: dict[str, Any]) -> None:
        ring = crypto.keyring()
        self.stdout.write(
            _("Current key: %(key)s; keys known: %(keys)s (from %(source)s).")
            % {"key": ring.current, "keys": ", ".join(sorted(ring.keys)), "source": self._source()}
        )
        usage = key_usage()
        width = max((len(item.column) for item in usage), default=0)
        stale = 0
        for item in usage:
            counts = "  ".join(f"{key}: {count}" for key, count in sorted(item.counts.items()))
            self.stdout.write(f"{item.column.ljust(width)}  {counts}")
            stale += sum(
                count for key, count in item.counts.items() if key not in (ring.current, "empty")
            )
        if stale:
            self.stdout.write(
                _("%(n)d values are not under the current key: run `carrierdesk keys rotate`.")
                % {"n": stale}
            )
        else:
            self.stdout.write(_("Every value is under the current key."))

    def new(self, options: dict[str, Any]) -> None:
        if os.environ.get(crypto.DATA_KEYS_ENV, "").strip():
            raise CommandError(
                _(
                    "The keys come from the environment variable %(env)s, not from a file: "
                    "nothing was changed. To add a key, generate 32 random bytes in base64 "
                    "(e.g. `openssl rand -base64 32`), put `<new id>:<key>` first in %(env)s "
                    "(the first key is current) and keep the older keys after it, restart "
                    "every carrierdesk process, then run `carrierdesk keys rotate`."
                )
                % {"env": crypto.DATA_KEYS_ENV},
                returncode=1,
            )
        path = var_dir() / KEY_FILE
        key_id = add_data_key(None, path)
        self.stdout.write(
            _(
                "Key %(key)s added to %(path)s and made current. Back this file up now. "
                "Restart every carrierdesk process (they still encrypt under the old key and "
                "cannot read the new one), then run `carrierdesk keys rotate`."
            )
            % {"key": key_id, "path": path}
        )

    def rotate(self, options: dict[str, Any]) -> None:
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError(_("--batch-size must be positive."), returncode=2)
        started = time.monotonic()

        def progress(model: str, rows: int, cursor: int) -> None:
            self.stdout.write(
                _("%(model)s: %(rows)d rows re-encrypted (up to id %(cursor)d)")
                % {"model": model, "rows": rows, "cursor": cursor}
            )

        report = rotate_data_keys(None, batch_size=batch_size, progress=progress)
        values = sum(sum(counts.values()) for counts in report.values.values())
        self.stdout.write(
            _(
                "Done: %(values)d values in %(rows)d rows re-encrypted under key %(key)s "
                "in %(seconds).1f s."
            )
            % {
                "values": values,
                "rows": report.rows,
                "key": report.key,
                "seconds": time.monotonic() - started,
            }
        )
