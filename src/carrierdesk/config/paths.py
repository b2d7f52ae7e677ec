"""Where carrierdesk keeps its local state (embedded database, keys, uploaded files)."""

import os
import secrets
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _checkout_root() -> Path | None:
    # src/carrierdesk/config/paths.py -> the repository root, when running from a checkout.
    root = PACKAGE_DIR.parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def default_policy_pack() -> Path:
    """The default time-limit policy pack, `policies/cn-telecom-2025.yaml` in the checkout."""
    root = _checkout_root() or Path.cwd()
    return root / "policies" / "cn-telecom-2025.yaml"


def var_dir() -> Path:
    """The state folder: $CARRIERDESK_VAR_DIR, else the checkout's var/, else ./var."""
    configured = os.environ.get("CARRIERDESK_VAR_DIR")
    if configured:
        path = Path(configured)
    else:
        root = _checkout_root()
        path = (root if root else Path.cwd()) / "var"
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_or_create_secret(name: str, nbytes: int = 50) -> str:
    """Read a secret from var/NAME, creating it (mode 0600) on first use."""
    path = var_dir() / name
    if not path.exists():
        value = secrets.token_urlsafe(nbytes)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
        return value
    return path.read_text().strip()
