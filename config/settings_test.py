"""Test-only overrides: fast hashing, in-memory mail, a fixed encryption key."""

import os

os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# 32 zero bytes would hide key-handling bugs; this is a fixed random test key.
FIELD_ENCRYPTION_KEY = "Yp1Q4nq3k2b2mRr5hq7mZcS4yX9v0Q3dJ8fW6tLkA1E="
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_CODE = "de"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 – silences whitenoise in tests
# Tasks run right where they are enqueued; the task-system tests switch to the database
# backend explicitly. One in-process cache per test worker.
TASK_BACKEND = "immediate"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Enforcement that the older tests (client.force_login, time travel) would trip over is
# off here and switched on by the accounts tests that prove it (see conftest.py):
# production default is ON for both.
KSQM_REQUIRE_SECOND_FACTOR = False
KSQM_IDLE_TIMEOUT_CASE_ROLES = 0
KSQM_IDLE_TIMEOUT = 0
SESSION_COOKIE_AGE = 14 * 24 * 3600  # time-travelling tests outlive a working day
# Tests roll the database back but not the cache: public responses are cached only in
# the tests of the cache itself.
PUBLIC_CACHE_SECONDS = 0
