"""Issue 14: TOTP secrets are encrypted at rest (django-otp's TOTPDevice kept them in
clear); existing devices move over by a data migration without a new enrolment."""

from __future__ import annotations

import importlib
import time

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone
from django_otp.oath import TOTP

from accounts import services
from accounts.models import TOTPApp

pytestmark = pytest.mark.django_db
KEY_HEX = "3132333435363738393031323334353637383930"  # RFC 6238's test secret


def _raw_secret(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpapp WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _code(key_hex: str, step: int = 0) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = time.time() + 30 * step
    return f"{totp.token():06d}"


def test_the_secret_is_a_row_bound_ciphertext_and_still_verifies(caseworker_a):
    app = TOTPApp.objects.create(user=caseworker_a, name="App", secret=KEY_HEX)
    raw = _raw_secret(app.pk)
    assert raw.startswith("v2:") and KEY_HEX not in raw
    fresh = TOTPApp.objects.get(pk=app.pk)
    assert fresh.secret == KEY_HEX
    assert fresh.verify_token(_code(KEY_HEX))
    assert not fresh.verify_token(_code(KEY_HEX))  # never the same code twice
    assert not fresh.verify_token("12345x")
    assert "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" in fresh.config_url


def test_a_secret_copied_to_another_users_app_does_not_open(caseworker_a, caseworker_b):
    from core.crypto import DecryptionError

    mine = TOTPApp.objects.create(user=caseworker_a, name="App", secret=KEY_HEX)
    theirs = TOTPApp.objects.create(user=caseworker_b, name="App")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_totpapp SET secret = %s WHERE id = %s",
            [_raw_secret(mine.pk), theirs.pk],
        )
    with pytest.raises(DecryptionError):
        _ = TOTPApp.objects.get(pk=theirs.pk).secret


def test_enrolment_creates_an_encrypted_random_secret(caseworker_a):
    app = services.totp_device_start(user=caseworker_a, actor=caseworker_a, verified=False)
    assert len(app.secret) == 40 and app.secret not in _raw_secret(app.pk)
    services.totp_device_confirm(
        device=app, token=_code(app.secret), actor=caseworker_a, verified=False
    )
    assert TOTPApp.objects.get(pk=app.pk).confirmed


def test_migration_moves_clear_otp_devices_into_encrypted_apps(caseworker_a):
    migration = importlib.import_module("accounts.migrations.0003_move_totp_secrets")

    class _Editor:
        pass

    editor = _Editor()
    editor.connection = connection
    used = timezone.now().replace(microsecond=0)
    auto_id = "serial" if connection.vendor == "postgresql" else "integer"
    with connection.cursor() as cursor:  # django-otp's table as an older installation has it
        cursor.execute(
            f"CREATE TABLE otp_totp_totpdevice (id {auto_id} PRIMARY KEY, user_id integer, "
            "name varchar(64), confirmed bool, key varchar(80), step smallint, t0 bigint, "
            "digits smallint, tolerance smallint, drift smallint, last_t bigint, "
            "throttling_failure_timestamp timestamp with time zone NULL, "
            "throttling_failure_count integer, "
            "created_at timestamp with time zone NULL, last_used_at timestamp with time zone NULL)"
        )
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice VALUES "
            "(1, %s, 'Handy', true, %s, 30, 0, 6, 1, 0, 55, NULL, 2, %s, %s)",
            [caseworker_a.pk, KEY_HEX, used, used],
        )
    try:
        migration.forward(django_apps, editor)
        app = TOTPApp.objects.get(user=caseworker_a)
        assert (app.name, app.confirmed, app.last_t, app.throttling_failure_count) == (
            "Handy",
            True,
            55,
            2,
        )
        assert app.secret == KEY_HEX and KEY_HEX not in _raw_secret(app.pk)
        assert app.last_used_at == used
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM otp_totp_totpdevice")
            assert cursor.fetchone()[0] == 0
        migration.backward(django_apps, editor)
        assert not TOTPApp.objects.exists()
        with connection.cursor() as cursor:
            cursor.execute("SELECT key, name FROM otp_totp_totpdevice")
            assert cursor.fetchall() == [(KEY_HEX, "Handy")]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE otp_totp_totpdevice")


def test_the_migration_does_nothing_on_a_fresh_installation(caseworker_a):
    migration = importlib.import_module("accounts.migrations.0003_move_totp_secrets")

    class _Editor:
        pass

    editor = _Editor()
    editor.connection = connection
    migration.forward(django_apps, editor)
    assert not TOTPApp.objects.exists()
