"""All writes of § 8a procedures and their business rules (STYLE §7.3).

Every service checks the actor's right in the commune AND membership of the responsible
team, validates the sequence of steps, writes the row(s) and an audit row in one
transaction. Sequences that cannot happen (an assessment before the report, closing with
an open assessment) raise ``ValidationError`` with a message a caseworker understands.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import person_index
from cases.choices import (
    MANUAL_ACTIVITIES,
    PROFESSIONAL_REPORTERS,
    ActivityCode,
    AssessmentStatus,
    EndangermentKind,
    HandoverItem,
    HandoverStatus,
    ImpressionForm,
    NewHelp,
    ProcedureStatus,
    Section42Place,
    Section42Reason,
    SignOffRequestStatus,
    StatisticResult,
    age_group_for,
)
from cases.instruments import (
    InstrumentError,
    age_band_for_age,
    current_instrument,
    load_instrument,
    resolve_instrument,
)
from cases.models import (
    Amendment,
    CasePolicy,
    ChildRecord,
    CommitteeReport,
    Handover,
    Household,
    IndexedPerson,
    PersonRecord,
    Procedure,
    ProcedureEvent,
    RiskAssessment,
    SignOffRequest,
    Team,
    TeamMembership,
)
from core import crypto, permissions
from core.audit import (
    audit_record,
    audit_updated,
    save_created,
    save_updated,
    serialize_for_audit,
)
from core.choices import AuditAction
from core.mail import mail_send

# Clock skew we tolerate between a device and the server before calling a time "future".
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


# --- helpers ------------------------------------------------------------------------------


def _actor_name(actor: Any) -> str:
    if getattr(actor, "is_system", False):
        return str(actor)
    return (actor.get_full_name() or actor.get_username()) if actor else ""


def is_team_member(*, user: Any, team: Team) -> bool:
    """Whether ``user`` belongs to ``team`` (the system actor counts as member)."""
    if getattr(user, "is_system", False):
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return TeamMembership.objects.filter(team=team, user=user).exists()


def _require_case_team(actor: Any, team: Team, action: str) -> None:
    """The two gates of case access: a case role in the commune, membership of the team."""
    permissions.require(actor, action, permissions.CASES, team.municipality_id)
    if not is_team_member(user=actor, team=team):
        raise PermissionDenied("not a member of the responsible team")


def policy_for(*, municipality_id: int) -> CasePolicy:
    """The commune's policy, or an unsaved one with the defaults."""
    policy = CasePolicy.objects.filter(municipality_id=municipality_id).first()
    return policy or CasePolicy(municipality_id=municipality_id)


def _require_open(procedure: Procedure) -> None:
    if procedure.status == ProcedureStatus.CLOSED:
        raise ValidationError(
            _(
                "Das Verfahren ist abgeschlossen; es können nur noch Ergänzungen "
                "dokumentiert werden."
            )
        )


def _check_time(procedure: Procedure, when: dt.datetime, what: str) -> None:
    if when < procedure.received_at:
        raise ValidationError(
            _("%(what)s kann nicht vor dem Eingang der Meldung (%(when)s) liegen.")
            % {
                "what": what,
                "when": f"{timezone.localtime(procedure.received_at):%d.%m.%Y %H:%M}",
            }
        )
    if when > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError(_("%(what)s kann nicht in der Zukunft liegen.") % {"what": what})


def _event_create(
    *,
    procedure: Procedure,
    actor: Any,
    activity_code: str,
    occurred_at: dt.datetime,
    institution: Any = None,
    institution_name: str = "",
    note: str = "",
    details: dict[str, Any] | None = None,
) -> ProcedureEvent:
    institution_type = ""
    if institution is not None:
        if institution.municipality_id != procedure.municipality_id and not institution_name:
            institution_name = institution.name
        institution_name = institution_name or institution.name
        institution_type = institution.institution_type
    event = ProcedureEvent(
        procedure=procedure,
        activity_code=activity_code,
        occurred_at=occurred_at,
        institution=institution,
        institution_name=institution_name[:200],
        institution_type=institution_type,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=_actor_name(actor),
        note=note,
        details=details or {},
    )
    event.full_clean()
    event.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=event,
        after=serialize_for_audit(event),
        municipality_id=procedure.municipality_id,
        related=procedure,
    )
    return event


def _age_at(birth_year: int, birth_month: int, when: dt.date) -> int:
    return when.year - birth_year - (1 if when.month < birth_month else 0)


# --- teams and policy -------------------------------------------------------------------


def team_create(*, municipality: Any, name: str, actor: Any) -> Team:
    """Create a team; team composition is an organisational matter of the coordination."""
    permissions.require(actor, permissions.MANAGE_MEMBERS, "members", municipality.pk)
    with transaction.atomic():
        team = Team(municipality=municipality, name=name)
        team.full_clean()
        team.save()
        audit_record(
            actor=actor, action=AuditAction.CREATE, target=team, after=serialize_for_audit(team)
        )
    return team


def team_member_add(*, team: Team, user: Any, actor: Any) -> TeamMembership:
    """Add a person to a team; they still need a case role in the commune to open cases."""
    permissions.require(actor, permissions.MANAGE_MEMBERS, "members", team.municipality_id)
    with transaction.atomic():
        membership, created = TeamMembership.objects.get_or_create(team=team, user=user)
        if created:
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=membership,
                after=serialize_for_audit(membership),
                municipality_id=team.municipality_id,
            )
    return membership


def case_policy_update(
    *,
    municipality: Any,
    actor: Any,
    first_contact_hours: dict[str, int] | None = None,
    step_days: dict[str, int] | None = None,
    require_reporter_feedback: bool | None = None,
    require_team_lead_signoff: bool | None = None,
    retention_years: int | None = None,
    reason: str = "",
    share_statistic_in_cluster: bool | None = None,
) -> CasePolicy:
    """Change a commune's deadlines and retention (commune settings: coordination)."""
    permissions.require(actor, permissions.CHANGE, permissions.REGISTRY, municipality.pk)
    with transaction.atomic():
        policy, _created = CasePolicy.objects.select_for_update().get_or_create(
            municipality=municipality
        )
        before = serialize_for_audit(policy)
        if first_contact_hours is not None:
            if any(int(v) <= 0 for v in first_contact_hours.values()):
                raise ValidationError(_("Fristen müssen positiv sein."))
            policy.first_contact_hours = {**policy.first_contact_hours, **first_contact_hours}
        if step_days is not None:
            if any(int(v) <= 0 for v in step_days.values()):
                raise ValidationError(_("Fristen müssen positiv sein."))
            policy.step_days = {**policy.step_days, **step_days}
        if require_reporter_feedback is not None:
            policy.require_reporter_feedback = require_reporter_feedback
        if require_team_lead_signoff is not None:
            policy.require_team_lead_signoff = require_team_lead_signoff
        if retention_years is not None:
            policy.retention_years = retention_years
        if share_statistic_in_cluster is not None:
            policy.share_statistic_in_cluster = share_statistic_in_cluster
        save_updated(policy, actor=actor, before=before, reason=reason)
    return policy


# --- procedures -------------------------------------------------------------------------


