"""Invitations, sign-up, waiting list and attendance of workshop sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.audit import audit_record, changed_only, save_created, serialize_for_audit
from core.choices import AuditAction
from core.mail import mail_send
from quality.choices import (
    RegistrationStatus,
)
from quality.models import (
    Registration,
    Workshop,
    WorkshopSession,
)

if TYPE_CHECKING:
    from registry.models import Institution


# --------------------------------------------------------------------------------------
# Invitations, sign-up, waiting list, attendance
# --------------------------------------------------------------------------------------


def _mail(*, template: str, context: dict[str, Any], to: list[str]) -> None:
    # core.mail sends after the commit (a rolled-back sign-up announces nothing), as a task.
    mail_send(template=template, context=context, to=to)


def _may_manage(actor: Any, session: WorkshopSession) -> bool:
    return permissions.has_permission(
        actor, permissions.CHANGE, permissions.QUALITY, session.workshop.municipality_id
    )


def _may_take_part(actor: Any, session: WorkshopSession) -> bool:
    return Workshop.objects.visible_to(actor).filter(pk=session.workshop_id).exists()


def session_invite(
    *,
    session: WorkshopSession,
    name: str,
    email: str,
    actor: Any,
    institution: Institution | None = None,
    user: Any = None,
) -> Registration:
    """Invite a professional (coordinator of the host commune); sends the invitation mail."""
    permissions.require(
        actor, permissions.CHANGE, permissions.QUALITY, session.workshop.municipality_id
    )
    if session.is_cancelled:
        raise ValidationError(_("Zu einem abgesagten Termin kann niemand eingeladen werden."))
    email = email.strip().lower()
    existing = session.registrations.filter(email=email).exclude(email="").first()
    if existing is not None:
        return existing
    registration = Registration(
        session=session,
        name=name.strip(),
        email=email,
        institution=institution,
        user=user,
        status=RegistrationStatus.INVITED,
    )
    with transaction.atomic():
        save_created(registration, actor=actor, related=session)
        if email:
            _mail(
                template="quality/mail/invitation.txt",
                context={"session": session, "registration": registration},
                to=[email],
            )
    return registration


def _registered_count(session: WorkshopSession) -> int:
    return session.registrations.filter(status=RegistrationStatus.REGISTERED).count()


def registration_signup(
    *,
    session: WorkshopSession,
    actor: Any,
    name: str = "",
    email: str = "",
    institution: Institution | None = None,
    user: Any = None,
) -> Registration:
    """Sign up for a session: a place while there is one, otherwise the waiting list.

    Members of the host and partner communes sign themselves up (``user=actor``); the
    host's coordinator may sign up anyone (by name and e-mail, or an account). An
    invitation for the same person turns into the sign-up.
    """
    self_signup = user is not None and getattr(actor, "pk", None) == user.pk
    if not (_may_manage(actor, session) or (self_signup and _may_take_part(actor, session))):
        raise PermissionDenied
    if session.is_cancelled:
        raise ValidationError(_("Der Termin ist abgesagt."))
    if session.starts_at <= timezone.now():
        raise ValidationError(
            _("Der Termin hat bereits begonnen; eine Anmeldung ist nicht mehr möglich.")
        )
    if user is not None:
        name = name or user.get_full_name() or user.get_username()
        email = email or user.email
    if not name.strip():
        raise ValidationError({"name": _("Bitte einen Namen angeben.")})
    email = email.strip().lower()
    with transaction.atomic():
        # Serialise sign-ups of one session so that two last-place requests cannot both win.
        WorkshopSession.objects.select_for_update().filter(pk=session.pk).first()
        lookup = Q(user=user) if user is not None else Q(pk__in=[])
        if email:
            lookup |= Q(email=email)
        registration = session.registrations.filter(lookup).first()
        if registration is not None and registration.status in (
            RegistrationStatus.REGISTERED,
            RegistrationStatus.WAITLISTED,
        ):
            return registration
        before = serialize_for_audit(registration) if registration else None
        if registration is None:
            registration = Registration(session=session)
        registration.user = user
        registration.name = name.strip() or registration.name
        registration.email = email or registration.email
        registration.institution = institution or registration.institution
        full = _registered_count(session) >= session.effective_capacity
        registration.status = (
            RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED
        )
        registration.queued_at = timezone.now()
        registration.full_clean()
        registration.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            target=registration,
            before=before,
            after=serialize_for_audit(registration),
            related=session,
        )
        if registration.email:
            _mail(
                template="quality/mail/signup.txt",
                context={"session": session, "registration": registration, "full": full},
                to=[registration.email],
            )
    return registration


def registration_cancel(*, registration: Registration, actor: Any) -> Registration:
    """Withdraw a sign-up; the first person on the waiting list moves up automatically."""
    session = registration.session
    own = registration.user_id is not None and registration.user_id == getattr(actor, "pk", None)
    if not (own or _may_manage(actor, session)):
        raise PermissionDenied
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    with transaction.atomic():
        WorkshopSession.objects.select_for_update().filter(pk=session.pk).first()
        before = serialize_for_audit(registration)
        registration.status = RegistrationStatus.CANCELLED
        registration.save()
        old, new = changed_only(before, serialize_for_audit(registration))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=registration,
            before=old,
            after=new,
            related=session,
        )
        _promote_waiting(session=session, actor=actor)
    return registration


def _promote_waiting(*, session: WorkshopSession, actor: Any) -> list[Registration]:
    free = session.effective_capacity - _registered_count(session)
    if free <= 0 or session.is_cancelled:
        return []
    promoted = list(
        session.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
            "queued_at", "id"
        )[:free]
    )
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=registration,
            before={"status": RegistrationStatus.WAITLISTED},
            after={"status": RegistrationStatus.REGISTERED},
            reason=_("Nachgerückt von der Warteliste"),
            related=session,
        )
        if registration.email:
            _mail(
                template="quality/mail/promoted.txt",
                context={"session": session, "registration": registration},
                to=[registration.email],
            )
    return promoted


def attendance_record(
    *, session: WorkshopSession, attended: dict[int, bool], actor: Any
) -> list[Registration]:
    """Record after the session who came (by registration id)."""
    permissions.require(
        actor, permissions.CHANGE, permissions.QUALITY, session.workshop.municipality_id
    )
    if session.starts_at > timezone.now():
        raise ValidationError(_("Die Anwesenheit kann erst ab Beginn des Termins erfasst werden."))
    changed: list[Registration] = []
    with transaction.atomic():
        rows = {r.pk: r for r in session.registrations.filter(pk__in=list(attended))}
        unknown = set(attended) - set(rows)
        if unknown:
            raise ValidationError(_("Unbekannte Anmeldungen: %(ids)s") % {"ids": sorted(unknown)})
        for pk, value in attended.items():
            registration = rows[pk]
            if registration.attended == value:
                continue
            before = registration.attended
            registration.attended = value
            registration.save(update_fields=["attended", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=registration,
                before={"attended": before},
                after={"attended": value},
                related=session,
            )
            changed.append(registration)
    return changed
