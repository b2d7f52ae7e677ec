"""Intake (issue 5 §2, R-INT-1..5): who may register, finding the caller by phone, customer,
service or ID number within the user's scope, the flags (possible duplicate, repeat complaint),
the kind's choices, registration with the acknowledgement (R-INT-4) and attachments in one
transaction, errors next to their fields, and the pinned query counts."""

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from carrierdesk.accounts import actions as accounts
from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.models import Region
from carrierdesk.conftest import VALID_ID, VALID_MOBILE
from carrierdesk.core import clock
from carrierdesk.customers import actions as customers
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.notifications.models import Notification
from carrierdesk.sla.models import Clock, PolicyVersion
from carrierdesk.tickets import actions
from carrierdesk.tickets.actions import ACKNOWLEDGEMENT
from carrierdesk.tickets.models import Attachment, Ticket
from carrierdesk.tickets.tests.web_helpers import Browse, MakeTicket
from carrierdesk.web.tests import conftest as web_fixtures

# The pages in English; `browse` and `policy` come from conftest.py.
english = web_fixtures.english

pytestmark = pytest.mark.django_db

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
REGISTERING = ["agent", "dispatcher", "supervisor", "admin"]
NOT_REGISTERING = ["technician", "quality_inspector", "auditor", "customer"]

#: The lookup's answer for one customer (htmx partial): session, user, roles, second-factor
#: device, scope, the customers matching, their open tickets, the open tickets' counting
#: clocks, recently finished tickets, complaints of the last 30 days, subscriptions.
LOOKUP_QUERIES = 11
#: The page with the customer and the form (no htmx): the same reads (the menu's display name
#: comes with the scope), the customer fetched by number instead of by hash.
FORM_PAGE_QUERIES = 11
#: The confirmation: session, user, roles, second-factor device, scope (with the menu's display
#: name), the ticket, its clocks, one revision per calendar its clocks use (a complaint's: two),
#: the acknowledgement.
DONE_PAGE_QUERIES = 10
#: The kind's choices: session, user, roles, second-factor device, scope, the customer, their
#: open tickets of that kind.
CLASSIFICATION_QUERIES = 7


def find(client: Client, text: str, **headers: Any) -> str:
    """The lookup's answer (without htmx, one customer found is a redirect to their page)."""
    response = client.get("/intake/", {"q": text}, follow=True, **headers)
    assert response.status_code == 200
    return response.content.decode()


def form_data(customer: Customer, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "customer": customer.number,
        "kind": "complaint",
        "urgency": "general",
        "channel": "hotline",
        "category": "billing",
        "title": "话费异常",
        "description": "用户反映本月话费多扣了30元。",
        "received_at": timezone.localtime(clock.now()).strftime("%Y-%m-%dT%H:%M"),
    }
    values.update(overrides)
    return values


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select is not None, f"no select {name}"
    return [value for value in re.findall(r'<option value="([^"]*)"', select.group(0)) if value]


def error_of(html: str, field: str) -> str:
    match = re.search(rf'id="id_{field}_error">([^<]*)<', html)
    assert match is not None, f"no error next to {field}"
    return match.group(1)


@pytest.fixture
def far_customer(region: Region) -> Customer:
    """A customer in 福田区 (Shenzhen): outside the Guangzhou staff's area."""
    province = Region.objects.get(code="440000")
    city = accounts.upsert_region(
        None, code="440300", name="深圳市", level="city", parent_code=province.code
    )
    district = accounts.upsert_region(
        None, code="440304", name="福田区", level="district", parent_code=city.code
    )
    return customers.create_customer(
        None,
        customer_type="individual",
        name="李娜",
        mobile="13998765432",
        id_type="resident_id",
        id_number="440301199001011234",
        address="广东省深圳市福田区福华路1号",
        region=district,
    )


# --- who may register -------------------------------------------------------------------------


