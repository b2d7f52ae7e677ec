"""`carrierdesk notify`: deliver queued notifications, send a test message, list the queue.

    carrierdesk notify deliver [--loop] [--interval SECONDS] [--limit N]
    carrierdesk notify send-test --to USERNAME [--channel C] [--text T]
    carrierdesk notify list [--state S] [--limit N]

`deliver` runs one pass of `delivery.deliver_due` and prints its summary; with `--loop` it
repeats every SECONDS until interrupted (Ctrl-C), printing a summary only for passes that did
something. Several `deliver --loop` workers may run at once. Addresses are shown masked. A
refused call prints `error: <code>: <message>` and exits with status 2.
"""

import time
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser
from django.db import close_old_connections, transaction
from django.utils import timezone

from carrierdesk.core.management.operator import OperatorCommand, Subcommand
from carrierdesk.core.masking import mask_text
from carrierdesk.notifications import actions
from carrierdesk.notifications.choices import Channel, State
from carrierdesk.notifications.delivery import deliver_due
from carrierdesk.notifications.models import Notification


def describe(notification: Notification) -> str:
    """One line per notification, personal data masked."""
    when = timezone.localtime(notification.created_at).strftime("%Y-%m-%d %H:%M")
    if notification.customer is not None:
        recipient = f"customer:{notification.customer.number}"
    else:
        recipient = mask_text(notification.recipient.username) if notification.recipient else "-"
    subject = (
        f"{notification.object_type}:{notification.object_id}" if notification.object_id else "-"
    )
    line = (
        f"{notification.pk}  {when}  {notification.state}  {notification.channel}  "
        f"{notification.template}  {recipient}  {notification.masked_address or '-'}  "
        f"{subject}  attempts={notification.attempts}"
    )
    return f"{line}  {notification.last_error}" if notification.last_error else line


class Command(OperatorCommand):
    help = "Deliver queued notifications, send a test message, or list notifications."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        deliver = subparsers.add_parser("deliver", help="send the notifications that are due")
        deliver.add_argument("--loop", action="store_true", help="repeat until interrupted")
        deliver.add_argument(
            "--interval", type=float, default=15.0, metavar="SECONDS", help="pause between passes"
        )
        deliver.add_argument("--limit", type=int, default=200, help="most messages per pass")

        send_test = subparsers.add_parser("send-test", help="queue a test message and send it")
        send_test.add_argument("--to", required=True, metavar="USERNAME")
        send_test.add_argument(
            "--channel", choices=Channel.values, help="default: NOTIFICATION_CHANNELS"
        )
        send_test.add_argument("--text", default="Hello from carrierdesk.")

        listing = subparsers.add_parser("list", help="list notifications, newest first")
        listing.add_argument("--state", choices=State.values)
        listing.add_argument("--limit", type=int, default=50)

    def subcommands(self) -> Mapping[str, Subcommand]:
        return {
            "deliver": self.deliver,
            "send-test": self.send_test,
            "list": self.list_notifications,
        }

    def deliver(self, options: dict[str, Any]) -> None:
        if options["limit"] < 1 or options["interval"] <= 0:
            raise CommandError("--limit and --interval must be positive", returncode=2)
        if not options["loop"]:
            self.stdout.write(str(deliver_due(limit=options["limit"])))
            return
        try:
            while True:
                close_old_connections()
                report = deliver_due(limit=options["limit"])
                if report.sent or report.retried or report.failed:
                    when = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
                    self.stdout.write(f"{when} {report}")
                # A full batch means more may be waiting: go on at once.
                if report.sent + report.retried + report.failed < options["limit"]:
                    time.sleep(options["interval"])
        except KeyboardInterrupt:
            self.stdout.write("stopped")

    def send_test(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["to"]).first()
        if user is None:
            raise CommandError(f"error: no user named {options['to']!r}", returncode=2)
        channels = [options["channel"]] if options["channel"] else None
        with transaction.atomic():
            queued = actions.enqueue(
                recipients=[user],
                template="test",
                context={"text": options["text"]},
                channels=channels,
                object_type="user",
                object_id=user.username,
            )
        if not queued:
            raise CommandError(
                "error: nothing to send: the user has no address on these channels", returncode=2
            )
        report = deliver_due(ids=[notification.pk for notification in queued])
        for notification in Notification.objects.filter(
            pk__in=[notification.pk for notification in queued]
        ).select_related("recipient"):
            self.stdout.write(describe(notification))
        self.stdout.write(str(report))

    def list_notifications(self, options: dict[str, Any]) -> None:
        queryset = Notification.objects.select_related("recipient", "customer").order_by(
            "-created_at", "-id"
        )
        if options["state"]:
            queryset = queryset.filter(state=options["state"])
        for notification in queryset[: max(options["limit"], 0)]:
            self.stdout.write(describe(notification))
