"""Retention (R-SEC-5): rules as data, legal holds, the dry run and the real, resumable run that
anonymises customers and keeps their records."""

import json
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from carrierdesk.accounts.choices import DepartmentKind
from carrierdesk.accounts.models import Department, Region
from carrierdesk.audit.models import AuditEntry
from carrierdesk.conftest import at
from carrierdesk.core import clock
from carrierdesk.core.errors import Conflict, InvalidInput, PermissionDenied
from carrierdesk.customers import actions as customers
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.privacy import retention_actions
from carrierdesk.privacy.anonymise import anonymise_customer
from carrierdesk.privacy.choices import RecordType
from carrierdesk.privacy.models import AnonymisedCustomer, LegalHold, RetentionRule, RetentionRun
from carrierdesk.privacy.queries import customers_past_retention, list_past_retention
from carrierdesk.privacy.retention import ANONYMISED_NAME, add_months, scrub
from carrierdesk.privacy.retention_actions import (
    dry_run_retention,
    place_legal_hold,
    release_legal_hold,
    run_retention,
    update_retention_rule,
)
from carrierdesk.sla.models import Clock
from carrierdesk.tickets import actions as tickets
from carrierdesk.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
Api = Callable[[str], APIClient]

#: "Today" of these tests.
NOW = "2026-06-15 12:00"
OLD = "2020-01-06 09:00"
SUBTYPE = {"fault": "network", "service_order": "open"}


# --- building the table -----------------------------------------------------------------------


class Builder:
    def __init__(self, staff: dict[str, User], region: Region, department: Department) -> None:
        self.staff, self.region, self.department = staff, region, department
        self.count = 0

    def customer(self, created: str = OLD) -> Customer:
        self.count += 1
        with clock.frozen(at(created)):
            return customers.create_customer(
                None,
                customer_type="individual",
                name="王秀英" if self.count % 2 else "李娜",
                mobile=f"1391234{self.count:04d}",
                id_type="passport",
                id_number=f"E{self.count:08d}",
                address=f"广东省广州市天河区体育西路{self.count}号",
                region=self.region,
            )

    def ticket(self, customer: Customer, kind: str, closed: str | None) -> Ticket:
        """A ticket registered the day before `closed`, cancelled at `closed` (open if None)."""
        registered = closed or "2026-06-01 09:00"
        start = at(registered).replace(day=1) if closed else at(registered)
        with clock.frozen(start):
            ticket = tickets.register_ticket(
                self.staff["agent"],
                kind=kind,
                channel="hotline",
                category="billing",
                customer=customer,
                title=f"用户{customer.mobile}来电",
                description=f"{customer.name}反映问题，联系电话{customer.mobile}。",
                contact_name=customer.name,
                contact_phone=customer.mobile,
                subtype=SUBTYPE.get(kind, ""),
            )
        if closed:
            with clock.frozen(at(closed)):
                tickets.cancel(self.staff["admin"], ticket.number, reason="客户撤销")
        return Ticket.objects.get(pk=ticket.pk)

    def closed_complaint(self, customer: Customer, closed: str) -> Ticket:
        """A complaint through its whole lifecycle, closed at `closed`."""
        admin = self.staff["admin"]
        with clock.frozen(at(closed) - timedelta(days=30)):
            ticket = tickets.register_ticket(
                self.staff["agent"],
                kind="complaint",
                channel="hotline",
                category="billing",
                customer=customer,
                title="话费异常",
                description=f"用户{customer.name}称电话{customer.mobile}被多扣费。",
            )
            tickets.accept(admin, ticket.number)
            tickets.assign(admin, ticket.number, department=self.department.code)
            tickets.start(admin, ticket.number)
            tickets.add_note(admin, ticket.number, note=f"已回拨{customer.mobile}，核实身份。")
        with clock.frozen(at(closed).replace(hour=9)):
            tickets.resolve(admin, ticket.number, resolution="已退费")
        with clock.frozen(at(closed)):
            tickets.close(admin, ticket.number)
        return Ticket.objects.get(pk=ticket.pk)

    def terminated_subscription(self, customer: Customer, ended: str) -> Subscription:
        with clock.frozen(at(OLD)):
            subscription = customers.create_subscription(
                None,
                customer,
                service_number=f"1361234{self.count:04d}",
                product="mobile",
                installation_address="广州市天河区某小区",
            )
        with clock.frozen(at(ended)):
            return customers.update_subscription(None, subscription, status="terminated")


