"""Second-factor devices that django-otp does not ship: passkeys (WebAuthn).

TOTP apps and recovery codes use django-otp's own ``TOTPDevice`` and ``StaticDevice``.
A passkey is a django-otp ``Device`` too, so ``django_otp.login`` and
``request.user.is_verified()`` treat all three alike.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, TimestampMixin


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
