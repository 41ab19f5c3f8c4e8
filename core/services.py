"""Writes of cross-cutting data: memberships and API tokens.

Roles change only here (the Django admin and the demo data call these services too); a
test fails if any other code writes ``Membership`` rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.audit import audit_record, serialize_for_audit
from core.choices import AuditAction, MembershipRequestStatus, Role
from core.models import ApiToken, Membership, MembershipRequest


class SecondPersonRequired(PermissionDenied):
    """This role change needs a second person's confirmation (``membership_request_*``)."""


def _is_system(actor: Any) -> bool:
    return bool(getattr(actor, "is_system", False))


def membership_needs_second_person(
    *, actor: Any, user: Any, municipality_id: int | None, role: str
) -> bool:
    """Whether giving ``role`` needs a second person to confirm.

    Roles that open social data (cases, reviews, partner records, the audit trail, member
    management) are granted alone only by the commune's own coordination, and never to
    oneself. A platform administrator (or superuser) — who must never read case data —
    can only ask; the commune's coordination confirms. The operator's CLI (demo data,
    imports) acts alone, audited.
    """
    if _is_system(actor):
        return False
    if not permissions.role_opens_social_data(role):
        return False
    if actor.pk == user.pk:
        return True
    return not permissions.manages_members_locally(actor, municipality_id)


def _may_confirm(*, request: MembershipRequest, actor: Any) -> bool:
    municipality_id = request.municipality_id
    # A second person: neither who asked nor who gets the role.
    if actor.pk in (request.requested_by_id, request.user_id):
        return False
    if not permissions.has_permission(
        actor, permissions.MANAGE_MEMBERS, "members", municipality_id
    ):
        return False
    # The commune's coordination confirms. Another administrator only where the commune
    # has no coordination of its own yet (or for a global role).
    if permissions.manages_members_locally(actor, municipality_id):
        return True
    local_managers = Membership.objects.filter(
        municipality_id=municipality_id,
        role__in=[
            r
            for r in permissions.ROLE_PERMISSIONS
            if permissions.role_allows(r, "members", permissions.MANAGE_MEMBERS)
        ],
    ).exclude(user_id=request.user_id)
    return municipality_id is None or not local_managers.exists()


def _membership_create(
    *, user: Any, municipality_id: int | None, role: str, actor: Any, reason: str
) -> Membership:
    existing = Membership.objects.filter(
        user=user, municipality_id=municipality_id, role=role
    ).first()
    if existing is not None:
        return existing
    membership = Membership(user=user, municipality_id=municipality_id, role=role)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=membership,
        after={"user": user.get_username(), "role": role},
        municipality_id=municipality_id,
        reason=reason,
    )
    # The next permission check must see the new role.
    user.__dict__.pop("_ksqm_memberships", None)
    return membership


def membership_request_create(
    *, user: Any, municipality: Any | None, role: str, actor: Any, reason: str = ""
) -> MembershipRequest:
    """Ask for (or, where one person suffices, grant at once) a role for ``user``.

    The request row is written either way; it is ``confirmed`` with the membership created
    when no second person is needed, ``pending`` otherwise.
    """
    municipality_id = municipality.pk if municipality is not None else None
    permissions.require(actor, permissions.MANAGE_MEMBERS, "members", municipality_id)
    if role not in Role.values:
        raise ValidationError({"role": _("Unbekannte Rolle.")})
    needs_second = membership_needs_second_person(
        actor=actor, user=user, municipality_id=municipality_id, role=role
    )
    with transaction.atomic():
        request = MembershipRequest(
            user=user,
            municipality_id=municipality_id,
            role=role,
            reason=reason,
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            requested_by_name=_actor_label(actor),
        )
        if Membership.objects.filter(
            user=user, municipality_id=municipality_id, role=role
        ).exists():
            raise ValidationError(_("Die Person hat diese Rolle schon."))
        # Same rule as the membership itself (global roles without commune and so on).
        Membership(user=user, municipality_id=municipality_id, role=role).full_clean(
            validate_unique=False
        )
        if MembershipRequest.objects.filter(
            user=user,
            municipality_id=municipality_id,
            role=role,
            status=MembershipRequestStatus.PENDING,
        ).exists():
            raise ValidationError(_("Für diese Rolle liegt schon ein offener Antrag vor."))
        if not needs_second:
            request.status = MembershipRequestStatus.CONFIRMED
            request.decided_by = request.requested_by
            request.decided_by_name = request.requested_by_name
            request.decided_at = timezone.now()
        request.full_clean()
        request.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=request,
            after=serialize_for_audit(request),
            reason=reason,
        )
        if not needs_second:
            _membership_create(
                user=user, municipality_id=municipality_id, role=role, actor=actor, reason=reason
            )
    return request