def procedure_create(
    *,
    team: Team,
    actor: Any,
    received_at: dt.datetime,
    reporter_category: str,
    channel: str,
    indications: str,
    urgency: str,
    child: dict[str, Any],
    persons: list[dict[str, Any]] | None = None,
    file_number: str = "",
    repeated_report: bool = False,
    reporter_institution: Any = None,
    report_code: Any = None,
) -> Procedure:
    """Take in a report (Meldung): procedure, pseudonymous child record, encrypted persons.

    The urgency rating turns into the first-contact deadline by the commune's policy; the
    report and the rating are the procedure's first two events.
    """
    _require_case_team(actor, team, permissions.ADD)
    crypto.require_key()  # refuse before anything is written, not halfway through
    if received_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError(_("Der Eingang der Meldung kann nicht in der Zukunft liegen."))
    received_date = timezone.localtime(received_at).date()
    age = _age_at(int(child["birth_year"]), int(child["birth_month"]), received_date)
    if age < 0:
        raise ValidationError(_("Das Geburtsdatum des Kindes liegt nach dem Eingang der Meldung."))
    if age >= 18:
        raise ValidationError(_("Das Kind muss beim Eingang der Meldung minderjährig sein."))
    policy = policy_for(municipality_id=team.municipality_id)
    with transaction.atomic():
        child_record = ChildRecord(
            municipality_id=team.municipality_id, age_group=age_group_for(age), **child
        )
        child_record.full_clean()
        child_record.save()
        if not file_number:
            file_number = _next_file_number(team.municipality_id, received_date.year)
        procedure = Procedure(
            municipality_id=team.municipality_id,
            team=team,
            file_number=file_number,
            child=child_record,
            received_at=received_at,
            reporter_category=reporter_category,
            channel=channel,
            indications=indications,
            urgency=urgency,
            repeated_report=repeated_report,
            **({"report_code": report_code} if report_code else {}),
            first_contact_due=received_at + policy.first_contact_delta(urgency),
            assessment_due=_due(received_at, policy, ActivityCode.RISK_ASSESSMENT_SIGNED),
            feedback_due=(
                _due(received_at, policy, ActivityCode.REPORTER_FEEDBACK)
                if reporter_category in PROFESSIONAL_REPORTERS
                else None
            ),
            close_due=_due(received_at, policy, ActivityCode.CLOSED),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        procedure.full_clean(exclude=["child"])
        procedure.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=procedure,
            after=serialize_for_audit(procedure),
        )
        for data in persons or []:
            _person_add(procedure=procedure, actor=actor, **data)
        _event_create(
            procedure=procedure,
            actor=actor,
            activity_code=ActivityCode.REPORT_RECEIVED,
            occurred_at=received_at,
            institution=reporter_institution,
            details={"reporter_category": reporter_category, "channel": channel},
        )
        _event_create(
            procedure=procedure,
            actor=actor,
            activity_code=ActivityCode.URGENCY_RATED,
            occurred_at=max(
                received_at, min(timezone.now(), received_at + dt.timedelta(minutes=15))
            ),
            details={"urgency": urgency},
        )
    return procedure


def report_create(
    *,
    team: Team,
    actor: Any,
    received_at: dt.datetime,
    reporter_category: str,
    channel: str,
    indications: str,
    urgency: str,
    children: list[dict[str, Any]],
    family_persons: list[dict[str, Any]] | None = None,
    reporter_institution: Any = None,
) -> list[Procedure]:
    """Take in one report about one or several children: one procedure per child.

    The federal statistic counts one record per child and procedure, so siblings named in
    the same Meldung each get their own procedure (sharing ``report_code``). ``children`` are
    dicts with ``child`` (the pseudonymous statistic features), optional ``person`` (the
    child's identifying data; name and birth date are optional at intake) and optional
    ``repeated_report``. ``family_persons`` (parents) are recorded in every procedure, since
    each procedure is its own file and may be handed over or purged on its own.
    """
    if not children:
        raise ValidationError(_("Eine Meldung nennt mindestens ein Kind."))
    report_code = uuid.uuid4()
    procedures = []
    with transaction.atomic():
        for index, entry in enumerate(children, start=1):
            persons = []
            person = entry.get("person") or {}
            if person.get("name") or person.get("birth_date"):
                persons.append({"role": "child", **person})
            persons.extend(family_persons or [])
            try:
                procedures.append(
                    procedure_create(
                        team=team,
                        actor=actor,
                        received_at=received_at,
                        reporter_category=reporter_category,
                        channel=channel,
                        indications=indications,
                        urgency=urgency,
                        child=entry["child"],
                        persons=persons,
                        repeated_report=bool(entry.get("repeated_report", False)),
                        reporter_institution=reporter_institution,
                        report_code=report_code,
                    )
                )
            except ValidationError as exc:
                if len(children) == 1:
                    raise
                raise ValidationError(
                    _("Kind %(n)s: %(error)s") % {"n": index, "error": " ".join(exc.messages)}
                ) from exc
    return procedures


def _next_file_number(municipality_id: int, year: int) -> str:
    """The commune's next free Aktenzeichen of the year ("8a-2026-00042")."""
    prefix = f"8a-{year}-"
    taken = Procedure.objects.filter(
        municipality_id=municipality_id, file_number__startswith=prefix
    ).values_list("file_number", flat=True)
    numbers = [int(n.removeprefix(prefix)) for n in taken if n.removeprefix(prefix).isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:05d}"


def _due(received_at: dt.datetime, policy: CasePolicy, activity: str) -> dt.datetime | None:
    delta = policy.step_delta(activity)
    return received_at + delta if delta else None


def _person_add(
    *,
    procedure: Procedure,
    actor: Any,
    role: str,
    name: str,
    birth_date: str = "",
    address: str = "",
) -> PersonRecord:
    person = PersonRecord(
        procedure=procedure, role=role, name=name, birth_date=birth_date, address=address
    )
    person.full_clean()
    person.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=person,
        after=serialize_for_audit(person),
        municipality_id=procedure.municipality_id,
        related=procedure,
    )
    return person


def person_add(
    *,
    procedure: Procedure,
    actor: Any,
    role: str,
    name: str,
    birth_date: str = "",
    address: str = "",
) -> PersonRecord:
    """Add identifying data of a child or parent (encrypted; case team only)."""
    _require_case_team(actor, procedure.team, permissions.CHANGE)
    crypto.require_key()
    if procedure.purged_at:
        raise ValidationError(_("Die identifizierenden Daten dieses Verfahrens sind gelöscht."))
    with transaction.atomic():
        return _person_add(
            procedure=procedure,
            actor=actor,
            role=role,
            name=name,
            birth_date=birth_date,
            address=address,
        )


