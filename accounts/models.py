"""Second-factor devices: authenticator apps with an encrypted secret, and passkeys.

Recovery codes use django-otp's own ``StaticDevice`` (only hashes would be better; they
are single-use and shown once). The TOTP app is our own model instead of django-otp's
``TOTPDevice``, whose secret lies in clear in the database: here it is sealed like case
data (``core.fields``, bound to the row). All are django-otp ``Device`` subclasses, so
``django_otp.login`` and ``request.user.is_verified()`` treat them alike.
"""

from __future__ import annotations

import time
import uuid
from base64 import b32encode
from binascii import unhexlify
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex

from core.fields import EncryptedTextField


def totp_secret_new() -> str:
    """20 random bytes, hex-encoded (RFC 4226 recommends 160 bits)."""
    return random_hex(20)


class TOTPApp(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238) of one user; the secret is encrypted at rest.

    Same parameters and verification as django-otp's ``TOTPDevice`` (30 s steps, 6 digits,
    one step of tolerance, no code twice, throttling after wrong codes), but whoever reads
    the database or a backup without the data key cannot compute anyone's codes.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    secret = EncryptedTextField(_("Schlüssel (hex, verschlüsselt)"), default=totp_secret_new)
    step = models.PositiveSmallIntegerField(_("Zeitschritt (s)"), default=30)
    t0 = models.BigIntegerField(_("Startzeit (Unix)"), default=0)
    digits = models.PositiveSmallIntegerField(_("Stellen"), default=6)
    tolerance = models.PositiveSmallIntegerField(_("Toleranz (Schritte)"), default=1)
    drift = models.SmallIntegerField(_("Abweichung (Schritte)"), default=0)
    last_t = models.BigIntegerField(_("letzter Zeitschritt"), default=-1)

    class Meta(Device.Meta):
        verbose_name = _("Authenticator-App")
        verbose_name_plural = _("Authenticator-Apps")

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.secret.encode())

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def verify_token(self, token: Any) -> bool:
        """django-otp's TOTP check: a code of this or a neighbouring step, never twice."""
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            number = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(number, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    @property
    def config_url(self) -> str:
        """The ``otpauth://`` URL an authenticator app reads from the QR code."""
        label = str(self.user.get_username())
        params = urlencode(
            {
                "secret": b32encode(self.bin_key),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "") or "").replace(":", "")
        if issuer:
            label = f"{issuer}:{label}"
            params += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{params}"


class WebAuthnCredential(TimestampMixin, Device):
    """A passkey or security key (FIDO2/WebAuthn) registered by one user.

    Only the public key is stored; the private key never leaves the authenticator. The
    signature counter detects cloned authenticators that support one.
    """

    credential_id = models.CharField(_("Kennung"), max_length=1024, unique=True)
    public_key = models.BinaryField(_("öffentlicher Schlüssel"))
    sign_count = models.PositiveBigIntegerField(_("Signaturzähler"), default=0)
    transports = models.JSONField(_("Übertragungswege"), default=list, blank=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    class Meta(Device.Meta):
        verbose_name = _("Passkey")
        verbose_name_plural = _("Passkeys")

    def verify_token(self, token: object) -> bool:  # noqa: ARG002
        # A passkey answers a signed challenge (accounts.services), never a typed code.
        return False
