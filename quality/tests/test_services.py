"""Services of the quality app: series, sign-up and waiting list, lifecycle, conflicts."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import AuditEvent
from quality import services
from quality.choices import OutcomeStatus, RegistrationStatus
from quality.models import Evidence, Outcome, OutcomeTransition
from quality.tests.factories import (
    OutcomeFactory,
    RegistrationFactory,
    WorkshopFactory,
    WorkshopSessionFactory,
)
from registry.tests.factories import ClusterFactory, InstitutionFactory

# --- series -------------------------------------------------------------------------


def test_series_is_every_two_months_on_the_same_weekday_of_the_same_week():
    # The second Wednesday stays the second Wednesday: never a Saturday or Sunday.
    dates = services.session_series_dates(first=date(2026, 1, 14), until=date(2026, 12, 31))
    assert dates == [
        date(2026, 1, 14),
        date(2026, 3, 11),
        date(2026, 5, 13),
        date(2026, 7, 8),
        date(2026, 9, 9),
        date(2026, 11, 11),
    ]
    assert {d.weekday() for d in dates} == {2}
    # A date in the last week of its month stays on the last such weekday.
    assert services.session_series_dates(first=date(2026, 1, 30), until=date(2026, 6, 1)) == [
        date(2026, 1, 30),
        date(2026, 3, 27),
        date(2026, 5, 29),
    ]
    assert services.session_series_dates(
        first=date(2026, 12, 15), until=date(2027, 3, 1), interval_months=1
    ) == [date(2026, 12, 15), date(2027, 1, 19), date(2027, 2, 16)]


def test_series_rejects_nonsense():
    with pytest.raises(ValidationError):
        services.session_series_dates(first=date(2026, 5, 1), until=date(2026, 1, 1))
    with pytest.raises(ValidationError):
        services.session_series_dates(
            first=date(2026, 1, 1), until=date(2026, 5, 1), interval_months=0
        )


def test_schedule_series_creates_sessions_once(coordinator_a, muni_a):
    workshop = services.workshop_create(
        municipality=muni_a, title="Werkstatt A", actor=coordinator_a
    )
    kwargs = dict(
        workshop=workshop,
        first=date(2027, 2, 10),
        until=date(2027, 12, 31),
        start_time=time(9, 30),
        end_time=time(13, 0),
        actor=coordinator_a,
        place="Rathaus",
    )
    created = services.workshop_schedule_series(**kwargs)
    assert len(created) == 6
    first = timezone.localtime(created[0].starts_at)
    assert (first.date(), first.hour, first.minute) == (date(2027, 2, 10), 9, 30)
    assert services.workshop_schedule_series(**kwargs) == []
    assert workshop.sessions.count() == 6
    assert AuditEvent.objects.filter(target_type__model="workshopsession").count() == 6


def test_schedule_series_needs_the_host_commune(coordinator_b, muni_a):
    workshop = WorkshopFactory(municipality=muni_a)
    with pytest.raises(PermissionDenied):
        services.workshop_schedule_series(
            workshop=workshop,
            first=date(2027, 1, 1),
            until=date(2027, 3, 1),
            start_time=time(9),
            end_time=time(12),
            actor=coordinator_b,
        )


def test_extra_session_edit_and_cancellation(
    coordinator_a, muni_a, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory(municipality=muni_a)
    start = timezone.now() + timedelta(days=30)
    session = services.session_add(
        workshop=workshop, starts_at=start, ends_at=start + timedelta(hours=2), actor=coordinator_a
    )
    assert session.is_extra and session.place == workshop.default_place
    services.session_update(session=session, actor=coordinator_a, place="Jugendamt, Raum 3")
    assert session.sequence == 1
    RegistrationFactory(session=session, email="demo@example.invalid")
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=session, actor=coordinator_a, reason="Krankheit")
    assert session.is_cancelled and session.sequence == 2
    assert mail.outbox[-1].to == ["demo@example.invalid"]
    assert "Abgesagt" in mail.outbox[-1].subject
    with pytest.raises(ValidationError):
        services.session_cancel(session=session, actor=coordinator_a)
    with pytest.raises(ValidationError):
        services.session_add(workshop=workshop, starts_at=start, ends_at=start, actor=coordinator_a)


# --- sign-up, capacity, waiting list ----------------------------------------------------


def test_capacity_then_waiting_list_then_moving_up(
    coordinator_a, muni_a, django_capture_on_commit_callbacks
):
    session = WorkshopSessionFactory(workshop=WorkshopFactory(municipality=muni_a), capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        regs = [
            services.registration_signup(
                session=session, actor=coordinator_a, name=f"Demo Fachkraft {i}",
                email=f"f{i}@example.invalid",
            )
            for i in range(4)
        ]  # fmt: skip
    assert [r.status for r in regs] == ["registered", "registered", "waitlisted", "waitlisted"]
    assert "Warteliste" in mail.outbox[2].subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=regs[0], actor=coordinator_a)
    for r in regs:
        r.refresh_from_db()
    assert [r.status for r in regs] == ["cancelled", "registered", "registered", "waitlisted"]
    assert [m.to for m in mail.outbox] == [["f2@example.invalid"]]
    assert "Nachgerückt" in mail.outbox[0].subject
    # More places let the rest move up too.
    services.session_update(session=session, actor=coordinator_a, capacity=3)
    regs[3].refresh_from_db()
    assert regs[3].status == RegistrationStatus.REGISTERED


def test_default_capacity_is_thirty(coordinator_a, muni_a):
    session = WorkshopSessionFactory(workshop=WorkshopFactory(municipality=muni_a))
    assert session.effective_capacity == 30
    for _n in range(30):
        RegistrationFactory(session=session)
    reg = services.registration_signup(
        session=session, actor=coordinator_a, name="Demo Nachzügler", email="n@example.invalid"
    )
    assert reg.status == RegistrationStatus.WAITLISTED


def test_self_signup_of_partner_commune_member_and_invitation(
    coordinator_a, caseworker_b, muni_a, muni_b, django_capture_on_commit_callbacks
):
    cluster = ClusterFactory(number=40, model_municipality=muni_a)
    muni_a.cluster = muni_b.cluster = cluster
    muni_a.save()
    muni_b.save()
    workshop = WorkshopFactory(municipality=muni_a, cluster=cluster)
    session = WorkshopSessionFactory(workshop=workshop)
    with django_capture_on_commit_callbacks(execute=True):
        invited = services.session_invite(
            session=session, name="Demo Fachkraft B", email=caseworker_b.email,
            actor=coordinator_a,
        )  # fmt: skip
    assert invited.status == RegistrationStatus.INVITED
    assert "Einladung" in mail.outbox[0].subject
    reg = services.registration_signup(session=session, actor=caseworker_b, user=caseworker_b)
    assert reg.pk == invited.pk and reg.status == RegistrationStatus.REGISTERED
    assert reg.user == caseworker_b
    # Partner members may not invite or manage others.
    with pytest.raises(PermissionDenied):
        services.session_invite(
            session=session, name="X", email="x@example.invalid", actor=caseworker_b
        )
    # Signing up again changes nothing.
    assert (
        services.registration_signup(session=session, actor=caseworker_b, user=caseworker_b).pk
        == reg.pk
    )
    services.registration_cancel(registration=reg, actor=caseworker_b)


def test_outsider_cannot_sign_up(caseworker_b, muni_a):
    session = WorkshopSessionFactory(workshop=WorkshopFactory(municipality=muni_a))
    with pytest.raises(PermissionDenied):
        services.registration_signup(session=session, actor=caseworker_b, user=caseworker_b)


def test_no_signup_for_cancelled_or_past_sessions(coordinator_a, muni_a):
    workshop = WorkshopFactory(municipality=muni_a)
    past = WorkshopSessionFactory(workshop=workshop, starts_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError, match="begonnen"):
        services.registration_signup(session=past, actor=coordinator_a, name="A", email="a@x.de")
    cancelled = WorkshopSessionFactory(workshop=workshop, status="cancelled")
    with pytest.raises(ValidationError, match="abgesagt"):
        services.registration_signup(session=cancelled, actor=coordinator_a, name="A")


def test_attendance_after_the_session_only(coordinator_a, muni_a):
    with time_machine.travel(datetime(2027, 3, 1, 8, 0, tzinfo=timezone.get_default_timezone())):
        start = timezone.now() + timedelta(hours=1)
        session = WorkshopSessionFactory(
            workshop=WorkshopFactory(municipality=muni_a),
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
        a, b = RegistrationFactory(session=session), RegistrationFactory(session=session)
        with pytest.raises(ValidationError):
            services.attendance_record(session=session, attended={a.pk: True}, actor=coordinator_a)
    with time_machine.travel(datetime(2027, 3, 1, 12, 0, tzinfo=timezone.get_default_timezone())):
        changed = services.attendance_record(
            session=session, attended={a.pk: True, b.pk: False}, actor=coordinator_a
        )
        assert len(changed) == 2
        other = RegistrationFactory()
        with pytest.raises(ValidationError):
            services.attendance_record(
                session=session, attended={other.pk: True}, actor=coordinator_a
            )
    a.refresh_from_db()
    assert a.attended is True


# --- outcomes ---------------------------------------------------------------------------


def test_outcome_create_for_other_apps(coordinator_a, muni_a, readonly_a, coordinator_b):
    outcome = services.outcome_create(
        municipality=muni_a,
        text="Vier-Augen-Prinzip verbindlich regeln",
        actor=coordinator_a,
        origin="Falluntersuchung FU-2026-01",
        origin_url="/lernen/fu/123/",
        due_date=date(2027, 6, 30),
    )
    assert outcome.status == OutcomeStatus.PLANNED and outcome.version == 1
    assert outcome.origin.startswith("Falluntersuchung")
    assert AuditEvent.objects.filter(target_id=str(outcome.pk), action="create").exists()
    for outsider in (readonly_a, coordinator_b):
        with pytest.raises(PermissionDenied):
            services.outcome_create(municipality=muni_a, text="x", actor=outsider)


def test_lifecycle_records_date_and_person(coordinator_a, muni_a):
    outcome = OutcomeFactory(municipality=muni_a)
    with time_machine.travel(datetime(2027, 1, 5, 10, 0, tzinfo=timezone.get_default_timezone())):
        services.outcome_transition(
            outcome=outcome, to_status="in_progress", actor=coordinator_a, note="Start"
        )
    with time_machine.travel(datetime(2027, 2, 1, 10, 0, tzinfo=timezone.get_default_timezone())):
        services.outcome_transition(outcome=outcome, to_status="achieved", actor=coordinator_a)
    steps = list(OutcomeTransition.objects.filter(outcome=outcome))
    assert [(s.from_status, s.to_status) for s in steps] == [
        ("planned", "in_progress"),
        ("in_progress", "achieved"),
    ]
    assert steps[0].actor == coordinator_a and steps[0].note == "Start"
    assert timezone.localtime(steps[0].at).date() == date(2027, 1, 5)
    outcome.refresh_from_db()
    assert outcome.status == "achieved" and outcome.version == 3
    event = AuditEvent.objects.filter(target_id=str(outcome.pk)).first()
    assert event.after == {"status": "achieved", "version": 3}


def test_illegal_transition_is_rejected_with_a_clear_message(coordinator_a, muni_a):
    outcome = OutcomeFactory(municipality=muni_a)
    with pytest.raises(ValidationError) as excinfo:
        services.outcome_transition(outcome=outcome, to_status="achieved", actor=coordinator_a)
    message = " ".join(excinfo.value.messages)
    assert "„in Planung“" in message and "„erreicht“" in message and "„in Umsetzung“" in message
    with pytest.raises(ValidationError):
        services.outcome_transition(outcome=outcome, to_status="bogus", actor=coordinator_a)
    outcome.refresh_from_db()
    assert outcome.status == "planned" and outcome.version == 1
    assert not OutcomeTransition.objects.exists()


def test_transition_permissions(readonly_a, coordinator_b, project_team, muni_a):
    outcome = OutcomeFactory(municipality=muni_a)
    for actor in (readonly_a, coordinator_b):
        with pytest.raises(PermissionDenied):
            services.outcome_transition(outcome=outcome, to_status="in_progress", actor=actor)
    services.outcome_transition(outcome=outcome, to_status="in_progress", actor=project_team)


def test_concurrent_edit_second_writer_gets_a_conflict(coordinator_a, muni_a, project_team):
    outcome = OutcomeFactory(municipality=muni_a)
    first = Outcome.objects.get(pk=outcome.pk)
    second = Outcome.objects.get(pk=outcome.pk)
    services.outcome_update(
        outcome=first, actor=coordinator_a, expected_version=1, description="Entwurf A"
    )
    with pytest.raises(services.OutcomeConflict) as excinfo:
        services.outcome_update(
            outcome=second, actor=project_team, expected_version=1, description="Entwurf B"
        )
    assert excinfo.value.current_version == 2
    assert "inzwischen" in str(excinfo.value)
    with pytest.raises(services.OutcomeConflict):
        services.outcome_transition(
            outcome=second, to_status="in_progress", actor=project_team, expected_version=1
        )
    outcome.refresh_from_db()
    assert outcome.description == "Entwurf A" and outcome.version == 2


def test_update_owner_due_date_and_deciding_sessions(coordinator_a, muni_a, muni_b):
    outcome = OutcomeFactory(municipality=muni_a)
    institution = InstitutionFactory(municipality=muni_a)
    session = WorkshopSessionFactory(workshop=WorkshopFactory(municipality=muni_a))
    services.outcome_update(
        outcome=outcome,
        actor=coordinator_a,
        expected_version=1,
        owner_institution=institution,
        owner_name="Demo Koordination",
        due_date=date(2020, 1, 1),
        decided_in=[session],
    )
    outcome.refresh_from_db()
    assert outcome.owner_institution == institution and outcome.is_overdue
    assert list(outcome.decided_in.all()) == [session]
    foreign = InstitutionFactory(municipality=muni_b)
    with pytest.raises(ValidationError):
        services.outcome_update(
            outcome=outcome, actor=coordinator_a, expected_version=None, owner_institution=foreign
        )
    other_session = WorkshopSessionFactory(workshop=WorkshopFactory(municipality=muni_b))
    with pytest.raises(ValidationError):
        services.outcome_update(
            outcome=outcome, actor=coordinator_a, expected_version=None, decided_in=[other_session]
        )


def test_evidence_links_and_uploads_are_checked(coordinator_a, muni_a, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    outcome = OutcomeFactory(municipality=muni_a)
    link = services.evidence_add(
        outcome=outcome, title="Protokoll", url="https://example.invalid/p", actor=coordinator_a
    )
    assert link.kind == "link"
    pdf = SimpleUploadedFile("bogen.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    doc = services.evidence_add(outcome=outcome, title="Bogen", upload=pdf, actor=coordinator_a)
    assert doc.kind == "file" and doc.size == 13 and doc.content_type == "application/pdf"
    fake = SimpleUploadedFile("bogen.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="passt nicht"):
        services.evidence_add(outcome=outcome, title="x", upload=fake, actor=coordinator_a)
    exe = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError, match="Dateityp"):
        services.evidence_add(outcome=outcome, title="x", upload=exe, actor=coordinator_a)
    big = SimpleUploadedFile("gross.txt", b"a" * (services.EVIDENCE_MAX_BYTES + 1))
    with pytest.raises(ValidationError, match="größer"):
        services.evidence_add(outcome=outcome, title="x", upload=big, actor=coordinator_a)
    with pytest.raises(ValidationError):
        services.evidence_add(
            outcome=outcome, title="x", url="javascript:alert(1)", actor=coordinator_a
        )
    with pytest.raises(ValidationError):
        services.evidence_add(outcome=outcome, title="x", actor=coordinator_a)
    assert Evidence.objects.count() == 2
    services.evidence_delete(evidence=link, actor=coordinator_a)
    assert Evidence.objects.count() == 1


def test_development_interest_create_appends_audits_and_checks_the_commune(
    coordinator_a, coordinator_b, readonly_a, muni_a
):
    from quality.models import DevelopmentInterest

    first = services.development_interest_create(
        municipality=muni_a, text="  Fallkonferenzen  ", actor=coordinator_a
    )
    second = services.development_interest_create(
        municipality=muni_a, text="Übergaben", actor=coordinator_a
    )
    assert (first.text, first.position, second.position) == ("Fallkonferenzen", 0, 1)
    assert not first.imported
    event = AuditEvent.objects.get(target_id=str(second.pk), action="create")
    assert event.municipality_id == muni_a.pk and event.after["text"] == "Übergaben"
    for actor in (coordinator_b, readonly_a):
        with pytest.raises(PermissionDenied):
            services.development_interest_create(municipality=muni_a, text="X", actor=actor)
    with pytest.raises(ValidationError):
        services.development_interest_create(municipality=muni_a, text="  ", actor=coordinator_a)
    assert DevelopmentInterest.objects.count() == 2