@pytest.mark.parametrize("role", REGISTERING + NOT_REGISTERING)
def test_intake_is_for_the_roles_that_register(
    browse: Browse, role: str, customer: Customer, make_ticket: MakeTicket
) -> None:
    ticket = make_ticket()
    client = browse(role)
    expected = 200 if role in REGISTERING else 403
    assert client.get("/intake/").status_code == expected
    assert client.get("/intake/classification/", {"kind": "fault"}).status_code == expected
    assert client.get(f"/intake/done/{ticket.number}/").status_code == expected
    response = client.post("/intake/", form_data(customer))
    assert response.status_code == (302 if role in REGISTERING else 403)
    assert Ticket.objects.count() == (2 if role in REGISTERING else 1)


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get("/intake/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


def test_the_empty_page_offers_the_lookup_box_focused(browse: Browse) -> None:
    html = browse("agent").get("/intake/").content.decode()
    assert re.search(r'<input id="intake-q" name="q"[^>]*autofocus', html, re.S)
    assert 'hx-get="/intake/"' in html
    assert '<label class="form-label" for="intake-q">' in html


# --- finding the caller (R-INT-5) -------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [VALID_MOBILE, "+86 138 1234 5678", "138-1234-5678"],
    ids=["national", "international", "dashes"],
)
def test_r_int_5_lookup_by_phone_shows_the_customer_masked(
    browse: Browse, customer: Customer, subscription: Subscription, typed: str
) -> None:
    html = find(browse("agent"), typed)
    assert f"Customer {customer.number}" in html
    assert "张*" in html  # name masked
    assert "138****5678" in html  # mobile and service number masked
    assert "110105********002X" in html  # ID masked
    assert "广东省广州市天河区****" in html  # address cut after the district
    for clear in (VALID_MOBILE, VALID_ID, "张伟", "体育西路"):
        assert clear not in html
    assert 'name="kind"' in html and "autofocus" in html


