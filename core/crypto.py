"""Authenticated field encryption for identifying social data (AES-256-GCM).

Names, birth dates and addresses in § 8a procedures must not lie in the database in clear
text: a leaked backup or a curious database administrator must learn nothing. We use
AES-256-GCM (authenticated: a tampered ciphertext fails to decrypt instead of yielding
garbage) from ``cryptography``.

Token format: ``v1:<key id>:<urlsafe base64(nonce ‖ ciphertext ‖ tag)>``. The key id is
derived from the key itself (first 8 hex digits of its SHA-256), so that keys can rotate:
``settings.FIELD_ENCRYPTION_KEY`` encrypts, and old keys listed in
``settings.FIELD_ENCRYPTION_OLD_KEYS`` (optional) still decrypt. Without a key every
operation raises ``ImproperlyConfigured`` — writing social data unencrypted is never an
option.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
NONCE_BYTES = 12

__all__ = ["DecryptionError", "decrypt", "encrypt", "generate_key", "is_encrypted", "key_id"]


class DecryptionError(ValueError):
    """The ciphertext was tampered with, or no configured key fits it."""


def generate_key() -> str:
    """A fresh key in the settings' format: urlsafe base64 of 32 random bytes."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _decode_key(raw: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw.strip().encode())
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not valid urlsafe base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must encode exactly 32 bytes")
    return key


def key_id(key: bytes) -> str:
    """A short public identifier of a key (not secret: a hash prefix)."""
    return hashlib.sha256(key).hexdigest()[:8]


@lru_cache(maxsize=8)
def _keyring(current: str | None, old: tuple[str, ...]) -> tuple[str, dict[str, AESGCM]]:
    if not current:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY is not set: identifying case data cannot be stored. "
            "Set KSQM_ENCRYPTION_KEY or KSQM_ENCRYPTION_KEY_FILE."
        )
    primary = _decode_key(current)
    ring = {key_id(primary): AESGCM(primary)}
    for raw in old:
        key = _decode_key(raw)
        ring.setdefault(key_id(key), AESGCM(key))
    return key_id(primary), ring


def _settings_keyring() -> tuple[str, dict[str, AESGCM]]:
    current = getattr(settings, "FIELD_ENCRYPTION_KEY", None)
    old = tuple(getattr(settings, "FIELD_ENCRYPTION_OLD_KEYS", ()) or ())
    return _keyring(current, old)


def require_key() -> None:
    """Raise ``ImproperlyConfigured`` unless a valid key is configured."""
    _settings_keyring()


def is_encrypted(value: str | None) -> bool:
    """Whether ``value`` looks like one of our tokens."""
    return bool(value) and value.startswith(VERSION + ":") and value.count(":") >= 2


def encrypt(plaintext: str, *, associated_data: bytes | None = None) -> str:
    """Encrypt ``plaintext`` with the current key; a fresh random nonce every time."""
    kid, ring = _settings_keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring[kid].encrypt(nonce, plaintext.encode("utf-8"), associated_data)
    body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    return f"{VERSION}:{kid}:{body}"


def decrypt(token: str, *, associated_data: bytes | None = None) -> str:
    """Decrypt a token written by :func:`encrypt` with the current or an old key."""
    _, ring = _settings_keyring()
    try:
        version, kid, body = token.split(":", 2)
    except ValueError as exc:
        raise DecryptionError("not an encrypted value") from exc
    if version != VERSION:
        raise DecryptionError(f"unknown format {version}")
    aes = ring.get(kid)
    if aes is None:
        raise DecryptionError(f"no key with id {kid} is configured")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return aes.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated_data).decode("utf-8")
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise DecryptionError("ciphertext does not authenticate") from exc


def needs_rotation(token: str) -> bool:
    """Whether ``token`` was written with a key other than the current one."""
    kid, _ = _settings_keyring()
    return is_encrypted(token) and token.split(":", 2)[1] != kid


def analysis_pseudonym(kind: str, code: object) -> str:
    """The name a record gets in the process analysis: stable, but not its URL code.

    The event logs of procedures and partner records are read across communes by the
    project team and the platform administration (aggregated analysis). With the record's
    public code (the UUID in its URL) such a reader could still name and address one case;
    a keyed hash (``SECRET_KEY``) joins the events of a case, and of the partner record
    that became its Mitteilung, without that (issue 14).
    """
    from django.utils.crypto import salted_hmac

    digest = salted_hmac(f"ksqm.analysis.{kind}", str(code), algorithm="sha256").hexdigest()
    return f"{kind[:1].upper()}-{digest[:16]}"


def current_key_id() -> str:
    """The id of the key new values are encrypted with."""
    kid, _ = _settings_keyring()
    return kid


def token_key_id(token: str) -> str:
    """The id of the key a ``v1`` or row-bound ``v2`` token was written with."""
    parts = token.split(":", 2)
    return parts[1] if len(parts) == 3 else ""
