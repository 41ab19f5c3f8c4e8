"""Failed and successful logins feed the throttle; a lockout is written to the audit trail.

(The login and failed-login audit rows themselves are written in ``core.signals``.)
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts import throttle
from core.audit import audit_record
from core.choices import AuditAction


@receiver(user_login_failed)
def _count_failure(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))
    if throttle.record_failure(username, request):
        audit_record(
            actor=None,
            action=AuditAction.LOGIN_FAILED,
            target=None,
            target_repr=username[:150],
            reason="Anmeldung gesperrt: zu viele Fehlversuche",
        )


@receiver(user_logged_in)
def _clear_failures(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    throttle.record_success(user.get_username(), request)