def procedure_record_step(
    *,
    procedure: Procedure,
    actor: Any,
    activity_code: str,
    occurred_at: dt.datetime,
    institution: Any = None,
    institution_name: str = "",
    note: str = "",
    details: dict[str, Any] | None = None,
) -> ProcedureEvent:
    """Document one step (contact, visit, help, court, hand-over …) as a binding event."""
    _require_case_team(actor, procedure.team, permissions.CHANGE)
    if activity_code not in MANUAL_ACTIVITIES:
        raise ValidationError(
            _(
                "Dieser Schritt wird über die Meldung, die Gefährdungseinschätzung oder den "
                "Abschluss dokumentiert."
            )
        )
    label = ActivityCode(activity_code).label
    details = dict(details or {})
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        _require_open(procedure)
        _check_time(procedure, occurred_at, f"„{label}“")
        codes = set(procedure.events.values_list("activity_code", flat=True))
        if activity_code == ActivityCode.HELP_ACCEPTED and ActivityCode.HELP_OFFERED not in codes:
            raise ValidationError(
                _("„Hilfe angenommen“ setzt voraus, dass zuvor eine Hilfe angeboten wurde.")
            )
        update: dict[str, Any] = _step_rules(procedure, activity_code, occurred_at, details, codes)
        if activity_code == ActivityCode.FIRST_CONTACT and procedure.first_contact_at is None:
            update["first_contact_at"] = occurred_at
        if activity_code == ActivityCode.REPORTER_FEEDBACK and procedure.feedback_at is None:
            update["feedback_at"] = occurred_at
        if activity_code == ActivityCode.INOBHUTNAHME:
            update["section_42"] = True
        if activity_code == ActivityCode.FAMILY_COURT_CALLED:
            update["family_court_called"] = True
        if activity_code == ActivityCode.HELP_ACCEPTED:
            help_types = details.get("help_types") or []
            unknown = set(help_types) - set(NewHelp.values)
            if unknown or not help_types:
                raise ValidationError(
                    _("Bitte angeben, welche Hilfe neu eingeleitet wurde (Bundesstatistik).")
                )
            merged = set(procedure.new_help_codes) | set(help_types)
            update["new_help"] = ",".join(c for c in NewHelp.values if c in merged)
        event = _event_create(
            procedure=procedure,
            actor=actor,
            activity_code=activity_code,
            occurred_at=occurred_at,
            institution=institution,
            institution_name=institution_name,
            note=note,
            details=details,
        )
        if update:
            Procedure.objects.filter(pk=procedure.pk).update(**update)
    return event


def _step_rules(
    procedure: Procedure,
    activity_code: str,
    occurred_at: dt.datetime,
    details: dict[str, Any],
    codes: set[str],
) -> dict[str, Any]:
    """The legal rules of single steps; returns the procedure fields the step sets."""
    update: dict[str, Any] = {}
    if (
        activity_code == ActivityCode.DIRECT_IMPRESSION
        and details.get("impression_form") not in ImpressionForm.values
    ):
        raise ValidationError(_("Bitte angeben, wie der unmittelbare Eindruck gewonnen wurde."))
    court_steps = (ActivityCode.FAMILY_COURT_HEARING, ActivityCode.FAMILY_COURT_DECISION)
    if activity_code in court_steps and ActivityCode.FAMILY_COURT_CALLED not in codes:
        raise ValidationError(
            _(
                "Erörterung und Entscheidung setzen voraus, dass das Familiengericht "
                "angerufen wurde."
            )
        )
    if activity_code == ActivityCode.INOBHUTNAHME:
        if details.get("section_42_reason") not in Section42Reason.values:
            raise ValidationError(_("Bitte den Grund der Inobhutnahme nach § 42 Abs. 1 angeben."))
        if details.get("section_42_place") not in Section42Place.values:
            raise ValidationError(_("Bitte angeben, wo das Kind untergebracht ist."))
    if activity_code == ActivityCode.SAFETY_PLAN:
        review = details.get("review_on")
        try:
            review_date = dt.date.fromisoformat(str(review))
        except ValueError:
            raise ValidationError(
                _("Eine Schutzvereinbarung braucht einen Termin zur Überprüfung.")
            ) from None
        if review_date <= timezone.localtime(occurred_at).date():
            raise ValidationError(_("Die Überprüfung muss nach der Vereinbarung liegen."))
        update["safety_plan_review_due"] = dt.datetime.combine(
            review_date, dt.time(16, 0), tzinfo=timezone.get_current_timezone()
        )
        update["safety_plan_reviewed_at"] = None
        details["review_on"] = review_date.isoformat()
    if activity_code == ActivityCode.SAFETY_PLAN_REVIEWED:
        if ActivityCode.SAFETY_PLAN not in codes:
            raise ValidationError(_("Es gibt keine Schutzvereinbarung, die zu überprüfen wäre."))
        update["safety_plan_reviewed_at"] = occurred_at
    return update


def procedure_hand_over(
    *,
    procedure: Procedure,
    actor: Any,
    occurred_at: dt.datetime,
    items: list[str],
    transmitted: str,
    to_municipality: Any = None,
    to_office: str = "",
    conversation_at: dt.datetime | None = None,
    conversation_with: str = "",
    conversation_note: str = "",
) -> Handover:
    """§ 8a Abs. 6: tell the Jugendamt that became responsible what it needs to protect the
    child, recorded with the hand-over conversation (§ 8a Abs. 6 S. 2, § 86c: a conversation
    where help is ongoing). If that commune is on the platform, its intake gets exactly the
    chosen items and the text — nothing else of this file."""
    _require_case_team(actor, procedure.team, permissions.CHANGE)
    if to_municipality is not None and to_municipality.pk == procedure.municipality_id:
        raise ValidationError(_("Eine Übergabe geht an ein anderes Jugendamt."))
    if to_municipality is None and not to_office.strip():
        raise ValidationError(_("Bitte das zuständige Jugendamt angeben."))
    unknown = set(items) - set(HandoverItem.values)
    if not items or unknown:
        raise ValidationError(_("Bitte angeben, welche Angaben übermittelt werden."))
    if not transmitted.strip():
        raise ValidationError(_("Bitte den übermittelten Inhalt festhalten."))
    if conversation_at is not None and not conversation_with.strip():
        raise ValidationError(_("Bitte angeben, mit wem das Übergabegespräch geführt wurde."))
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        _require_open(procedure)
        _check_time(procedure, occurred_at, _("Die Übergabe"))
        if procedure.handed_over_at is not None:
            raise ValidationError(_("Das Verfahren ist bereits übergeben."))
        if conversation_at is not None:
            _check_time(procedure, conversation_at, _("Das Übergabegespräch"))
        office = to_office.strip() or f"Jugendamt {to_municipality.name}"
        handover = Handover(
            municipality_id=procedure.municipality_id,
            procedure=procedure,
            to_municipality=to_municipality,
            to_office=office[:200],
            items=[i for i in HandoverItem.values if i in items],
            transmitted=transmitted.strip(),
            sent_at=occurred_at,
            conversation_at=conversation_at,
            conversation_with=conversation_with.strip()[:200],
            conversation_note=conversation_note.strip(),
        )
        handover.full_clean()
        handover.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=handover,
            after=serialize_for_audit(handover),
            municipality_id=procedure.municipality_id,
            related=procedure,
        )
        _event_create(
            procedure=procedure,
            actor=actor,
            activity_code=ActivityCode.HANDOVER_SENT,
            occurred_at=occurred_at,
            institution_name=office,
            details={
                "transmitted": ", ".join(str(HandoverItem(i).label) for i in handover.items),
                "conversation": conversation_at is not None,
            },
        )
        Procedure.objects.filter(pk=procedure.pk).update(handed_over_at=occurred_at)
    return handover


