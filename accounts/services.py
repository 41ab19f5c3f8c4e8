"""Second factor and password writes: every change is audited in the same transaction.

Three kinds of second factor, all django-otp devices so that ``request.user.is_verified()``
means the same for each: an authenticator app (TOTP, RFC 6238), a passkey or security key
(WebAuthn), and single-use recovery codes for the day the phone is lost.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import django_otp
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts.models import TOTPApp, WebAuthnCredential
from core import permissions, ratelimit
from core.audit import audit_record
from core.choices import AuditAction

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Wiederherstellungscodes"
# Wrong codes per user before the second step is locked like the password step.
SECOND_FACTOR_FAILURE_LIMIT = 10


def second_factor_required(user: Any) -> bool:
    """Whether this user must pass a second factor (setting on and a case-data role)."""
    if not getattr(settings, "KSQM_REQUIRE_SECOND_FACTOR", True):
        return False
    return permissions.requires_second_factor(user)


def has_second_factor(user: Any) -> bool:
    """Whether the user has at least one confirmed app or passkey (recovery codes alone
    do not count: they are the fallback of a factor, not a factor of their own)."""
    return any(not isinstance(d, StaticDevice) for d in devices_for_user(user, confirmed=True))


def _audit_device(*, actor: Any, action: str, device: Any, what: str) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=device,
        target_repr=f"{what} – {device.user.get_username()}",
        after={"device": what, "name": device.name} if action != AuditAction.DELETE else None,
        before={"device": what, "name": device.name} if action == AuditAction.DELETE else None,
    )


def _require_may_manage(*, user: Any, actor: Any, verified: bool) -> None:
    """Only the user changes their own factors, and once a factor exists only from a
    session that passed it (someone with just the password cannot add their own app)."""
    if actor.pk != user.pk:
        raise PermissionDenied("second factors are personal")
    if has_second_factor(user) and not verified:
        raise PermissionDenied("confirm with your existing second factor first")


# --- TOTP --------------------------------------------------------------------------------


def totp_device_start(*, user: Any, actor: Any, verified: bool) -> TOTPApp:
    """A new, unconfirmed TOTP secret for the user's app; replaces an unfinished one."""
    _require_may_manage(user=user, actor=actor, verified=verified)
    with transaction.atomic():
        TOTPApp.objects.filter(user=user, confirmed=False).delete()
        return TOTPApp.objects.create(user=user, name=_("Authenticator-App"), confirmed=False)


def totp_device_confirm(*, device: TOTPApp, token: str, actor: Any, verified: bool) -> TOTPApp:
    """Confirm a new app with its first code; raises ``ValidationError`` on a wrong code."""
    _require_may_manage(user=device.user, actor=actor, verified=verified)
    with transaction.atomic():
        if not device.verify_token(_digits(token)):
            raise ValidationError(
                _("Der Code stimmt nicht. Prüfen Sie die Uhrzeit Ihres Geräts."), code="token"
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _audit_device(actor=actor, action=AuditAction.CREATE, device=device, what="TOTP")
    return device


def _digits(token: str) -> str:
    return "".join(ch for ch in (token or "") if ch.isalnum())


# --- recovery codes ----------------------------------------------------------------------


def recovery_codes_generate(*, user: Any, actor: Any, verified: bool) -> list[str]:
    """Ten new single-use codes; the old ones stop working. Shown once, never again."""
    if actor.pk != user.pk:
        raise PermissionDenied("second factors are personal")
    if not has_second_factor(user):
        raise PermissionDenied("recovery codes belong to an app or passkey")
    if not verified:
        raise PermissionDenied("confirm with your existing second factor first")
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        _audit_device(
            actor=actor, action=AuditAction.CREATE, device=device, what="Wiederherstellungscodes"
        )
    return codes


def _recovery_code() -> str:
    # 10 characters of a 32-letter alphabet (50 bits), grouped for reading aloud.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user).count()


# --- verification ------------------------------------------------------------------------


def _failure_key(user: Any) -> str:
    return ratelimit.bucket_key("second-factor", str(user.pk))


def second_factor_locked(user: Any) -> bool:
    return ratelimit.count(_failure_key(user)) >= SECOND_FACTOR_FAILURE_LIMIT


def second_factor_verify(*, request: HttpRequest, token: str) -> Any | None:
    """Check a typed code (app or recovery code) for ``request.user``; on success the
    session counts as verified and the login is audited with the kind of factor."""
    user = request.user
    if second_factor_locked(user):
        return None
    code = _digits(token)
    # An app code is six digits, a recovery code ten letters and digits: each is tried
    # only on its own kind of device. Trying both would count a failure on the other
    # device, whose throttle then refuses its next, correct code for a while.
    is_app_code = code.isdigit() and len(code) <= 8
    matched = None
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, WebAuthnCredential):
            continue
        if isinstance(device, TOTPApp) != is_app_code:
            continue
        candidate = code if is_app_code else _recovery_format(code)
        with transaction.atomic():
            if device.verify_token(candidate):
                matched = device
                break
    if matched is None:
        ratelimit.hit(_failure_key(user), window=settings.KSQM_LOGIN_LOCKOUT_SECONDS)
        audit_record(
            actor=user,
            action=AuditAction.LOGIN_FAILED,
            target=user,
            target_repr=user.get_username(),
            reason="zweiter Faktor falsch",
        )
        return None
    _mark_verified(request, matched)
    return matched


