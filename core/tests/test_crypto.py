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


def test_key_that_is_not_base64_or_not_32_bytes_is_refused(settings):
    import base64

    settings.FIELD_ENCRYPTION_KEY = "!!!nicht base64!!!"
    with pytest.raises(ImproperlyConfigured, match="base64"):
        crypto.require_key()
    settings.FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(b"x" * 16).decode()
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        crypto.encrypt("x")
    settings.FIELD_ENCRYPTION_KEY = crypto.generate_key()
    settings.FIELD_ENCRYPTION_OLD_KEYS = ["kaputt"]
    with pytest.raises(ImproperlyConfigured):
        crypto.decrypt(crypto.encrypt.__doc__ or "")


def test_unknown_format_unknown_key_and_damaged_body_fail_as_decryption_errors():
    token = crypto.encrypt("Geheim")
    _version, kid, body = token.split(":", 2)
    for bad in (f"v9:{kid}:{body}", f"v1:00000000:{body}", f"v1:{kid}:", f"v1:{kid}:@@@@"):
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(bad)
    assert crypto.key_id(b"k" * 32) == crypto.key_id(b"k" * 32) and len(crypto.key_id(b"k")) == 8


def test_is_encrypted_and_rotation_of_plain_values():
    token = crypto.encrypt("x")
    assert crypto.is_encrypted(token)
    for plain in ("", None, "Familie Muster", "v1:nur-ein-teil"):
        assert not crypto.is_encrypted(plain)
    assert not crypto.needs_rotation("kein token")


def test_analysis_pseudonym_is_stable_keyed_and_hides_the_code(settings):
    code = "0b1c7f3e-1111-4222-8333-444455556666"
    first = crypto.analysis_pseudonym("case", code)
    assert first == crypto.analysis_pseudonym("case", code)
    assert first.startswith("C-") and len(first) == 18 and code[:8] not in first
    assert crypto.analysis_pseudonym("record", code).startswith("R-")
    assert crypto.analysis_pseudonym("case", code) != crypto.analysis_pseudonym("record", code)[0]
    settings.SECRET_KEY = "ein anderer Schlüssel für diesen Test"
    assert crypto.analysis_pseudonym("case", code) != first