def test_the_address_bar_names_the_customer_found_not_the_number_typed(
    browse: Browse, customer: Customer, subscription: Subscription
) -> None:
    client = browse("agent")
    target = f"/intake/?customer={customer.number}&subscription={subscription.pk}"
    response = client.get("/intake/", {"q": VALID_MOBILE})
    assert (response.status_code, response["Location"]) == (302, target)
    response = client.get("/intake/", {"q": VALID_MOBILE}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == target
    assert "<html" not in response.content.decode()  # the result only


def test_r_int_5_lookup_by_customer_number_and_id_number(
    browse: Browse, customer: Customer
) -> None:
    client = browse("agent")
    assert f"Customer {customer.number}" in find(client, customer.number.lower())
    assert f"Customer {customer.number}" in find(client, VALID_ID.lower())


def test_r_int_5_lookup_by_service_number_preselects_that_subscription(
    browse: Browse, customer: Customer, subscription: Subscription
) -> None:
    broadband = customers.create_subscription(
        None, customer, service_number="GZKD-0020001234", product="broadband"
    )
    html = find(browse("agent"), "GZKD-0020001234")
    assert f"Customer {customer.number}" in html
    assert re.search(rf'<option value="{broadband.pk}" selected>', html)
    assert f'<option value="{subscription.pk}">' in html


def test_a_shared_phone_lists_the_customers_to_choose_from(
    browse: Browse, customer: Customer
) -> None:
    spouse = customers.create_customer(
        None,
        customer_type="individual",
        name="王芳",
        mobile=VALID_MOBILE,
        id_type="passport",
        id_number="E12345678",
        region=customer.region,
    )
    client = browse("agent")
    html = find(client, VALID_MOBILE, **HTMX)
    assert "2 customers have this number" in html
    assert f"?customer={customer.number}" in html and f"?customer={spouse.number}" in html
    assert 'name="kind"' not in html  # no form before one is chosen
    chosen = client.get("/intake/", {"customer": spouse.number}, **HTMX)
    assert f"Customer {spouse.number}" in chosen.content.decode()


def test_no_match_says_so_and_how_customers_are_registered(
    browse: Browse, customer: Customer
) -> None:
    html = find(browse("agent"), "13700000000")
    assert "No customer in your area has this number." in html
    assert "registered through the API or the command line" in html


def test_customers_out_of_scope_are_not_found(
    browse: Browse, far_customer: Customer, staff: dict[str, User]
) -> None:
    """A Guangzhou agent does not find a Shenzhen customer, by any number or by a guess of
    the customer number; an admin (reads all) does (R-SEC-1)."""
    client = browse("agent")
    for typed in ("13998765432", "440301199001011234", far_customer.number):
        assert "No customer in your area has this number." in find(client, typed)
    assert client.get("/intake/", {"customer": far_customer.number}).status_code == 404
    classification = {"kind": "complaint", "customer": far_customer.number}
    assert client.get("/intake/classification/", classification).status_code == 404
    assert client.post("/intake/", form_data(far_customer)).status_code == 404
    assert not Ticket.objects.exists()
    assert f"Customer {far_customer.number}" in find(browse("admin"), "13998765432")


# --- flags ------------------------------------------------------------------------------------


def test_open_ticket_of_the_same_kind_is_flagged_as_a_possible_duplicate(
    browse: Browse, customer: Customer, make_ticket: MakeTicket
) -> None:
    open_complaint = make_ticket(kind="complaint")
    client = browse("agent")
    html = find(client, VALID_MOBILE)
    assert open_complaint.number in html  # in the open tickets
    assert "Possible duplicate" not in html  # the form starts as an inquiry
    partial = client.get(
        "/intake/classification/", {"kind": "complaint", "customer": customer.number}, **HTMX
    ).content.decode()
    assert "Possible duplicate" in partial and open_complaint.number in partial
    partial = client.get(
        "/intake/classification/", {"kind": "fault", "customer": customer.number}, **HTMX
    ).content.decode()
    assert "Possible duplicate" not in partial
    # After a refused save of a complaint the flag is shown with the form.
    html = client.post("/intake/", form_data(customer, title="")).content.decode()
    assert "Possible duplicate" in html


def test_a_complaint_in_the_last_30_days_makes_a_repeat_complaint(
    browse: Browse, customer: Customer, make_ticket: MakeTicket, staff: dict[str, User]
) -> None:
    now = clock.now()
    old = make_ticket(kind="complaint", received_at=now - timedelta(days=40))
    actions.cancel(staff["agent"], old.number, reason="客户撤回")
    html = find(browse("agent"), VALID_MOBILE)
    assert "Repeat complaint" not in html
    assert old.number in html  # finished within 90 days: among the recent tickets
    recent = make_ticket(kind="complaint", received_at=now - timedelta(days=10))
    html = find(browse("agent"), VALID_MOBILE)
    flag = re.search(r"Repeat complaint:.*?</div>", html, re.S)
    assert flag is not None
    assert recent.number in flag.group(0) and old.number not in flag.group(0)


def test_open_tickets_show_their_nearest_deadline(
    browse: Browse, customer: Customer, make_ticket: MakeTicket, policy: PolicyVersion
) -> None:
    ticket = make_ticket(kind="complaint")
    nearest = Clock.objects.filter(ticket=ticket).order_by("deadline").first()
    assert nearest is not None
    html = find(browse("agent"), VALID_MOBILE)
    assert f'data-deadline="{nearest.deadline.isoformat()}"' in html


# --- the kind's choices (R-CLS-1..3) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "subtypes", "urgencies"),
    [
        ("fault", ["system", "network", "business", "user_side"], ["general", "urgent", "minor"]),
        ("service_order", ["open", "change", "terminate", "relocate"], None),
        ("complaint", None, ["general", "serious", "major"]),
        ("inquiry", None, ["general", "emergency", "important", "non_urgent"]),
    ],
)
def test_changing_the_kind_offers_only_its_subtypes_and_urgencies(
    browse: Browse,
    customer: Customer,
    kind: str,
    subtypes: list[str] | None,
    urgencies: list[str] | None,
) -> None:
    response = browse("agent").get(
        "/intake/classification/", {"kind": kind, "customer": customer.number}, **HTMX
    )
    html = response.content.decode()
    if subtypes is None:
        assert 'name="subtype"' not in html
    else:
        assert options(html, "subtype") == subtypes
    if urgencies is not None:
        assert options(html, "urgency") == urgencies
        assert re.search(rf'<option value="{urgencies[0]}" selected>', html)