def handover_accept(*, handover: Handover, actor: Any, team: Team) -> Procedure:
    """The receiving Jugendamt takes the hand-over into its intake: a new procedure of its
    own commune built from exactly what was transmitted (the child's statistic features go
    with every hand-over: the receiver must be able to count its procedure)."""
    if handover.to_municipality_id is None or team.municipality_id != handover.to_municipality_id:
        raise PermissionDenied("hand-over addressed to another commune")
    _require_case_team(actor, team, permissions.ADD)
    with transaction.atomic():
        handover = Handover.objects.select_for_update().get(pk=handover.pk)
        if handover.status != HandoverStatus.SENT:
            raise ValidationError(_("Die Übergabe ist bereits übernommen."))
        source = handover.procedure
        child = source.child
        persons = []
        if HandoverItem.IDENTITY in handover.items:
            persons = [
                {
                    "role": p.role,
                    "name": p.name,
                    "birth_date": p.birth_date,
                    "address": p.address,
                }
                for p in source.persons.filter(role="child")
            ]
        received = max(handover.sent_at, timezone.now() - FUTURE_TOLERANCE)
        procedure = procedure_create(
            team=team,
            actor=actor,
            received_at=min(received, timezone.now()),
            reporter_category="other_youth_office",
            channel="written",
            indications=handover.transmitted,
            urgency="within_3_days" if source.result != StatisticResult.ACUTE else "same_day",
            child={
                "sex": child.sex,
                "birth_year": child.birth_year,
                "birth_month": child.birth_month,
                "living_situation": child.living_situation,
                "parent_age_group": child.parent_age_group,
                "foreign_origin": child.foreign_origin,
                "german_family_language": child.german_family_language,
                "integration_assistance": child.integration_assistance,
                "prior_help": child.prior_help,
            },
            persons=persons,
        )
        before = serialize_for_audit(handover)
        handover.status = HandoverStatus.ACCEPTED
        handover.received_procedure = procedure
        handover.accepted_at = timezone.now()
        save_updated(
            handover,
            actor=actor,
            before=before,
            update_fields=["status", "received_procedure", "accepted_at"],
            clean=False,
            municipality_id=team.municipality_id,
            reason=_("Übergabe nach § 8a Abs. 6 übernommen"),
        )
    return procedure


def procedure_close(
    *, procedure: Procedure, actor: Any, occurred_at: dt.datetime, note: str = ""
) -> Procedure:
    """Close a procedure; refused while a mandatory step is missing or an assessment is open."""
    _require_case_team(actor, procedure.team, permissions.CHANGE)
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        _require_open(procedure)
        _check_time(procedure, occurred_at, _("Der Abschluss"))
        missing = procedure_missing_steps(procedure=procedure)
        if missing:
            raise ValidationError(missing[0])
        last = procedure.events.order_by("-occurred_at").values_list("occurred_at", flat=True)[:1]
        if last and occurred_at < last[0]:
            raise ValidationError(
                _("Der Abschluss kann nicht vor dem letzten dokumentierten Schritt liegen.")
            )
        before = serialize_for_audit(procedure)
        policy = policy_for(municipality_id=procedure.municipality_id)
        closed_date = timezone.localtime(occurred_at).date()
        procedure.status = ProcedureStatus.CLOSED
        procedure.closed_at = occurred_at
        procedure.purge_after = closed_date.replace(year=closed_date.year + policy.retention_years)
        procedure.save(update_fields=["status", "closed_at", "purge_after"])
        _event_create(
            procedure=procedure,
            actor=actor,
            activity_code=ActivityCode.CLOSED,
            occurred_at=occurred_at,
            note=note,
        )
        audit_updated(procedure, actor=actor, before=before)
    return procedure


def procedure_missing_steps(*, procedure: Procedure) -> list[str]:
    """Why the procedure cannot be closed yet (empty when it can).

    A procedure handed over under § 8a Abs. 6 closes without assessment or first contact of
    its own: the responsible Jugendamt continues; nothing fictitious is asked for.
    """
    if procedure.handed_over_at is not None:
        return []
    missing = []
    if procedure.assessments.filter(status=AssessmentStatus.DRAFT).exists():
        missing.append(
            _(
                "Das Verfahren kann nicht abgeschlossen werden, solange eine "
                "Gefährdungseinschätzung nicht abgezeichnet ist."
            )
        )
    if not procedure.assessments.filter(status=AssessmentStatus.SIGNED).exists():
        missing.append(
            _(
                "Pflichtschritt fehlt: eine im Vier-Augen-Prinzip abgezeichnete "
                "Gefährdungseinschätzung."
            )
        )
    if procedure.first_contact_at is None:
        missing.append(_("Pflichtschritt fehlt: der Erstkontakt."))
    policy = policy_for(municipality_id=procedure.municipality_id)
    if (
        policy.require_reporter_feedback
        and procedure.reporter_category in PROFESSIONAL_REPORTERS
        and procedure.feedback_at is None
    ):
        missing.append(
            _("Pflichtschritt fehlt: die Rückmeldung an die meldende Fachkraft (§ 4 Abs. 4 KKG).")
        )
    return missing


# --- risk assessment ---------------------------------------------------------------------


def risk_assessment_start(
    *,
    procedure: Procedure,
    actor: Any,
    occurred_at: dt.datetime,
    instrument_key: str | None = None,
) -> RiskAssessment:
    """Open a draft assessment with the current version of the instrument (by default the
    one the commune publishes for its Jugendamt)."""
    _require_case_team(actor, procedure.team, permissions.CHANGE)
    try:
        instrument = (
            load_instrument(instrument_key)
            if instrument_key
            else current_instrument(municipality_id=procedure.municipality_id)
        )
    except InstrumentError as exc:
        raise ValidationError(str(exc)) from exc
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        _require_open(procedure)
        _check_time(procedure, occurred_at, _("Die Gefährdungseinschätzung"))
        if procedure.assessments.filter(status=AssessmentStatus.DRAFT).exists():
            raise ValidationError(
                _(
                    "Es ist bereits eine Gefährdungseinschätzung in Bearbeitung; "
                    "sie muss erst abgezeichnet werden."
                )
            )
        child = procedure.child
        age = _age_at(child.birth_year, child.birth_month, timezone.localtime(occurred_at).date())
        age_band = age_band_for_age(max(0, min(age, 17)))
        if age_band not in dict(instrument.age_bands):
            raise ValidationError(
                _("Das Instrument „%(title)s“ hat keine Altersstufe %(band)s.")
                % {"title": instrument.title, "band": age_band}
            )
        assessment = RiskAssessment(
            procedure=procedure,
            instrument_key=instrument.key,
            instrument_version=instrument.version,
            age_band=age_band,
            author=actor,
            started_at=occurred_at,
        )
        assessment.full_clean()
        assessment.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=assessment,
            after=serialize_for_audit(assessment),
            municipality_id=procedure.municipality_id,
            related=procedure,
        )
        if procedure.status == ProcedureStatus.OPEN:
            Procedure.objects.filter(pk=procedure.pk).update(status=ProcedureStatus.ASSESSING)
        _event_create(
            procedure=procedure,
            actor=actor,
            activity_code=ActivityCode.RISK_ASSESSMENT_STARTED,
            occurred_at=occurred_at,
        )
    return assessment


