"""Messages to customers: the acknowledgement of registration (R-INT-4), queued with the
ticket, its number read from the customer's encrypted record when sent — never stored in the
notifications table (R-SEC-2)."""

import logging
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import override_settings

from carrierdesk.conftest import VALID_MOBILE
from carrierdesk.core.errors import InvalidInput
from carrierdesk.customers import actions as customers
from carrierdesk.customers.models import Customer
from carrierdesk.notifications.actions import enqueue_to_customer
from carrierdesk.notifications.choices import Channel, State
from carrierdesk.notifications.delivery import deliver_due
from carrierdesk.notifications.models import Notification
from carrierdesk.notifications.tests.conftest import RecordingServer
from carrierdesk.tickets.actions import ACKNOWLEDGEMENT
from carrierdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

MakeTicket = Callable[..., Ticket]


def stored_row(notification: Notification) -> tuple[object, ...]:
    """The row as the database holds it, every column."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {Notification._meta.db_table} WHERE id = %s",  # noqa: S608 - our table
            [notification.pk],
        )
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def acknowledgement_of(ticket: Ticket) -> Notification:
    return Notification.objects.get(
        template=ACKNOWLEDGEMENT, object_type="ticket", object_id=ticket.number
    )


def test_r_int_4_registration_queues_the_acknowledgement_without_the_number_in_clear(
    make_ticket: MakeTicket, customer: Customer
) -> None:
    ticket = make_ticket()
    row = acknowledgement_of(ticket)
    assert row.customer == customer
    assert row.recipient is None
    assert row.channel == Channel.CONSOLE  # no SMS gateway in the tests
    assert row.context == {"ticket": ticket.number, "kind_label": "Complaint"}
    assert row.language == "zh-hans"
    assert row.address == ""
    assert row.state == State.PENDING
    stored = " ".join(str(value) for value in stored_row(row))
    assert VALID_MOBILE not in stored
    assert row.destination == VALID_MOBILE
    assert row.masked_address == "138****5678"


def test_monitoring_tickets_and_customers_without_a_mobile_get_no_acknowledgement(
    make_ticket: MakeTicket, customer: Customer
) -> None:
    make_ticket(kind="fault", subtype="network", channel="monitoring")
    assert not Notification.objects.filter(template=ACKNOWLEDGEMENT).exists()
    customers.update_customer(None, customer, mobile="")
    make_ticket(customer=Customer.objects.get(pk=customer.pk))
    assert not Notification.objects.filter(template=ACKNOWLEDGEMENT).exists()


def test_console_delivery_masks_the_customers_number(
    make_ticket: MakeTicket, customer: Customer, caplog: pytest.LogCaptureFixture
) -> None:
    ticket = make_ticket()
    with caplog.at_level(logging.INFO, logger="carrierdesk.notifications"):
        report = deliver_due()
    assert report.sent == 1
    lines = [r.getMessage() for r in caplog.records if r.name == "carrierdesk.notifications"]
    [line] = [line for line in lines if ACKNOWLEDGEMENT in line]
    assert f"to customer {customer.number} (138****5678)" in line
    assert ticket.number in line
    assert VALID_MOBILE not in line
    assert acknowledgement_of(ticket).state == State.SENT


def test_sms_goes_to_the_number_on_record_when_sent(
    make_ticket: MakeTicket, customer: Customer, http_server: RecordingServer
) -> None:
    with override_settings(NOTIFICATION_SMS_URL=f"{http_server.url}/sms"):
        ticket = make_ticket()
        row = acknowledgement_of(ticket)
        assert row.channel == Channel.SMS
        assert row.address == ""
        # The customer corrects their number before the message leaves: it goes to the new one.
        customers.update_customer(None, customer, mobile="13900001111")
        assert deliver_due().sent == 1
    [request] = http_server.requests
    body = request.json()
    assert body["to"] == "13900001111"
    assert ticket.number in body["text"]
    assert acknowledgement_of(ticket).address == ""


def test_sms_to_a_customer_whose_number_was_removed_fails_without_leaking_it(
    make_ticket: MakeTicket, customer: Customer, http_server: RecordingServer
) -> None:
    with override_settings(NOTIFICATION_SMS_URL=f"{http_server.url}/sms"):
        ticket = make_ticket()
        customers.update_customer(None, customer, mobile="")
        report = deliver_due()
    assert (report.sent, report.retried) == (0, 1)
    row = acknowledgement_of(ticket)
    assert row.state == State.PENDING
    assert "no mobile number" in row.last_error
    assert http_server.requests == []


def test_enqueue_to_customer_checks_the_context_like_enqueue(customer: Customer) -> None:
    with pytest.raises(InvalidInput) as refused:
        enqueue_to_customer(
            customer,
            template=ACKNOWLEDGEMENT,
            context={"ticket": f"call {VALID_MOBILE}", "kind_label": "Complaint"},
        )
    assert "context" in refused.value.fields
    assert not Notification.objects.exists()
