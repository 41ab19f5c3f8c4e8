"""Invitations, sign-up, waiting list and attendance of workshop sessions."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.audit import audit_record, save_created, save_updated, serialize_for_audit
from core.choices import AuditAction
from core.mail import mail_send
from core.permissions import SystemActor
from quality.choices import (
    RegistrationStatus,
)
from quality.models import (
    Registration,
    SeatQuota,
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
    base_url: str = "",
) -> Registration:
    """Invite a professional (coordinator of the host commune); sends the invitation mail.

    The mail carries a personal link (``base_url`` + the invitation's token) through which
    someone without an account accepts or declines.
    """
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
        invitation_token=uuid.uuid4() if email else None,
    )
    with transaction.atomic():
        save_created(registration, actor=actor, related=session)
        if email:
            link = ""
            if base_url:
                link = base_url.rstrip("/") + reverse(
                    "quality:invitation_respond", args=[registration.invitation_token]
                )
            _mail(
                template="quality/mail/invitation.txt",
                context={"session": session, "registration": registration, "link": link},
                to=[email],
            )
    return registration


def _registered_count(session: WorkshopSession) -> int:
    return session.registrations.filter(status=RegistrationStatus.REGISTERED).count()


def _quotas(session: WorkshopSession) -> dict[int, int]:
    return dict(
        SeatQuota.objects.filter(workshop_id=session.workshop_id).values_list(
            "institution_id", "seats"
        )
    )


def seat_available(*, session: WorkshopSession, institution_id: int | None) -> bool:
    """Whether a person of ``institution_id`` gets a place now (Kontingentierung).

    An institution with a quota fills its own reserved seats and no more; everyone else
    shares the seats no quota reserves. The session's capacity is never exceeded.
    """
    registered = session.registrations.filter(status=RegistrationStatus.REGISTERED)
    capacity = session.effective_capacity
    if registered.count() >= capacity:
        return False
    quotas = _quotas(session)
    if institution_id in quotas:
        return registered.filter(institution_id=institution_id).count() < quotas[institution_id]
    open_seats = capacity - sum(quotas.values())
    shared = registered.exclude(institution_id__in=list(quotas)).count()
    return shared < open_seats


def seat_quota_set(
    *, workshop: Workshop, institution: Institution, seats: int, actor: Any
) -> SeatQuota | None:
    """Reserve ``seats`` places per session for an institution; 0 removes the quota."""
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, workshop.municipality_id)
    allowed = {workshop.municipality_id}
    if workshop.cluster_id:
        allowed |= set(workshop.cluster.municipalities.values_list("pk", flat=True))
    if institution.municipality_id not in allowed:
        raise ValidationError(
            {"institution": _("Die Einrichtung gehört zu keiner teilnehmenden Kommune.")}
        )
    if seats < 0:
        raise ValidationError({"seats": _("Die Zahl der Plätze kann nicht negativ sein.")})
    with transaction.atomic():
        Workshop.objects.select_for_update().filter(pk=workshop.pk).first()
        quota = SeatQuota.objects.filter(workshop=workshop, institution=institution).first()
        others = (
            SeatQuota.objects.filter(workshop=workshop)
            .exclude(institution=institution)
            .values_list("seats", flat=True)
        )
        if sum(others) + seats > workshop.capacity:
            raise ValidationError(
                {
                    "seats": _(
                        "Die Kontingente (%(total)d) überschreiten die %(capacity)d Plätze "
                        "je Termin."
                    )
                    % {"total": sum(others) + seats, "capacity": workshop.capacity}
                }
            )
        if seats == 0:
            if quota is not None:
                audit_record(
                    actor=actor,
                    action=AuditAction.DELETE,
                    target=quota,
                    before=serialize_for_audit(quota),
                    related=workshop,
                )
                quota.delete()
            return None
        if quota is None:
            return save_created(
                SeatQuota(workshop=workshop, institution=institution, seats=seats),
                actor=actor,
                related=workshop,
            )
        before = serialize_for_audit(quota)
        quota.seats = seats
        save_updated(quota, actor=actor, before=before, related=workshop)
        return quota


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
        full = not seat_available(session=session, institution_id=registration.institution_id)
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


def invitation_respond(*, registration: Registration, accept: bool) -> Registration:
    """Answer an invitation through its personal link, without an account.

    The link is the authority: whoever holds it acts for the invited person. Accepting
    takes a seat her institution may take, or the waiting list; declining (also after
    accepting) frees the seat for the waiting list and retires the link.
    """
    session = registration.session
    actor = SystemActor(_("Einladungslink"))
    if registration.invitation_token is None or registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(_("Diese Einladung ist nicht mehr gültig."))
    if session.is_cancelled:
        raise ValidationError(_("Der Termin ist abgesagt."))
    if accept and session.starts_at <= timezone.now():
        raise ValidationError(
            _("Der Termin hat bereits begonnen; eine Anmeldung ist nicht mehr möglich.")
        )
    with transaction.atomic():
        WorkshopSession.objects.select_for_update().filter(pk=session.pk).first()
        registration.refresh_from_db()
        before = serialize_for_audit(registration)
        if accept:
            if registration.status != RegistrationStatus.INVITED:
                return registration  # answered already: the link is idempotent
            full = not seat_available(session=session, institution_id=registration.institution_id)
            registration.status = (
                RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED
            )
            registration.queued_at = timezone.now()
        else:
            was_registered = registration.status == RegistrationStatus.REGISTERED
            registration.status = RegistrationStatus.CANCELLED
            registration.invitation_token = None
        save_updated(
            registration,
            actor=actor,
            before=before,
            clean=False,
            related=session,
            reason=_("Antwort über den persönlichen Einladungslink"),
        )
        if accept and registration.email:
            _mail(
                template="quality/mail/signup.txt",
                context={"session": session, "registration": registration, "full": full},
                to=[registration.email],
            )
        if not accept and was_registered:
            _promote_waiting(session=session, actor=actor)
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
        save_updated(registration, actor=actor, before=before, clean=False, related=session)
        _promote_waiting(session=session, actor=actor)
    return registration


def _promote_waiting(*, session: WorkshopSession, actor: Any) -> list[Registration]:
    """Move people up in queue order, each only onto a seat her institution may take."""
    if session.is_cancelled or _registered_count(session) >= session.effective_capacity:
        return []
    promoted = []
    waiting = session.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
        "queued_at", "id"
    )
    for registration in waiting:
        if not seat_available(session=session, institution_id=registration.institution_id):
            continue
        promoted.append(registration)
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
