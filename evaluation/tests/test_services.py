"""Services: rounds, invitations, answering with its bad inputs, closing, follow-ups."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from evaluation import services
from evaluation.choices import RoundKind, RoundStatus
from evaluation.models import Answer, FollowUp, Framework, FreeTextAnswer, Invitation, Response
from evaluation.services import Invitee, LinkProblem
from evaluation.tests.conftest import FULL
from evaluation.tests.factories import SMALL_FRAMEWORK, FrameworkFactory
from registry.tests.factories import InstitutionFactory

TODAY = date(2026, 3, 1)
BASE = "https://ksqm.example"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-03-01 10:00 +0000", tick=False):
        yield


# --- frameworks ---------------------------------------------------------------------


def test_builtin_framework_is_loaded_once(db):
    first = services.framework_ensure_builtin()
    again = services.framework_ensure_builtin()
    assert [f.pk for f in first] == [f.pk for f in again]
    assert Framework.objects.count() == 1
    assert first[0].is_example and first[0].municipality is None


def test_changed_definition_needs_a_new_version(project_team):
    services.framework_import(source=SMALL_FRAMEWORK, actor=project_team)
    changed = SMALL_FRAMEWORK.replace("Wir kennen uns.", "Wir kennen uns gut.")
    with pytest.raises(ValidationError, match="Versionsnummer erhöhen"):
        services.framework_import(source=changed, actor=project_team)
    bumped = changed.replace("version: 1", "version: 2")
    assert services.framework_import(source=bumped, actor=project_team).version == 2


def test_invalid_framework_upload_reports_line(coordinator_a, muni_a):
    with pytest.raises(ValidationError) as info:
        services.framework_import(
            source=SMALL_FRAMEWORK.replace("version: 1", "version: x"),
            actor=coordinator_a,
            municipality=muni_a,
        )
    assert "Zeile 3" in str(info.value)


def test_coordinator_cannot_publish_shared_framework(coordinator_a):
    with pytest.raises(PermissionDenied):
        services.framework_import(source=SMALL_FRAMEWORK, actor=coordinator_a)


# --- rounds -------------------------------------------------------------------------


def test_coordinator_opens_self_evaluation_with_audit(coordinator_a, muni_a):
    framework = FrameworkFactory()
    r = services.round_create(
        municipality=muni_a,
        framework=framework,
        title="Selbstevaluation 2026",
        opens_on=date(2026, 3, 1),
        closes_on=date(2026, 4, 30),
        actor=coordinator_a,
    )
    assert r.kind == RoundKind.SELF and r.status == RoundStatus.OPEN
    event = AuditEvent.objects.get(target_id=str(r.pk), action="create")
    assert event.municipality_id == muni_a.pk


def test_external_evaluation_is_for_the_project_team(coordinator_a, project_team, muni_a):
    framework = FrameworkFactory()
    kwargs = dict(
        municipality=muni_a,
        framework=framework,
        title="Fremdevaluation",
        opens_on=date(2026, 3, 1),
        closes_on=date(2026, 4, 30),
        kind=RoundKind.EXTERNAL,
    )
    with pytest.raises(ValidationError, match="Projektteam"):
        services.round_create(actor=coordinator_a, **kwargs)
    assert services.round_create(actor=project_team, **kwargs).kind == RoundKind.EXTERNAL


@pytest.mark.parametrize("who", ["coordinator_b", "caseworker_a", "readonly_a", "partner_a"])
def test_others_cannot_open_a_round(request, muni_a, who):
    with pytest.raises(PermissionDenied):
        services.round_create(
            municipality=muni_a,
            framework=FrameworkFactory(),
            title="x",
            opens_on=TODAY,
            closes_on=TODAY,
            actor=request.getfixturevalue(who),
        )


def test_period_must_be_in_order(coordinator_a, muni_a):
    with pytest.raises(ValidationError, match="Ende"):
        services.round_create(
            municipality=muni_a,
            framework=FrameworkFactory(),
            title="x",
            opens_on=date(2026, 5, 1),
            closes_on=date(2026, 4, 1),
            actor=coordinator_a,
        )


def test_commune_framework_not_usable_by_another_commune(coordinator_a, muni_a, muni_b):
    framework = FrameworkFactory(municipality=muni_b)
    with pytest.raises(ValidationError, match="anderen Kommune"):
        services.round_create(
            municipality=muni_a,
            framework=framework,
            title="x",
            opens_on=TODAY,
            closes_on=TODAY,
            actor=coordinator_a,
        )


# --- invitations --------------------------------------------------------------------


def test_invitations_mail_a_personal_link_and_store_only_its_hash(
    coordinator_a, round_a, muni_a, django_capture_on_commit_callbacks
):
    school = InstitutionFactory(municipality=muni_a, institution_type="school", name="Schule")
    with django_capture_on_commit_callbacks(execute=True):
        created = services.invitation_create_many(
            evaluation_round=round_a,
            invitees=[
                Invitee(email="Lehrerin@Example.invalid", institution=school),
                Invitee(email="polizei@example.invalid", institution_type="police"),
            ],
            actor=coordinator_a,
            base_url=BASE,
        )
    assert len(created) == 2 and len(mail.outbox) == 2
    token = created[0].raw_token
    assert f"{BASE}/evaluation/antworten/{token}/" in mail.outbox[0].body
    stored = Invitation.objects.get(email="lehrerin@example.invalid")
    assert stored.institution_type == "school"
    assert stored.token_hash == services.hash_token(token) and token not in stored.token_hash
    assert AuditEvent.objects.filter(action="create", related_id=str(round_a.pk)).count() == 2


def test_invitations_reject_bad_addresses_and_foreign_institutions(coordinator_a, round_a, muni_b):
    foreign = InstitutionFactory(municipality=muni_b)
    with pytest.raises(ValidationError) as info:
        services.invitation_create_many(
            evaluation_round=round_a,
            invitees=[
                Invitee(email="kein-mail", institution_type="school"),
                Invitee(email="a@example.invalid", institution=foreign),
                Invitee(email="b@example.invalid"),
            ],
            actor=coordinator_a,
            base_url=BASE,
        )
    text = " ".join(info.value.messages)
    assert "keine gültige" in text and "andere" not in text
    assert "nicht zu dieser Kommune" in text and "fehlt die Art" in text
    assert not Invitation.objects.exists()


def test_inviting_the_same_address_twice_keeps_the_first_link(coordinator_a, round_a):
    invitee = Invitee(email="x@example.invalid", institution_type="school")
    services.invitation_create_many(
        evaluation_round=round_a, invitees=[invitee], actor=coordinator_a, base_url=BASE
    )
    again = services.invitation_create_many(
        evaluation_round=round_a, invitees=[invitee], actor=coordinator_a, base_url=BASE
    )
    assert again == [] and Invitation.objects.count() == 1


def test_coordinator_of_other_commune_cannot_invite(coordinator_b, round_a):
    with pytest.raises(PermissionDenied):
        services.invitation_create_many(
            evaluation_round=round_a,
            invitees=[Invitee(email="x@example.invalid", institution_type="school")],
            actor=coordinator_b,
            base_url=BASE,
        )


def test_reminder_replaces_the_link_and_keeps_the_draft(
    coordinator_a, invite, round_a, django_capture_on_commit_callbacks
):
    invite("old", "school")
    invite("done", "school")
    services.response_save_draft(token="old", answers={"coop_a": "2"}, texts={})
    services.response_submit(token="done", answers={"coop_a": "3", "err_a": "3"}, texts={})
    with django_capture_on_commit_callbacks(execute=True):
        count = services.invitation_remind(
            evaluation_round=round_a, actor=coordinator_a, base_url=BASE
        )
    assert count == 1 and len(mail.outbox) == 1
    assert "Erinnerung" in mail.outbox[0].subject
    new_token = mail.outbox[0].body.split("/evaluation/antworten/")[1].split("/")[0]
    with pytest.raises(LinkProblem) as info:
        services.invitation_for_token(token="old")
    assert info.value.code == "invalid" and "neuesten E-Mail" in info.value.message
    invitation = services.invitation_for_token(token=new_token)
    assert invitation.draft["answers"] == {"coop_a": 2} and invitation.reminders_sent == 1


# --- answering ----------------------------------------------------------------------


def test_submission_stores_answers_with_institution_type_only(invite, round_a):
    invite("t1", "youth_office")
    services.response_submit(
        token="t1", answers=FULL, texts={"coop_text": " Die Schulen ", "wish": ""}
    )
    response = Response.objects.get()
    assert response.institution_type == "youth_office"
    assert response.submitted_on == TODAY
    assert dict(Answer.objects.values_list("statement_key", "value")) == {
        "coop_a": 4,
        "coop_b": 5,
        "err_a": None,
    }
    assert list(FreeTextAnswer.objects.values_list("dimension_key", "text")) == [
        ("coop", "Die Schulen")
    ]
    assert Invitation.objects.get().used is True


def test_link_used_twice_gets_a_clear_message(invite):
    invite("t1")
    services.response_submit(token="t1", answers=FULL, texts={})
    with pytest.raises(LinkProblem) as info:
        services.response_submit(token="t1", answers=FULL, texts={})
    assert info.value.code == "used" and info.value.status == 410
    assert "bereits geantwortet" in info.value.message
    assert Response.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code", "fragment"),
    [
        ({"closes_on": date(2026, 2, 28)}, "expired", "abgelaufen"),
        ({"opens_on": date(2026, 3, 2), "closes_on": date(2026, 4, 1)}, "not_open", "beginnt"),
        ({"status": RoundStatus.CLOSED}, "closed", "abgeschlossen"),
    ],
)
def test_round_outside_its_period_refuses_answers(invite, round_a, change, code, fragment):
    invite("t1")
    for field, value in change.items():
        setattr(round_a, field, value)
    round_a.save()
    with pytest.raises(LinkProblem) as info:
        services.response_submit(token="t1", answers=FULL, texts={})
    assert info.value.code == code and fragment in info.value.message
    assert not Response.objects.exists()


def test_unknown_link_is_invalid(db):
    with pytest.raises(LinkProblem) as info:
        services.invitation_for_token(token="erfunden")
    assert info.value.status == 404


def test_half_filled_form_is_kept_as_draft_and_nothing_is_lost(invite):
    invite("t1")
    with pytest.raises(ValidationError) as info:
        services.response_submit(
            token="t1", answers={"coop_a": "4"}, texts={"coop_text": "Entwurf"}
        )
    assert set(info.value.message_dict) == {"coop_b", "err_a"}
    assert "kann ich nicht beurteilen" in info.value.message_dict["err_a"][0]
    invitation = Invitation.objects.get()
    assert invitation.used is False
    assert invitation.draft == {"answers": {"coop_a": 4}, "texts": {"coop_text": "Entwurf"}}
    assert not Response.objects.exists()
    # Completing the draft later submits it and erases the draft.
    services.response_submit(token="t1", answers=FULL, texts={"coop_text": "Fertig"})
    invitation.refresh_from_db()
    assert invitation.used and invitation.draft == {}


def test_answer_outside_the_scale_names_the_statement(invite):
    invite("t1")
    with pytest.raises(ValidationError) as info:
        services.response_submit(token="t1", answers=FULL | {"coop_a": "9"}, texts={})
    assert info.value.message_dict == {"coop_a": ["„9“ liegt außerhalb der Skala von 1 bis 5."]}
    assert Invitation.objects.get().draft["answers"]["coop_a"] == 9  # kept, not lost


def test_statement_not_asked_of_this_institution_type_is_refused(invite):
    invite("t1", "school")  # schools are not asked coop_b
    with pytest.raises(ValidationError) as info:
        services.response_submit(token="t1", answers=FULL, texts={})
    assert list(info.value.message_dict) == ["coop_b"]


def test_draft_cannot_be_saved_after_submission(invite):
    invite("t1")
    services.response_submit(token="t1", answers=FULL, texts={})
    with pytest.raises(LinkProblem):
        services.response_save_draft(token="t1", answers={"coop_a": 1}, texts={})


# --- closing ------------------------------------------------------------------------


def test_closing_erases_unsubmitted_drafts_and_stops_links(coordinator_a, invite, round_a):
    invite("t1")
    services.response_save_draft(token="t1", answers={"coop_a": 3}, texts={})
    services.round_close(evaluation_round=round_a, actor=coordinator_a, reason="Frist vorbei")
    assert Invitation.objects.get().draft == {}
    assert round_a.closed_on == TODAY
    with pytest.raises(LinkProblem, match="abgeschlossen"):
        services.invitation_for_token(token="t1")
    event = AuditEvent.objects.filter(target_id=str(round_a.pk), action="update").get()
    assert event.after["status"] == "closed" and event.reason == "Frist vorbei"
    with pytest.raises(ValidationError, match="bereits"):
        services.round_close(evaluation_round=round_a, actor=coordinator_a)


def test_reader_cannot_close(readonly_a, round_a):
    with pytest.raises(PermissionDenied):
        services.round_close(evaluation_round=round_a, actor=readonly_a)


# --- from weakness to work ------------------------------------------------------------


def test_weak_statement_becomes_an_outcome_linked_back(coordinator_a, round_a):
    follow_up = services.follow_up_create(
        evaluation_round=round_a,
        dimension_key="coop",
        statement_key="coop_b",
        kind="outcome",
        text="Rückmeldeverfahren vereinbaren",
        actor=coordinator_a,
        origin_url="/evaluation/runden/x/ergebnisse/",
    )
    outcome = follow_up.outcome
    assert outcome.municipality_id == round_a.municipality_id
    assert outcome.text == "Rückmeldeverfahren vereinbaren"
    assert outcome.description == "Rückmeldungen kommen an."
    assert "Selbstevaluation 2026" in outcome.origin and "Kooperation" in outcome.origin
    assert outcome.origin_url == "/evaluation/runden/x/ergebnisse/"
    assert AuditEvent.objects.filter(action="create", target_id=str(follow_up.pk)).exists()


def test_weak_dimension_becomes_a_development_interest(coordinator_a, round_a):
    follow_up = services.follow_up_create(
        evaluation_round=round_a,
        dimension_key="errors",
        kind="interest",
        text="Fehlerkultur stärken",
        actor=coordinator_a,
    )
    interest = follow_up.development_interest
    assert interest.text == "Fehlerkultur stärken"
    assert interest.municipality_id == round_a.municipality_id
    assert AuditEvent.objects.filter(action="create", target_id=str(interest.pk)).exists()


def test_outcome_creation_uses_the_quality_service(coordinator_a, round_a, monkeypatch):
    calls = []
    from quality import services as quality_services

    real = quality_services.outcome_create

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(quality_services, "outcome_create", spy)
    services.follow_up_create(
        evaluation_round=round_a,
        dimension_key="coop",
        kind="outcome",
        text="X",
        actor=coordinator_a,
    )
    assert calls and calls[0]["municipality"] == round_a.municipality


def test_follow_up_rejects_statement_of_another_dimension_and_other_commune(
    coordinator_a, coordinator_b, round_a
):
    with pytest.raises(ValidationError, match="gehört nicht"):
        services.follow_up_create(
            evaluation_round=round_a,
            dimension_key="errors",
            statement_key="coop_a",
            kind="interest",
            text="x",
            actor=coordinator_a,
        )
    with pytest.raises(PermissionDenied):
        services.follow_up_create(
            evaluation_round=round_a,
            dimension_key="coop",
            kind="interest",
            text="x",
            actor=coordinator_b,
        )
    assert not FollowUp.objects.exists()


def test_interest_follow_up_uses_the_quality_service(coordinator_a, round_a, monkeypatch):
    from quality import services as quality_services

    calls = []
    real = quality_services.development_interest_create

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(quality_services, "development_interest_create", spy)
    follow_up = services.follow_up_create(
        evaluation_round=round_a,
        dimension_key="coop",
        kind="interest",
        text="Kooperation verbessern",
        actor=coordinator_a,
    )
    assert calls and calls[0]["municipality"] == round_a.municipality
    assert follow_up.development_interest.text == "Kooperation verbessern"
