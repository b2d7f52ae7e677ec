"""Personal data encrypted at rest, found by keyed hashes, keys rotated (R-SEC-2)."""

import base64
import glob
import io
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import timezone, translation
from rest_framework.test import APIClient

from carrierdesk.audit.models import AuditEntry
from carrierdesk.conftest import VALID_ID, VALID_MOBILE
from carrierdesk.core import crypto
from carrierdesk.core.actions import encrypt_existing_rows, rotate_data_keys
from carrierdesk.core.crypto import DecryptionError, UnknownKeyError
from carrierdesk.core.errors import InvalidInput
from carrierdesk.core.fields import EncryptedLookupError, lookup_hash
from carrierdesk.core.identity import resident_id_check_character
from carrierdesk.core.queries import key_usage
from carrierdesk.customers import actions
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.tickets.models import Ticket


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Command output is asserted in English (the Chinese catalogue is checked by test_i18n)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db
Api = Callable[[str], APIClient]

TEST_KEY = "test1"
NEW_KEY = base64.b64encode(bytes(range(100, 132))).decode()


def keys_with_new_current(current: str = "k2") -> dict[str, Any]:
    from django.conf import settings

    old = settings.PERSONAL_DATA_KEYS
    return {"current": current, "keys": {**old["keys"], current: NEW_KEY}}


