"""Test settings: the base settings with a fast password hasher and isolated files."""

import tempfile

from carrierdesk.config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="carrierdesk-test-media-")
WHITENOISE_AUTOREFRESH = True
