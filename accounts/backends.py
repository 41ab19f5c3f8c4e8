"""Django's model backend behind the login throttle."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts import throttle
from core import principal


class ThrottledModelBackend(ModelBackend):
    """Refuses a locked-out name or address before looking at the password.

    Raising ``PermissionDenied`` makes ``django.contrib.auth.authenticate`` stop at once
    and report a failed login, for every login form (ours, the admin's) alike.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any | None:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is not None and throttle.is_locked(username, request):
            raise PermissionDenied("login locked after too many failures")
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id: Any) -> Any | None:
        """The session's user from this process's snapshot (core.principal) when it is
        current, else from the database; inactive users get no session, as in Django."""
        user = principal.load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
