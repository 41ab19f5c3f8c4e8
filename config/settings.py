"""Kinderschutz-QM settings: one module, driven by environment variables.

Every value that differs between a laptop, CI and a Jugendamt's server comes from the
environment; nothing is read from a local settings file. Invalid values fail loudly.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KSQM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Read a strict boolean: only "True"/"False" (healthchecks' rule), so typos fail."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw in ("True", "true", "1"):
        return True
    if raw in ("False", "false", "0"):
        return False
    raise ImproperlyConfigured(f"{name} must be True or False, not {raw!r}")


def env_int(name: str, default: int) -> int:
    """Read a non-negative integer; anything else fails at start-up, not at first use."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name} must not be negative, not {raw!r}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read a secret from NAME or from the file named by NAME_FILE (container secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} is not readable: {exc}") from exc
    return os.environ.get(name, default)


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105
    else:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG=False")

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    # Swagger UI's own static files (no CDN): ninja renders its local template only
    # when it is an installed app.
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_static",
    "core",
    "registry",
    # profiles sits a floor above registry and quality (CONTRIBUTING.md) but is listed
    # before quality: its demo data (the seed profiles) must run before the others'.
    "profiles",
    "quality",
    "network",
    "directory",
    "cases",
    "reviews",
    "analytics",
    "evaluation",
    "instruments",
    "partners",
    "standards",
    "trainings",
    "roles",
    # Last: its demo.py gives the demo users (made by profiles) their second factor.
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ApiProblemMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor
    # (django-otp's middleware, answered from the login snapshot, core.principal).
    "accounts.middleware.VerifiedDeviceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.platform",
            ],
        },
    }
]

# SQLite (WAL, under var/) unless DATABASE_URL names another engine.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "kinderschutz-qm.sqlite3",
            "OPTIONS": {
                # WAL lets readers run while a writer commits; IMMEDIATE avoids
                # "database is locked" upgrades inside transactions.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Keep each worker thread's connection: opening one and running the PRAGMAs
            # above cost more than a whole signed-in page (bench/load.py: the case list
            # went from 160 to 370 req/s). Django closes it after this many seconds or on
            # an error; KSQM_SQLITE_CONN_MAX_AGE=0 opens one per request again.
            "CONN_MAX_AGE": env_int("KSQM_SQLITE_CONN_MAX_AGE", 600),
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # BSI and NIST SP 800-63B: length beats composition rules; 12 characters at least.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("KSQM_PASSWORD_MIN_LENGTH", 12)},
    },
    # Django's 20,000 most common passwords plus the words of this field ("kinderschutz",
    # "jugendamt" …) with digits and symbols stripped; offline, no breach API is called.
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.DomainWordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login through our throttled backend first: it refuses a locked-out name or address
# before the password is even checked (accounts/throttle.py).
AUTHENTICATION_BACKENDS = ["accounts.backends.ThrottledModelBackend"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kinderschutz-qm@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# --- Login, second factor, sessions (accounts/) -------------------------------------------
# A working day at most, gone with the browser; case roles are also logged out after
# KSQM_IDLE_TIMEOUT_CASE_ROLES seconds without a request (0 switches a timeout off).
SESSION_COOKIE_AGE = env_int("KSQM_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
KSQM_IDLE_TIMEOUT_CASE_ROLES = env_int("KSQM_IDLE_TIMEOUT_CASE_ROLES", 15 * 60)
KSQM_IDLE_TIMEOUT = env_int("KSQM_IDLE_TIMEOUT", 60 * 60)
# Every role that can read case data must pass a second factor (TOTP, passkey or a
# recovery code). On by default; only the test settings switch it off for old tests.
KSQM_REQUIRE_SECOND_FACTOR = env_bool("KSQM_REQUIRE_SECOND_FACTOR", True)
OTP_TOTP_ISSUER = "Kinderschutz-QM"
# Passkeys (WebAuthn): the relying party is the host name users see in the address bar.
KSQM_WEBAUTHN_RP_ID = os.environ.get("KSQM_WEBAUTHN_RP_ID", "")
KSQM_WEBAUTHN_ORIGINS = env_list("KSQM_WEBAUTHN_ORIGINS")
# Login throttling in the shared cache (Redis when REDIS_URL is set): failures per name
# and address, per name from anywhere, per address for any name; then a lockout.
KSQM_LOGIN_FAILURES_PER_NAME_AND_ADDRESS = env_int("KSQM_LOGIN_FAILURES_PER_NAME_AND_ADDRESS", 5)
KSQM_LOGIN_FAILURES_PER_NAME = env_int("KSQM_LOGIN_FAILURES_PER_NAME", 20)
KSQM_LOGIN_FAILURES_PER_ADDRESS = env_int("KSQM_LOGIN_FAILURES_PER_ADDRESS", 50)
KSQM_LOGIN_LOCKOUT_SECONDS = env_int("KSQM_LOGIN_LOCKOUT_SECONDS", 15 * 60)
PASSWORD_RESET_TIMEOUT = env_int("KSQM_PASSWORD_RESET_SECONDS", 2 * 3600)

# --- Reverse proxy and TLS (env switches; `manage.py check --deploy` is clean with them) --
# The client address is taken from X-Forwarded-For only when the direct peer is one of
# these proxies (addresses or networks, e.g. "10.0.0.5,172.18.0.0/16").
KSQM_TRUSTED_PROXIES = env_list("KSQM_TRUSTED_PROXIES")
if env_bool("KSQM_BEHIND_TLS_PROXY", False):
    # Only behind a proxy that strips and sets this header itself (Django docs warning).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^health"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): scripts and style sheets only from our own origin
# or with this response's nonce; nothing from elsewhere, no eval, no inline handlers.
# Style *attributes* stay allowed: server-rendered bar charts and pyramids set widths
# with them so that they work without JavaScript, and an attribute cannot run script.
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features a child-protection platform never needs, refused for every page.
KSQM_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), "
    "publickey-credentials-get=(self), publickey-credentials-create=(self)"
)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The largest request body (mostly event-log uploads), refused by its Content-Length
# before Django spools it to disk; 413 otherwise. KSQM_MAX_UPLOAD_MB in the env.
KSQM_MAX_UPLOAD_BYTES = int(os.environ.get("KSQM_MAX_UPLOAD_MB", "1024")) * 1024 * 1024