@pytest.fixture
def build(staff: dict[str, User], region: Region, departments: dict[str, Department]) -> Builder:
    return Builder(staff, region, departments[DepartmentKind.CUSTOMER_SERVICE])


@pytest.fixture
def table(build: Builder) -> dict[str, Customer]:
    """Customers around each boundary, judged at NOW (2026-06-15 12:00)."""
    named: dict[str, Customer] = {}

    def add(name: str, created: str = OLD) -> Customer:
        named[name] = build.customer(created)
        return named[name]

    # Service requests: 12 months.
    build.ticket(add("inquiry_12m_plus_a_day"), "inquiry", "2025-06-14 12:00")
    build.ticket(add("inquiry_12m_minus_a_day"), "inquiry", "2025-06-16 12:00")
    build.ticket(add("suggestion_12m_plus_a_day"), "suggestion", "2025-06-14 11:59")
    # Execution and complaint records: 3 years.
    build.closed_complaint(add("complaint_3y_plus_a_day"), "2023-06-14 12:00")
    build.closed_complaint(add("complaint_3y_minus_a_day"), "2023-06-16 12:00")
    build.ticket(add("fault_2y"), "fault", "2024-06-01 12:00")
    # Mixed: an old inquiry does not free a customer whose complaint is recent.
    mixed = add("old_inquiry_recent_complaint")
    build.ticket(mixed, "inquiry", "2022-01-10 12:00")
    build.ticket(mixed, "complaint", "2025-01-10 12:00")
    # Blockers.
    build.ticket(add("open_ticket"), "inquiry", "2022-01-10 12:00")
    build.ticket(named["open_ticket"], "fault", None)
    build.ticket(add("legal_hold"), "inquiry", "2022-01-10 12:00")
    with clock.frozen(at("2026-01-05 10:00")):
        place_legal_hold(
            build.staff["supervisor"], named["legal_hold"], reason="诉讼保全，法院来函"
        )
    build.ticket(add("hold_released"), "inquiry", "2022-01-10 12:00")
    with clock.frozen(at("2026-01-05 10:00")):
        hold = place_legal_hold(build.staff["admin"], named["hold_released"], reason="调查取证中")
        release_legal_hold(build.staff["admin"], hold, reason="案件已结")
    active = add("active_subscription")
    with clock.frozen(at(OLD)):
        customers.create_subscription(None, active, service_number="13612340000", product="mobile")
    # Acceptance records: 5 years from the subscription's end.
    build.terminated_subscription(add("subscription_ended_5y_plus_a_day"), "2021-06-14 12:00")
    build.terminated_subscription(add("subscription_ended_4y"), "2022-06-14 12:00")
    # No record at all: 12 months after registration.
    add("no_record_12m_plus_a_day", "2025-06-14 12:00")
    add("no_record_12m_minus_a_day", "2025-06-16 12:00")
    return named


EXPECTED = {
    "inquiry_12m_plus_a_day",
    "suggestion_12m_plus_a_day",
    "complaint_3y_plus_a_day",
    "hold_released",
    "subscription_ended_5y_plus_a_day",
    "no_record_12m_plus_a_day",
}


def numbers(table: dict[str, Customer], names: set[str]) -> set[str]:
    return {table[name].number for name in names}


def personal(customer: Customer) -> tuple[str, str, str, str]:
    customer = Customer.objects.get(pk=customer.pk)
    return (customer.name, customer.mobile, customer.id_number, customer.address)


# --- pure rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2025-06-14 12:00", 12, "2026-06-14 12:00"),
        ("2024-01-31 08:00", 1, "2024-02-29 08:00"),
        ("2023-01-31 08:00", 1, "2023-02-28 08:00"),
        ("2026-06-15 12:00", -36, "2023-06-15 12:00"),
        ("2026-03-31 00:30", -1, "2026-02-28 00:30"),
    ],
)
def test_r_sec_5_months_are_calendar_months(start: str, months: int, expected: str) -> None:
    zone = at(start).tzinfo
    assert zone is not None
    assert add_months(at(start), months, zone) == at(expected)


def test_r_sec_5_scrub_replaces_known_values_and_masks_numbers() -> None:
    text = "王秀英（13912340001）住体育西路1号，另一号码13800138000，证件11010519491231002X"
    word = str(ANONYMISED_NAME)
    assert scrub(text, ["王秀英", "13912340001", "体育西路1号", "王"]) == (
        f"{word}（{word}）住{word}，另一号码138****8000，证件110105********002X"
    )


