"""Personal data encrypted at rest (R-SEC-2): the keyring, AES-GCM and the keyed lookup hash.

Stored form of an encrypted value::

    enc1:<key id>:<base64url(nonce || ciphertext+tag)>   (no padding)

AES-256-GCM with a random 96-bit nonce per value; the associated data is
`enc1:<key id>:<column>` (e.g. `customers.customer.mobile`), so a value copied into another
column, or relabelled with another key id, fails authentication instead of decrypting. The
empty string is stored as itself: a blank field costs nothing and reveals only that it is
blank.

Keys live outside the database (settings `PERSONAL_DATA_KEYS`, read from the environment
`CARRIERDESK_DATA_KEYS` or the file `var/data_keys.json`): the current key encrypts, every key
of the ring decrypts, so values written under an older key stay readable until `carrierdesk
keys rotate` re-encrypts them. Lookups by phone or ID number go through an HMAC-SHA256 of the
normalised value under a separate key (`PERSONAL_DATA_LOOKUP_KEY`), since an encrypted column
can be neither searched nor indexed.

Errors name the column and the key id, never the value.
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

#: The version tag of the stored format.
PREFIX = "enc1"
NONCE_BYTES = 12
KEY_BYTES = 32
#: Key ids are lower-case: SQLite's LIKE (which `keys status`/`rotate` select with) ignores case.
KEY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
#: The environment variables the keys may come from instead of files.
DATA_KEYS_ENV = "CARRIERDESK_DATA_KEYS"
LOOKUP_KEY_ENV = "CARRIERDESK_LOOKUP_KEY"


class CryptoError(Exception):
    """A stored value that cannot be decrypted. The message names column and key id only."""

    def __init__(self, message: str, *, column: str, key_id: str = "") -> None:
        self.column = column
        self.key_id = key_id
        super().__init__(message)


class UnknownKeyError(CryptoError):
    """The value was encrypted under a key id the keyring does not hold."""


class DecryptionError(CryptoError):
    """The value is malformed, was altered, or belongs to another column."""


# --- the keyring -------------------------------------------------------------------------------


def _b64decode(text: str) -> bytes:
    """Standard or URL-safe base64, padded or not."""
    text = text.strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decode_key(key_id: str, encoded: str) -> bytes:
    """The 32 key bytes of `encoded`; ImproperlyConfigured (naming only the id) if unusable."""
    if not KEY_ID.match(key_id):
        raise ImproperlyConfigured(
            f"Personal-data key id {key_id!r} is not valid: use 1-32 lower-case letters, "
            "digits, '-' or '_' (e.g. k1)."
        )
    try:
        key = _b64decode(encoded)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"Personal-data key {key_id} is not valid base64.") from None
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"Personal-data key {key_id} must be {KEY_BYTES} bytes (AES-256), not {len(key)}."
        )
    return key


@dataclass(frozen=True)
class Keyring:
    """The data keys by id, and which one encrypts."""

    current: str
    keys: Mapping[str, bytes] = field(repr=False)  # never in a traceback or a log
    _ciphers: dict[str, AESGCM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ImproperlyConfigured(
                f"The current personal-data key {self.current} is not among the keys."
            )
        # One cipher object per key, built once (the object is reusable and thread-safe).
        object.__setattr__(self, "_ciphers", {kid: AESGCM(key) for kid, key in self.keys.items()})

    @classmethod
    def from_setting(cls, value: Mapping[str, Any]) -> "Keyring":
        """From `{"current": id, "keys": {id: base64}}`, the shape of the setting and file."""
        try:
            current, encoded = value["current"], value["keys"]
        except (KeyError, TypeError):
            raise ImproperlyConfigured(
                'PERSONAL_DATA_KEYS must look like {"current": "k1", "keys": {"k1": "<base64>"}}.'
            ) from None
        return cls(current, {kid: decode_key(kid, text) for kid, text in dict(encoded).items()})

    def _cipher(self, key_id: str, column: str) -> AESGCM:
        try:
            cipher = self._ciphers[key_id]
        except KeyError:
            raise UnknownKeyError(
                f"Cannot decrypt {column}: key {key_id!r} is not in the keyring "
                f"(known: {', '.join(sorted(self.keys))}). Restore the key it was written under.",
                column=column,
                key_id=key_id,
            ) from None
        return cipher

    def encrypt(self, text: str, column: str) -> str:
        """`text` encrypted under the current key for `column`; "" stays ""."""
        if text == "":
            return ""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._cipher(self.current, column).encrypt(
            nonce, text.encode("utf-8"), associated_data(self.current, column)
        )
        body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")
        return f"{PREFIX}:{self.current}:{body}"

    def decrypt(self, stored: str, column: str) -> str:
        """The clear text of a value stored in `column`; "" stays ""."""
        if stored == "":
            return ""
        key_id, body = split(stored, column)
        cipher = self._cipher(key_id, column)
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            if len(raw) < NONCE_BYTES + 16:
                raise ValueError("too short")
            clear = cipher.decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated_data(key_id, column)
            )
            return clear.decode("utf-8")
        except (InvalidTag, ValueError, binascii.Error):
            raise DecryptionError(
                f"Cannot decrypt {column} under key {key_id}: the value was altered, is "
                "truncated, or was moved from another column.",
                column=column,
                key_id=key_id,
            ) from None

    def is_current(self, stored: str) -> bool:
        return stored.startswith(f"{PREFIX}:{self.current}:")


def associated_data(key_id: str, column: str) -> bytes:
    return f"{PREFIX}:{key_id}:{column}".encode()


def split(stored: str, column: str) -> tuple[str, str]:
    """(key id, body) of a stored value; DecryptionError if it is not in the stored format."""
    parts = stored.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1]:
        raise DecryptionError(
            f"Cannot decrypt {column}: the stored value is not in the {PREFIX} format "
            "(not encrypted, or damaged).",
            column=column,
        )
    return parts[1], parts[2]


def key_id_of(stored: str) -> str | None:
    """The key id a stored value was encrypted under; "" for an empty value, None for a value
    that is not in the encrypted format."""
    if stored == "":
        return ""
    parts = stored.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX and parts[1] else None


_cache: tuple[object, Keyring] | None = None


def keyring() -> Keyring:
    """The keyring of the settings, built once (and again when the setting object changes,
    as under `override_settings`)."""
    global _cache
    source = settings.PERSONAL_DATA_KEYS
    cached = _cache
    if cached is not None and cached[0] is source:
        return cached[1]
    ring = Keyring.from_setting(source)
    _cache = (source, ring)
    return ring


# --- the keyed lookup hash ---------------------------------------------------------------------


def normalise_for_lookup(value: str) -> str:
    """NFKC (full-width digits become ASCII), no white space, upper case.

    Callers normalise the domain's way first (a mobile number without its +86, an ID number's
    check character); this only removes the differences no identifier means."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def lookup_hash(value: str | None, key: str | bytes | None = None) -> str:
    """HMAC-SHA256 (hex) of the normalised value under the lookup key; "" for an empty value.

    Query with it: `Customer.objects.filter(mobile_hash=lookup_hash(number))`."""
    if not value:
        return ""
    normalised = normalise_for_lookup(value)
    if not normalised:
        return ""
    secret = settings.PERSONAL_DATA_LOOKUP_KEY if key is None else key
    secret_bytes = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(secret_bytes, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


# --- where the keys come from ------------------------------------------------------------------


def parse_environment_keys(text: str) -> dict[str, Any]:
    """`k2:<base64>,k1:<base64>` (the first is current) as the setting's shape."""
    keys: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        key_id = key_id.strip()
        if not sep or not encoded.strip():
            raise ImproperlyConfigured(
                f"{DATA_KEYS_ENV} must be a comma-separated list of <key id>:<base64 key>."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"{DATA_KEYS_ENV} names key {key_id} twice.")
        decode_key(key_id, encoded)
        keys[key_id] = encoded.strip()
    if not keys:
        raise ImproperlyConfigured(f"{DATA_KEYS_ENV} is set but holds no key.")
    return {"current": next(iter(keys)), "keys": keys}


def new_key() -> str:
    """A fresh random AES-256 key, base64."""
    return _b64encode(os.urandom(KEY_BYTES))


def next_key_id(existing: Mapping[str, object]) -> str:
    """k1, k2, … : one more than the highest kN in use."""
    numbers = [int(kid[1:]) for kid in existing if re.fullmatch(r"k\d+", kid)]
    return f"k{max(numbers, default=0) + 1}"


def write_key_file(path: Path, content: Mapping[str, Any], *, replace: bool) -> bool:
    """Write the key file atomically with mode 0600. With `replace=False` an existing file is
    left alone (another process made it first) and False is returned."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(content, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
            return True
        try:
            os.link(temporary, path)  # fails if the file exists: never overwrite a key file
        except FileExistsError:
            return False
        return True
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def read_key_file(path: Path) -> dict[str, Any]:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"Cannot read the personal-data keys in {path}: {exc}") from None
    Keyring.from_setting(content)  # validate now, with a clear message
    return dict(content)


def read_or_create_key_file(path: Path, stderr: TextIO | None = None) -> dict[str, Any]:
    """The keys of `path`, creating the file with one fresh key on first run and saying so.

    The message is plain English: it is printed while settings load, before translations."""
    if not path.exists():
        content = {"current": "k1", "keys": {"k1": new_key()}}
        if write_key_file(path, content, replace=False):
            (stderr or sys.stderr).write(
                f"carrierdesk: generated a new personal-data encryption key in {path}. "
                "Back this file up now, apart from the database backups: without it the "
                "encrypted personal data cannot be read.\n"
            )
    return read_key_file(path)


def load_data_keys(environment: Mapping[str, str], path: Path) -> dict[str, Any]:
    """The setting `PERSONAL_DATA_KEYS`: from the environment if set, else from the file."""
    text = environment.get(DATA_KEYS_ENV, "").strip()
    if text:
        return parse_environment_keys(text)
    return read_or_create_key_file(path)
