"""Two concurrent actions on one ticket never both succeed from the same state (R-WF-1).

Runs with real threads and real commits (the SQLite test database is a file for this). On
PostgreSQL the row lock (SELECT … FOR UPDATE) serialises them; on SQLite, IMMEDIATE transactions.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from carrierdesk.core import clock
from carrierdesk.core.errors import IllegalTransition
from carrierdesk.customers.models import Customer
from carrierdesk.tickets import actions, workflow
from carrierdesk.tickets.models import Ticket, TicketEvent


def race(callables: list[Callable[[], Any]]) -> list[str]:
    """Run the callables at once in threads; return "ok" or the error code of each."""
    barrier = threading.Barrier(len(callables))
    results: list[str] = []
    lock = threading.Lock()

    def run(function: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            function()
            outcome = "ok"
        except IllegalTransition as exc:
            outcome = exc.code
        except Exception as exc:
            outcome = f"unexpected {type(exc).__name__}: {exc}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(function,)) for function in callables]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(results)


def slowly(function: Callable[..., Any]) -> Callable[..., Any]:
    """Hold the ticket between reading its status and writing the new one."""

    def slow(*args: Any) -> Any:
        time.sleep(0.2)
        return function(*args)

    return slow


@pytest.mark.django_db(transaction=True)
def test_two_accepts_one_wins(
    staff: dict[str, User], make_ticket: Callable[..., Ticket], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = make_ticket().number
    monkeypatch.setattr(workflow, "target_status", slowly(workflow.target_status))
    outcomes = race(
        [
            lambda: actions.accept(staff["agent"], number),
            lambda: actions.accept(staff["supervisor"], number),
        ]
    )
    assert outcomes == ["illegal_transition", "ok"]
    assert TicketEvent.objects.filter(ticket__number=number, action="accept").count() == 1
    assert Ticket.objects.get(number=number).version == 2


@pytest.mark.django_db(transaction=True)
def test_cancel_and_start_race(
    staff: dict[str, User], make_ticket: Callable[..., Ticket], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = make_ticket().number
    actions.accept(staff["agent"], number)
    actions.assign(staff["dispatcher"], number, assignee="technician")
    monkeypatch.setattr(workflow, "target_status", slowly(workflow.target_status))
    outcomes = race(
        [
            lambda: actions.cancel(staff["agent"], number, reason="用户撤销"),
            lambda: actions.start(staff["technician"], number),
        ]
    )
    ticket = Ticket.objects.get(number=number)
    # Either order is legal (assigned → in_progress → cancelled, or cancelled first so start is
    # refused); what may never happen is both acting on "assigned".
    events = list(
        ticket.events.filter(action__in=["cancel", "start"]).values_list("action", "from_status")
    )
    froms = [from_status for _, from_status in events]
    assert froms.count("assigned") == 1
    assert outcomes in (["ok", "ok"], ["illegal_transition", "ok"])


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_consecutive_numbers(
    staff: dict[str, User], customer: Customer
) -> None:
    def register_three() -> None:
        for _ in range(3):
            actions.register_ticket(
                staff["agent"],
                kind="inquiry",
                channel="hotline",
                category="billing",
                customer=customer,
                title="t",
                description="d",
            )

    with clock.frozen(timezone.now()):
        outcomes = race([register_three, register_three, register_three])
    assert outcomes == ["ok", "ok", "ok"]
    counters = sorted(
        int(number[-6:]) for number in Ticket.objects.values_list("number", flat=True)
    )
    assert counters == list(range(1, 10))