def risk_assessment_update(
    *,
    assessment: RiskAssessment,
    actor: Any,
    answers: dict[str, Any] | None = None,
    notes: str | None = None,
    parents_involved: bool | None = None,
    child_involved: bool | None = None,
    home_visit: bool | None = None,
    result: str | None = None,
    kinds: list[str] | None = None,
    danger_source: str | None = None,
    parents_not_involved_reason: str | None = None,
    child_not_involved_reason: str | None = None,
    participants: list[dict[str, str]] | None = None,
) -> RiskAssessment:
    """Fill in a draft; a signed assessment is binding and refuses any change."""
    _require_case_team(actor, assessment.procedure.team, permissions.CHANGE)
    with transaction.atomic():
        assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.is_binding:
            raise ValidationError(
                _(
                    "Die Einschätzung ist abgezeichnet und damit verbindlich; sie kann nur noch "
                    "durch eine Ergänzung fortgeschrieben werden."
                )
            )
        if _open_request(assessment) is not None:
            raise ValidationError(
                _(
                    "Die Einschätzung liegt zur Abzeichnung vor; bitte die Anfrage erst "
                    "zurückziehen, dann ändern."
                )
            )
        before = serialize_for_audit(assessment)
        if answers is not None:
            # The assessment's own version, even if the commune has published a newer one.
            instrument = resolve_instrument(
                key=assessment.instrument_key,
                version=assessment.instrument_version,
                municipality_id=assessment.procedure.municipality_id,
            )
            try:
                assessment.answers = instrument.validate_answers(assessment.age_band, answers)
            except InstrumentError as exc:
                raise ValidationError(str(exc)) from exc
        for name, value in (
            ("notes", notes),
            ("parents_involved", parents_involved),
            ("child_involved", child_involved),
            ("home_visit", home_visit),
            ("result", result),
            ("danger_source", danger_source),
            ("parents_not_involved_reason", parents_not_involved_reason),
            ("child_not_involved_reason", child_not_involved_reason),
        ):
            if value is not None:
                setattr(assessment, name, value)
        if participants is not None:
            clean = [
                {
                    "name": str(p.get("name", "")).strip()[:150],
                    "role": str(p.get("role", "")).strip()[:150],
                }
                for p in participants
                if str(p.get("name", "")).strip()
            ]
            assessment.participants = clean
        if kinds is not None:
            unknown = set(kinds) - set(EndangermentKind.values)
            if unknown:
                raise ValidationError(
                    _("Unbekannte Art der Gefährdung: %(kinds)s")
                    % {"kinds": ", ".join(sorted(unknown))}
                )
            assessment.kinds = [k for k in EndangermentKind.values if k in kinds]
        save_updated(
            assessment,
            actor=actor,
            before=before,
            municipality_id=assessment.procedure.municipality_id,
            related=assessment.procedure,
        )
    return assessment


def risk_assessment_sign_off(
    *,
    assessment: RiskAssessment,
    actor: Any,
    signed_at: dt.datetime | None = None,
    reason: str = "",
) -> RiskAssessment:
    """The second professional signs: the assessment becomes binding and sets the result.

    Four-eyes principle (§ 8a Abs. 1: "im Zusammenwirken mehrerer Fachkräfte"): the author
    cannot sign alone, the signer must hold the sign-off right and belong to the team.
    """
    procedure = assessment.procedure
    _require_case_team(actor, procedure.team, permissions.SIGN_OFF)
    signed_at = signed_at or timezone.now()
    with transaction.atomic():
        assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.is_binding:
            raise ValidationError(_("Die Einschätzung ist bereits abgezeichnet."))
        if getattr(actor, "pk", None) == assessment.author_id:
            raise ValidationError(
                _(
                    "Vier-Augen-Prinzip: Eine zweite Fachkraft muss die Einschätzung abzeichnen; "
                    "wer sie erstellt hat, kann sie nicht allein abschließen."
                )
            )
        policy = policy_for(municipality_id=procedure.municipality_id)
        if policy.require_team_lead_signoff and not _is_team_lead(actor, procedure):
            raise ValidationError(
                _("In dieser Kommune zeichnet eine Teamleitung die Einschätzung ab.")
            )
        _require_complete(assessment)
        if signed_at < assessment.started_at:
            raise ValidationError(
                _("Die Abzeichnung kann nicht vor dem Beginn der Einschätzung liegen.")
            )
        _check_time(procedure, signed_at, _("Die Abzeichnung"))
        before = serialize_for_audit(assessment)
        assessment.status = AssessmentStatus.SIGNED
        assessment.signed_by = actor
        assessment.signed_at = signed_at
        assessment.sign_off_note = reason.strip()
        assessment.full_clean()
        assessment.save()
        request = _open_request(assessment)
        if request is not None:
            _request_answer(request, actor=actor, status=SignOffRequestStatus.SIGNED)
        audit_updated(
            assessment,
            actor=actor,
            before=before,
            action=AuditAction.SIGN_OFF,
            reason=reason,
            municipality_id=procedure.municipality_id,
            related=procedure,
            always=True,
        )
        update: dict[str, Any] = {
            "result": assessment.result,
            "result_at": signed_at,
            "danger_source": assessment.danger_source,
            **{field: kind in assessment.kinds for kind, field in Procedure.KIND_FIELDS.items()},
        }
        if procedure.status != ProcedureStatus.CLOSED:
            update["status"] = ProcedureStatus.DECIDED
        Procedure.objects.filter(pk=procedure.pk).update(**update)
        # The survey takes the child's age when the assessment is completed, not at intake.
        child = procedure.child
        completed_age = _age_at(
            child.birth_year, child.birth_month, timezone.localtime(signed_at).date()
        )
        ChildRecord.objects.filter(pk=child.pk).update(
            age_group=age_group_for(max(0, min(completed_age, 17)))
        )
        _event_create(
            procedure=procedure,
            actor=actor,
            activity_code=ActivityCode.RISK_ASSESSMENT_SIGNED,
            occurred_at=signed_at,
            details={"result": assessment.result, "kinds": assessment.kinds},
        )
    return assessment


def _require_complete(assessment: RiskAssessment) -> None:
    """What a signer needs before signing (also checked when the sign-off is requested)."""
    if not assessment.result:
        raise ValidationError(_("Ohne Ergebnis kann die Einschätzung nicht abgezeichnet werden."))
    # § 8a Abs. 1 S. 2: parents and child are involved unless that endangers the protection.
    if not assessment.parents_involved and not assessment.parents_not_involved_reason.strip():
        raise ValidationError(
            _(
                "Die Eltern wurden nicht einbezogen: bitte begründen, warum das den Schutz "
                "des Kindes in Frage gestellt hätte (§ 8a Abs. 1 S. 2)."
            )
        )
    if not assessment.child_involved and not assessment.child_not_involved_reason.strip():
        raise ValidationError(
            _(
                "Das Kind wurde nicht einbezogen: bitte begründen, warum das den Schutz "
                "des Kindes in Frage gestellt hätte (§ 8a Abs. 1 S. 2)."
            )
        )
    if assessment.result in (StatisticResult.ACUTE, StatisticResult.LATENT):
        if not assessment.kinds:
            raise ValidationError(
                _(
                    "Bei akuter oder latenter Kindeswohlgefährdung ist mindestens eine Art der "
                    "Gefährdung anzugeben."
                )
            )
        if not assessment.danger_source:
            raise ValidationError(_("Bitte angeben, von wem die Gefährdung ausging."))


