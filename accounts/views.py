"""Login steps and the personal security page: thin views over ``accounts.services``."""

from __future__ import annotations

import base64
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import LoginForm, PasswordResetForm, TokenForm, TotpConfirmForm
from accounts.models import TOTPApp, WebAuthnCredential
from core import ratelimit
from core.audit import audit_record
from core.choices import AuditAction
from core.net import client_address
from core.web import error_text

_PENDING_TOTP = "ksqm_pending_totp"


def _next_url(request: HttpRequest, default: str = "core:dashboard") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _verified(request: HttpRequest) -> bool:
    return bool(request.user.is_verified())


class LoginView(auth_views.LoginView):
    """Step one: name and password, throttled (``accounts.throttle``)."""

    form_class = LoginForm
    template_name = "registration/login.html"


# --- step two ----------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Step two: a code from the app, a recovery code, or a passkey."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not services.has_second_factor(request.user):
        return redirect(f"{reverse('accounts:enrol')}?next={_next_url(request)}")
    form = TokenForm(request.POST or None)
    locked = services.second_factor_locked(request.user)
    if request.method == "POST" and form.is_valid() and not locked:
        if services.second_factor_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        form.add_error("token", _("Der Code ist falsch oder schon benutzt."))
    if locked:
        form.add_error(
            None, _("Zu viele falsche Codes. Der zweite Schritt ist vorübergehend gesperrt.")
        )
    has_passkey = WebAuthnCredential.objects.filter(user=request.user, confirmed=True).exists()
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "has_passkey": has_passkey, "next": _next_url(request)},
    )


# --- enrolment and management ------------------------------------------------------------


def _totp_secret(device: TOTPApp) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def _qr_svg(url: str) -> str:
    import segno

    # An inline SVG made of paths only: no script, no style attribute, works offline.
    return segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: QR code and secret, confirmed with the first code.

    Also the first-login enrolment of a user who has no factor yet; that first factor
    verifies the session and comes with ten recovery codes, shown once.
    """
    verified = _verified(request)
    first_factor = not services.has_second_factor(request.user)
    try:
        device = None
        pending = request.session.get(_PENDING_TOTP)
        if pending:
            device = TOTPApp.objects.filter(pk=pending, user=request.user, confirmed=False).first()
        if device is None:
            device = services.totp_device_start(
                user=request.user, actor=request.user, verified=verified
            )
            request.session[_PENDING_TOTP] = device.pk
    except PermissionDenied:
        return redirect(f"{reverse('accounts:verify')}?next={request.get_full_path()}")
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_device_confirm(
                device=device,
                token=form.cleaned_data["token"],
                actor=request.user,
                verified=verified,
            )
        except ValidationError as exc:
            form.add_error("token", exc)
        else:
            request.session.pop(_PENDING_TOTP, None)
            return _after_new_factor(request, device, first_factor)
    return render(
        request,
        "accounts/totp_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _totp_secret(device),
            "first_factor": first_factor,
            "next": _next_url(request),
        },
    )


def _after_new_factor(request: HttpRequest, device: Any, first_factor: bool) -> HttpResponse:
    if first_factor:
        services._mark_verified(request, device)
        codes = services.recovery_codes_generate(
            user=request.user, actor=request.user, verified=True
        )
        return render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "first_factor": True, "next": _next_url(request)},
        )
    messages.success(request, _("Der zweite Faktor ist eingerichtet."))
    return redirect("accounts:security")


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The personal security page: factors, recovery codes, password."""
    return render(
        request,
        "accounts/security.html",
        {
            "devices": services.user_devices(request.user),
            "recovery_left": services.recovery_codes_left(request.user),
            "required": services.second_factor_required(request.user),
        },
    )


@never_cache
@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = services.recovery_codes_generate(
            user=request.user, actor=request.user, verified=_verified(request)
        )
    except PermissionDenied:
        messages.error(request, _("Richten Sie zuerst eine App oder einen Passkey ein."))
        return redirect("accounts:security")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


_DEVICE_KINDS = {"totp": TOTPApp, "passkey": WebAuthnCredential}


@login_required
@require_POST
def device_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model = _DEVICE_KINDS.get(kind)
    # Scoped to the owner: someone else's device is simply not found.
    device = model.objects.filter(pk=pk, user=request.user).first() if model else None
    if device is None:
        raise Http404
    try:
        services.device_remove(device=device, actor=request.user, verified=_verified(request))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Der zweite Faktor wurde entfernt."))
    return redirect("accounts:security")


# --- passkeys: JSON endpoints for static/accounts/passkey.js -----------------------------


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


@login_required
@require_POST
def passkey_register_options(request: HttpRequest) -> HttpResponse:
    try:
        options = services.passkey_registration_options(
            request=request, verified=_verified(request)
        )
    except PermissionDenied:
        return JsonResponse(
            {"error": _("Bitte erst mit dem zweiten Faktor bestätigen.")}, status=403
        )
    return HttpResponse(options, content_type="application/json")


@login_required
@require_POST
def passkey_register(request: HttpRequest) -> HttpResponse:
    data = _json_body(request)
    first_factor = not services.has_second_factor(request.user)
    try:
        device = services.passkey_register(
            request=request,
            credential=data.get("credential") or {},
            name=str(data.get("name") or ""),
            verified=_verified(request),
        )
    except PermissionDenied:
        return JsonResponse(
            {"error": _("Bitte erst mit dem zweiten Faktor bestätigen.")}, status=403
        )
    except ValidationError as exc:
        return JsonResponse({"error": error_text(exc)}, status=400)
    if first_factor:
        services._mark_verified(request, device)
        return JsonResponse({"redirect": reverse("accounts:security")})
    messages.success(request, _("Der Passkey ist eingerichtet."))
    return JsonResponse({"redirect": reverse("accounts:security")})


@login_required
@require_POST
def passkey_auth_options(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        services.passkey_authentication_options(request=request), content_type="application/json"
    )


@login_required
@require_POST
def passkey_auth(request: HttpRequest) -> HttpResponse:
    data = _json_body(request)
    try:
        services.passkey_verify(request=request, credential=data.get("credential") or {})
    except ValidationError as exc:
        return JsonResponse({"error": error_text(exc)}, status=400)
    return JsonResponse({"redirect": _next_url(request)})


# --- passwords ---------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Self-service password change; the old password is asked, the policy applies."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            actor=self.request.user,
            action=AuditAction.UPDATE,
            target=self.request.user,
            target_repr=self.request.user.get_username(),
            after={"password": "«geändert»"},
            reason="Passwort selbst geändert",
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Reset by e-mail; the answer never says whether the address exists, and one client
    may ask only a few times an hour (no mail bombing through the form)."""

    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetForm  # sends through core.mail (partials, locale, on_commit)
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        key = ratelimit.bucket_key("password-reset", client_address(self.request))
        if ratelimit.hit(key, window=3600) > 5:
            # Same answer as success: the limit must not reveal anything either.
            return redirect(self.success_url)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            target=user,
            target_repr=user.get_username(),
            after={"password": "«geändert»"},
            reason="Passwort per E-Mail zurückgesetzt",
        )
        return response
