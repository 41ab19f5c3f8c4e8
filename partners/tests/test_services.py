"""The partner side's business rules: record, consultation, Mitteilung, feedback, staff."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import Procedure
from core.models import AuditEvent, Membership
from network.models import Agreement
from partners import selectors, services
from partners.choices import (
    ConsultationStatus,
    Decision,
    MessageStatus,
    PartnerActivity,
    ReporterInvolvement,
    SignOffRule,
    StaffRole,
)
from partners.models import PartnerEvent, StaffBinding
from partners.tests import factories as f

pytestmark = pytest.mark.django_db


def _events(record):
    return list(PartnerEvent.objects.filter(record=record).values_list("activity_code", flat=True))


# --- record -----------------------------------------------------------------------------


def test_staff_opens_a_pseudonymous_record_with_the_kita_instrument(kita_a, kita_staff_a):
    record = f.record(kita_a, kita_staff_a)
    assert record.instrument_key == "beispiel-kita-0-6"
    assert record.instrument_version == "1"
    assert record.municipality_id == kita_a.municipality_id
    assert _events(record) == [PartnerActivity.NOTICED, PartnerActivity.RECORD_OPENED]
    assert AuditEvent.objects.filter(target_id=str(record.pk), action="create").exists()


def test_a_school_gets_the_general_example_instrument(school_a, school_staff_a):
    record = f.record(school_a, school_staff_a, age_band="6-14")
    assert record.instrument_key == "beispiel-gefaehrdungseinschaetzung"


@pytest.mark.parametrize(
    "who", ["school_staff_a", "kita_staff_b", "insofa_user_a", "caseworker_a", "coordinator_a"]
)
def test_only_staff_of_the_institution_may_open_its_records(request, kita_a, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        f.record(kita_a, actor)


def test_first_noticed_in_the_future_is_refused(kita_a, kita_staff_a):
    with pytest.raises(ValidationError, match="Zukunft"):
        f.record(kita_a, kita_staff_a, noticed_on=timezone.localdate() + dt.timedelta(days=2))


def test_answers_are_checked_against_the_records_instrument(kita_a, kita_staff_a):
    record = f.record(kita_a, kita_staff_a)
    record = services.record_update(
        record=record, actor=kita_staff_a, answers={"alltag.mahlzeiten": "4"}
    )
    assert record.answers == {"alltag.mahlzeiten": 4}
    with pytest.raises(ValidationError, match="Unbekanntes Merkmal"):
        services.record_update(record=record, actor=kita_staff_a, answers={"x.y": 1})
    with pytest.raises(ValidationError, match="Stufe"):
        services.record_update(record=record, actor=kita_staff_a, answers={"alltag.mahlzeiten": 9})


def test_monitoring_needs_a_review_date(kita_a, kita_staff_a):
    record = f.record(kita_a, kita_staff_a)
    with pytest.raises(ValidationError) as exc:
        services.record_update(record=record, actor=kita_staff_a, decision=Decision.MONITOR)
    assert "review_on" in exc.value.message_dict


def test_author_cannot_sign_her_own_record(kita_a, kita_staff_a):
    record = f.record(kita_a, kita_staff_a)
    services.record_update(record=record, actor=kita_staff_a, decision="none", parents_talk=True)
    with pytest.raises(ValidationError, match="Vier-Augen"):
        services.record_sign_off(record=record, actor=kita_staff_a)


def test_sign_off_needs_the_talk_or_a_reason_why_not(kita_a, kita_staff_a, kita_colleague_a):
    record = f.record(kita_a, kita_staff_a)
    services.record_update(record=record, actor=kita_staff_a, decision=Decision.INFORM)
    with pytest.raises(ValidationError) as exc:
        services.record_sign_off(record=record, actor=kita_colleague_a)
    assert "talk_omitted_reason" in exc.value.message_dict
    services.record_update(
        record=record,
        actor=kita_staff_a,
        talk_omitted_reason="Verdacht auf Gewalt durch den Vater; ein Gespräch gefährdet das Kind.",
    )
    signed = services.record_sign_off(record=record, actor=kita_colleague_a)
    assert signed.is_signed and signed.signed_by == kita_colleague_a
    assert signed.purge_after is not None
    with pytest.raises(ValidationError, match="abgezeichnet"):
        services.record_update(record=signed, actor=kita_staff_a, child_code="neu")


def test_agreement_can_require_the_lead_to_sign(
    muni_a, kita_a, kita_staff_a, kita_colleague_a, kita_lead_a, coordinator_a
):
    agreement = Agreement.objects.create(
        municipality=muni_a, title="§ 8a-Vereinbarung Kitas", kind="section_8a"
    )
    agreement.institutions.add(kita_a)
    services.agreement_terms_set(
        agreement=agreement,
        actor=coordinator_a,
        feedback_legal_basis="§ 8a Abs. 4 SGB VIII i. V. m. Ziff. 6 der Vereinbarung",
        sign_off_rule=SignOffRule.LEAD,
    )
    record = f.record(kita_a, kita_staff_a)
    services.record_update(record=record, actor=kita_staff_a, decision="none", parents_talk=True)
    with pytest.raises(PermissionDenied):
        services.record_sign_off(record=record, actor=kita_colleague_a)
    assert services.record_sign_off(record=record, actor=kita_lead_a).is_signed


# --- consultation -------------------------------------------------------------------------


def test_consultation_runs_from_request_to_result(kita_a, kita_staff_a, insofa_a, insofa_user_a):
    record = f.record(kita_a, kita_staff_a)
    consultation = services.consultation_request(
        record=record, insofa=insofa_a, question="Reichen die Anhaltspunkte?", actor=kita_staff_a
    )
    assert consultation.status == ConsultationStatus.REQUESTED
    services.consultation_respond(consultation=consultation, actor=insofa_user_a, accept=True)
    done = services.consultation_complete(
        consultation=consultation,
        actor=insofa_user_a,
        consulted_at=timezone.now(),
        outcome="inform",
        result="Gewichtige Anhaltspunkte; Jugendamt informieren, Eltern vorher einbeziehen.",
    )
    assert done.status == ConsultationStatus.DONE
    assert PartnerActivity.INSOFA_CONSULTED in _events(record)
    report = selectors.pool_yearly_report(
        user=insofa_a.municipality and _coordinator(insofa_a), year=timezone.localdate().year
    )
    assert report[0]["done"] == 1


def _coordinator(member):
    from conftest import _member

    return _member(member.municipality, "coordinator", "koordination-report")


def test_another_insofa_cannot_answer(kita_a, kita_staff_a, insofa_a, other_insofa_a):
    record = f.record(kita_a, kita_staff_a)
    consultation = services.consultation_request(
        record=record, insofa=insofa_a, question="Frage", actor=kita_staff_a
    )
    with pytest.raises(PermissionDenied):
        services.consultation_respond(
            consultation=consultation, actor=other_insofa_a.user, accept=True
        )


def test_result_needs_an_accepted_request(kita_a, kita_staff_a, insofa_a, insofa_user_a):
    record = f.record(kita_a, kita_staff_a)
    consultation = services.consultation_request(
        record=record, insofa=insofa_a, question="Frage", actor=kita_staff_a
    )
    with pytest.raises(ValidationError, match="angenommene"):
        services.consultation_complete(
            consultation=consultation,
            actor=insofa_user_a,
            consulted_at=timezone.now(),
            outcome="inform",
            result="x",
        )
    with pytest.raises(ValidationError):
        services.consultation_respond(consultation=consultation, actor=insofa_user_a, accept=False)


def test_unavailable_or_foreign_pool_members_cannot_be_asked(
    kita_a, kita_staff_a, insofa_a, muni_b
):
    record = f.record(kita_a, kita_staff_a)
    services.insofa_update(member=insofa_a, actor=_coordinator(insofa_a), available=False)
    with pytest.raises(ValidationError, match="nicht verfügbar"):
        services.consultation_request(
            record=record, insofa=insofa_a, question="?", actor=kita_staff_a
        )
    foreign = f.insofa(muni_b, None, name="Fremde Fachkraft")
    with pytest.raises(ValidationError, match="Pool"):
        services.consultation_request(
            record=record, insofa=foreign, question="?", actor=kita_staff_a
        )


def test_cluster_wide_pool_members_serve_the_whole_cluster(muni_a, muni_b, kita_a, kita_staff_a):
    from registry.tests.factories import ClusterFactory

    cluster = ClusterFactory()
    for muni in (muni_a, muni_b):
        muni.cluster = cluster
        muni.save(update_fields=["cluster"])
    shared = f.insofa(muni_b, None, name="Cluster-Fachkraft", cluster_wide=True)
    local_only = f.insofa(muni_b, None, name="Nur B")
    pool = selectors.pool_search(municipality=muni_a, specialism="early_childhood", language="TR")
    assert shared in pool and local_only not in pool


# --- Mitteilung, intake, feedback ------------------------------------------------------------


def test_message_needs_a_signed_inform_decision(kita_a, kita_staff_a):
    record = f.record(kita_a, kita_staff_a)
    with pytest.raises(ValidationError, match="abgezeichnet"):
        services.message_send(record=record, actor=kita_staff_a, **f.message_data())


def test_message_fields_are_checked_by_name(signed_a, kita_staff_a):
    with pytest.raises(ValidationError) as exc:
        services.message_send(
            record=signed_a,
            actor=kita_staff_a,
            **f.message_data(child_name=" ", contact_person="", child_birth_year=1990),
        )
    assert {"child_name", "contact_person", "child_birth_year"} <= set(exc.value.message_dict)


def test_the_whole_chain_reaches_the_procedure_and_back(
    signed_a, kita_staff_a, caseworker_a, team_a, jugendamt_a
):
    message = services.message_send(record=signed_a, actor=kita_staff_a, **f.message_data())
    assert message.receipt.startswith("M-")
    assert message.reporter_category == "daycare"
    assert message.feedback_due == message.sent_at + dt.timedelta(days=28)
    assert message in selectors.intake_list(user=caseworker_a, state="new")

    message = services.message_acknowledge(
        message=message,
        team=team_a,
        actor=caseworker_a,
        urgency="within_3_days",
        living_situation="single_parent",
    )
    procedure = Procedure.objects.get(pk=message.procedure_id)
    assert procedure.received_at == message.sent_at
    assert procedure.reporter_category == "daycare"
    assert procedure.channel == "form"
    assert procedure.persons.get(role="child").name == "Lena Muster-A"
    report_event = procedure.events.get(activity_code="report_received")
    assert report_event.institution == signed_a.institution
    assert message.status == MessageStatus.ACKNOWLEDGED
    assert message.feedback_due == procedure.feedback_due

    with pytest.raises(ValidationError, match="bereits"):
        services.message_acknowledge(
            message=message,
            team=team_a,
            actor=caseworker_a,
            urgency="within_week",
            living_situation="other",
        )
    with pytest.raises(ValidationError) as exc:
        services.message_record_involvement(
            message=message,
            actor=caseworker_a,
            involvement=ReporterInvolvement.INVOLVED,
            occurred_at=timezone.now(),
        )
    assert "involvement_kind" in exc.value.message_dict
    services.message_record_involvement(
        message=message,
        actor=caseworker_a,
        involvement=ReporterInvolvement.INVOLVED,
        kind="conversation",
        occurred_at=timezone.now(),
        note="Telefonat mit der Erzieherin",
    )
    message = services.message_feedback_send(
        message=message,
        actor=caseworker_a,
        indications_seen=True,
        active=True,
        text="Wir sehen gewichtige Anhaltspunkte und sind tätig.",
    )
    procedure.refresh_from_db()
    assert procedure.feedback_at == message.feedback_at
    assert procedure.events.filter(activity_code="reporter_feedback").exists()
    # No agreement recorded for the Kita and no statute for providers: nothing invented.
    assert message.feedback_legal_basis == ""
    assert _events(signed_a)[-4:] == [
        PartnerActivity.MESSAGE_SENT,
        PartnerActivity.MESSAGE_ACKNOWLEDGED,
        PartnerActivity.REPORTER_INVOLVED,
        PartnerActivity.FEEDBACK_GIVEN,
    ]
    acknowledged = PartnerEvent.objects.get(
        record=signed_a, activity_code=PartnerActivity.MESSAGE_ACKNOWLEDGED
    )
    assert acknowledged.institution == jugendamt_a
    with pytest.raises(ValidationError, match="bereits"):
        services.message_feedback_send(
            message=message, actor=caseworker_a, indications_seen=True, active=True, text="x"
        )


def test_feedback_basis_comes_from_the_agreement_or_the_statute(
    muni_a, kita_a, school_a, coordinator_a
):
    assert services.feedback_basis_for(school_a)[0] == "§ 4 Abs. 4 KKG"
    assert services.feedback_basis_for(kita_a) == ("", "")
    agreement = Agreement.objects.create(
        municipality=muni_a, title="Vereinbarung Kita-Träger", kind="section_8a"
    )
    agreement.institutions.add(kita_a)
    services.agreement_terms_set(
        agreement=agreement,
        actor=coordinator_a,
        feedback_legal_basis="§ 8a Abs. 4 SGB VIII, Ziff. 7 der Vereinbarung",
        feedback_scope="ob das Jugendamt tätig wird",
    )
    assert (
        services.feedback_basis_for(kita_a)[0] == "§ 8a Abs. 4 SGB VIII, Ziff. 7 der Vereinbarung"
    )


def test_other_commune_and_other_team_cannot_take_in_the_message(
    signed_a, kita_staff_a, caseworker_b, team_b, team_a, muni_a
):
    from cases.tests.factories import team_with
    from conftest import _member

    message = services.message_send(record=signed_a, actor=kita_staff_a, **f.message_data())
    assert message not in selectors.intake_list(user=caseworker_b)
    with pytest.raises(PermissionDenied):
        services.message_acknowledge(
            message=message,
            team=team_b,
            actor=caseworker_b,
            urgency="within_week",
            living_situation="other",
        )
    outsider = _member(muni_a, "caseworker", "fachkraft-a-fremdes-team")
    team_with(muni_a, outsider, name="ASD Süd")
    with pytest.raises(PermissionDenied):
        services.message_acknowledge(
            message=message,
            team=team_a,
            actor=outsider,
            urgency="within_week",
            living_situation="other",
        )


def test_feedback_past_its_deadline_shows_on_the_jugendamt_list(
    signed_a, kita_staff_a, caseworker_a, team_a
):
    message = services.message_send(record=signed_a, actor=kita_staff_a, **f.message_data())
    services.message_acknowledge(
        message=message,
        team=team_a,
        actor=caseworker_a,
        urgency="within_week",
        living_situation="other",
    )
    assert message not in selectors.intake_list(user=caseworker_a, state="feedback_overdue")
    later = timezone.now() + dt.timedelta(days=29)
    assert message in selectors.intake_list(user=caseworker_a, state="feedback_overdue", now=later)
    assert selectors.intake_counts(user=caseworker_a, now=later)["feedback_overdue"] == 1


# --- staff invitations -------------------------------------------------------------------------


def test_lead_invites_staff_by_link_and_the_link_works_once(
    kita_a, kita_lead_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, raw = services.staff_invite(
            institution=kita_a, email="Neu@Example.invalid", role=StaffRole.STAFF, actor=kita_lead_a
        )
    assert len(mail.outbox) == 1 and raw in mail.outbox[0].body
    assert invitation.email == "neu@example.invalid"
    user = services.staff_invitation_accept(
        raw_token=raw, username="kita-neu", password="ein-langes-Passwort-2026", last_name="Neu"
    )
    assert StaffBinding.objects.get(user=user).institution == kita_a
    assert Membership.objects.filter(user=user, role=StaffRole.STAFF).exists()
    with pytest.raises(ValidationError, match="ungültig"):
        services.staff_invitation_accept(
            raw_token=raw, username="kita-neu2", password="ein-langes-Passwort-2026"
        )


def test_expired_or_weak_invitations_are_refused(kita_a, kita_lead_a):
    _inv, raw = services.staff_invite(
        institution=kita_a, email="a@example.invalid", role="institution_staff", actor=kita_lead_a
    )
    with pytest.raises(ValidationError) as exc:
        services.staff_invitation_accept(raw_token=raw, username="x1", password="123")
    assert "password" in exc.value.message_dict
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=15)),
        pytest.raises(ValidationError, match="abgelaufen"),
    ):
        services.staff_invitation_accept(
            raw_token=raw, username="x2", password="ein-langes-Passwort-2026"
        )


def test_staff_and_other_leads_cannot_invite(kita_a, kita_staff_a, school_a):
    lead_elsewhere = f.staff(school_a, "schul-leitung-a", StaffRole.LEAD)
    for actor in (kita_staff_a, lead_elsewhere):
        with pytest.raises(PermissionDenied):
            services.staff_invite(
                institution=kita_a, email="x@example.invalid", role="institution_staff", actor=actor
            )


def test_coordination_invites_the_lead_of_any_institution(kita_a, coordinator_a, coordinator_b):
    invitation, _raw = services.staff_invite(
        institution=kita_a,
        email="leitung@example.invalid",
        role=StaffRole.LEAD,
        actor=coordinator_a,
    )
    assert invitation.role == StaffRole.LEAD
    with pytest.raises(PermissionDenied):
        services.staff_invite(
            institution=kita_a,
            email="x@example.invalid",
            role="institution_lead",
            actor=coordinator_b,
        )


def test_lead_removes_staff_and_access_ends(kita_a, kita_lead_a, kita_staff_a):
    record = f.record(kita_a, kita_staff_a)
    binding = StaffBinding.objects.get(user=kita_staff_a)
    services.staff_remove(binding=binding, actor=kita_lead_a)
    kita_staff_a._ksqm_memberships = None
    assert not selectors.records_for_user(user=kita_staff_a).filter(pk=record.pk).exists()
    with pytest.raises(ValidationError):
        services.staff_remove(binding=StaffBinding.objects.get(user=kita_lead_a), actor=kita_lead_a)


def test_expired_records_without_message_are_purged(kita_a, kita_staff_a, kita_lead_a, signed_a):
    other = f.record(kita_a, kita_staff_a, child_code="B.B.")
    services.record_update(record=other, actor=kita_staff_a, decision="none", parents_talk=True)
    services.record_sign_off(record=other, actor=kita_lead_a)
    services.message_send(record=signed_a, actor=kita_staff_a, **f.message_data())
    from core.permissions import SystemActor

    later = timezone.localdate() + dt.timedelta(days=365 * 3 + 2)
    assert services.records_purge_expired(actor=SystemActor("test"), today=later) == 1
    assert not type(other).objects.filter(pk=other.pk).exists()
    assert type(signed_a).objects.filter(pk=signed_a.pk).exists()


def test_purge_command_reports_the_count(kita_a, kita_staff_a, kita_lead_a):
    import io

    from django.core.management import call_command

    record = f.record(kita_a, kita_staff_a)
    services.record_update(record=record, actor=kita_staff_a, decision="none", parents_talk=True)
    services.record_sign_off(record=record, actor=kita_lead_a)
    type(record).objects.filter(pk=record.pk).update(purge_after=timezone.localdate())
    out = io.StringIO()
    call_command("purge_partner_records", stdout=out)
    assert "1 Dokumentationen gelöscht." in out.getvalue()
    assert AuditEvent.objects.filter(action="purge", target_id=str(record.pk)).exists()
