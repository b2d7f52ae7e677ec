"""The keyring, AES-GCM and the keyed lookup hash (R-SEC-2). No database."""

import base64
import io
import json
import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from carrierdesk.core import crypto
from carrierdesk.core.crypto import DecryptionError, Keyring, UnknownKeyError

K1 = bytes(range(32))
K2 = bytes(range(32, 64))
COLUMN = "customers.customer.mobile"
PHONE = "13812345678"


def ring(current: str = "k1", **keys: bytes) -> Keyring:
    return Keyring(current, keys or {"k1": K1})


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_r_sec_2_round_trip_in_the_stored_format() -> None:
    keys = ring()
    stored = keys.encrypt(PHONE, COLUMN)
    assert stored.startswith("enc1:k1:")
    assert PHONE not in stored
    assert keys.decrypt(stored, COLUMN) == PHONE
    assert crypto.key_id_of(stored) == "k1"
    # A fresh nonce each time: equal values do not give equal ciphertexts.
    assert keys.encrypt(PHONE, COLUMN) != stored
    assert keys.decrypt(keys.encrypt("欧阳娜娜 Ōyang", COLUMN), COLUMN) == "欧阳娜娜 Ōyang"


def test_r_sec_2_empty_stays_empty() -> None:
    assert ring().encrypt("", COLUMN) == ""
    assert ring().decrypt("", COLUMN) == ""
    assert crypto.key_id_of("") == ""


@pytest.mark.parametrize("position", [8, 20, -1])
def test_r_sec_2_a_tampered_value_is_refused_naming_column_and_key(position: int) -> None:
    stored = ring().encrypt(PHONE, COLUMN)
    flipped = "B" if stored[position] != "B" else "C"
    tampered = (
        stored[:position] + flipped + stored[position + 1 :]
        if position != -1
        else (stored[:-1] + flipped)
    )
    with pytest.raises(DecryptionError) as refused:
        ring().decrypt(tampered, COLUMN)
    message = str(refused.value)
    assert COLUMN in message and "k1" in message
    assert PHONE not in message
    assert (refused.value.column, refused.value.key_id) == (COLUMN, "k1")


def test_r_sec_2_a_truncated_or_foreign_value_is_refused() -> None:
    stored = ring().encrypt(PHONE, COLUMN)
    with pytest.raises(DecryptionError):
        ring().decrypt(stored[:20], COLUMN)
    with pytest.raises(DecryptionError, match="not in the enc1 format"):
        ring().decrypt(PHONE, COLUMN)  # a value never encrypted


def test_r_sec_2_an_unknown_key_id_is_a_clear_error() -> None:
    stored = ring("k2", k1=K1, k2=K2).encrypt(PHONE, COLUMN)
    with pytest.raises(UnknownKeyError) as refused:
        ring().decrypt(stored, COLUMN)
    message = str(refused.value)
    assert "'k2'" in message and COLUMN in message and "k1" in message
    assert PHONE not in message and b64(K1) not in message


def test_r_sec_2_values_are_bound_to_their_column() -> None:
    stored = ring().encrypt(PHONE, COLUMN)
    with pytest.raises(DecryptionError, match=r"customers\.customer\.address"):
        ring().decrypt(stored, "customers.customer.address")


def test_r_sec_2_relabelling_the_key_id_does_not_decrypt() -> None:
    keys = ring("k1", k1=K1, k2=K1)  # even the same key bytes under another id
    stored = keys.encrypt(PHONE, COLUMN)
    with pytest.raises(DecryptionError):
        keys.decrypt(stored.replace("enc1:k1:", "enc1:k2:"), COLUMN)


def test_r_sec_2_older_keys_decrypt_the_current_encrypts() -> None:
    old = ring().encrypt(PHONE, COLUMN)
    both = ring("k2", k1=K1, k2=K2)
    assert both.decrypt(old, COLUMN) == PHONE
    assert not both.is_current(old)
    assert both.is_current(both.encrypt(PHONE, COLUMN))


def test_key_material_stays_out_of_reprs() -> None:
    assert repr(K1) not in repr(ring()) and "keys" not in repr(ring())


def test_r_sec_2_lookup_hash_is_keyed_and_normalised() -> None:
    digest = crypto.lookup_hash("11010519491231002X", key="a")
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert crypto.lookup_hash(" 11010519491231002x ", key="a") == digest
    assert (
        crypto.lookup_hash("１１０１０５１９４９１２３１００２Ｘ", key="a") == digest
    )  # full width
    assert crypto.lookup_hash("11010519491231002X", key="b") != digest
    assert crypto.lookup_hash("", key="a") == "" and crypto.lookup_hash(None, key="a") == ""


def test_lookup_hash_uses_the_setting() -> None:
    with override_settings(PERSONAL_DATA_LOOKUP_KEY="one"):
        first = crypto.lookup_hash(PHONE)
    with override_settings(PERSONAL_DATA_LOOKUP_KEY="two"):
        assert crypto.lookup_hash(PHONE) != first


def test_keyring_follows_the_setting() -> None:
    setting = {"current": "k9", "keys": {"k9": b64(K2)}}
    with override_settings(PERSONAL_DATA_KEYS=setting):
        assert crypto.keyring().current == "k9"
    assert crypto.keyring().current == "test1"


def test_environment_keys_first_is_current() -> None:
    parsed = crypto.parse_environment_keys(f"k2:{b64(K2)}, k1:{b64(K1).rstrip('=')}")
    assert parsed["current"] == "k2"
    keys = Keyring.from_setting(parsed)
    assert dict(keys.keys) == {"k1": K1, "k2": K2}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "holds no key"),
        ("k1", "comma-separated"),
        (f"k1:{b64(K1)},k1:{b64(K2)}", "twice"),
        (f"K1:{b64(K1)}", "not valid"),
        ("k1:not base64!", "base64"),
        (f"k1:{b64(K1[:16])}", "32 bytes"),
    ],
)
def test_bad_environment_keys_are_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message) as refused:
        crypto.parse_environment_keys(text or " , ")
    assert b64(K1) not in str(refused.value)


def test_key_file_is_generated_once_private_and_announced(tmp_path: Path) -> None:
    path = tmp_path / "var" / "data_keys.json"
    said = io.StringIO()
    first = crypto.read_or_create_key_file(path, said)
    assert first["current"] == "k1" and set(first["keys"]) == {"k1"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    message = said.getvalue()
    assert "generated" in message and str(path) in message and "Back this file up" in message
    assert first["keys"]["k1"] not in message
    again = io.StringIO()
    assert crypto.read_or_create_key_file(path, again) == first
    assert again.getvalue() == ""
    assert json.loads(path.read_text()) == first


def test_environment_keys_take_precedence_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "data_keys.json"
    loaded = crypto.load_data_keys({crypto.DATA_KEYS_ENV: f"e1:{b64(K1)}"}, path)
    assert loaded["current"] == "e1"
    assert not path.exists()


def test_next_key_id() -> None:
    assert crypto.next_key_id({}) == "k1"
    assert crypto.next_key_id({"k1": 1, "k9": 1, "legacy": 1}) == "k10"