# Identifying data of children and families is encrypted with this key (AES-256-GCM).
# Base64 (urlsafe) of 32 random bytes, from the env or from a key file.
FIELD_ENCRYPTION_KEY = env_secret("KSQM_ENCRYPTION_KEY")
# Retired keys (comma-separated) that still decrypt older values after a key rotation.
FIELD_ENCRYPTION_OLD_KEYS = tuple(
    k for k in (env_secret("KSQM_ENCRYPTION_OLD_KEYS") or "").split(",") if k.strip()
)

# Retention (issue 14). Case-review narratives are blanked this many years after the
# review was closed, unless a legal hold is set on the review; raw near-miss texts this
# many years after receipt (the answer and the anonymised public version stay).
KSQM_REVIEW_RETENTION_YEARS = env_int("KSQM_REVIEW_RETENTION_YEARS", 10)
KSQM_INCIDENT_RETENTION_YEARS = env_int("KSQM_INCIDENT_RETENTION_YEARS", 3)
# Audit trail and read log rows older than this many days are deleted by purge_logs,
# except rows about records under a legal hold or in an open § 8a procedure.
KSQM_LOG_RETENTION_DAYS = env_int("KSQM_LOG_RETENTION_DAYS", 3 * 365)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines would carry IP addresses; the access log is written by the app.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# --- operations: background tasks, shared cache, logs (issue 15) -------------------------
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "operations"]

# Redis is the shared part of a multi-machine installation (cache, sessions, rate limits,
# optionally the task queue). Without it one machine gets a file cache under var/, which
# all processes of that machine share (a per-process cache would give every web worker
# its own rate limit).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("KSQM_CACHE_PREFIX", "ksqm"),
        }
    }
    # Read from Redis, written through to the database: a Redis restart logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# KSQM_TASK_BACKEND: "database" (default: tasks wait in the database, `manage.py worker`
# runs them; any number of workers on any machine), "redis" (tasks wait in Redis at
# REDIS_URL: for installations with many workers; same task code, same worker command) or
# "immediate" (runs in the request; development only).
TASK_BACKEND = os.environ.get("KSQM_TASK_BACKEND", "database")
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "redis": {
        "BACKEND": "operations.redis_tasks.RedisTaskBackend",
        "OPTIONS": {
            "LOCATION": REDIS_URL,
            "PREFIX": os.environ.get("KSQM_CACHE_PREFIX", "ksqm") + ":tasks",
        },
    },
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"KSQM_TASK_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {TASK_BACKEND!r}"
    )
if TASK_BACKEND == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("KSQM_TASK_BACKEND=redis needs REDIS_URL (redis://host:6379/0)")
TASKS = {"default": {**_TASK_BACKENDS[TASK_BACKEND], "QUEUES": ["default"]}}

# JSON lines (one object per record, with the request id) unless LOG_FORMAT=text.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING["formatters"] = {
    "json": {"()": "operations.logs.JsonFormatter"},
    "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
}
LOGGING["filters"] = {"request_id": {"()": "operations.logs.RequestIdFilter"}}
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "text"
LOGGING["handlers"]["console"]["filters"] = ["request_id"]
# Optional error reporting: a JSON POST per unhandled error to this URL, with the error's
# type and code location only (no message text, no request data, no user: see logs.py).
ERROR_REPORT_URL = os.environ.get("KSQM_ERROR_REPORT_URL", "")
if ERROR_REPORT_URL:
    LOGGING["handlers"]["error_report"] = {
        "class": "operations.logs.ErrorReportHandler",
        "level": "ERROR",
        "url": ERROR_REPORT_URL,
    }
    LOGGING["root"]["handlers"].append("error_report")

# Rendered tables of signed-in lists (the case list) kept per web process, in memory only
# (never in the shared cache: they show social data); 0 switches it off (core.fragcache).
KSQM_FRAGMENT_CACHE_ENTRIES = env_int("KSQM_FRAGMENT_CACHE_ENTRIES", 500)
# Signed-in users (row, roles, teams, confirmed device ids) kept per web process between
# their changes (core.principal); 0 reads them from the database on every request.
KSQM_PRINCIPAL_CACHE_ENTRIES = env_int("KSQM_PRINCIPAL_CACHE_ENTRIES", 2000)

# Anonymous public API responses are cached this long at most (invalidated on change).
PUBLIC_CACHE_SECONDS = int(os.environ.get("KSQM_PUBLIC_CACHE_SECONDS", "300"))

# Backups are sealed with this key if set, else with a key derived from the data key.
BACKUP_KEY = env_secret("KSQM_BACKUP_KEY")

# Health: the worker counts as alive while its heartbeat is younger than this.
WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("KSQM_WORKER_HEARTBEAT_MAX_AGE", "120"))
HEALTH_MIN_FREE_DISK_MB = int(os.environ.get("KSQM_MIN_FREE_DISK_MB", "500"))
