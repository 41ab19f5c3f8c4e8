"""All writes of the partner side of the chain and their business rules (STYLE §7.3).

Two gates everywhere, as for cases: the role's right in the commune
(``core.permissions``) AND the object binding — the institution a professional is bound
to (:class:`StaffBinding`), the consultation an insoweit erfahrene Fachkraft was asked
for, the responsible Jugendamt team of the procedure a Mitteilung became.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services as case_services
from cases.choices import ActivityCode, Channel
from cases.choices import Sex as ChildSex
from core import crypto, permissions
from core.audit import audit_record, save_created, save_updated, serialize_for_audit
from core.choices import AuditAction, Role
from core.mail import mail_send
from core.models import Membership
from core.services import membership_grant_from_invitation, membership_revoke_role
from partners import constants
from partners.choices import (
    ConsultationOutcome,
    ConsultationStatus,
    Decision,
    InvolvementKind,
    MessageStatus,
    PartnerActivity,
    RecordStatus,
    ReporterInvolvement,
    SignOffRule,
    Specialism,
    StaffRole,
)
from partners.models import (
    AgreementTerms,
    Consultation,
    InsofaPoolMember,
    PartnerEvent,
    PartnerMessage,
    PartnerRecord,
    PartnerSettings,
    StaffBinding,
    StaffInvitation,
)

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
INVITATION_DAYS = 14


# --- helpers ------------------------------------------------------------------------------


def _actor_name(actor: Any) -> str:
    if getattr(actor, "is_system", False):
        return str(actor)
    return (actor.get_full_name() or actor.get_username()) if actor else ""


def binding_of(user: Any) -> StaffBinding | None:
    """The institution ``user`` is bound to, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return StaffBinding.objects.select_related("institution").filter(user=user).first()


def _require_institution(actor: Any, institution: Any, action: str) -> None:
    """Role right on partner records in the commune AND bound to this very institution."""
    permissions.require(actor, action, permissions.PARTNERS, institution.municipality_id)
    if getattr(actor, "is_system", False):
        return
    binding = binding_of(actor)
    if binding is None or binding.institution_id != institution.pk:
        raise PermissionDenied("not bound to this institution")


def _require_insofa(actor: Any, consultation: Consultation, action: str) -> None:
    """The asked insoFa herself, with her role in her pool's commune."""
    insofa = consultation.insofa
    permissions.require(actor, action, permissions.CONSULTATIONS, insofa.municipality_id)
    if getattr(actor, "is_system", False):
        return
    if insofa.user_id is None or insofa.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("consultation addressed to someone else")


def _require_jugendamt_team(actor: Any, message: PartnerMessage, action: str) -> None:
    """After acknowledgement only the responsible team acts on the message."""
    if message.procedure_id is None:
        permissions.require(actor, action, permissions.CASES, message.municipality_id)
        return
    procedure = message.procedure
    permissions.require(actor, action, permissions.CASES, procedure.municipality_id)
    if not case_services.is_team_member(user=actor, team=procedure.team):
        raise PermissionDenied("not a member of the responsible team")


def _check_not_future(when: dt.datetime | dt.date, what: str) -> None:
    now = timezone.now()
    if isinstance(when, dt.datetime):
        too_late = when > now + FUTURE_TOLERANCE
    else:
        too_late = when > timezone.localdate()
    if too_late:
        raise ValidationError(_("%(what)s kann nicht in der Zukunft liegen.") % {"what": what})


def settings_for(*, municipality_id: int) -> PartnerSettings:
    """The commune's partner settings, or an unsaved row with the defaults."""
    found = PartnerSettings.objects.filter(municipality_id=municipality_id).first()
    return found or PartnerSettings(municipality_id=municipality_id)


def jugendamt_of(municipality_id: int) -> Any:
    """The commune's Jugendamt in the network registry (the acting institution of its steps)."""
    from registry.models import Institution

    return (
        Institution.objects.filter(
            municipality_id=municipality_id, institution_type=constants.YOUTH_OFFICE_TYPE
        )
        .order_by("position", "name")
        .first()
    )


def _event(
    *,
    record: PartnerRecord,
    activity: str,
    occurred_at: dt.datetime,
    institution: Any,
    actor: Any,
    institution_name: str = "",
) -> PartnerEvent:
    event = PartnerEvent(
        municipality_id=record.municipality_id,
        record=record,
        activity_code=activity,
        occurred_at=occurred_at,
        institution=institution,
        institution_name=(institution.name if institution is not None else institution_name)[:300],
        institution_type=(
            institution.institution_type
            if institution is not None
            else (constants.YOUTH_OFFICE_TYPE if institution_name else "")
        ),
        actor_name=_actor_name(actor)[:150],
    )
    event.full_clean()
    event.save()
    return event