def _open_request(assessment: RiskAssessment) -> SignOffRequest | None:
    return assessment.sign_off_requests.filter(status=SignOffRequestStatus.OPEN).first()


def _request_answer(
    request: SignOffRequest, *, actor: Any, status: str, answer: str = ""
) -> SignOffRequest:
    before = serialize_for_audit(request)
    request.status = status
    request.answer = answer
    request.answered_at = timezone.now()
    save_updated(
        request,
        actor=actor,
        before=before,
        update_fields=["status", "answer", "answered_at"],
        clean=False,
        municipality_id=request.assessment.procedure.municipality_id,
        related=request.assessment.procedure,
    )
    return request


def _is_team_lead(user: Any, procedure: Procedure) -> bool:
    from core.choices import Role

    return Role.TEAM_LEAD in permissions.roles_of(user, procedure.municipality_id)


def eligible_signers(*, assessment: RiskAssessment) -> list[Any]:
    """Colleagues who may sign this assessment: team members with the sign-off right in the
    commune, never its author (four-eyes principle)."""
    procedure = assessment.procedure
    members = (
        TeamMembership.objects.filter(team_id=procedure.team_id)
        .exclude(user_id=assessment.author_id)
        .select_related("user")
        .order_by("user__last_name", "user__username")
    )
    lead_only = policy_for(municipality_id=procedure.municipality_id).require_team_lead_signoff
    return [
        m.user
        for m in members
        if m.user.is_active
        and permissions.has_permission(
            m.user, permissions.SIGN_OFF, permissions.CASES, procedure.municipality_id
        )
        and (not lead_only or _is_team_lead(m.user, procedure))
    ]


def _notify(user: Any, template: str, context: dict[str, Any]) -> None:
    """Mail after commit (core.mail); only the Aktenzeichen and a link, never family data."""
    mail_send(template=template, context=context, to=[user])


def risk_assessment_request_sign_off(
    *, assessment: RiskAssessment, actor: Any, signer: Any, note: str = ""
) -> SignOffRequest:
    """Ask a chosen colleague to sign a draft: it appears in their "waiting for my sign-off"
    list and they get a mail. The draft must be complete, and it is locked while it waits."""
    procedure = assessment.procedure
    _require_case_team(actor, procedure.team, permissions.CHANGE)
    with transaction.atomic():
        assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
        assessment.procedure = procedure
        if assessment.is_binding:
            raise ValidationError(_("Die Einschätzung ist bereits abgezeichnet."))
        allowed = {u.pk for u in eligible_signers(assessment=assessment)}
        if signer is None or signer.pk not in allowed:
            raise ValidationError(
                _(
                    "Abzeichnen kann nur eine andere Fachkraft des Teams mit dem Recht zur "
                    "Abzeichnung, nicht wer die Einschätzung erstellt hat."
                )
            )
        if _open_request(assessment) is not None:
            raise ValidationError(
                _("Für diese Einschätzung ist bereits eine Abzeichnung angefragt.")
            )
        _require_complete(assessment)
        request = SignOffRequest(
            assessment=assessment, requested_by=actor, signer=signer, note=note.strip()
        )
        request.full_clean()
        request.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=request,
            after=serialize_for_audit(request),
            municipality_id=procedure.municipality_id,
            related=procedure,
        )
        _notify(
            signer,
            "cases/mail/sign_off_request.txt",
            {
                "who": _actor_name(actor),
                "fn": procedure.file_number,
                "url": reverse("cases:assessment_detail", args=[assessment.code]),
            },
        )
    return request


def risk_assessment_return(
    *, assessment: RiskAssessment, actor: Any, comment: str
) -> SignOffRequest:
    """The asked colleague does not sign and returns the draft with a comment to its author."""
    procedure = assessment.procedure
    _require_case_team(actor, procedure.team, permissions.SIGN_OFF)
    if not comment.strip():
        raise ValidationError(_("Bitte begründen, warum die Einschätzung zurückgegeben wird."))
    with transaction.atomic():
        request = _open_request(assessment)
        if request is None or request.signer_id != getattr(actor, "pk", None):
            raise ValidationError(_("Es liegt keine Bitte um Abzeichnung an Sie vor."))
        request.assessment.procedure = procedure
        _request_answer(
            request, actor=actor, status=SignOffRequestStatus.RETURNED, answer=comment.strip()
        )
        author = assessment.author
        _notify(
            author,
            "cases/mail/sign_off_returned.txt",
            {
                "who": _actor_name(actor),
                "fn": procedure.file_number,
                "url": reverse("cases:assessment_detail", args=[assessment.code]),
            },
        )
    return request


def risk_assessment_withdraw_request(*, assessment: RiskAssessment, actor: Any) -> SignOffRequest:
    """Whoever asked (or the author) takes the request back, e.g. to change the draft."""
    procedure = assessment.procedure
    _require_case_team(actor, procedure.team, permissions.CHANGE)
    with transaction.atomic():
        request = _open_request(assessment)
        if request is None:
            raise ValidationError(_("Es ist keine Abzeichnung angefragt."))
        if getattr(actor, "pk", None) not in (request.requested_by_id, assessment.author_id):
            raise PermissionDenied("only the requester or the author withdraws")
        request.assessment.procedure = procedure
        return _request_answer(request, actor=actor, status=SignOffRequestStatus.WITHDRAWN)


# --- binding documentation: amendments -----------------------------------------------------


def amendment_add(
    *,
    procedure: Procedure,
    actor: Any,
    text: str,
    event: ProcedureEvent | None = None,
    assessment: RiskAssessment | None = None,
) -> Amendment:
    """Add to binding documentation: a new attributed entry, the original stays as it was."""
    _require_case_team(actor, procedure.team, permissions.CHANGE)
    if not text.strip():
        raise ValidationError(_("Die Ergänzung ist leer."))
    if event is not None and event.procedure_id != procedure.pk:
        raise ValidationError(_("Der Schritt gehört nicht zu diesem Verfahren."))
    if assessment is not None and assessment.procedure_id != procedure.pk:
        raise ValidationError(_("Die Einschätzung gehört nicht zu diesem Verfahren."))
    if procedure.purged_at:
        raise ValidationError(_("Das Verfahren ist nach Ablauf der Löschfrist bereinigt."))
    with transaction.atomic():
        amendment = Amendment(
            procedure=procedure,
            event=event,
            assessment=assessment,
            text=text.strip(),
            author=actor if getattr(actor, "is_authenticated", False) else None,
            author_name=_actor_name(actor),
        )
        amendment.full_clean()
        amendment.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=amendment,
            after=serialize_for_audit(amendment),
            municipality_id=procedure.municipality_id,
            related=procedure,
        )
    return amendment


# --- data protection ----------------------------------------------------------------------


