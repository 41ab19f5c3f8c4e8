"""AES-256-GCM field encryption: round trip, tamper detection, rotation, missing key."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import crypto


def test_round_trip_and_random_nonce():
    a = crypto.encrypt("Familie Muster-A")
    b = crypto.encrypt("Familie Muster-A")
    assert a != b
    assert "Muster" not in a
    assert a.startswith("v1:")
    assert crypto.decrypt(a) == crypto.decrypt(b) == "Familie Muster-A"


def test_tampered_ciphertext_fails():
    token = crypto.encrypt("Geheim")
    head, body = token.rsplit(":", 1)
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{head}:{flipped}")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("kein token")


def test_associated_data_binds_the_value():
    token = crypto.encrypt("x", associated_data=b"row-1")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, associated_data=b"row-2")


def test_rotation_old_key_still_decrypts(settings):
    old_key = settings.FIELD_ENCRYPTION_KEY
    token = crypto.encrypt("Alt")
    settings.FIELD_ENCRYPTION_KEY = crypto.generate_key()
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)
    settings.FIELD_ENCRYPTION_OLD_KEYS = [old_key]
    assert crypto.decrypt(token) == "Alt"
    assert crypto.needs_rotation(token)
    assert not crypto.needs_rotation(crypto.encrypt("Neu"))


def test_missing_or_bad_key_fails_loudly(settings):
    settings.FIELD_ENCRYPTION_KEY = None
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")
    settings.FIELD_ENCRYPTION_KEY = "zu-kurz"
    with pytest.raises(ImproperlyConfigured):
        crypto.require_key()
