"""Settings, read from the environment.

DATABASE_URL           database (default: SQLite file var/carrierdesk.sqlite3, WAL mode)
CARRIERDESK_SECRET_KEY secret key (default: generated into var/secret_key on first run)
CARRIERDESK_AUDIT_CHAIN_KEY  key of the audit hash chain (default: var/audit_chain_key)
CARRIERDESK_DATA_KEYS  personal-data encryption keys, `k2:<base64>,k1:<base64>`, the first
                       current (default: var/data_keys.json, generated on first run)
CARRIERDESK_LOOKUP_KEY key of the phone/ID lookup hashes (default: var/lookup_key)
CARRIERDESK_DEBUG      "1" for debug mode (never in production)
CARRIERDESK_ALLOWED_HOSTS comma-separated host names (default: localhost names)
CARRIERDESK_TIME_ZONE  default Asia/Shanghai
CARRIERDESK_VAR_DIR    state folder (default: the checkout's var/)
CARRIERDESK_MAX_ATTACHMENT_BYTES largest attachment accepted (default 20 MiB)
CARRIERDESK_SESSION_HOURS, CARRIERDESK_HTTPS, CARRIERDESK_OTP_REQUIRED_ROLES  sign-in (below)
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from carrierdesk.config.paths import PACKAGE_DIR, read_or_create_secret, var_dir
from carrierdesk.core.crypto import load_data_keys

VAR_DIR = var_dir()
BASE_DIR = PACKAGE_DIR


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("CARRIERDESK_SECRET_KEY") or read_or_create_secret("secret_key")
# The key of the audit trail's hash chain (R-SEC-3): kept outside the database, so whoever can
# edit the audit table cannot recompute the chain over an edited entry.
AUDIT_CHAIN_KEY = os.environ.get("CARRIERDESK_AUDIT_CHAIN_KEY") or read_or_create_secret(
    "audit_chain_key"
)
# Personal data encrypted at rest (R-SEC-2; docs/architecture.md "Personal data at rest"):
# {"current": key id, "keys": {key id: base64 32 bytes}}, from the environment or the key file,
# never the database. Losing them loses the data: back var/data_keys.json up on its own.
PERSONAL_DATA_KEYS = load_data_keys(os.environ, VAR_DIR / "data_keys.json")
# The key of the keyed hashes that phone, ID and service numbers are looked up by.
PERSONAL_DATA_LOOKUP_KEY = os.environ.get("CARRIERDESK_LOOKUP_KEY") or read_or_create_secret(
    "lookup_key"
)
DEBUG = env_bool("CARRIERDESK_DEBUG")
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("CARRIERDESK_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    # Bootstrap's compiled assets (django-bootstrap-static), served as static files.
    "bootstrap",
    "carrierdesk.core",
    "carrierdesk.audit",
    "carrierdesk.accounts",
    # Django's admin, with a sign-in that asks privileged roles for their code (R-SEC-4); after
    # `accounts`, whose templates/admin/base_site.html gives it the staff UI's look.
    "carrierdesk.accounts.apps.AdminConfig",
    "carrierdesk.customers",
    "carrierdesk.calendars",
    "carrierdesk.tickets",
    "carrierdesk.visits",
    "carrierdesk.sla",
    "carrierdesk.notifications",
    "carrierdesk.privacy",
    "carrierdesk.incidents",
    "carrierdesk.demo",
    "carrierdesk.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "carrierdesk.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the session's user verified once they passed the second factor (R-SEC-4).
    "django_otp.middleware.OTPMiddleware",
    # A signed-in staff member's own language (StaffProfile.language) wins over the browser's.
    "carrierdesk.web.middleware.StaffLanguageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "carrierdesk.config.urls"
WSGI_APPLICATION = "carrierdesk.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "carrierdesk.web.context.staff",
            ],
        },
    },
]


def database_config() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        url = f"sqlite:///{VAR_DIR / 'carrierdesk.sqlite3'}"
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock when a transaction starts, so two writers are
            # serialised instead of one failing on a stale snapshot (the SQLite row lock).
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
        # PostgreSQL's JIT compiles any query estimated above its cost threshold; on the
        # staff UI's short queries over a large table compiling took longer than the query
        # (330 of 348 ms measured with 1,000,000 tickets).
        options = dict(config.get("OPTIONS") or {})  # type: ignore[call-overload]
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
        config["OPTIONS"] = options
    return config


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("CARRIERDESK_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:home"
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Serve app static files straight from the packages: no collectstatic step in embedded mode.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("CARRIERDESK_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

MAX_ATTACHMENT_BYTES = int(os.environ.get("CARRIERDESK_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Sign-in, sessions and security headers (R-SEC-4; docs/architecture.md) -----------------
# CARRIERDESK_SESSION_HOURS        a session (admin sign-in) lasts at most this long (8: a working
#                                  day), and ends when the browser closes
# CARRIERDESK_HTTPS                "1" when served over HTTPS (behind a TLS proxy that sets
#                                  X-Forwarded-Proto): secure cookies and HSTS. Off by default:
#                                  the embedded mode serves plain HTTP on the loopback address.
# CARRIERDESK_OTP_REQUIRED_ROLES   roles that sign in with a one-time code as a second factor
#                                  (comma-separated; default supervisor,auditor,admin; an empty
#                                  value turns it off, for a development machine only)
SESSION_COOKIE_AGE = int(float(os.environ.get("CARRIERDESK_SESSION_HOURS", "8")) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: the admin and the API docs put the token in the page.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
HTTPS = env_bool("CARRIERDESK_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from the app's own files, never inline
# (the Swagger UI page loads its start script from a URL of its own). Inline styles stay
# allowed: Swagger UI's page and ReDoc's components set them. ReDoc's search runs in a worker
# built from a blob: URL.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Two-factor sign-in (accounts/otp.py): the roles that need it, and the name authenticator
# apps show for the account.
_otp_roles = os.environ.get("CARRIERDESK_OTP_REQUIRED_ROLES", "supervisor,auditor,admin")
OTP_REQUIRED_ROLES = frozenset(role.strip() for role in _otp_roles.split(",") if role.strip())
OTP_TOTP_ISSUER = "carrierdesk"
# Lockout (R-SEC-4): 5 failed sign-ins for a username lock it for 15 minutes. By username, not
# address: a call centre's agents sign in from behind one address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("CARRIERDESK_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("CARRIERDESK_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# axes.W006 asks for the address among the lockout parameters: deliberately not (see above),
# which leaves nothing to bypass by rotating user agents or cookies either.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# API tokens expire (R-SEC-4); CARRIERDESK_API_TOKEN_TTL_DAYS, default 30.
API_TOKEN_TTL = timedelta(days=float(os.environ.get("CARRIERDESK_API_TOKEN_TTL_DAYS", "30")))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "carrierdesk.accounts.tokens.ExpiringTokenAuthentication",
        "carrierdesk.accounts.sessions.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "carrierdesk.core.permissions.IsStaffMember",
    ],
    "DEFAULT_PAGINATION_CLASS": "carrierdesk.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "carrierdesk.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DATETIME_FORMAT": "iso-8601",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "carrierdesk API",
    "DESCRIPTION": "Customer-service process API: customers, subscriptions, tickets and their "
    'lifecycle actions. Errors are {"error": {"code", "message", "fields"}}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketKindEnum": "carrierdesk.tickets.choices.Kind",
        "TicketStatusEnum": "carrierdesk.tickets.choices.Status",
        "DepartmentKindEnum": "carrierdesk.accounts.choices.DepartmentKind",
        "SubscriptionStatusEnum": "carrierdesk.customers.choices.SubscriptionStatus",
        "DataSubjectRequestKindEnum": "carrierdesk.privacy.choices.RequestKind",
        "DataSubjectRequestStatusEnum": "carrierdesk.privacy.choices.RequestStatus",
        "IncidentLevelEnum": "carrierdesk.incidents.choices.Level",
        "IncidentStageEnum": "carrierdesk.incidents.choices.Stage",
        "TicketChannelEnum": "carrierdesk.tickets.choices.Channel",
        "ContactChannelEnum": "carrierdesk.tickets.choices.ContactChannel",
        "FeedbackStageEnum": "carrierdesk.tickets.choices.FeedbackStage",
        "ReturnVisitStatusEnum": "carrierdesk.visits.choices.VisitStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line is masked: a ticket's text or a caller's input may carry phone or ID numbers.
    "formatters": {
        "plain": {
            "()": "carrierdesk.core.logging.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CARRIERDESK_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes announces itself at INFO in every command; its lockouts are WARNINGs.
        "axes": {"level": "WARNING"},
    },
}

# --- Privacy (carrierdesk.privacy) ---------------------------------------------------------
# CARRIERDESK_PRIVACY_UNMASK_ALERT_PER_HOUR  unmaskings by one user within an hour above which
#                                            admins and auditors get a security alert (20)
PRIVACY_UNMASK_ALERT_PER_HOUR = int(
    os.environ.get("CARRIERDESK_PRIVACY_UNMASK_ALERT_PER_HOUR", "20")
)
# CARRIERDESK_RETENTION_REPORT_DIR  where `carrierdesk retention run` writes its JSON reports
#                                   (default var/reports)
RETENTION_REPORT_DIR = Path(os.environ.get("CARRIERDESK_RETENTION_REPORT_DIR", VAR_DIR / "reports"))

# --- Time limits (carrierdesk.sla) -----------------------------------------------------------
# CARRIERDESK_SLA_QUIET_HOURS_CALENDAR  calendar whose working hours alerts wait for, except for
#                                       the top urgency (default cn-business, 08:30-17:30)
# CARRIERDESK_SLA_SWEEP_INTERVAL        seconds between sweeps run by `serve` (default 30;
#                                       0 runs none: start `carrierdesk sla sweep --loop` apart)
SLA_QUIET_HOURS_CALENDAR = os.environ.get("CARRIERDESK_SLA_QUIET_HOURS_CALENDAR", "cn-business")
SLA_SWEEP_INTERVAL = float(os.environ.get("CARRIERDESK_SLA_SWEEP_INTERVAL", "30"))

# --- Notifications (carrierdesk.notifications) ------------------------------------------------
# CARRIERDESK_NOTIFICATION_CHANNELS        channels a notification goes to unless the caller
#                                          names them: comma-separated console, email, sms,
#                                          webhook (default: console)
# CARRIERDESK_NOTIFICATION_MAX_ATTEMPTS    delivery attempts before a message is failed (default 6;
#                                          retries wait 1 min × 2^(attempt − 1), at most 1 h)
# CARRIERDESK_NOTIFICATION_SMS_URL         the SMS gateway's endpoint, POSTed {"to", "text",
#                                          "reference"} as JSON (default: empty, no SMS)
# CARRIERDESK_NOTIFICATION_SMS_TOKEN       bearer token for the SMS gateway (default: none)
# CARRIERDESK_NOTIFICATION_WEBHOOK_URL     where each notification is also POSTed once, signed
#                                          (default: empty, no webhook)
# CARRIERDESK_NOTIFICATION_WEBHOOK_SECRET  HMAC-SHA256 key of the webhook signature (required
#                                          with a webhook URL; docs/architecture.md)
# Email goes through Django's EMAIL_BACKEND / EMAIL_HOST… settings and DEFAULT_FROM_EMAIL.
NOTIFICATION_CHANNELS = [
    channel.strip()
    for channel in os.environ.get("CARRIERDESK_NOTIFICATION_CHANNELS", "console").split(",")
    if channel.strip()
]
NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("CARRIERDESK_NOTIFICATION_MAX_ATTEMPTS", "6"))
NOTIFICATION_SMS_URL = os.environ.get("CARRIERDESK_NOTIFICATION_SMS_URL", "")
NOTIFICATION_SMS_TOKEN = os.environ.get("CARRIERDESK_NOTIFICATION_SMS_TOKEN", "")
NOTIFICATION_WEBHOOK_URL = os.environ.get("CARRIERDESK_NOTIFICATION_WEBHOOK_URL", "")
NOTIFICATION_WEBHOOK_SECRET = os.environ.get("CARRIERDESK_NOTIFICATION_WEBHOOK_SECRET", "")
# The console channel logs at INFO on "carrierdesk.notifications": keep that visible even when
# CARRIERDESK_LOG_LEVEL is WARNING. httpx logs every request URL at INFO, and a gateway or
# webhook URL may carry a token: only its warnings.
LOGGING["loggers"].update(  # type: ignore[attr-defined]  # LOGGING's values are of mixed types
    {
        "carrierdesk.notifications": {
            "level": "DEBUG"
            if os.environ.get("CARRIERDESK_LOG_LEVEL", "").upper() == "DEBUG"
            else "INFO"
        },
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    }
)

# --- Return visits and surveys (carrierdesk.visits, R-RV-1..3) --------------------------------
# CARRIERDESK_PUBLIC_URL          the address customers reach the site at, for survey links
#                                 (default http://127.0.0.1:8000)
# CARRIERDESK_SURVEY_VALID_DAYS   days a survey link works after it is sent (default 7)
# CARRIERDESK_SURVEY_QUIET_HOURS  local hours no survey SMS is sent, "21:00-08:00" (default; the
#                                 message waits until the end); empty for none
# CARRIERDESK_SURVEY_CAP          at most N surveys per customer within D days, "N/D" (default
#                                 1/7); a resolution past the cap sends none
PUBLIC_URL = os.environ.get("CARRIERDESK_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
SURVEY_VALID_DAYS = int(os.environ.get("CARRIERDESK_SURVEY_VALID_DAYS", "7"))
SURVEY_QUIET_HOURS = os.environ.get("CARRIERDESK_SURVEY_QUIET_HOURS", "21:00-08:00")
SURVEY_CAP = os.environ.get("CARRIERDESK_SURVEY_CAP", "1/7")
