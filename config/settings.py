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
    "django_filters",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

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

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Identifying data of children and families is encrypted with this key (AES-256-GCM).
# Base64 (urlsafe) of 32 random bytes, from the env or from a key file.
FIELD_ENCRYPTION_KEY = env_secret("KSQM_ENCRYPTION_KEY")
# Retired keys (comma-separated) that still decrypt older values after a key rotation.
FIELD_ENCRYPTION_OLD_KEYS = tuple(
    k for k in (env_secret("KSQM_ENCRYPTION_OLD_KEYS") or "").split(",") if k.strip()
)

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

# KSQM_TASK_BACKEND: "database" (default; the worker polls the database), "redis" (RQ on
# REDIS_URL, for many workers) or "immediate" (runs in the request; development only).
TASK_BACKEND = os.environ.get("KSQM_TASK_BACKEND", "database")
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "redis": {"BACKEND": "django_tasks_rq.RQBackend"},
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"KSQM_TASK_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {TASK_BACKEND!r}"
    )
if TASK_BACKEND == "redis":
    if not REDIS_URL:
        raise ImproperlyConfigured("KSQM_TASK_BACKEND=redis needs REDIS_URL")
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
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

# Health: the worker counts as alive while its heartbeat is younger than this.
WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("KSQM_WORKER_HEARTBEAT_MAX_AGE", "120"))
HEALTH_MIN_FREE_DISK_MB = int(os.environ.get("KSQM_MIN_FREE_DISK_MB", "500"))