def procedure_purge_identifying(*, procedure: Procedure, actor: Any, reason: str) -> None:
    """Remove identifying data and free texts; keep the pseudonymous statistic record."""
    permissions.require(actor, permissions.DELETE, permissions.CASES, procedure.municipality_id)
    if Procedure.objects.filter(pk=procedure.pk, legal_hold=True).exists():
        raise ValidationError(_("Das Verfahren steht unter Löschsperre."))
    with transaction.atomic():
        persons = list(procedure.persons.all())
        for person in persons:
            audit_record(
                actor=actor,
                action=AuditAction.PURGE,
                target=person,
                before=serialize_for_audit(person),
                reason=reason,
                municipality_id=procedure.municipality_id,
                related=procedure,
            )
        procedure.persons.all().delete()
        # QuerySet.update bypasses the binding-record guard on purpose: only the purge may.
        ProcedureEvent.objects.filter(procedure=procedure).update(
            note="", institution_name="", details=""
        )
        RiskAssessment.objects.filter(procedure=procedure).update(
            notes="",
            sign_off_note="",
            parents_not_involved_reason="",
            child_not_involved_reason="",
        )
        Handover.objects.filter(procedure=procedure).update(transmitted="", conversation_note="")
        SignOffRequest.objects.filter(assessment__procedure=procedure).update(note="", answer="")
        Amendment.objects.filter(procedure=procedure).update(text="")
        now = timezone.now()
        Procedure.objects.filter(pk=procedure.pk).update(indications="", purged_at=now)
        audit_record(
            actor=actor,
            action=AuditAction.PURGE,
            target=procedure,
            before={"indications": "«gelöscht»", "persons": len(persons)},
            after={"purged_at": now.isoformat()},
            reason=reason,
        )


def procedure_purge_holds() -> set[Any]:
    """Codes of procedures another app still needs (a running case review, a legal hold
    on it): apps declare ``procedure_purge_holds = "<app>.selectors.<function>"``."""
    from django.apps import apps
    from django.utils.module_loading import import_string

    held: set[Any] = set()
    for config in apps.get_app_configs():
        path = getattr(config, "procedure_purge_holds", None)
        if path:
            held |= set(import_string(path)())
    return held


def may_set_legal_hold(*, user: Any, procedure: Procedure) -> bool:
    """Whether ``user`` leads the responsible team (who decides on a legal hold)."""
    try:
        _require_case_team(user, procedure.team, permissions.EXPORT)
    except PermissionDenied:
        return False
    return True


def procedure_legal_hold_set(
    *, procedure: Procedure, actor: Any, hold: bool, reason: str
) -> Procedure:
    """Set or lift the legal hold that stops every purge of a procedure.

    The team lead of the responsible team decides (a court case, a complaint); setting
    and lifting both need a reason, both are audited. A purged procedure has nothing left
    to hold.
    """
    _require_case_team(actor, procedure.team, permissions.EXPORT)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Bitte den Grund angeben.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Der Grund ist zu lang (höchstens 300 Zeichen).")})
    if procedure.purged_at and hold:
        raise ValidationError(
            {"reason": _("Die identifizierenden Daten dieses Verfahrens sind bereits gelöscht.")}
        )
    if hold == procedure.legal_hold:
        raise ValidationError(
            {
                "hold": _("Die Löschsperre ist bereits gesetzt.")
                if hold
                else _("Es besteht keine Löschsperre.")
            }
        )
    with transaction.atomic():
        before = {
            "legal_hold": procedure.legal_hold,
            "legal_hold_reason": procedure.legal_hold_reason,
        }
        procedure.legal_hold = hold
        procedure.legal_hold_reason = reason if hold else ""
        procedure.save(update_fields=["legal_hold", "legal_hold_reason"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=procedure,
            before=before,
            after={"legal_hold": hold, "legal_hold_reason": procedure.legal_hold_reason},
            reason=reason,
        )
    return procedure


def procedures_purge_expired(*, actor: Any, today: dt.date | None = None) -> int:
    """Purge every closed procedure whose retention period has run out; returns the count.

    Procedures a case review still works on (or keeps under a legal hold) wait: the
    review's team may need the documented course of the case (issue 14).
    """
    today = today or timezone.localdate()
    due = (
        Procedure.objects.filter(
            status=ProcedureStatus.CLOSED, purge_after__lte=today, purged_at__isnull=True
        )
        .exclude(legal_hold=True)
        .exclude(code__in=procedure_purge_holds())
    )
    count = 0
    for procedure in due.iterator():
        procedure_purge_identifying(
            procedure=procedure, actor=actor, reason="Löschfrist nach Abschluss abgelaufen"
        )
        count += 1
    return count


def person_subject_access_export(
    *, procedure: Procedure, person: PersonRecord, actor: Any
) -> dict[str, Any]:
    """Everything stored about one person in this procedure (Art. 15 DSGVO).

    Only the case team may compile it (it contains the identifying data); the export
    itself is audited.
    """
    _require_case_team(actor, procedure.team, permissions.VIEW_IDENTIFYING)
    if person.procedure_id != procedure.pk:
        raise ValidationError(_("Die Person gehört nicht zu diesem Verfahren."))
    from core.models import AccessLog

    data = {
        "auskunft_nach": "Art. 15 DSGVO",
        "erstellt_am": timezone.now().isoformat(),
        "person": {
            "rolle": person.get_role_display(),
            "name": person.name,
            "geburtsdatum": person.birth_date,
            "anschrift": person.address,
            "erfasst_am": person.created_at.isoformat(),
        },
        "verfahren": {
            "aktenzeichen": procedure.file_number,
            "kommune": procedure.municipality.name,
            "team": procedure.team.name,
            "meldung_eingegangen": procedure.received_at.isoformat(),
            "bekannt_geworden_durch": procedure.get_reporter_category_display(),
            "gewichtige_anhaltspunkte": procedure.indications,
            "dringlichkeit": procedure.get_urgency_display(),
            "ergebnis": procedure.get_result_display(),
            "arten_der_gefaehrdung": procedure.kind_labels,
            "stand": procedure.get_status_display(),
            "abgeschlossen_am": procedure.closed_at.isoformat() if procedure.closed_at else None,
            "loeschung_ab": procedure.purge_after.isoformat() if procedure.purge_after else None,
        },
        "weitere_personen_im_verfahren": [
            p.get_role_display() for p in procedure.persons.exclude(pk=person.pk)
        ],
        "schritte": [
            {
                "schritt": e.get_activity_code_display(),
                "zeitpunkt": e.occurred_at.isoformat(),
                "stelle": e.institution_name,
                "fachkraft": e.actor_name,
                "vermerk": e.note,
            }
            for e in procedure.events.all()
        ],
        "gefaehrdungseinschaetzungen": [
            {
                "instrument": f"{a.instrument_key} {a.instrument_version}",
                "begonnen": a.started_at.isoformat(),
                "ergebnis": a.get_result_display(),
                "begruendung": a.notes,
                "abgezeichnet": a.signed_at.isoformat() if a.signed_at else None,
            }
            for a in procedure.assessments.all()
        ],
        "ergaenzungen": [
            {"text": a.text, "von": a.author_name, "am": a.created_at.isoformat()}
            for a in procedure.amendments.all()
        ],
        "lesezugriffe": [
            {"zeitpunkt": r.time.isoformat(), "person": r.actor_name, "zweck": r.purpose}
            for r in AccessLog.objects.filter(
                target_type__app_label="cases",
                target_type__model="procedure",
                target_id=str(procedure.pk),
            ).order_by("time")
        ],
    }
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            target=person,
            reason="Auskunft nach Art. 15 DSGVO",
            municipality_id=procedure.municipality_id,
            related=procedure,
        )
    return data


