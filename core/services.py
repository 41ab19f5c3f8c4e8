"""Writes of cross-cutting data: memberships and API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core import permissions
from core.audit import audit_record
from core.choices import AuditAction
from core.models import ApiToken, Membership


def membership_grant(*, user: Any, municipality: Any | None, role: str, actor: Any) -> Membership:
    """Give ``user`` a role in a commune (or a global role); coordinators manage their own."""
    municipality_id = municipality.pk if municipality is not None else None
    permissions.require(actor, permissions.MANAGE_MEMBERS, "members", municipality_id)
    with transaction.atomic():
        membership = Membership(user=user, municipality=municipality, role=role)
        membership.full_clean()
        membership.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=membership,
            after={"user": user.get_username(), "role": role},
            municipality_id=municipality_id,
        )
    return membership


def api_token_create(
    *, user: Any, name: str, actor: Any, valid_days: int | None = 365
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the raw token (shown only once)."""
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied("tokens are personal")
    raw = ApiToken.new_raw_token()
    expires = timezone.now() + dt.timedelta(days=valid_days) if valid_days else None
    with transaction.atomic():
        token = ApiToken(
            user=user, name=name, prefix=raw[:12], key_hash=ApiToken.hash(raw), expires_at=expires
        )
        token.full_clean()
        token.save()
        audit_record(actor=actor, action=AuditAction.CREATE, target=token, after={"name": name})
    return token, raw


def api_token_authenticate(raw: str) -> Any | None:
    """The active user a raw token belongs to, or None (unknown, expired, inactive user)."""
    if not raw or not raw.startswith("ksqm_"):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    # Touch at most once a minute: a token used in a loop should not write every call.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def user_create(
    *, username: str, password: str, first_name: str = "", last_name: str = "", email: str = ""
) -> Any:
    """Create a login (used by demo data and the admin CLI; not exposed to the web)."""
    user_model = get_user_model()
    user = user_model(username=username, first_name=first_name, last_name=last_name, email=email)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def api_token_revoke(*, token: ApiToken, actor: Any) -> None:
    """Delete a token; only its owner (or a superuser) may."""
    if actor.pk != token.user_id and not actor.is_superuser:
        raise PermissionDenied("tokens are personal")
    with transaction.atomic():
        audit_record(
            actor=actor, action=AuditAction.DELETE, target=token, before={"name": token.name}
        )
        token.delete()
