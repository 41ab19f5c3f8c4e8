"""Login events go to the audit trail.

Django's auth views emit these signals and no service of ours runs at login, so this is
the one place where a signal writes audit rows (STYLE §7.3 keeps signals out otherwise).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from core.audit import audit_record
from core.choices import AuditAction


@receiver(user_logged_in)
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, target=user, target_repr=user.get_username())


@receiver(user_login_failed)
def _on_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # No user row to point at: record the attempted name only (never the password).
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        target=None,
        target_repr=str(credentials.get("username", ""))[:150],
    )
