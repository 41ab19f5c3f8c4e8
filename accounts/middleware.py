"""Enforcement at the door: the second factor and the idle timeout.

Both are middleware rather than decorators so that no view, present or future, can
forget them. The test settings switch them off (``KSQM_REQUIRE_SECOND_FACTOR``,
``KSQM_IDLE_TIMEOUT*``) so that the suite's ``client.force_login`` keeps working; the
accounts tests switch them on and prove they hold (see ``conftest.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from accounts import services
from core import permissions, principal
from core.api import problem

# Reachable before the second factor: the login steps themselves, logout, language
# switch and static files. Everything else waits for the second factor.
ALWAYS_OPEN = ("/anmelden/", "/abmelden/", "/i18n/", "/static/", "/favicon")
# Enrolment of the very first factor, reachable only while the user has none.
ENROLMENT = "/konto/sicherheit/neu/"

LAST_SEEN = "ksqm_last_seen"


class VerifiedDeviceMiddleware(OTPMiddleware):
    """django-otp's middleware (``request.user.is_verified()``), without its query.

    Whether the device the session passed still exists and is confirmed is read from the
    login snapshot's set of the user's confirmed devices (core.principal; any change of a
    device replaces the snapshot in every process). The device itself is loaded only if
    a view uses it. A user loaded otherwise goes the library's way.
    """

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        confirmed = principal.part(user, "otp_devices") if user.is_authenticated else None
        if confirmed is None:
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        device = None
        if persistent_id:
            persistent_id = self._normalize_persistent_id(persistent_id)
            if persistent_id in confirmed:
                device = SimpleLazyObject(partial(Device.from_persistent_id, persistent_id))
            else:
                del request.session[DEVICE_ID_SESSION_KEY]
        user.otp_device = device
        return user


class SecondFactorMiddleware:
    """Roles that can read case data see nothing but the login steps until the session
    passed a second factor; a user without one is sent to enrol one first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and services.second_factor_required(user)
            and not request.path.startswith(ALWAYS_OPEN)
        ):
            enrolled = services.has_second_factor(user)
            if not enrolled and request.path.startswith(ENROLMENT):
                return self.get_response(request)
            if request.path.startswith("/api/"):
                return problem(
                    401,
                    "Zweiter Faktor fehlt",
                    "Bitte melden Sie sich mit Ihrem zweiten Faktor an.",
                )
            target = reverse("accounts:verify") if enrolled else reverse("accounts:enrol")
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{target}?{query}")
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Log out a session that has been idle too long: 15 minutes for case roles by default
    (a case file left open on an office screen), an hour for everyone else."""

    # Write the time stamp at most once a minute, not on every request.
    TOUCH_EVERY = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        switched_on = settings.KSQM_IDLE_TIMEOUT_CASE_ROLES or settings.KSQM_IDLE_TIMEOUT
        if (
            switched_on
            and user is not None
            and user.is_authenticated
            and hasattr(request, "session")
        ):
            limit = (
                settings.KSQM_IDLE_TIMEOUT_CASE_ROLES
                if permissions.requires_second_factor(user)
                else settings.KSQM_IDLE_TIMEOUT
            )
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if limit and isinstance(last, int) and now - last > limit:
                logout(request)
                messages.info(
                    request,
                    _(
                        "Sie wurden nach längerer Inaktivität abgemeldet. "
                        "Bitte melden Sie sich neu an."
                    ),
                )
                if request.path.startswith("/api/"):
                    return problem(401, "Sitzung abgelaufen", "Bitte neu anmelden.")
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(reverse("login") + "?" + query)
            if not isinstance(last, int) or now - last >= self.TOUCH_EVERY:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