def stored(model: type[Any], column: str, pk: int) -> str:
    """The value as the database holds it."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        name = connection.ops.quote_name(column)
        cursor.execute(f"SELECT {name} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def store(model: type[Any], column: str, pk: int, value: str) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",  # noqa: S608
            [value, pk],
        )


def make_customers(count: int, region: Any = None) -> list[Customer]:
    made = []
    for index in range(count):
        first17 = f"4401061987052{index:03d}1"
        made.append(
            actions.create_customer(
                None,
                customer_type="individual",
                name=f"李{index}",
                mobile=f"1390000{index:04d}",
                id_type="resident_id",
                id_number=first17 + resident_id_check_character(first17),
                address="广东省广州市天河区体育西路1号",
                region=region,
            )
        )
    return made


# --- stored form ----------------------------------------------------------------------------


def test_r_sec_2_personal_fields_are_stored_encrypted_and_read_clear(
    customer: Customer, subscription: Subscription, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket(contact_name="王芳", contact_phone="13700001111")
    for model, pk, column, clear in [
        (Customer, customer.pk, "name", "张伟"),
        (Customer, customer.pk, "mobile", VALID_MOBILE),
        (Customer, customer.pk, "id_number", VALID_ID),
        (Customer, customer.pk, "address", "广东省广州市天河区体育西路1号"),
        (Subscription, subscription.pk, "service_number", VALID_MOBILE),
        (Ticket, ticket.pk, "contact_name", "王芳"),
        (Ticket, ticket.pk, "contact_phone", "13700001111"),
    ]:
        raw = stored(model, column, pk)
        assert raw.startswith(f"enc1:{TEST_KEY}:"), column
        assert clear not in raw
    again = Customer.objects.get(pk=customer.pk)
    assert (again.name, again.mobile, again.id_number) == ("张伟", VALID_MOBILE, VALID_ID)
    assert Ticket.objects.get(pk=ticket.pk).contact_phone == "13700001111"
    # Blank stays blank: nothing to encrypt.
    assert stored(Subscription, "installation_address", subscription.pk) == ""
    assert Subscription.objects.get(pk=subscription.pk).installation_address == ""


def test_r_sec_2_staff_mobile_is_encrypted(staff: dict[str, Any]) -> None:
    profile = staff["agent"].staff_profile
    profile.mobile = "13611112222"
    profile.save(update_fields=["mobile"])
    assert stored(type(profile), "mobile", profile.pk).startswith("enc1:")
    assert type(profile).objects.get(pk=profile.pk).mobile == "13611112222"


def test_r_sec_2_values_cannot_be_swapped_between_columns(customer: Customer) -> None:
    store(Customer, "address", customer.pk, stored(Customer, "mobile", customer.pk))
    with pytest.raises(DecryptionError) as refused:
        Customer.objects.get(pk=customer.pk)
    assert "customers.customer.address" in str(refused.value)
    assert VALID_MOBILE not in str(refused.value)


def test_r_sec_2_a_tampered_row_is_refused_naming_column_and_key(customer: Customer) -> None:
    raw = stored(Customer, "id_number", customer.pk)
    store(Customer, "id_number", customer.pk, raw[:-2] + ("AA" if raw[-2:] != "AA" else "BB"))
    with pytest.raises(DecryptionError, match=f"customers.customer.id_number under key {TEST_KEY}"):
        Customer.objects.get(pk=customer.pk)


def test_r_sec_2_an_unknown_key_id_is_a_clear_error(customer: Customer) -> None:
    with override_settings(PERSONAL_DATA_KEYS=keys_with_new_current()):
        Customer.objects.filter(pk=customer.pk).update(name="张三")
    with pytest.raises(UnknownKeyError, match=r"customers\.customer\.name: key 'k2'"):
        Customer.objects.get(pk=customer.pk)


# --- lookups ----------------------------------------------------------------------------------


#: Lookups as mappings: django-stubs' mypy plugin crashes on lookups of custom fields.
LOOKUPS: dict[str, dict[str, Any]] = {
    "contains": {"name__icontains": "张"},
    "in": {"id_number__in": [VALID_ID]},
    "isnull": {"address__isnull": True},
}


def test_r_sec_2_encrypted_columns_refuse_value_lookups(customer: Customer) -> None:
    with pytest.raises(EncryptedLookupError, match="mobile is encrypted"):
        Customer.objects.filter(mobile=VALID_MOBILE).exists()
    with pytest.raises(EncryptedLookupError, match="'icontains'"):
        Customer.objects.filter(**LOOKUPS["contains"]).exists()
    with pytest.raises(EncryptedLookupError):
        Customer.objects.filter(**LOOKUPS["in"]).exists()
    assert not Customer.objects.filter(mobile="").exists()
    assert not Customer.objects.filter(**LOOKUPS["isnull"]).exists()


def test_r_sec_2_hashes_are_kept_on_full_and_partial_saves(customer: Customer) -> None:
    assert customer.mobile_hash == lookup_hash(VALID_MOBILE)
    customer.mobile = ""
    customer.save()
    assert Customer.objects.get(pk=customer.pk).mobile_hash == ""
    customer.mobile = "13700002222"
    customer.save(update_fields=["mobile"])
    assert Customer.objects.get(mobile_hash=lookup_hash("13700002222")).pk == customer.pk
    customer.id_number = "11010519491231002x"
    customer.save(update_fields=["id_number", "updated_at"])
    assert Customer.objects.get(pk=customer.pk).id_number_hash == lookup_hash(VALID_ID)


def test_r_sec_2_bulk_create_fills_hashes(customer: Customer) -> None:
    now = timezone.now()
    Subscription.objects.bulk_create(
        [
            Subscription(
                customer=customer,
                service_number=f"BR{index}",
                product="broadband",
                created_at=now,
                updated_at=now,
            )
            for index in range(3)
        ]
    )
    assert Subscription.objects.get(service_number_hash=lookup_hash("BR2")).service_number == "BR2"


def test_r_sec_2_api_finds_customers_by_phone_and_id_number(
    api: Api, customer: Customer, region: Any
) -> None:
    make_customers(2, region)
    client = api("agent")
    for query in [
        {"mobile": "+86 138-1234-5678"},
        {"id_number": VALID_ID.lower()},
        {"id_number": VALID_ID},
    ]:
        body = client.get("/api/v1/customers/", query).json()
        assert [row["number"] for row in body["results"]] == [customer.number], query
    assert client.get("/api/v1/customers/", {"mobile": "13700000000"}).json()["count"] == 0
    assert client.get("/api/v1/customers/", {"mobile": "not a number"}).json()["count"] == 0


def test_r_sec_2_api_finds_subscriptions_by_service_number(
    api: Api, subscription: Subscription
) -> None:
    client = api("agent")
    body = client.get("/api/v1/subscriptions/", {"service_number": "138 1234 5678"}).json()
    assert [row["id"] for row in body["results"]] == [subscription.pk]
    assert client.get("/api/v1/subscriptions/", {"service_number": "BR1"}).json()["count"] == 0


def test_r_sec_2_a_duplicate_id_number_is_still_refused(api: Api, customer: Customer) -> None:
    duplicate = {
        "customer_type": "individual",
        "name": "张伟",
        "id_type": "resident_id",
        "id_number": VALID_ID.lower(),
    }
    response = api("agent").post("/api/v1/customers/", duplicate, format="json")
    assert response.status_code == 400
    assert "id_number" in response.json()["error"]["fields"]
    assert Customer.objects.count() == 1
    # The database says so too, whoever skips the action.
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(
            number="C9",
            customer_type="individual",
            name="x",
            id_type="resident_id",
            id_number=VALID_ID,
            created_at=now,
            updated_at=now,
        )


def test_r_sec_2_a_duplicate_service_number_is_still_refused(
    subscription: Subscription, customer: Customer
) -> None:
    with pytest.raises(InvalidInput) as refused:
        actions.create_subscription(None, customer, service_number=VALID_MOBILE, product="mobile")
    assert refused.value.fields.keys() == {"service_number"}
    assert Subscription.objects.count() == 1


# --- rotation ---------------------------------------------------------------------------------


def test_r_sec_2_rotation_re_encrypts_everything_under_the_new_key(
    customer: Customer, subscription: Subscription, make_ticket: Callable[..., Ticket]
) -> None:
    make_ticket(contact_phone="13700001111")
    with override_settings(PERSONAL_DATA_KEYS=keys_with_new_current()):
        # Values under the old key stay readable.
        assert Customer.objects.get(pk=customer.pk).mobile == VALID_MOBILE
        before = {row.column: row.counts for row in key_usage()}
        assert before["customers.customer.mobile"] == {TEST_KEY: 1, "k2": 0, "empty": 0}
        report = rotate_data_keys(None, batch_size=2)
        after = {row.column: row.counts for row in key_usage()}
        assert after["customers.customer.mobile"] == {TEST_KEY: 0, "k2": 1, "empty": 0}
        assert all(counts[TEST_KEY] == 0 for counts in after.values())
        assert stored(Customer, "id_number", customer.pk).startswith("enc1:k2:")
        again = Customer.objects.get(pk=customer.pk)
        assert (again.mobile, again.id_number, again.name) == (VALID_MOBILE, VALID_ID, "张伟")
        assert Subscription.objects.get(pk=subscription.pk).service_number == VALID_MOBILE
        # The hashes do not depend on the data key: lookups keep working.
        assert Customer.objects.get(mobile_hash=lookup_hash(VALID_MOBILE)).pk == customer.pk
    assert report.complete
    assert report.values["customers.customer.mobile"] == {TEST_KEY: 1}
    entry = AuditEntry.objects.get(event_type="data_keys.rotated")
    assert entry.object_id == "k2"
    assert entry.changes["complete"] is True
    assert entry.changes["values"]["customers.customer.name"] == {TEST_KEY: 1}
    assert VALID_MOBILE not in json.dumps(entry.changes)


class Interrupted(Exception):
    pass


def test_r_sec_2_an_interrupted_rotation_loses_nothing_and_resumes(region: Any) -> None:
    made = make_customers(5, region)
    with override_settings(PERSONAL_DATA_KEYS=keys_with_new_current()):
        batches: list[str] = []

        def stop_after_two(model: str, rows: int, cursor: int) -> None:
            batches.append(model)
            if len(batches) == 2:
                raise Interrupted

        with pytest.raises(Interrupted):
            rotate_data_keys(None, batch_size=2, progress=stop_after_two)
        mobile = {row.column: row.counts for row in key_usage()}["customers.customer.mobile"]
        assert (mobile[TEST_KEY], mobile["k2"]) == (1, 4)
        assert [c.mobile for c in Customer.objects.order_by("pk")] == [c.mobile for c in made]
        rerun = rotate_data_keys(None, batch_size=2)
        assert rerun.rows == 1  # only what was left
        mobile = {row.column: row.counts for row in key_usage()}["customers.customer.mobile"]
        assert (mobile[TEST_KEY], mobile["k2"]) == (0, 5)
        assert [c.id_number for c in Customer.objects.order_by("pk")] == [c.id_number for c in made]
    runs = AuditEntry.objects.filter(event_type="data_keys.rotated").order_by("sequence")
    assert [(run.changes["complete"], run.changes["rows"]) for run in runs] == [
        (False, 4),
        (True, 1),
    ]


def test_r_sec_2_rotation_stops_on_an_unreadable_value(region: Any) -> None:
    made = make_customers(3, region)
    store(Customer, "name", made[2].pk, "enc1:lost:AAAA")
    with override_settings(PERSONAL_DATA_KEYS=keys_with_new_current()):
        with pytest.raises(UnknownKeyError, match=r"customers\.customer\.name: key 'lost'"):
            rotate_data_keys(None, batch_size=2)
        # The first batch was committed; nothing of the failed batch was.
        assert stored(Customer, "name", made[0].pk).startswith("enc1:k2:")
        assert stored(Customer, "mobile", made[2].pk).startswith(f"enc1:{TEST_KEY}:")


def test_r_sec_2_values_in_clear_are_encrypted_by_the_migration_helper(
    customer: Customer,
) -> None:
    store(Customer, "mobile", customer.pk, "13766667777")
    store(Customer, "mobile_hash", customer.pk, "")
    store(Customer, "address", customer.pk, "北京市东城区1号")
    before_name = stored(Customer, "name", customer.pk)
    assert encrypt_existing_rows(Customer) == 1
    assert stored(Customer, "mobile", customer.pk).startswith(f"enc1:{TEST_KEY}:")
    assert stored(Customer, "name", customer.pk) == before_name  # already encrypted: kept
    again = Customer.objects.get(mobile_hash=lookup_hash("13766667777"))
    assert (again.mobile, again.address) == ("13766667777", "北京市东城区1号")
    assert encrypt_existing_rows(Customer) == 1  # a second run changes nothing readable
    assert Customer.objects.get(pk=customer.pk).mobile == "13766667777"


# --- the CLI ----------------------------------------------------------------------------------


def test_keys_status_and_rotate_commands(customer: Customer) -> None:
    out = io.StringIO()
    call_command("keys", "status", stdout=out)
    text = out.getvalue()
    assert "Current key: test1" in text
    assert "customers.customer.mobile" in text and "test1: 1" in text
    assert "Every value is under the current key." in text
    with override_settings(PERSONAL_DATA_KEYS=keys_with_new_current()):
        out = io.StringIO()
        call_command("keys", "status", stdout=out)
        assert "run `carrierdesk keys rotate`" in out.getvalue()
        out = io.StringIO()
        call_command("keys", "rotate", "--batch-size", "1", stdout=out)
        lines = out.getvalue().splitlines()
        assert lines[0].startswith("customers.customer: 1 rows re-encrypted (up to id ")
        assert lines[-1].startswith("Done: 4 values in 1 rows re-encrypted under key k2")
    with pytest.raises(CommandError, match="positive"):
        call_command("keys", "rotate", "--batch-size", "0")


def test_keys_new_adds_a_current_key_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARRIERDESK_VAR_DIR", str(tmp_path))
    monkeypatch.delenv(crypto.DATA_KEYS_ENV, raising=False)
    path = tmp_path / "data_keys.json"
    crypto.read_or_create_key_file(path, io.StringIO())
    first = json.loads(path.read_text())
    out = io.StringIO()
    call_command("keys", "new", stdout=out)
    content = json.loads(path.read_text())
    assert content["current"] == "k2"
    assert content["keys"]["k1"] == first["keys"]["k1"]
    assert len(base64.b64decode(content["keys"]["k2"])) == 32
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert "Key k2 added" in out.getvalue() and content["keys"]["k2"] not in out.getvalue()
    entry = AuditEntry.objects.get(event_type="data_keys.key_added")
    assert (entry.object_id, entry.changes["previous"]) == ("k2", "k1")
    assert content["keys"]["k2"] not in json.dumps(entry.changes)


def test_keys_new_with_environment_keys_explains_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARRIERDESK_VAR_DIR", str(tmp_path))
    monkeypatch.setenv(crypto.DATA_KEYS_ENV, f"k1:{NEW_KEY}")
    with pytest.raises(CommandError, match="CARRIERDESK_DATA_KEYS") as refused:
        call_command("keys", "new")
    assert refused.value.returncode == 1
    assert not (tmp_path / "data_keys.json").exists()
    assert not AuditEntry.objects.filter(event_type="data_keys.key_added").exists()


# --- acceptance: nothing in clear in the database (issue 4, R-SEC-2) ---------------------------

PHONE = "13698765432"
ID_FIRST17 = "44010619870523417"
ID_NUMBER = ID_FIRST17 + resident_id_check_character(ID_FIRST17)
NAME = "司马相如"
ADDRESS_TAIL = "锦绣大厦十八楼"


def _clear_forms() -> dict[str, list[bytes]]:
    texts = {"phone": PHONE, "id": ID_NUMBER, "name": NAME, "address": ADDRESS_TAIL}
    return {
        label: [text.encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be")]
        for label, text in texts.items()
    }


def _leaks(data: bytes) -> list[str]:
    return [label for label, forms in _clear_forms().items() if any(f in data for f in forms)]


def _pg_dump() -> str | None:
    found = shutil.which("pg_dump")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
    return candidates[-1] if candidates else None


@pytest.mark.django_db(transaction=True)
def test_r_sec_2_acceptance_no_phone_or_id_number_in_clear_in_the_database(
    api: Api, region: Any
) -> None:
    response = api("agent").post(
        "/api/v1/customers/",
        {
            "customer_type": "individual",
            "name": NAME,
            "mobile": PHONE,
            "id_type": "resident_id",
            "id_number": ID_NUMBER,
            "address": f"广东省广州市天河区体育西路{ADDRESS_TAIL}",
            "region": region.code,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Customer.objects.get(mobile_hash=lookup_hash(PHONE)).id_number == ID_NUMBER
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "copy.sqlite3"
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(copy)])
            data = copy.read_bytes()
            assert b"SQLite format 3" in data[:16] and len(data) > 10_000
            assert _leaks(data) == []
        # The live file and its write-ahead log as well (free pages included).
        name = str(connection.settings_dict["NAME"])
        for path in (name, f"{name}-wal"):
            if os.path.exists(path):
                assert _leaks(Path(path).read_bytes()) == [], path
        return
    if connection.vendor != "postgresql":
        pytest.skip(f"no dump check for {connection.vendor}")
    pg_dump = _pg_dump()
    if pg_dump is None:
        pytest.skip("pg_dump not found (PATH, /usr/lib/postgresql/*/bin)")
    settings_dict = connection.settings_dict
    environment = {**os.environ, "PGPASSWORD": str(settings_dict.get("PASSWORD") or "")}
    command = [pg_dump, "--no-owner", "--dbname", str(settings_dict["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            command += [option, str(settings_dict[key])]
    # S603: a fixed argv (pg_dump and the test database's own connection settings).
    dump = subprocess.run(  # noqa: S603
        command, env=environment, capture_output=True, check=True
    ).stdout
    assert b"customers_customer" in dump and b"enc1:" in dump
    assert _leaks(dump) == []