# --- the dry run ------------------------------------------------------------------------------


def test_r_sec_5_seeded_rules() -> None:
    rules = {
        rule.record_type: (rule.months, rule.applies_to) for rule in RetentionRule.objects.all()
    }
    assert rules == {
        "service_request": (12, ["inquiry", "service_order", "suggestion"]),
        "execution": (36, ["fault", "complaint", "appeal"]),
        "acceptance": (60, ["subscription"]),
    }


def test_r_sec_5_dry_run_lists_exactly_the_customers_past_retention(
    table: dict[str, Customer],
) -> None:
    before = {name: personal(customer) for name, customer in table.items()}
    events_before = TicketEvent.objects.count()
    with clock.frozen(at(NOW)):
        outcome = dry_run_retention(None)
    found = {item.number: item for item in outcome.customers}
    assert set(found) == numbers(table, EXPECTED)
    # The latest retention end of each: closing time + months.
    ends = {name: found[table[name].number].retention_ended_at for name in EXPECTED}
    assert ends["inquiry_12m_plus_a_day"] == at("2026-06-14 12:00")
    assert ends["complaint_3y_plus_a_day"] == at("2026-06-14 12:00")
    assert ends["subscription_ended_5y_plus_a_day"] == at("2026-06-14 12:00")
    assert ends["no_record_12m_plus_a_day"] == at("2026-06-14 12:00")
    assert found[table["hold_released"].number].masked_name in {"王**", "李*"}
    # Nothing changed; the run and its report are recorded.
    assert {name: personal(customer) for name, customer in table.items()} == before
    assert TicketEvent.objects.count() == events_before
    assert not AnonymisedCustomer.objects.exists()
    run = RetentionRun.objects.get()
    assert (run.dry_run, run.found, run.finished_at is not None) == (True, len(EXPECTED), True)
    report = json.loads(Path(run.report_path).read_text(encoding="utf-8"))
    assert report["dry_run"] is True and report["found"] == len(EXPECTED)
    assert {row["customer"] for row in report["customers"]} == numbers(table, EXPECTED)
    assert "13912340001" not in Path(run.report_path).read_text(encoding="utf-8")
    assert AuditEntry.objects.filter(event_type="retention.dry_run").count() == 1


def test_r_sec_5_eligibility_is_one_query_whatever_the_number_of_customers(
    table: dict[str, Customer],
) -> None:
    with clock.frozen(at(NOW)), CaptureQueriesContext(connection) as queries:
        listed = list(list_past_retention(at(NOW)))
    assert len(listed) == len(EXPECTED)
    assert len(queries) == 2  # the rules, then one statement for the customers and their ends


def test_r_sec_5_a_longer_rule_changes_who_is_past_retention(
    table: dict[str, Customer], staff: dict[str, User]
) -> None:
    update_retention_rule(staff["admin"], RecordType.SERVICE_REQUEST, months=24)
    with clock.frozen(at(NOW)):
        found = set(customers_past_retention(at(NOW)).values_list("number", flat=True))
    assert found == numbers(
        table, EXPECTED - {"inquiry_12m_plus_a_day", "suggestion_12m_plus_a_day"}
    )


# --- the real run -----------------------------------------------------------------------------

KPI_FIELDS = (
    "number",
    "kind",
    "status",
    "channel",
    "category",
    "urgency",
    "customer_id",
    "subscription_id",
    "region_id",
    "department_id",
    "first_owner_id",
    "assignee_id",
    "received_at",
    "registered_at",
    "accepted_at",
    "assigned_at",
    "started_at",
    "resolved_at",
    "closed_at",
    "status_changed_at",
    "updated_at",
    "reopen_count",
    "version",
    "sla_policy_id",
)