def membership_grant(
    *, user: Any, municipality: Any | None, role: str, actor: Any, reason: str = ""
) -> Membership:
    """Give ``user`` a role now; raises ``SecondPersonRequired`` where a second person must
    confirm (use ``membership_request_create`` for those)."""
    municipality_id = municipality.pk if municipality is not None else None
    permissions.require(actor, permissions.MANAGE_MEMBERS, "members", municipality_id)
    existing = Membership.objects.filter(
        user=user, municipality_id=municipality_id, role=role
    ).first()
    if existing is not None:
        return existing  # idempotent (demo data runs twice)
    if membership_needs_second_person(
        actor=actor, user=user, municipality_id=municipality_id, role=role
    ):
        raise SecondPersonRequired(
            "this role opens social data: the commune's coordination must confirm"
        )
    request = membership_request_create(
        user=user, municipality=municipality, role=role, actor=actor, reason=reason
    )
    return Membership.objects.get(
        user=user, municipality_id=request.municipality_id, role=request.role
    )


def membership_request_confirm(
    *, request: MembershipRequest, actor: Any, note: str = ""
) -> Membership:
    """The second person confirms: the membership is created, both steps are audited."""
    with transaction.atomic():
        request = MembershipRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != MembershipRequestStatus.PENDING:
            raise ValidationError(_("Dieser Antrag ist schon entschieden."))
        if not _may_confirm(request=request, actor=actor):
            raise PermissionDenied("a second person of the commune's coordination confirms")
        request.status = MembershipRequestStatus.CONFIRMED
        request.decided_by = actor
        request.decided_by_name = _actor_label(actor)
        request.decided_at = timezone.now()
        request.decision_note = note
        request.save()
        audit_record(
            actor=actor,
            action=AuditAction.SIGN_OFF,
            target=request,
            after={"status": request.status},
            reason=note or request.reason,
        )
        return _membership_create(
            user=request.user,
            municipality_id=request.municipality_id,
            role=request.role,
            actor=actor,
            reason=request.reason,
        )


def membership_request_reject(*, request: MembershipRequest, actor: Any, note: str = "") -> None:
    with transaction.atomic():
        request = MembershipRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != MembershipRequestStatus.PENDING:
            raise ValidationError(_("Dieser Antrag ist schon entschieden."))
        if not _may_confirm(request=request, actor=actor):
            raise PermissionDenied("a second person of the commune's coordination decides")
        request.status = MembershipRequestStatus.REJECTED
        request.decided_by = actor
        request.decided_by_name = _actor_label(actor)
        request.decided_at = timezone.now()
        request.decision_note = note
        request.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=request,
            after={"status": request.status},
            reason=note,
        )


def membership_revoke(*, membership: Membership, actor: Any, reason: str = "") -> None:
    """Take a role away (one person suffices: removing access is always safe)."""
    permissions.require(actor, permissions.MANAGE_MEMBERS, "members", membership.municipality_id)
    _membership_delete(membership=membership, actor=actor, reason=reason)


def _membership_delete(*, membership: Membership, actor: Any, reason: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=membership,
            before={"user": membership.user.get_username(), "role": membership.role},
            municipality_id=membership.municipality_id,
            reason=reason,
        )
        membership.delete()
    membership.user.__dict__.pop("_ksqm_memberships", None)


def membership_grant_from_invitation(
    *, user: Any, municipality_id: int, role: str, invited_by: str, actor: Any
) -> Membership:
    """The role of an accepted personal invitation (partners: institution staff).

    Two people are involved by construction: whoever issued the invitation (checked
    when it was issued) and the invitee who accepts it with the one-time token.
    """
    return _membership_create(
        user=user,
        municipality_id=municipality_id,
        role=role,
        actor=actor,
        reason=f"Einladung von {invited_by} angenommen",
    )


def membership_revoke_role(
    *, user_id: int, municipality_id: int | None, role: str, actor: Any, reason: str = ""
) -> None:
    """Revoke one role of a person if it exists (used when a binding that came with the
    role ends, e.g. a partner institution's staff member leaves). The caller has checked
    the actor's authority over that binding (the institution's lead), which is not a
    commune-wide member management right."""
    membership = (
        Membership.objects.select_related("user")
        .filter(user_id=user_id, municipality_id=municipality_id, role=role)
        .first()
    )
    if membership is not None:
        _membership_delete(membership=membership, actor=actor, reason=reason)


def _actor_label(actor: Any) -> str:
    if _is_system(actor):
        return str(actor)
    return (actor.get_full_name() or actor.get_username())[:150] if actor else ""


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


def user_language_set(*, user: Any, language: str) -> bool:
    """Remember ``user``'s language for mails (the person sets it for themselves); changed?

    An unknown code is refused; choosing the language already stored writes nothing.
    """
    from django.conf import settings

    from core.models import UserPreference

    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unbekannte Sprache: %(code)s") % {"code": language}})
    with transaction.atomic():
        preference, created = UserPreference.objects.select_for_update().get_or_create(user=user)
        if not created and preference.language == language:
            return False
        before = {"language": preference.language}
        preference.language = language
        preference.full_clean()
        preference.save()
        audit_record(
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target=preference,
            actor=user,
            before=None if created else before,
            after={"language": language},
        )
    return True
