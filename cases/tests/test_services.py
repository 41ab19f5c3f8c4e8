"""Services of § 8a procedures: deadlines, four-eyes, sequences, binding documentation."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from cases import services
from cases.choices import ActivityCode, ProcedureStatus, age_group_for
from cases.models import (
    Amendment,
    BindingRecordError,
    CasePolicy,
    ChildRecord,
    PersonRecord,
    Procedure,
    ProcedureEvent,
)
from cases.tests.factories import child_data, decide, make_procedure
from core.choices import AuditAction
from core.models import AuditEvent
from core.permissions import SystemActor

pytestmark = pytest.mark.django_db


def _now():
    return timezone.now()


def test_create_computes_first_contact_deadline_from_urgency(team_a, caseworker_a):
    received = _now() - dt.timedelta(hours=1)
    p = make_procedure(team=team_a, actor=caseworker_a, received_at=received, urgency="immediate")
    assert p.first_contact_due == received + dt.timedelta(hours=2)
    assert p.assessment_due == received + dt.timedelta(days=14)
    assert p.feedback_due == received + dt.timedelta(days=28)  # Kita is a professional reporter
    codes = list(p.events.values_list("activity_code", flat=True))
    assert codes == [ActivityCode.REPORT_RECEIVED, ActivityCode.URGENCY_RATED]
    today = timezone.localdate()
    age = today.year - 2019 - (1 if today.month < 5 else 0)
    assert p.child.age_group == age_group_for(age)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, target_id=str(p.pk)).exists()


def test_commune_policy_changes_deadlines(team_a, caseworker_a, coordinator_a, muni_a):
    services.case_policy_update(
        municipality=muni_a,
        actor=coordinator_a,
        first_contact_hours={"within_week": 48},
        retention_years=2,
    )
    received = _now() - dt.timedelta(hours=1)
    p = make_procedure(
        team=team_a,
        actor=caseworker_a,
        received_at=received,
        urgency="within_week",
        reporter_category="neighbours",
    )
    assert p.first_contact_due == received + dt.timedelta(hours=48)
    assert p.feedback_due is None  # neighbours are no professional reporters
    assert CasePolicy.objects.get(municipality=muni_a).retention_years == 2


def test_policy_update_needs_commune_rights(muni_a, caseworker_a, coordinator_b):
    with pytest.raises(PermissionDenied):
        services.case_policy_update(municipality=muni_a, actor=caseworker_a, retention_years=1)
    with pytest.raises(PermissionDenied):
        services.case_policy_update(municipality=muni_a, actor=coordinator_b, retention_years=1)


def test_identifying_data_is_encrypted_at_rest(team_a, caseworker_a):
    p = make_procedure(team=team_a, actor=caseworker_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, address FROM cases_personrecord")
        raw = cursor.fetchall()
        cursor.execute("SELECT indications FROM cases_procedure")
        raw_ind = cursor.fetchone()[0]
    assert raw and all("Muster" not in (name + address) for name, address in raw)
    assert all(name.startswith("v2:") for name, _ in raw)
    assert "Frühstück" not in raw_ind
    assert {r.name for r in PersonRecord.objects.filter(procedure=p)} == {
        "Mia Muster-A",
        "Sabine Muster-A",
    }
    # the audit trail records that data was written, never the values
    snapshots = str(list(AuditEvent.objects.values_list("after", flat=True)))
    assert "Muster-A" not in snapshots
    assert "Frühstück" not in snapshots


def test_writing_a_case_without_key_fails_loudly(team_a, caseworker_a, settings):
    settings.FIELD_ENCRYPTION_KEY = None
    with pytest.raises(ImproperlyConfigured):
        make_procedure(team=team_a, actor=caseworker_a)
    assert not Procedure.objects.exists()
    assert not ChildRecord.objects.exists()


@pytest.mark.parametrize(
    "who", ["other_caseworker_a", "caseworker_b", "coordinator_a", "partner_a", "project_team"]
)
def test_only_team_members_with_case_role_may_create(request, team_a, who):
    with pytest.raises(PermissionDenied):
        make_procedure(team=team_a, actor=request.getfixturevalue(who))


def test_minor_only_and_no_future_report(team_a, caseworker_a):
    with pytest.raises(ValidationError, match="minderjährig"):
        make_procedure(team=team_a, actor=caseworker_a, child=child_data(birth_year=2000))
    with pytest.raises(ValidationError, match="Zukunft"):
        make_procedure(team=team_a, actor=caseworker_a, received_at=_now() + dt.timedelta(days=1))


def test_four_eyes_author_cannot_sign_alone(team_a, caseworker_a, team_lead_a):
    p = make_procedure(team=team_a, actor=caseworker_a)
    a = services.risk_assessment_start(
        procedure=p, actor=caseworker_a, occurred_at=p.received_at + dt.timedelta(days=1)
    )
    services.risk_assessment_update(
        assessment=a,
        actor=caseworker_a,
        parents_involved=True,
        child_involved=True,
        result="acute",
        kinds=["physical"],
        danger_source="father",
    )
    with pytest.raises(ValidationError, match="Vier-Augen"):
        services.risk_assessment_sign_off(assessment=a, actor=caseworker_a)
    signed = services.risk_assessment_sign_off(assessment=a, actor=team_lead_a, reason="ok")
    assert signed.signed_by == team_lead_a
    p.refresh_from_db()
    assert (p.result, p.kind_physical, p.status) == ("acute", True, ProcedureStatus.DECIDED)
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_OFF, target_id=str(a.pk)).exists()
    assert p.events.filter(activity_code=ActivityCode.RISK_ASSESSMENT_SIGNED).count() == 1


def test_sign_off_by_someone_outside_the_team_is_refused(
    team_a, caseworker_a, other_caseworker_a, caseworker_b
):
    p = make_procedure(team=team_a, actor=caseworker_a)
    a = services.risk_assessment_start(procedure=p, actor=caseworker_a, occurred_at=_now())
    services.risk_assessment_update(
        assessment=a,
        actor=caseworker_a,
        parents_involved=True,
        child_involved=True,
        result="neither",
    )
    for outsider in (other_caseworker_a, caseworker_b):
        with pytest.raises(PermissionDenied):
            services.risk_assessment_sign_off(assessment=a, actor=outsider)


def test_sign_off_needs_result_and_kinds(team_a, caseworker_a, team_lead_a):
    p = make_procedure(team=team_a, actor=caseworker_a)
    a = services.risk_assessment_start(procedure=p, actor=caseworker_a, occurred_at=_now())
    with pytest.raises(ValidationError, match="Ohne Ergebnis"):
        services.risk_assessment_sign_off(assessment=a, actor=team_lead_a)
    services.risk_assessment_update(
        assessment=a,
        actor=caseworker_a,
        parents_involved=True,
        child_involved=True,
        result="latent",
    )
    with pytest.raises(ValidationError, match="Art der Gefährdung"):
        services.risk_assessment_sign_off(assessment=a, actor=team_lead_a)


def test_signed_assessment_is_binding_only_amendable(team_a, caseworker_a, team_lead_a):
    p = make_procedure(team=team_a, actor=caseworker_a)
    a = decide(p, author=caseworker_a, signer=team_lead_a)
    with pytest.raises(ValidationError, match="verbindlich"):
        services.risk_assessment_update(assessment=a, actor=caseworker_a, notes="geändert")
    amendment = services.amendment_add(
        procedure=p, actor=caseworker_a, text="Nachtrag: Kinderarzt bestätigt.", assessment=a
    )
    a.refresh_from_db()
    assert a.notes == "Synthetische Begründung."
    assert amendment.author == caseworker_a
    with pytest.raises(BindingRecordError):
        amendment.text = "anders"
        amendment.save()


def test_documented_events_cannot_be_edited(team_a, caseworker_a):
    p = make_procedure(team=team_a, actor=caseworker_a)
    event = services.procedure_record_step(
        procedure=p, actor=caseworker_a, activity_code="first_contact", occurred_at=_now()
    )
    event.note = "nachträglich geändert"
    with pytest.raises(BindingRecordError):
        event.save()
    services.amendment_add(procedure=p, actor=caseworker_a, text="Ergänzung", event=event)
    assert Amendment.objects.filter(event=event).count() == 1


def test_impossible_sequences_are_rejected(team_a, caseworker_a, team_lead_a):
    p = make_procedure(team=team_a, actor=caseworker_a)
    before_report = p.received_at - dt.timedelta(hours=1)
    with pytest.raises(ValidationError, match="vor dem Eingang der Meldung"):
        services.risk_assessment_start(procedure=p, actor=caseworker_a, occurred_at=before_report)
    with pytest.raises(ValidationError, match="vor dem Eingang der Meldung"):
        services.procedure_record_step(
            procedure=p, actor=caseworker_a, activity_code="home_visit", occurred_at=before_report
        )
    with pytest.raises(ValidationError, match="zuvor eine Hilfe angeboten"):
        services.procedure_record_step(
            procedure=p, actor=caseworker_a, activity_code="help_accepted", occurred_at=_now()
        )
    with pytest.raises(ValidationError, match="über die Meldung"):
        services.procedure_record_step(
            procedure=p, actor=caseworker_a, activity_code="closed", occurred_at=_now()
        )
    with pytest.raises(ValidationError, match="über die Meldung"):
        services.procedure_record_step(
            procedure=p, actor=caseworker_a, activity_code="handover_sent", occurred_at=_now()
        )
    services.risk_assessment_start(procedure=p, actor=caseworker_a, occurred_at=_now())
    with pytest.raises(ValidationError, match="bereits eine Gefährdungseinschätzung"):
        services.risk_assessment_start(procedure=p, actor=caseworker_a, occurred_at=_now())
    with pytest.raises(ValidationError, match="solange eine Gefährdungseinschätzung"):
        services.procedure_close(procedure=p, actor=caseworker_a, occurred_at=_now())


def test_closing_needs_mandatory_steps_then_locks(team_a, caseworker_a, team_lead_a, muni_a):
    p = make_procedure(team=team_a, actor=caseworker_a)
    with pytest.raises(ValidationError, match="Pflichtschritt fehlt: eine im Vier-Augen"):
        services.procedure_close(procedure=p, actor=caseworker_a, occurred_at=_now())
    decide(p, author=caseworker_a, signer=team_lead_a)
    with pytest.raises(ValidationError, match="Erstkontakt"):
        services.procedure_close(procedure=p, actor=caseworker_a, occurred_at=_now())
    step_time = _now() - dt.timedelta(minutes=10)
    services.procedure_record_step(
        procedure=p, actor=caseworker_a, activity_code="first_contact", occurred_at=step_time
    )
    with pytest.raises(ValidationError, match="§ 4 Abs. 4 KKG"):
        services.procedure_close(procedure=p, actor=caseworker_a, occurred_at=_now())
    services.procedure_record_step(
        procedure=p, actor=caseworker_a, activity_code="reporter_feedback", occurred_at=step_time
    )
    closed = services.procedure_close(procedure=p, actor=caseworker_a, occurred_at=_now())
    assert closed.status == ProcedureStatus.CLOSED
    assert closed.purge_after.year == timezone.localdate().year + 5
    with pytest.raises(ValidationError, match="abgeschlossen"):
        services.procedure_record_step(
            procedure=p, actor=caseworker_a, activity_code="home_visit", occurred_at=_now()
        )


def test_handover_records_what_was_transmitted(team_a, caseworker_a):
    p = make_procedure(team=team_a, actor=caseworker_a)
    services.procedure_hand_over(
        procedure=p,
        actor=caseworker_a,
        occurred_at=_now(),
        to_office="Jugendamt Demo-Nachbarstadt",
        items=["indications", "assessment"],
        transmitted="Meldung vom Montag, Einschätzung latent.",
        conversation_at=_now(),
        conversation_with="Frau Demo, ASD Nachbarstadt",
    )
    e = p.events.get(activity_code="handover_sent")
    assert e.institution_name == "Jugendamt Demo-Nachbarstadt"
    assert e.details["transmitted"].startswith("gewichtige Anhaltspunkte")


def test_inobhutnahme_marks_section_42(team_a, caseworker_a):
    p = make_procedure(team=team_a, actor=caseworker_a)
    with pytest.raises(ValidationError, match="Grund der Inobhutnahme"):
        services.procedure_record_step(
            procedure=p, actor=caseworker_a, activity_code="inobhutnahme", occurred_at=_now()
        )
    services.procedure_record_step(
        procedure=p,
        actor=caseworker_a,
        activity_code="inobhutnahme",
        occurred_at=_now(),
        details={"section_42_reason": "urgent_danger", "section_42_place": "emergency_foster"},
    )
    p.refresh_from_db()
    assert p.section_42


def _closed_procedure(team, a, b, closed_at):
    with time_machine.travel(closed_at - dt.timedelta(days=20), tick=False):
        p = make_procedure(team=team, actor=a, reporter_category="neighbours")
        services.procedure_record_step(
            procedure=p, actor=a, activity_code="first_contact", occurred_at=timezone.now()
        )
    with time_machine.travel(closed_at, tick=False):
        decide(p, author=a, signer=b, started_at=closed_at - dt.timedelta(days=5))
        services.amendment_add(procedure=p, actor=a, text="Nachtrag Muster-A")
        services.procedure_close(procedure=p, actor=a, occurred_at=timezone.now())
    return p


def test_purge_removes_identifying_data_keeps_statistics(team_a, caseworker_a, team_lead_a):
    old = _closed_procedure(
        team_a, caseworker_a, team_lead_a, timezone.now() - dt.timedelta(days=6 * 365)
    )
    recent = _closed_procedure(
        team_a, caseworker_a, team_lead_a, timezone.now() - dt.timedelta(days=30)
    )
    count = services.procedures_purge_expired(actor=SystemActor("purge_expired"))
    assert count == 1
    old.refresh_from_db()
    assert old.purged_at is not None
    assert old.indications == ""
    assert not old.persons.exists()
    assert old.result == "latent" and old.kind_neglect  # statistics survive
    assert ChildRecord.objects.filter(pk=old.child_id).exists()
    assert set(Amendment.objects.filter(procedure=old).values_list("text", flat=True)) == {""}
    assert set(old.assessments.values_list("notes", flat=True)) == {""}
    assert recent.persons.count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.PURGE, target_id=str(old.pk)).exists()
    # a second run finds nothing more to do
    assert services.procedures_purge_expired(actor=SystemActor("purge_expired")) == 0


def test_purge_is_not_for_caseworkers(team_a, caseworker_a):
    p = make_procedure(team=team_a, actor=caseworker_a)
    with pytest.raises(PermissionDenied):
        services.procedure_purge_identifying(procedure=p, actor=caseworker_a, reason="x")


def test_subject_access_export_collects_everything(team_a, caseworker_a, other_caseworker_a):
    p = make_procedure(team=team_a, actor=caseworker_a)
    services.procedure_record_step(
        procedure=p,
        actor=caseworker_a,
        activity_code="first_contact",
        occurred_at=_now(),
        note="Gespräch mit Sabine Muster-A",
    )
    mother = p.persons.get(role="mother")
    data = services.person_subject_access_export(procedure=p, person=mother, actor=caseworker_a)
    assert data["person"]["name"] == "Sabine Muster-A"
    assert data["verfahren"]["aktenzeichen"] == p.file_number
    assert any(s["vermerk"] == "Gespräch mit Sabine Muster-A" for s in data["schritte"])
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, target_id=str(mother.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.person_subject_access_export(procedure=p, person=mother, actor=other_caseworker_a)


def test_team_management_by_coordination(muni_a, coordinator_a, caseworker_a, caseworker_b):
    team = services.team_create(municipality=muni_a, name="ASD Nord", actor=coordinator_a)
    services.team_member_add(team=team, user=caseworker_a, actor=coordinator_a)
    assert team.memberships.filter(user=caseworker_a).exists()
    with pytest.raises(PermissionDenied):
        services.team_create(municipality=muni_a, name="ASD Süd", actor=caseworker_a)
    with pytest.raises(PermissionDenied):
        services.team_member_add(team=team, user=caseworker_b, actor=caseworker_b)


def test_event_rows_cover_every_event(team_a, caseworker_a):
    make_procedure(team=team_a, actor=caseworker_a)
    assert ProcedureEvent.objects.count() == 2


def test_file_numbers_count_up_and_stay_unique(team_a, caseworker_a):
    first = make_procedure(team=team_a, actor=caseworker_a)
    second = make_procedure(team=team_a, actor=caseworker_a)
    year = timezone.localtime(first.received_at).year
    assert (first.file_number, second.file_number) == (f"8a-{year}-00001", f"8a-{year}-00002")
    with pytest.raises(ValidationError, match="Aktenzeichen"):
        make_procedure(team=team_a, actor=caseworker_a, file_number=first.file_number)


def test_sign_off_cannot_precede_the_assessment(team_a, caseworker_a, team_lead_a):
    p = make_procedure(team=team_a, actor=caseworker_a)
    started = p.received_at + dt.timedelta(days=2)
    a = services.risk_assessment_start(procedure=p, actor=caseworker_a, occurred_at=started)
    services.risk_assessment_update(
        assessment=a,
        actor=caseworker_a,
        parents_involved=True,
        child_involved=True,
        result="neither",
    )
    with pytest.raises(ValidationError, match="vor dem Beginn der Einschätzung"):
        services.risk_assessment_sign_off(
            assessment=a, actor=team_lead_a, signed_at=started - dt.timedelta(hours=1)
        )
