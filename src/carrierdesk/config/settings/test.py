"""Test settings: the base settings with a fast password hasher and isolated files."""

import os
import tempfile
from pathlib import Path

from carrierdesk.config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="carrierdesk-test-media-"))
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so tests with threads (row-lock races) share one database.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"carrierdesk-test-{os.getpid()}.sqlite3")
    }

# The "next year's holidays are missing" warning (R-CAL-2) depends on today's date and on the
# data imported, not on the code: it would make every command of the suite print it from
# 1 November. It is tested on its own (calendars/tests).
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "carrierdesk.W101"]  # noqa: F405