def test_r_sec_5_the_run_anonymises_them_and_keeps_their_records(
    table: dict[str, Customer],
) -> None:
    kpis = {t.pk: tuple(getattr(t, f) for f in KPI_FIELDS) for t in Ticket.objects.all()}
    by_kind_status = Counter(Ticket.objects.values_list("kind", "status"))
    clocks = list(Clock.objects.order_by("pk").values())
    untouched = {name: personal(c) for name, c in table.items() if name not in EXPECTED}
    with clock.frozen(at(NOW)):
        outcome = run_retention(None, batch_size=4)
    run = outcome.run
    assert (run.found, run.anonymised, run.failed, run.batches) == (len(EXPECTED), 6, 0, 2)
    assert run.finished_at == at(NOW) and not outcome.resumed
    anonymised = set(AnonymisedCustomer.objects.values_list("customer__number", flat=True))
    assert anonymised == numbers(table, EXPECTED)
    # Personal data gone, keys unique and non-personal.
    complaint_customer = Customer.objects.get(pk=table["complaint_3y_plus_a_day"].pk)
    assert complaint_customer.mobile == "" and complaint_customer.address == ""
    assert complaint_customer.id_number == f"ANON-{complaint_customer.pk}"
    assert complaint_customer.name not in {"王秀英", "李娜"}
    ended = Subscription.objects.get(customer=table["subscription_ended_5y_plus_a_day"])
    assert (ended.service_number, ended.installation_address) == (f"ANON-{ended.pk}", "")
    for ticket in Ticket.objects.filter(customer__number__in=anonymised):
        assert (ticket.contact_name, ticket.contact_phone) == ("", "")
        assert "1391234" not in ticket.title + ticket.description
        assert "王秀英" not in ticket.description and "李娜" not in ticket.description
    notes = list(
        TicketEvent.objects.filter(ticket__customer=complaint_customer).values_list(
            "note", flat=True
        )
    )
    assert any(note.startswith("已回拨") for note in notes)
    assert not any("1391234" in note for note in notes)
    # The others are untouched.
    assert {name: personal(table[name]) for name in untouched} == untouched
    # Records and every KPI field stay.
    assert {t.pk: tuple(getattr(t, f) for f in KPI_FIELDS) for t in Ticket.objects.all()} == kpis
    assert Counter(Ticket.objects.values_list("kind", "status")) == by_kind_status
    assert list(Clock.objects.order_by("pk").values()) == clocks
    # One audit entry per customer, and the run's own.
    entries = AuditEntry.objects.filter(event_type="privacy.customer_anonymised")
    assert set(entries.values_list("object_id", flat=True)) == anonymised
    assert entries.count() == 6
    entry = entries.get(object_id=complaint_customer.number)
    assert entry.changes["source"] == "retention" and entry.changes["run"] == run.pk
    assert entry.changes["tickets"] == 1 and entry.changes["events"] >= 1
    assert AuditEntry.objects.filter(event_type="retention.run_started").count() == 1
    assert AuditEntry.objects.get(event_type="retention.run_finished").changes["anonymised"] == 6
    report = json.loads(Path(run.report_path).read_text(encoding="utf-8"))
    assert Path(run.report_path).name == f"retention-{run.pk}.json"
    assert {row["customer"] for row in report["customers"]} == anonymised
    # A second run finds nothing more.
    with clock.frozen(at(NOW)):
        again = run_retention(None).run
    assert (again.pk != run.pk, again.found, again.anonymised) == (True, 0, 0)