def _recovery_format(code: str) -> str:
    code = code.lower()
    return f"{code[:5]}-{code[5:]}" if len(code) == 10 else code


def _mark_verified(request: HttpRequest, device: Any) -> None:
    kind = {
        TOTPApp: "TOTP",
        StaticDevice: "Wiederherstellungscode",
        WebAuthnCredential: "Passkey",
    }.get(type(device), type(device).__name__)
    # A new session key for the now fully authenticated session (no fixation across steps).
    request.session.cycle_key()
    django_otp.login(request, device)
    ratelimit.reset(_failure_key(request.user))
    audit_record(
        actor=request.user,
        action=AuditAction.LOGIN,
        target=request.user,
        target_repr=request.user.get_username(),
        reason=f"zweiter Faktor bestätigt ({kind})",
    )


# --- removal -----------------------------------------------------------------------------


def device_remove(*, device: Any, actor: Any, verified: bool) -> None:
    """Remove an app or passkey. The last factor of a user who needs one stays: without it
    the next login would end in a new enrolment, i.e. password-only access."""
    user = device.user
    _require_may_manage(user=user, actor=actor, verified=verified)
    remaining = [
        d
        for d in devices_for_user(user, confirmed=True)
        if not isinstance(d, StaticDevice) and d.persistent_id != device.persistent_id
    ]
    if not remaining and second_factor_required(user) and not isinstance(device, StaticDevice):
        raise ValidationError(
            _("Das ist Ihr letzter zweiter Faktor. Richten Sie erst einen weiteren ein."),
            code="last_factor",
        )
    what = "Passkey" if isinstance(device, WebAuthnCredential) else "TOTP"
    with transaction.atomic():
        _audit_device(actor=actor, action=AuditAction.DELETE, device=device, what=what)
        device.delete()
        if not remaining:
            StaticDevice.objects.filter(user=user).delete()


def user_devices(user: Any) -> list[Any]:
    """The user's confirmed apps and passkeys, for the management page."""
    return [d for d in devices_for_user(user, confirmed=True) if not isinstance(d, StaticDevice)]


# --- passkeys (WebAuthn) ----------------------------------------------------------------


@dataclass(frozen=True)
class RelyingParty:
    rp_id: str
    origins: list[str]


def relying_party(request: HttpRequest) -> RelyingParty:
    """The WebAuthn relying party: configured, or the host the browser talks to."""
    host = request.get_host().split(":")[0]
    rp_id = settings.KSQM_WEBAUTHN_RP_ID or host
    origins = list(settings.KSQM_WEBAUTHN_ORIGINS) or [f"{request.scheme}://{request.get_host()}"]
    return RelyingParty(rp_id=rp_id, origins=origins)


_REG_CHALLENGE = "ksqm_webauthn_reg_challenge"
_AUTH_CHALLENGE = "ksqm_webauthn_auth_challenge"


def passkey_registration_options(*, request: HttpRequest, verified: bool) -> str:
    """Options (JSON) for ``navigator.credentials.create``; the challenge stays in the session."""
    import webauthn
    from webauthn.helpers import bytes_to_base64url
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
    )

    user = request.user
    _require_may_manage(user=user, actor=user, verified=verified)
    rp = relying_party(request)
    options = webauthn.generate_registration_options(
        rp_id=rp.rp_id,
        rp_name="Kinderschutz-QM",
        user_name=user.get_username(),
        user_id=str(user.pk).encode(),
        user_display_name=user.get_full_name() or user.get_username(),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(c.credential_id))
            for c in WebAuthnCredential.objects.filter(user=user)
        ],
    )
    request.session[_REG_CHALLENGE] = bytes_to_base64url(options.challenge)
    return webauthn.options_to_json(options)


