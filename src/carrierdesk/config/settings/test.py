"""Test settings: the base settings with a fast password hasher and isolated files."""

import os
import tempfile
from pathlib import Path

from carrierdesk.config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="carrierdesk-test-media-"))
RETENTION_REPORT_DIR = Path(tempfile.mkdtemp(prefix="carrierdesk-test-reports-"))
WHITENOISE_AUTOREFRESH = True
# Fixed keys, not files (R-SEC-2): tests never write or read var/data_keys.json.
PERSONAL_DATA_KEYS = {
    "current": "test1",
    "keys": {"test1": "dGVzdC1kYXRhLWtleS0xLW5vdC1mb3ItcHJvZHVjdGk="},
}
PERSONAL_DATA_LOOKUP_KEY = "test-lookup-key-not-for-production"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so tests with threads (row-lock races) share one database.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"carrierdesk-test-{os.getpid()}.sqlite3")
    }

# The "next year's holidays are missing" warning (R-CAL-2) depends on today's date and on the
# data imported, not on the code: it would make every command of the suite print it from
# 1 November. It is tested on its own (calendars/tests).
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "carrierdesk.W101"]  # noqa: F405

# Two-factor sign-in stays on in tests whatever a development machine's environment says.
OTP_REQUIRED_ROLES = frozenset({"supervisor", "auditor", "admin"})