def test_r_sec_5_a_run_interrupted_is_resumed_where_it_stopped(
    table: dict[str, Customer], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = retention_actions.anonymise_customer
    calls = {"n": 0}

    def crash_on_the_third(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(retention_actions, "anonymise_customer", crash_on_the_third)
    with clock.frozen(at(NOW)), pytest.raises(RuntimeError):
        run_retention(None, batch_size=2)
    run = RetentionRun.objects.get()
    # The first batch is committed, the second rolled back whole.
    assert (run.finished_at, run.anonymised, run.batches) == (None, 2, 1)
    assert AnonymisedCustomer.objects.count() == 2
    monkeypatch.setattr(retention_actions, "anonymise_customer", real)
    with clock.frozen(at("2026-06-16 08:00")):
        outcome = run_retention(None, batch_size=2)
    assert outcome.resumed and outcome.run.pk == run.pk
    assert outcome.run.as_of == at(NOW)  # judged as of the start, not of the resumption
    assert (outcome.run.anonymised, outcome.run.failed) == (6, 0)
    assert outcome.run.finished_at == at("2026-06-16 08:00")
    assert set(AnonymisedCustomer.objects.values_list("customer__number", flat=True)) == numbers(
        table, EXPECTED
    )
    assert AuditEntry.objects.filter(event_type="retention.run_resumed").count() == 1
    assert RetentionRun.objects.count() == 1


def test_r_sec_5_a_customer_refused_during_a_run_is_counted_and_the_run_goes_on(
    table: dict[str, Customer], staff: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = table["inquiry_12m_plus_a_day"]
    real = retention_actions.anonymise_customer

    def hold_first(actor: Any, customer: Customer, **kwargs: Any) -> Any:
        if customer.pk == target.pk:
            place_legal_hold(staff["supervisor"], customer, reason="临时保全，法院来函")
        return real(actor, customer, **kwargs)

    monkeypatch.setattr(retention_actions, "anonymise_customer", hold_first)
    with clock.frozen(at(NOW)):
        run = run_retention(None).run
    assert (run.anonymised, run.failed) == (5, 1)
    assert run.errors == [{"customer": target.number, "code": "legal_hold"}]
    assert personal(target)[2] == "E00000001"


# --- legal holds and anonymisation refusals ---------------------------------------------------


def test_r_sec_5_legal_hold_blocks_anonymisation_until_released(
    table: dict[str, Customer], staff: dict[str, User]
) -> None:
    held = table["legal_hold"]
    before = personal(held)
    with pytest.raises(Conflict) as refused:
        anonymise_customer(staff["admin"], held, reason="测试", source="request")
    assert refused.value.code == "legal_hold"
    assert personal(held) == before and not AnonymisedCustomer.objects.exists()
    hold = LegalHold.objects.get(customer=held, released_at__isnull=True)
    release_legal_hold(staff["supervisor"], hold, reason="案件已结")
    with clock.frozen(at(NOW)):
        assert customers_past_retention(at(NOW)).filter(pk=held.pk).exists()
    placed = AuditEntry.objects.filter(event_type="privacy.legal_hold_placed")
    released = AuditEntry.objects.filter(event_type="privacy.legal_hold_released")
    assert placed.count() == 2 and released.count() == 2
    assert placed.filter(object_id=str(hold.pk)).get().changes == {
        "customer": held.number,
        "reason": "诉讼保全，法院来函",
    }


def test_r_sec_5_hold_refusals_change_nothing(
    table: dict[str, Customer], staff: dict[str, User]
) -> None:
    customer = table["inquiry_12m_plus_a_day"]
    audits = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        place_legal_hold(staff["agent"], customer, reason="诉讼保全，法院来函")
    with pytest.raises(InvalidInput):
        place_legal_hold(staff["supervisor"], customer, reason=" ")
    with pytest.raises(Conflict) as twice:
        place_legal_hold(staff["supervisor"], table["legal_hold"], reason="再次保全请求")
    assert twice.value.code == "already_held"
    released = LegalHold.objects.get(customer=table["hold_released"])
    with pytest.raises(Conflict):
        release_legal_hold(staff["admin"], released)
    assert AuditEntry.objects.count() == audits
    assert LegalHold.objects.count() == 2


def test_r_sec_5_anonymise_refuses_an_open_ticket_or_a_live_subscription(
    table: dict[str, Customer], staff: dict[str, User]
) -> None:
    for name, code in (
        ("open_ticket", "open_ticket"),
        ("active_subscription", "live_subscription"),
    ):
        with pytest.raises(Conflict) as refused:
            anonymise_customer(
                staff["supervisor"], table[name], reason="删除请求", source="request"
            )
        assert refused.value.code == code
    with pytest.raises(PermissionDenied):
        anonymise_customer(
            staff["agent"], table["inquiry_12m_plus_a_day"], reason="删除请求", source="request"
        )
    assert not AnonymisedCustomer.objects.exists()
    assert not AuditEntry.objects.filter(event_type="privacy.customer_anonymised").exists()


# --- rules ------------------------------------------------------------------------------------


def test_r_sec_5_rules_are_changed_by_admins_audited_and_never_below_the_minimum(
    staff: dict[str, User],
) -> None:
    with pytest.raises(PermissionDenied):
        update_retention_rule(staff["supervisor"], "execution", months=48)
    with pytest.raises(InvalidInput) as short:
        update_retention_rule(staff["admin"], "execution", months=24)
    assert "months" in short.value.fields
    with pytest.raises(InvalidInput) as claimed:
        update_retention_rule(staff["admin"], "execution", applies_to=["fault", "inquiry"])
    assert "applies_to" in claimed.value.fields
    assert not AuditEntry.objects.filter(event_type="retention.rule_changed").exists()
    update_retention_rule(staff["admin"], "execution", months=48, source="集团规定 2026")
    rule = RetentionRule.objects.get(record_type="execution")
    assert (rule.months, rule.source) == (48, "集团规定 2026")
    entry = AuditEntry.objects.get(event_type="retention.rule_changed")
    assert entry.object_id == "execution"
    assert entry.changes["months"] == [36, 48]


# --- CLI and API ------------------------------------------------------------------------------


def run_cli(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("retention", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_r_sec_5_cli_dry_run_rules_holds_and_run(
    table: dict[str, Customer], staff: dict[str, User]
) -> None:
    with clock.frozen(at(NOW)):
        dry = json.loads(run_cli("run", "--dry-run", "--json"))
    assert {row["customer"] for row in dry["customers"]} == numbers(table, EXPECTED)
    with clock.frozen(at(NOW)):
        text = run_cli("run", "--dry-run")
    assert all(number in text for number in numbers(table, EXPECTED))
    assert table["inquiry_12m_minus_a_day"].number not in text
    assert "2026-06-14 12:00" in text  # the latest retention end, local time
    assert not AnonymisedCustomer.objects.exists()
    assert "inquiry,service_order,suggestion" in run_cli("rules")
    rules = json.loads(run_cli("rules", "--json"))
    assert [row["months"] for row in rules["rules"]] == [12, 36, 60]
    run_cli("rules", "--set", "execution", "--months", "40", "--as", "admin")
    assert RetentionRule.objects.get(record_type="execution").months == 40
    target = table["inquiry_12m_plus_a_day"]
    run_cli("hold", target.number, "--reason", "法院来函保全", "--as", "supervisor")
    assert target.number in run_cli("holds", "--as", "auditor")
    with clock.frozen(at(NOW)):
        summary = json.loads(run_cli("run", "--batch-size", "2", "--json"))
    # Six were past retention; one is now held and one complaint is kept 40 months.
    assert (summary["anonymised"], summary["batches"], summary["finished_at"] is not None) == (
        4,
        2,
        True,
    )
    assert Path(summary["report"]).is_file()
    assert not AnonymisedCustomer.objects.filter(customer=target).exists()
    run_cli("release", target.number, "--as", "admin")
    assert not LegalHold.objects.filter(customer=target, released_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("supervisor", 200, 201),
        ("admin", 200, 201),
        ("auditor", 200, 403),
        ("agent", 403, 403),
        ("dispatcher", 403, 403),
        ("technician", 403, 403),
        ("quality_inspector", 403, 403),
        ("customer", 403, 403),
    ],
)
def test_r_sec_5_legal_hold_api_by_role(
    api: Api, build: Builder, role: str, read: int, write: int
) -> None:
    customer = build.customer()
    assert api(role).get("/api/v1/privacy/legal-holds/").status_code == read
    response = api(role).post(
        "/api/v1/privacy/legal-holds/",
        {"customer": customer.number, "reason": "法院来函保全"},
        format="json",
    )
    assert response.status_code == write
    assert LegalHold.objects.count() == (1 if write == 201 else 0)


def test_r_sec_5_legal_hold_api_place_list_release(api: Api, build: Builder) -> None:
    customer = build.customer()
    created = api("supervisor").post(
        "/api/v1/privacy/legal-holds/",
        {"customer": customer.number, "reason": "法院来函保全"},
        format="json",
    )
    body = created.json()
    assert (body["customer"], body["active"], body["placed_by"]) == (
        customer.number,
        True,
        "supervisor",
    )
    again = api("admin").post(
        "/api/v1/privacy/legal-holds/",
        {"customer": customer.number, "reason": "第二次保全"},
        format="json",
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_held"
    listed = api("auditor").get("/api/v1/privacy/legal-holds/?active=true").json()
    assert listed["count"] == 1
    released = api("admin").post(
        f"/api/v1/privacy/legal-holds/{body['id']}/release/", {"reason": "案件已结"}, format="json"
    )
    assert released.status_code == 200 and released.json()["active"] is False
    assert api("auditor").get("/api/v1/privacy/legal-holds/?active=true").json()["count"] == 0
    missing = api("admin").post(
        "/api/v1/privacy/legal-holds/", {"customer": "C9", "reason": "xxxx"}
    )
    assert missing.status_code == 400