def passkey_register(
    *, request: HttpRequest, credential: dict[str, Any], name: str, verified: bool
) -> WebAuthnCredential:
    """Verify the browser's attestation and store the new passkey's public key."""
    import webauthn
    from webauthn.helpers import bytes_to_base64url
    from webauthn.helpers.exceptions import InvalidRegistrationResponse

    user = request.user
    _require_may_manage(user=user, actor=user, verified=verified)
    challenge = request.session.pop(_REG_CHALLENGE, None)
    if not challenge:
        raise ValidationError(_("Die Anfrage ist abgelaufen. Bitte erneut versuchen."))
    rp = relying_party(request)
    try:
        result = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=webauthn.base64url_to_bytes(challenge),
            expected_rp_id=rp.rp_id,
            expected_origin=rp.origins,
        )
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
        raise ValidationError(_("Der Passkey konnte nicht geprüft werden.")) from exc
    with transaction.atomic():
        device = WebAuthnCredential.objects.create(
            user=user,
            name=(name or _("Passkey"))[:64],
            credential_id=bytes_to_base64url(result.credential_id),
            public_key=result.credential_public_key,
            sign_count=result.sign_count,
            transports=list((credential.get("response") or {}).get("transports") or [])[:8],
        )
        _audit_device(actor=user, action=AuditAction.CREATE, device=device, what="Passkey")
    return device


def passkey_authentication_options(*, request: HttpRequest) -> str:
    """Options (JSON) for ``navigator.credentials.get`` with the user's passkeys."""
    import webauthn
    from webauthn.helpers import bytes_to_base64url
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

    rp = relying_party(request)
    options = webauthn.generate_authentication_options(
        rp_id=rp.rp_id,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(c.credential_id))
            for c in WebAuthnCredential.objects.filter(user=request.user, confirmed=True)
        ],
    )
    request.session[_AUTH_CHALLENGE] = bytes_to_base64url(options.challenge)
    return webauthn.options_to_json(options)


def passkey_verify(*, request: HttpRequest, credential: dict[str, Any]) -> WebAuthnCredential:
    """Verify a signed challenge from one of the user's passkeys; the session is then
    verified. Raises ``ValidationError`` for anything else."""
    import webauthn
    from webauthn.helpers.exceptions import InvalidAuthenticationResponse

    user = request.user
    challenge = request.session.pop(_AUTH_CHALLENGE, None)
    if second_factor_locked(user) or not challenge:
        raise ValidationError(_("Die Anfrage ist abgelaufen. Bitte erneut versuchen."))
    device = WebAuthnCredential.objects.filter(
        user=user, confirmed=True, credential_id=str(credential.get("id", ""))[:1024]
    ).first()
    if device is None:
        ratelimit.hit(_failure_key(user), window=settings.KSQM_LOGIN_LOCKOUT_SECONDS)
        raise ValidationError(_("Dieser Passkey gehört nicht zu Ihrem Konto."))
    rp = relying_party(request)
    try:
        result = webauthn.verify_authentication_response(
            credential=credential,
            expected_challenge=webauthn.base64url_to_bytes(challenge),
            expected_rp_id=rp.rp_id,
            expected_origin=rp.origins,
            credential_public_key=bytes(device.public_key),
            credential_current_sign_count=device.sign_count,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
        ratelimit.hit(_failure_key(user), window=settings.KSQM_LOGIN_LOCKOUT_SECONDS)
        raise ValidationError(_("Der Passkey konnte nicht geprüft werden.")) from exc
    with transaction.atomic():
        device.sign_count = result.new_sign_count
        device.set_last_used_timestamp(commit=False)
        device.save(update_fields=["sign_count", "last_used_at"])
        _mark_verified(request, device)
    return device


def user_has_any_device(user: Any) -> bool:
    return user_has_device(user, confirmed=True)


def second_factor_reset(*, user: Any, actor: Any, reason: str) -> int:
    """Remove every factor of ``user`` (lost phone and lost recovery codes); the next login
    leads to a new enrolment. Only the operator on the server may (``manage.py
    reset_second_factor``): in the web, an administrator could use it to take over an
    account together with a password reset. Returns the number of devices removed."""
    if not getattr(actor, "is_system", False):
        raise PermissionDenied("only the operator on the server resets a second factor")
    if not reason.strip():
        raise ValidationError(_("Bitte eine Begründung angeben."), code="reason")
    devices = list(devices_for_user(user, confirmed=None))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=user,
            target_repr=f"Zweiter Faktor – {user.get_username()}",
            before={"devices": len(devices)},
            reason=reason,
        )
        for device in devices:
            device.delete()
    return len(devices)