def _years_after(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _at_noon(day: dt.date) -> dt.datetime:
    # A "first noticed" date becomes a time for the event log: noon, local time.
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _agreement_terms_for(institution: Any) -> AgreementTerms | None:
    """Terms of the newest agreement the institution is party to that records terms."""
    return (
        AgreementTerms.objects.filter(agreement__institutions=institution)
        .select_related("agreement")
        .order_by("-agreement__valid_from", "-pk")
        .first()
    )


def sign_off_rule_for(institution: Any) -> str:
    """Who signs for this institution: its agreement's rule, else the commune's default."""
    terms = _agreement_terms_for(institution)
    if terms is not None and terms.sign_off_rule:
        return terms.sign_off_rule
    return settings_for(municipality_id=institution.municipality_id).sign_off_rule


def feedback_basis_for(institution: Any) -> tuple[str, str]:
    """(legal basis, scope) of the Jugendamt's feedback to this institution.

    The agreement's terms win (providers: § 8a Abs. 4 agreement); professionals bound by
    secrecy (§ 4 Abs. 1 KKG) fall back to the statute; otherwise nothing is recorded and
    the page says so.
    """
    terms = _agreement_terms_for(institution)
    if terms is not None:
        return terms.feedback_legal_basis, terms.feedback_scope
    statutory = constants.STATUTORY_FEEDBACK_BASIS.get(institution.institution_type)
    if statutory:
        return statutory
    return "", ""


# --- settings, terms, pool (coordination) --------------------------------------------------


RETENTION_YEARS = (1, 30)


def partner_settings_update(
    *, municipality: Any, actor: Any, retention_years: int, sign_off_rule: str
) -> PartnerSettings:
    """The commune's retention period and default sign-off rule for partner records.

    The retention period applies to records signed from now on (each record keeps the
    date it was given at sign-off); the sign-off rule applies to every institution whose
    agreement names none.
    """
    permissions.require(actor, permissions.CHANGE, permissions.NETWORK, municipality.pk)
    errors = {}
    low, high = RETENTION_YEARS
    if not isinstance(retention_years, int) or not low <= retention_years <= high:
        errors["retention_years"] = _("Bitte %(low)d bis %(high)d Jahre angeben.") % {
            "low": low,
            "high": high,
        }
    if sign_off_rule not in SignOffRule.values:
        errors["sign_off_rule"] = _("Bitte eine der Regeln wählen.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = PartnerSettings.objects.select_for_update().filter(municipality=municipality).first()
        if row is None:
            row = PartnerSettings(
                municipality=municipality,
                retention_years=retention_years,
                sign_off_rule=sign_off_rule,
            )
            return save_created(row, actor=actor)
        before = serialize_for_audit(row)
        row.retention_years = retention_years
        row.sign_off_rule = sign_off_rule
        save_updated(row, actor=actor, before=before)
    return row


def agreement_terms_set(
    *,
    agreement: Any,
    actor: Any,
    feedback_legal_basis: str,
    feedback_scope: str = "",
    sign_off_rule: str = "",
) -> AgreementTerms:
    """Record what an agreement says about feedback and sign-off (data, not code).

    Only agreements with institutions of the commune as parties can carry terms: the
    terms apply to those institutions' Mitteilungen and records.
    """
    permissions.require(actor, permissions.CHANGE, permissions.NETWORK, agreement.municipality_id)
    errors = {}
    if not feedback_legal_basis.strip():
        errors["feedback_legal_basis"] = _("Bitte die Rechtsgrundlage angeben.")
    if sign_off_rule and sign_off_rule not in SignOffRule.values:
        errors["sign_off_rule"] = _("Bitte eine der Regeln wählen.")
    if errors:
        raise ValidationError(errors)
    if not agreement.institutions.exists():
        raise ValidationError(
            _(
                "An dieser Vereinbarung ist keine Einrichtung beteiligt; tragen Sie zuerst "
                "die beteiligten Einrichtungen ein."
            )
        )
    with transaction.atomic():
        terms = AgreementTerms.objects.select_for_update().filter(agreement=agreement).first()
        if terms is None:
            terms = AgreementTerms(
                agreement=agreement,
                municipality_id=agreement.municipality_id,
                feedback_legal_basis=feedback_legal_basis.strip(),
                feedback_scope=feedback_scope.strip(),
                sign_off_rule=sign_off_rule,
            )
            return save_created(terms, actor=actor)
        before = serialize_for_audit(terms)
        terms.feedback_legal_basis = feedback_legal_basis.strip()
        terms.feedback_scope = feedback_scope.strip()
        terms.sign_off_rule = sign_off_rule
        save_updated(terms, actor=actor, before=before)
    return terms


def agreement_terms_delete(*, terms: AgreementTerms, actor: Any) -> None:
    """Remove an agreement's terms: its institutions fall back to the statute (§ 4 Abs. 4
    KKG where it applies) and to the commune's default sign-off rule."""
    permissions.require(actor, permissions.CHANGE, permissions.NETWORK, terms.municipality_id)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=terms,
            before=serialize_for_audit(terms),
        )
        terms.delete()


def _clean_pool_lists(specialisms: list[str], languages: list[str]) -> tuple[list, list]:
    unknown = set(specialisms) - set(Specialism.values)
    if unknown:
        raise ValidationError(
            {"specialisms": _("Unbekannter Schwerpunkt: %(s)s") % {"s": ", ".join(sorted(unknown))}}
        )
    langs = sorted({lang.strip().lower() for lang in languages if lang.strip()})
    return [s for s in Specialism.values if s in specialisms], langs


def _check_pool_links(municipality: Any, *, institution: Any, agreement: Any, user: Any) -> None:
    """Employer and agreement of the pool member's commune; an account only with the
    insoFa role there, and not already another pool member's."""
    errors = {}
    for other, what in ((institution, "institution"), (agreement, "agreement")):
        if other is not None and other.municipality_id != municipality.pk:
            errors[what] = _("Gehört nicht zu dieser Kommune.")
    if (
        user is not None
        and not Membership.objects.filter(
            user=user, municipality=municipality, role=Role.INSOFA
        ).exists()
    ):
        errors["user"] = _("Der Zugang hat keine Rolle als insoweit erfahrene Fachkraft hier.")
    if errors:
        raise ValidationError(errors)


def insofa_create(
    *,
    municipality: Any,
    actor: Any,
    name: str,
    qualification: str,
    specialisms: list[str],
    languages: list[str],
    institution: Any = None,
    agreement: Any = None,
    user: Any = None,
    available: bool = True,
    availability_note: str = "",
    cluster_wide: bool = False,
) -> InsofaPoolMember:
    """Add an insoweit erfahrene Fachkraft to the commune's pool (coordination)."""
    permissions.require(actor, permissions.ADD, permissions.NETWORK, municipality.pk)
    specialisms, languages = _clean_pool_lists(specialisms, languages)
    _check_pool_links(municipality, institution=institution, agreement=agreement, user=user)
    with transaction.atomic():
        member = InsofaPoolMember(
            municipality=municipality,
            name=name.strip(),
            qualification=qualification.strip(),
            specialisms=specialisms,
            languages=languages,
            institution=institution,
            agreement=agreement,
            user=user,
            available=available,
            availability_note=availability_note.strip(),
            cluster_wide=cluster_wide,
        )
        save_created(member, actor=actor)
    return member


def insofa_update(*, member: InsofaPoolMember, actor: Any, **changes: Any) -> InsofaPoolMember:
    """Change availability, specialisms … of a pool member (coordination)."""
    permissions.require(actor, permissions.CHANGE, permissions.NETWORK, member.municipality_id)
    allowed = {
        "name",
        "qualification",
        "specialisms",
        "languages",
        "institution",
        "agreement",
        "user",
        "available",
        "availability_note",
        "cluster_wide",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("Unbekannte Felder: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "specialisms" in changes or "languages" in changes:
        changes["specialisms"], changes["languages"] = _clean_pool_lists(
            changes.get("specialisms", member.specialisms),
            changes.get("languages", member.languages),
        )
    _check_pool_links(
        member.municipality,
        institution=changes.get("institution"),
        agreement=changes.get("agreement"),
        user=changes.get("user"),
    )
    for text in ("name", "qualification", "availability_note"):
        if text in changes:
            changes[text] = (changes[text] or "").strip()
    with transaction.atomic():
        member = InsofaPoolMember.objects.select_for_update().get(pk=member.pk)
        before = serialize_for_audit(member)
        for name, value in changes.items():
            setattr(member, name, value)
        save_updated(member, actor=actor, before=before)
    return member


# --- staff: invitation by e-mail link -----------------------------------------------------


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def staff_invite(
    *, institution: Any, email: str, role: str, actor: Any, base_url: str = ""
) -> tuple[StaffInvitation, str]:
    """Invite a person into an institution; returns the invitation and the raw token.

    The institution's lead invites her staff; the commune's coordination (who manages the
    commune's members) invites leads and staff of any institution of the registry.
    """
    if role not in StaffRole.values:
        raise ValidationError({"role": _("Unbekannte Rolle.")})
    if not permissions.has_permission(
        actor, permissions.MANAGE_MEMBERS, "members", institution.municipality_id
    ):
        _require_institution(actor, institution, permissions.MANAGE_MEMBERS)
    email = email.strip().lower()
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = StaffInvitation(
            municipality_id=institution.municipality_id,
            institution=institution,
            email=email,
            role=role,
            token_hash=_hash_token(raw),
            invited_by=actor if getattr(actor, "is_authenticated", False) else None,
            expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
        )
        save_created(invitation, actor=actor)
        link = f"{base_url}/partner/einladung/{raw}/"
        # core.mail: sent after the commit by the worker, sealed while it waits.
        mail_send(
            template="partners/mail/staff_invitation.txt",
            context={
                "role": StaffRole(role).label,
                "inst": institution.name,
                "days": INVITATION_DAYS,
                "expires_at": invitation.expires_at,
                "link": link,
            },
            to=[email],
        )
    return invitation, raw


def invitation_for_token(raw: str) -> StaffInvitation | None:
    """The open invitation of a raw token, or None (unknown, used, revoked or expired)."""
    if not raw:
        return None
    invitation = (
        StaffInvitation.objects.select_related("institution", "institution__municipality")
        .filter(token_hash=_hash_token(raw))
        .first()
    )
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return None
    if invitation.expires_at <= timezone.now():
        return None
    return invitation


def staff_invitation_accept(
    *, raw_token: str, username: str, password: str, first_name: str = "", last_name: str = ""
) -> Any:
    """Create the invited person's login, role and institution binding in one step."""
    user_model = get_user_model()
    with transaction.atomic():
        invitation = invitation_for_token(raw_token)
        if invitation is None:
            raise ValidationError(_("Die Einladung ist ungültig, abgelaufen oder schon benutzt."))
        invitation = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise ValidationError(_("Die Einladung ist ungültig, abgelaufen oder schon benutzt."))
        if user_model.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("Dieser Benutzername ist vergeben.")})
        user = user_model(
            username=username,
            email=invitation.email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
        user.full_clean()
        user.save()
        # Roles change only through the audited service in core.
        membership_grant_from_invitation(
            user=user,
            municipality_id=invitation.municipality_id,
            role=invitation.role,
            invited_by=str(invitation.invited_by or ""),
            actor=user,
        )
        binding = StaffBinding(
            user=user,
            institution=invitation.institution,
            municipality_id=invitation.municipality_id,
            role=invitation.role,
        )
        binding.full_clean()
        binding.save()
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            target=binding,
            after={**serialize_for_audit(binding), "invitation": str(invitation.code)},
            reason="Einladung angenommen",
        )
    return user


def staff_remove(*, binding: StaffBinding, actor: Any) -> None:
    """Take a person out of the institution: binding and institution role go at once."""
    _require_institution(actor, binding.institution, permissions.MANAGE_MEMBERS)
    if binding.user_id == getattr(actor, "pk", None):
        raise ValidationError(_("Sie können sich nicht selbst aus der Einrichtung entfernen."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=binding,
            before=serialize_for_audit(binding),
        )
        membership_revoke_role(
            user_id=binding.user_id,
            municipality_id=binding.municipality_id,
            role=binding.role,
            actor=actor,
            reason="aus der Einrichtung entfernt",
        )
        binding.delete()


# --- the partner's record ----------------------------------------------------------------


RECORD_FIELDS = {
    "child_code",
    "age_band",
    "noticed_on",
    "indications",
    "assessment_summary",
    "parents_talk",
    "child_talk",
    "talk_omitted_reason",
    "help_towards",
    "decision",
    "review_on",
}


def _validate_record(record: PartnerRecord) -> None:
    _check_not_future(record.noticed_on, _("„Zuerst bemerkt am“"))
    if record.decision == Decision.MONITOR and not record.review_on:
        raise ValidationError(
            {"review_on": _("Beim Weiter-Beobachten ist ein Termin zur Überprüfung nötig.")}
        )


def record_create(
    *,
    institution: Any,
    actor: Any,
    child_code: str,
    age_band: str,
    noticed_on: dt.date,
    indications: str,
    **fields: Any,
) -> PartnerRecord:
    """Open a pseudonymous record at the actor's institution, with the commune's instrument."""
    _require_institution(actor, institution, permissions.ADD)
    crypto.require_key()
    unknown = set(fields) - RECORD_FIELDS
    if unknown:
        raise ValidationError(_("Unbekannte Felder: %(f)s") % {"f": ", ".join(sorted(unknown))})
    instrument = instrument_for(institution=institution)
    with transaction.atomic():
        record = PartnerRecord(
            municipality_id=institution.municipality_id,
            institution=institution,
            child_code=child_code.strip(),
            age_band=age_band,
            noticed_on=noticed_on,
            indications=indications.strip(),
            instrument_key=instrument[0] if instrument else "",
            instrument_version=instrument[1] if instrument else "",
            author=actor,
            **fields,
        )
        _validate_record(record)
        save_created(record, actor=actor)
        _event(
            record=record,
            activity=PartnerActivity.NOTICED,
            occurred_at=_at_noon(noticed_on),
            institution=institution,
            actor=actor,
        )
        _event(
            record=record,
            activity=PartnerActivity.RECORD_OPENED,
            occurred_at=timezone.now(),
            institution=institution,
            actor=actor,
        )
    return record


def instrument_for(*, institution: Any) -> tuple[str, str] | None:
    """(key, version) of the instrument the commune publishes for this institution type."""
    from partners.instruments_bridge import current_instrument_for

    return current_instrument_for(
        municipality_id=institution.municipality_id, institution_type=institution.institution_type
    )


def record_update(
    *, record: PartnerRecord, actor: Any, answers: dict[str, Any] | None = None, **fields: Any
) -> PartnerRecord:
    """Fill in the draft: assessment, conversation with parents/child, help, decision."""
    _require_institution(actor, record.institution, permissions.CHANGE)
    unknown = set(fields) - RECORD_FIELDS
    if unknown:
        raise ValidationError(_("Unbekannte Felder: %(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        record = PartnerRecord.objects.select_for_update().get(pk=record.pk)
        if record.is_signed:
            raise ValidationError(
                _("Die Dokumentation ist abgezeichnet und kann nicht mehr geändert werden.")
            )
        before = serialize_for_audit(record)
        had_talk = record.parents_talk or record.child_talk
        for name, value in fields.items():
            setattr(record, name, value.strip() if isinstance(value, str) else value)
        if answers is not None:
            from partners.instruments_bridge import validate_answers

            record.answers = validate_answers(
                key=record.instrument_key,
                version=record.instrument_version,
                age_band=record.age_band,
                answers=answers,
                municipality_id=record.municipality_id,
            )
        _validate_record(record)
        save_updated(record, actor=actor, before=before)
        if not had_talk and (record.parents_talk or record.child_talk):
            _event(
                record=record,
                activity=PartnerActivity.PARENTS_TALK,
                occurred_at=timezone.now(),
                institution=record.institution,
                actor=actor,
            )
    return record


def record_sign_off(*, record: PartnerRecord, actor: Any) -> PartnerRecord:
    """A second person of the institution signs (its lead, or a colleague if the agreement
    allows); the record is then binding."""
    _require_institution(actor, record.institution, permissions.SIGN_OFF)
    with transaction.atomic():
        record = PartnerRecord.objects.select_for_update().get(pk=record.pk)
        if record.is_signed:
            raise ValidationError(_("Die Dokumentation ist bereits abgezeichnet."))
        if getattr(actor, "pk", None) == record.author_id:
            raise ValidationError(
                _(
                    "Vier-Augen-Prinzip: Eine zweite Person der Einrichtung muss abzeichnen; "
                    "wer die Dokumentation erstellt hat, kann sie nicht selbst abzeichnen."
                )
            )
        rule = sign_off_rule_for(record.institution)
        binding = binding_of(actor)
        if (
            rule == SignOffRule.LEAD
            and not getattr(actor, "is_system", False)
            and (binding is None or binding.role != StaffRole.LEAD)
        ):
            raise PermissionDenied("agreement requires the institution's lead to sign")
        if not record.decision:
            raise ValidationError(
                {"decision": _("Ohne Entscheidung kann nicht abgezeichnet werden.")}
            )
        if not (record.parents_talk or record.child_talk) and not record.talk_omitted_reason:
            raise ValidationError(
                {
                    "talk_omitted_reason": _(
                        "Bitte das Gespräch mit Eltern und Kind dokumentieren oder begründen, "
                        "warum es den Schutz des Kindes gefährden würde."
                    )
                }
            )
        before = serialize_for_audit(record)
        now = timezone.now()
        record.status = RecordStatus.SIGNED
        record.signed_by = actor
        record.signed_at = now
        years = settings_for(municipality_id=record.municipality_id).retention_years
        record.purge_after = _years_after(timezone.localdate(), years)
        save_updated(record, actor=actor, before=before, action=AuditAction.SIGN_OFF, always=True)
        _event(
            record=record,
            activity=PartnerActivity.RECORD_SIGNED,
            occurred_at=now,
            institution=record.institution,
            actor=actor,
        )
    return record


# --- consultation of an insoweit erfahrene Fachkraft ---------------------------------------


def consultation_request(
    *,
    record: PartnerRecord,
    insofa: InsofaPoolMember,
    question: str,
    actor: Any,
    base_url: str = "",
) -> Consultation:
    """Ask a member of the pool (the commune's own, or the cluster's) for advice (§ 8b).

    The insoFa gets a mail after the commit when her login has an address (institution,
    time and link only — neither the child nor the question)."""
    _require_institution(actor, record.institution, permissions.CHANGE)
    from partners.selectors import pool_for_municipality

    # Re-read: the pool and the availability are what the database says now.
    insofa = pool_for_municipality(municipality=record.municipality).filter(pk=insofa.pk).first()
    if insofa is None:
        raise ValidationError({"insofa": _("Diese Fachkraft gehört nicht zum Pool der Kommune.")})
    if not insofa.available:
        raise ValidationError({"insofa": _("Diese Fachkraft ist derzeit nicht verfügbar.")})
    if not question.strip():
        raise ValidationError({"question": _("Bitte die Fragestellung angeben.")})
    now = timezone.now()
    with transaction.atomic():
        consultation = Consultation(
            municipality_id=record.municipality_id,
            record=record,
            insofa=insofa,
            question=question.strip(),
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            requested_at=now,
        )
        save_created(consultation, actor=actor, related=record)
        _event(
            record=record,
            activity=PartnerActivity.INSOFA_REQUESTED,
            occurred_at=now,
            institution=record.institution,
            actor=actor,
        )
        account = insofa.user
        if account is not None and account.is_active:
            mail_send(
                template="partners/mail/consultation_request.txt",
                context={
                    "inst": record.institution.name,
                    "requested_at": now,
                    "link": base_url
                    + reverse("partners:consultation_detail", args=[consultation.code]),
                },
                to=[account],
            )
    return consultation


def consultation_respond(
    *, consultation: Consultation, actor: Any, accept: bool, reason: str = ""
) -> Consultation:
    """The insoFa accepts or declines (with a reason) a request addressed to her."""
    _require_insofa(actor, consultation, permissions.CHANGE)
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if consultation.status != ConsultationStatus.REQUESTED:
            raise ValidationError(_("Die Anfrage ist bereits beantwortet."))
        if not accept and not reason.strip():
            raise ValidationError(
                {"decline_reason": _("Bitte einen Grund für die Ablehnung angeben.")}
            )
        before = serialize_for_audit(consultation)
        consultation.status = ConsultationStatus.ACCEPTED if accept else ConsultationStatus.DECLINED
        consultation.answered_at = timezone.now()
        consultation.decline_reason = "" if accept else reason.strip()
        save_updated(consultation, actor=actor, before=before, related=consultation.record)
    return consultation


def consultation_complete(
    *,
    consultation: Consultation,
    actor: Any,
    consulted_at: dt.datetime,
    outcome: str,
    result: str,
) -> Consultation:
    """The insoFa documents the result in the same pseudonymous record."""
    _require_insofa(actor, consultation, permissions.CHANGE)
    if outcome not in ConsultationOutcome.values:
        raise ValidationError({"outcome": _("Bitte ein Ergebnis wählen.")})
    if not result.strip():
        raise ValidationError({"result": _("Bitte das Ergebnis der Beratung festhalten.")})
    _check_not_future(consulted_at, _("Die Beratung"))
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if consultation.status != ConsultationStatus.ACCEPTED:
            raise ValidationError(_("Nur eine angenommene Anfrage kann dokumentiert werden."))
        if consulted_at < consultation.requested_at - FUTURE_TOLERANCE:
            raise ValidationError(
                {"consulted_at": _("Die Beratung kann nicht vor der Anfrage liegen.")}
            )
        before = serialize_for_audit(consultation)
        consultation.status = ConsultationStatus.DONE
        consultation.consulted_at = consulted_at
        consultation.outcome = outcome
        consultation.result = result.strip()
        save_updated(consultation, actor=actor, before=before, related=consultation.record)
        insofa = consultation.insofa
        _event(
            record=consultation.record,
            activity=PartnerActivity.INSOFA_CONSULTED,
            occurred_at=consulted_at,
            institution=insofa.institution,
            institution_name=""
            if insofa.institution_id
            else str(_("insoweit erfahrene Fachkraft")),
            actor=actor,
        )
    return consultation


# --- the Mitteilung an das Jugendamt --------------------------------------------------------


def _new_receipt(sent_at: dt.datetime) -> str:
    # Short enough to read over the phone, random enough not to be guessed.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        code = f"M-{sent_at:%y%m}-" + "".join(secrets.choice(alphabet) for _ in range(6))
        if not PartnerMessage.objects.filter(receipt=code).exists():
            return code


def message_send(
    *,
    record: PartnerRecord,
    actor: Any,
    observations: str,
    contact_person: str,
    child_name: str,
    child_sex: str,
    child_birth_month: int,
    child_birth_year: int,
    child_birth_date: str = "",
    child_address: str = "",
    parents: str = "",
    assessment_summary: str = "",
    actions_taken: str = "",
) -> PartnerMessage:
    """Inform the Jugendamt: the message arrives in its intake with a receipt for the sender.

    The identifying data is entered only now (encrypted); the reporter category of the
    federal statistic follows from the institution type; the feedback deadline comes from
    the commune's case policy (the one source of deadlines).
    """
    _require_institution(actor, record.institution, permissions.CHANGE)
    crypto.require_key()
    errors: dict[str, str] = {}
    if not observations.strip():
        errors["observations"] = _("Bitte die Beobachtungen angeben.")
    if not contact_person.strip():
        errors["contact_person"] = _("Bitte eine Ansprechperson mit Erreichbarkeit angeben.")
    if not child_name.strip():
        errors["child_name"] = _("Bitte den Namen des Kindes angeben.")
    if child_sex not in ChildSex.values:
        errors["child_sex"] = _("Bitte das Geschlecht angeben.")
    if not 1 <= int(child_birth_month) <= 12:
        errors["child_birth_month"] = _("Monat 1 bis 12.")
    today = timezone.localdate()
    if not today.year - 18 <= int(child_birth_year) <= today.year:
        errors["child_birth_year"] = _("Das Kind muss minderjährig sein.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        record = PartnerRecord.objects.select_for_update().get(pk=record.pk)
        if not record.is_signed:
            raise ValidationError(
                _(
                    "Die Dokumentation muss vor der Mitteilung von einer zweiten Person "
                    "abgezeichnet sein."
                )
            )
        if record.decision != Decision.INFORM:
            raise ValidationError(
                _("Die Entscheidung der Einrichtung lautet nicht „Jugendamt informieren“.")
            )
        if PartnerMessage.objects.filter(record=record).exists():
            raise ValidationError(
                _("Zu dieser Dokumentation ist bereits eine Mitteilung gesendet.")
            )
        policy = case_services.policy_for(municipality_id=record.municipality_id)
        delta = policy.step_delta(ActivityCode.REPORTER_FEEDBACK)
        message = PartnerMessage(
            municipality_id=record.municipality_id,
            record=record,
            institution=record.institution,
            receipt=_new_receipt(now),
            reporter_category=constants.reporter_category_for(record.institution.institution_type),
            sent_at=now,
            sent_by=actor if getattr(actor, "is_authenticated", False) else None,
            observations=observations.strip(),
            assessment_summary=assessment_summary.strip() or record.assessment_summary,
            instrument_key=record.instrument_key,
            instrument_version=record.instrument_version,
            actions_taken=actions_taken.strip() or record.help_towards,
            contact_person=contact_person.strip(),
            child_name=child_name.strip(),
            child_birth_date=child_birth_date.strip(),
            child_address=child_address.strip(),
            parents=parents.strip(),
            child_sex=child_sex,
            child_birth_month=int(child_birth_month),
            child_birth_year=int(child_birth_year),
            feedback_due=now + delta if delta else None,
        )
        save_created(message, actor=actor, related=record)
        _event(
            record=record,
            activity=PartnerActivity.MESSAGE_SENT,
            occurred_at=now,
            institution=record.institution,
            actor=actor,
        )
    return message


def message_acknowledge(
    *,
    message: PartnerMessage,
    team: Any,
    actor: Any,
    urgency: str,
    living_situation: str,
) -> PartnerMessage:
    """The Jugendamt confirms receipt; the message becomes a § 8a procedure of ``team``.

    The procedure starts at the time of receipt with the reporting institution and the
    statistic's reporter category; the child's name goes into the encrypted person store.
    """
    if team.municipality_id != message.municipality_id:
        raise PermissionDenied("team of another commune")
    with transaction.atomic():
        message = PartnerMessage.objects.select_for_update().get(pk=message.pk)
        if message.status != MessageStatus.SENT:
            raise ValidationError(_("Der Eingang dieser Mitteilung ist bereits bestätigt."))
        persons = [
            {
                "role": "child",
                "name": message.child_name,
                "birth_date": message.child_birth_date,
                "address": message.child_address,
            }
        ]
        if message.parents:
            persons.append({"role": "guardian", "name": message.parents})
        # procedure_create checks the case role and team membership itself.
        procedure = case_services.procedure_create(
            team=team,
            actor=actor,
            received_at=message.sent_at,
            reporter_category=message.reporter_category,
            channel=Channel.FORM,
            indications=message.observations,
            urgency=urgency,
            child={
                "sex": message.child_sex,
                "birth_year": message.child_birth_year,
                "birth_month": message.child_birth_month,
                "living_situation": living_situation,
            },
            persons=persons,
            reporter_institution=message.institution,
        )
        before = serialize_for_audit(message)
        now = timezone.now()
        message.status = MessageStatus.ACKNOWLEDGED
        message.acknowledged_at = now
        message.acknowledged_by_name = _actor_name(actor)[:150]
        message.procedure = procedure
        # One source of deadlines: the procedure's feedback deadline (commune policy).
        message.feedback_due = procedure.feedback_due or message.feedback_due
        save_updated(message, actor=actor, before=before, clean=False, reason="Eingang bestätigt")
        jugendamt = jugendamt_of(message.municipality_id)
        _event(
            record=message.record,
            activity=PartnerActivity.MESSAGE_ACKNOWLEDGED,
            occurred_at=now,
            institution=jugendamt,
            institution_name="" if jugendamt else str(_("Jugendamt")),
            actor=actor,
        )
    return message


def message_record_involvement(
    *,
    message: PartnerMessage,
    actor: Any,
    involvement: str,
    occurred_at: dt.datetime,
    kind: str = "",
    note: str = "",
) -> PartnerMessage:
    """The Jugendamt records whether and how the reporting professional was involved in
    its assessment (§ 8a Abs. 1 S. 2 Nr. 2 SGB VIII, § 4 Abs. 3 KKG)."""
    if message.procedure_id is None:
        raise ValidationError(_("Bitte zuerst den Eingang der Mitteilung bestätigen."))
    _require_jugendamt_team(actor, message, permissions.CHANGE)
    if involvement not in ReporterInvolvement.values:
        raise ValidationError({"reporter_involvement": _("Bitte eine Angabe wählen.")})
    if involvement == ReporterInvolvement.INVOLVED and kind not in InvolvementKind.values:
        raise ValidationError({"involvement_kind": _("Bitte angeben, wie einbezogen wurde.")})
    if involvement != ReporterInvolvement.INVOLVED and not note.strip():
        raise ValidationError(
            {"involvement_note": _("Bitte begründen, warum nicht einbezogen wurde.")}
        )
    _check_not_future(occurred_at, _("Die Einbeziehung"))
    if occurred_at < message.sent_at - FUTURE_TOLERANCE:
        raise ValidationError(
            {"involvement_at": _("Die Einbeziehung kann nicht vor dem Eingang liegen.")}
        )
    with transaction.atomic():
        message = PartnerMessage.objects.select_for_update().get(pk=message.pk)
        before = serialize_for_audit(message)
        message.reporter_involvement = involvement
        message.involvement_kind = kind if involvement == ReporterInvolvement.INVOLVED else ""
        message.involvement_note = note.strip()
        message.involvement_at = occurred_at
        save_updated(message, actor=actor, before=before, clean=False)
        if involvement == ReporterInvolvement.INVOLVED:
            _event(
                record=message.record,
                activity=PartnerActivity.REPORTER_INVOLVED,
                occurred_at=occurred_at,
                institution=message.institution,
                actor=actor,
            )
    return message


def message_feedback_send(
    *,
    message: PartnerMessage,
    actor: Any,
    indications_seen: bool,
    active: bool,
    text: str,
    base_url: str = "",
) -> PartnerMessage:
    """Feedback to the sender on the legal basis the agreement (or § 4 Abs. 4 KKG) names.

    It is also the procedure's "Rückmeldung an meldende Fachkraft" step, so the case
    team's due list and the compliance analysis see the same deadline met. The sender and
    the institution's lead get a mail after the commit (:func:`_mail_feedback`).
    """
    if message.procedure_id is None:
        raise ValidationError(_("Bitte zuerst den Eingang der Mitteilung bestätigen."))
    _require_jugendamt_team(actor, message, permissions.CHANGE)
    if not text.strip():
        raise ValidationError({"feedback_text": _("Bitte die Rückmeldung formulieren.")})
    legal_basis, _scope = feedback_basis_for(message.institution)
    now = timezone.now()
    with transaction.atomic():
        message = PartnerMessage.objects.select_for_update().get(pk=message.pk)
        if message.feedback_at is not None:
            raise ValidationError(_("Die Rückmeldung ist bereits gegeben."))
        before = serialize_for_audit(message)
        message.feedback_at = now
        message.feedback_legal_basis = legal_basis
        message.feedback_indications_seen = indications_seen
        message.feedback_active = active
        message.feedback_text = text.strip()
        message.feedback_by_name = _actor_name(actor)[:150]
        save_updated(message, actor=actor, before=before, clean=False)
        if message.procedure.feedback_at is None:
            case_services.procedure_record_step(
                procedure=message.procedure,
                actor=actor,
                activity_code=ActivityCode.REPORTER_FEEDBACK,
                occurred_at=now,
                institution=message.institution,
                details={"legal_basis": legal_basis, "via": "partner_message"},
            )
        _event(
            record=message.record,
            activity=PartnerActivity.FEEDBACK_GIVEN,
            occurred_at=now,
            institution=jugendamt_of(message.municipality_id),
            institution_name=str(_("Jugendamt")),
            actor=actor,
        )
        _mail_feedback(message, base_url)
    return message


def feedback_recipients(message: PartnerMessage) -> list[Any]:
    """Who of the institution hears of the feedback: the sender, if she still works there,
    and the institution's leads — active accounts bound to the institution only."""
    bound = StaffBinding.objects.filter(
        institution_id=message.institution_id, user__is_active=True
    ).select_related("user")
    return [
        b.user
        for b in bound.order_by("user_id")
        if b.user_id == message.sent_by_id or b.role == StaffRole.LEAD
    ]


def _mail_feedback(message: PartnerMessage, base_url: str) -> None:
    """Mail to the informing institution (core.mail: after the commit, sealed, in the
    reader's language and date format). Receipt, date, legal basis and a link only: no
    child data and not the feedback's text — mail is no channel for social data."""
    mail_send(
        template="partners/mail/feedback.txt",
        context={
            "receipt": message.receipt,
            "inst": message.institution.name,
            "sent_at": message.sent_at,
            "feedback_at": message.feedback_at,
            "basis": message.feedback_legal_basis,
            "link": base_url + message.record.get_absolute_url(),
        },
        to=feedback_recipients(message),
    )


# --- retention -------------------------------------------------------------------------------


def records_purge_expired(*, actor: Any, today: dt.date | None = None) -> int:
    """Delete signed records past their retention period without a message to the Jugendamt
    (a sent message is the Jugendamt's intake evidence and goes with the procedure)."""
    today = today or timezone.localdate()
    due = PartnerRecord.objects.filter(purge_after__lte=today, message__isnull=True)
    count = 0
    for record in due.iterator():
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.PURGE,
                target=record,
                before={"child_code": record.child_code, "noticed_on": str(record.noticed_on)},
                reason="Löschfrist der Einrichtung abgelaufen",
            )
            record.delete()
        count += 1
    return count