def test_the_form_wires_the_kind_to_its_choices_and_defaults_for_a_phone_call(
    browse: Browse, customer: Customer
) -> None:
    html = find(browse("agent"), customer.number)
    kind = re.search(r'<select name="kind"[^>]*>', html)
    assert kind is not None
    assert 'hx-get="/intake/classification/"' in kind.group(0)
    assert 'hx-target="#intake-classification"' in kind.group(0)
    assert re.search(r'<option value="hotline" selected>', html)
    received = re.search(r'<input type="datetime-local" name="received_at" value="([^"]+)"', html)
    assert received is not None
    assert received.group(1) == timezone.localtime(clock.now()).strftime("%Y-%m-%dT%H:%M")
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'<input type="file" name="attachments"[^>]*multiple', html)


# --- registering ------------------------------------------------------------------------------


def test_registering_creates_the_ticket_queues_the_acknowledgement_and_confirms(
    browse: Browse,
    customer: Customer,
    subscription: Subscription,
    staff: dict[str, User],
    policy: PolicyVersion,
) -> None:
    client = browse("agent")
    files = [
        SimpleUploadedFile("账单.pdf", b"%PDF-1.4 bill", content_type="application/pdf"),
        SimpleUploadedFile("录音.mp3", b"ID3 recording", content_type="audio/mpeg"),
    ]
    data = form_data(
        customer,
        subscription=str(subscription.pk),
        received_at="2025-10-09T09:30",
        contact_name="张先生",
        contact_phone="020-12345678",
        attachments=files,
    )
    with clock.frozen(datetime.fromisoformat("2025-10-09T10:00:00+08:00")):
        response = client.post("/intake/", data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/intake/done/{ticket.number}/"
    assert ticket.first_owner == staff["agent"]
    assert (ticket.kind, ticket.urgency, ticket.channel, ticket.category) == (
        "complaint",
        "general",
        "hotline",
        "billing",
    )
    assert ticket.customer == customer and ticket.subscription == subscription
    assert ticket.received_at == datetime.fromisoformat("2025-10-09T09:30:00+08:00")
    assert (ticket.contact_name, ticket.contact_phone) == ("张先生", "02012345678")
    assert sorted(ticket.attachments.values_list("filename", flat=True)) == ["录音.mp3", "账单.pdf"]
    acknowledgement = Notification.objects.get(template=ACKNOWLEDGEMENT)
    assert acknowledgement.customer == customer and acknowledgement.object_id == ticket.number

    done = client.get(response["Location"])
    html = done.content.decode()
    assert f"Ticket {ticket.number} registered" in html  # the heading and the message
    assert f"Ticket {ticket.number} is registered." in html
    assert "138****5678" in html and VALID_MOBILE not in html
    assert "console log" in html  # no SMS gateway in the tests
    clocks = list(Clock.objects.filter(ticket=ticket))
    assert clocks
    for row in clocks:
        assert str(row.get_name_display()) in html
        assert f'data-deadline="{row.deadline.isoformat()}"' in html


def test_the_confirmation_of_a_ticket_out_of_scope_is_not_found(
    browse: Browse, far_customer: Customer, staff: dict[str, User]
) -> None:
    ticket = actions.register_ticket(
        staff["admin"],
        kind="inquiry",
        channel="hotline",
        category="other",
        customer=far_customer,
        title="咨询",
        description="深圳用户咨询套餐。",
    )
    assert browse("agent").get(f"/intake/done/{ticket.number}/").status_code == 404
    assert browse("admin").get(f"/intake/done/{ticket.number}/").status_code == 200


# --- bad input --------------------------------------------------------------------------------


def test_form_errors_show_next_to_their_fields_and_keep_what_was_typed(
    browse: Browse, customer: Customer
) -> None:
    data = form_data(customer, title="", kind="fault", subtype="", urgency="serious")
    response = browse("agent").post("/intake/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert error_of(html, "title") == "This field is required."
    assert error_of(html, "subtype") == "This field is required."
    assert error_of(html, "urgency").startswith("Select a valid choice.")
    assert "用户反映本月话费多扣了30元。" in html  # the description typed is kept
    assert re.search(r'<option value="fault" selected>', html)
    assert options(html, "subtype") == ["system", "network", "business", "user_side"]
    assert 'aria-invalid="true"' in html
    assert not Ticket.objects.exists() and not Notification.objects.exists()


def test_the_actions_refusals_show_next_to_their_fields(browse: Browse, customer: Customer) -> None:
    client = browse("agent")
    tomorrow = timezone.localtime(clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    html = client.post("/intake/", form_data(customer, received_at=tomorrow)).content.decode()
    assert error_of(html, "received_at") == "The time received cannot be in the future."
    assert f'value="{tomorrow}"' in html
    html = client.post("/intake/", form_data(customer, contact_phone="12345")).content.decode()
    assert error_of(html, "contact_phone") == "Enter a valid Chinese phone number."
    assert 'value="12345"' in html
    assert not Ticket.objects.exists() and not Notification.objects.exists()


def test_a_refused_attachment_leaves_no_ticket_and_no_acknowledgement(
    browse: Browse, customer: Customer
) -> None:
    good = SimpleUploadedFile("bill.pdf", b"%PDF-1.4", content_type="application/pdf")
    bad = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/x-msdownload")
    response = browse("agent").post("/intake/", form_data(customer, attachments=[good, bad]))
    html = response.content.decode()
    assert response.status_code == 200
    assert error_of(html, "attachments") == "tool.exe: This type of file is not accepted."
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert not Notification.objects.exists()


def test_a_subscription_of_another_customer_is_refused(
    browse: Browse, customer: Customer, far_customer: Customer
) -> None:
    theirs = customers.create_subscription(
        None, far_customer, service_number="13998765432", product="mobile"
    )
    html = browse("agent").post("/intake/", form_data(customer, subscription=str(theirs.pk)))
    assert error_of(html.content.decode(), "subscription").startswith("Select a valid choice.")
    assert not Ticket.objects.exists()


# --- speed ------------------------------------------------------------------------------------


def test_query_counts_of_the_lookup_and_the_form_page_are_pinned(
    browse: Browse,
    customer: Customer,
    subscription: Subscription,
    make_ticket: MakeTicket,
    policy: PolicyVersion,
    staff: dict[str, User],
    django_assert_num_queries: Any,
) -> None:
    client = browse("agent")
    find(client, VALID_MOBILE, **HTMX)  # warm the session and the content types

    def history(count: int) -> None:
        for index in range(count):
            ticket = make_ticket(kind="fault", subtype="network", category="network_quality")
            if index % 2:
                actions.cancel(staff["agent"], ticket.number, reason="重复")

    history(2)
    with django_assert_num_queries(LOOKUP_QUERIES):
        find(client, VALID_MOBILE, **HTMX)
    with django_assert_num_queries(FORM_PAGE_QUERIES):
        client.get("/intake/", {"customer": customer.number})
    history(12)  # more tickets than the lists show: the same queries
    with django_assert_num_queries(LOOKUP_QUERIES):
        html = find(client, VALID_MOBILE, **HTMX)
    with django_assert_num_queries(FORM_PAGE_QUERIES):
        client.get("/intake/", {"customer": customer.number})
    assert html.count('href="/tickets/') <= 20


def test_the_kind_choices_partial_costs_few_queries(
    browse: Browse, customer: Customer, django_assert_num_queries: Any
) -> None:
    client = browse("agent")
    client.get("/intake/classification/", {"kind": "fault"}, **HTMX)
    with django_assert_num_queries(CLASSIFICATION_QUERIES):
        client.get(
            "/intake/classification/", {"kind": "complaint", "customer": customer.number}, **HTMX
        )


def test_the_confirmation_costs_a_fixed_number_of_queries(
    browse: Browse,
    make_ticket: MakeTicket,
    policy: PolicyVersion,
    django_assert_num_queries: Any,
) -> None:
    client = browse("agent")
    ticket = make_ticket(kind="complaint")
    client.get(f"/intake/done/{ticket.number}/")
    with django_assert_num_queries(DONE_PAGE_QUERIES):
        client.get(f"/intake/done/{ticket.number}/")


def test_role_constant_matches_the_workflow() -> None:
    from carrierdesk.tickets.web.intake import REGISTER_ROLES

    assert {Role(role).value for role in REGISTER_ROLES} == set(REGISTERING)