def statistics_export_record(
    *, actor: Any, year: int, municipality_id: int | None, fmt: str, suppress_below: int
) -> None:
    """Audit an export of the federal statistic (aggregates; who exported what, when)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            target=None,
            target_repr=f"§ 8a-Statistik {year}",
            municipality_id=municipality_id,
            after={"year": year, "format": fmt, "suppress_below": suppress_below},
        )


def team_member_remove(*, team: Team, user: Any, actor: Any) -> None:
    """Take a person out of a team: they lose access to its procedures at once."""
    permissions.require(actor, permissions.MANAGE_MEMBERS, "members", team.municipality_id)
    with transaction.atomic():
        membership = TeamMembership.objects.filter(team=team, user=user).first()
        if membership is None:
            return
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=membership,
            before=serialize_for_audit(membership),
            municipality_id=team.municipality_id,
        )
        membership.delete()


# --- person index: one child across procedures ---------------------------------------------


def _child_identity(procedure: Procedure) -> PersonRecord | None:
    return procedure.persons.filter(role="child").exclude(name="").exclude(birth_date="").first()


def procedure_link_child(
    *, procedure: Procedure, actor: Any, person: IndexedPerson | None = None
) -> IndexedPerson:
    """The caseworker confirms who the child is: an earlier person of the index (a match by
    the blind index) or a new one. Never automatic; needs name and birth date of the child.

    "Erneute Meldung im Jahr" is then derived from the links for every procedure of that
    child (another procedure received earlier in the same calendar year).
    """
    _require_case_team(actor, procedure.team, permissions.CHANGE)
    identity = _child_identity(procedure)
    if identity is None:
        raise ValidationError(
            _("Für den Abgleich braucht es Name und Geburtsdatum des Kindes (Person ergänzen).")
        )
    value = person_index.blind_index(
        municipality_id=procedure.municipality_id,
        name=identity.name,
        birth_date=identity.birth_date,
    )
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        if procedure.indexed_child_id is not None:
            raise ValidationError(_("Das Kind dieses Verfahrens ist bereits zugeordnet."))
        if person is None:
            person = IndexedPerson(
                municipality_id=procedure.municipality_id,
                name=identity.name,
                birth_date=identity.birth_date,
                blind_index=value,
                key_id=person_index.key_id(),
            )
            person.full_clean()
            person.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=person,
                after=serialize_for_audit(person),
                municipality_id=procedure.municipality_id,
            )
        elif person.municipality_id != procedure.municipality_id or person.blind_index != value:
            # Only a candidate found by the index may be confirmed (no linking by guess,
            # never across communes).
            raise ValidationError(
                _("Diese Person passt nicht zu Name und Geburtsdatum des Kindes.")
            )
        Procedure.objects.filter(pk=procedure.pk).update(indexed_child=person)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=procedure,
            before={"indexed_child_id": None},
            after={"indexed_child_id": person.pk},
            reason=_("Kind im Personenindex zugeordnet (bestätigt)"),
        )
        _derive_repeated_reports(person)
    return person


def _derive_repeated_reports(person: IndexedPerson) -> None:
    """A procedure is a repeated report if the same child had an earlier one in that year."""
    seen_years: set[int] = set()
    for pk, received in (
        Procedure.objects.filter(indexed_child=person)
        .order_by("received_at", "id")
        .values_list("pk", "received_at")
    ):
        year = timezone.localtime(received).year
        Procedure.objects.filter(pk=pk).update(repeated_report=year in seen_years)
        seen_years.add(year)


def person_household_link(*, person: IndexedPerson, other: IndexedPerson, actor: Any) -> Household:
    """Link two children of the index as living together (siblings); merges households."""
    permissions.require(actor, permissions.CHANGE, permissions.CASES, person.municipality_id)
    if person.municipality_id != other.municipality_id:
        raise ValidationError(_("Geschwister können nur innerhalb einer Kommune verknüpft werden."))
    if person.pk == other.pk:
        raise ValidationError(_("Ein Kind ist nicht sein eigenes Geschwisterkind."))
    with transaction.atomic():
        household = person.household or other.household
        if household is None:
            household = Household(municipality_id=person.municipality_id)
            household.save()
            audit_record(actor=actor, action=AuditAction.CREATE, target=household)
        for member in (person, other):
            old = member.household
            if old is not None and old.pk != household.pk:
                IndexedPerson.objects.filter(household=old).update(household=household)
            if member.household_id != household.pk:
                IndexedPerson.objects.filter(pk=member.pk).update(household=household)
                audit_record(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    target=member,
                    before={"household_id": member.household_id},
                    after={"household_id": household.pk},
                    municipality_id=member.municipality_id,
                )
    return household


def person_index_rebuild(*, actor: Any) -> int:
    """Recompute every blind index with the current key (after a key change); returns the
    number of entries whose value changed."""
    current = person_index.key_id()
    changed = 0
    with transaction.atomic():
        for person in IndexedPerson.objects.select_for_update().iterator(chunk_size=2000):
            value = person_index.blind_index(
                municipality_id=person.municipality_id,
                name=person.name,
                birth_date=person.birth_date,
            )
            if value != person.blind_index or person.key_id != current:
                IndexedPerson.objects.filter(pk=person.pk).update(blind_index=value, key_id=current)
                changed += 1
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=None,
            target_repr="Personenindex",
            after={"rebuilt": changed, "key_id": current},
            reason="Blindindex mit aktuellem Schlüssel neu berechnet",
        )
    return changed


# --- Bericht an den Jugendhilfeausschuss ---------------------------------------------------


def _require_report_editor(actor: Any, municipality_id: int) -> None:
    # The coordination writes the report (its quality work); the figures come from the
    # aggregates, which it may read through analytics.
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, municipality_id)
    permissions.require(actor, permissions.VIEW, permissions.ANALYTICS, municipality_id)


def committee_report_save(
    *,
    municipality: Any,
    year: int,
    actor: Any,
    introduction: str = "",
    assessment: str = "",
    outlook: str = "",
) -> CommitteeReport:
    """Create or change the text blocks of a year's report (audited, changed fields only)."""
    _require_report_editor(actor, municipality.pk)
    if not 2012 <= year <= timezone.localdate().year:
        raise ValidationError(
            {"year": _("Ein Bericht gilt einem vergangenen oder dem laufenden Jahr.")}
        )
    texts = {
        "introduction": introduction.strip(),
        "assessment": assessment.strip(),
        "outlook": outlook.strip(),
    }
    with transaction.atomic():
        report = (
            CommitteeReport.objects.select_for_update()
            .filter(municipality=municipality, year=year)
            .first()
        )
        if report is None:
            report = CommitteeReport(municipality=municipality, year=year, **texts)
            report.updated_by = actor if getattr(actor, "pk", None) else None
            save_created(report, actor=actor)
            return report
        before = serialize_for_audit(report)
        for name, value in texts.items():
            setattr(report, name, value)
        report.updated_by = actor if getattr(actor, "pk", None) else None
        save_updated(report, actor=actor, before=before)
    return report


def committee_report_export_record(*, actor: Any, municipality: Any, year: int, fmt: str) -> None:
    """Audit the export of the report (who took which year's report out, as what)."""
    permissions.require(actor, permissions.EXPORT, permissions.ANALYTICS, municipality.pk)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            target=None,
            target_repr=f"Bericht an den Jugendhilfeausschuss {year} – {municipality.name}",
            municipality_id=municipality.pk,
            after={"year": year, "format": fmt},
        )
