"""Issue 14 for case reviews: narratives encrypted, the detector on save, the read log,
narratives only for the own commune, retention with legal hold."""

import datetime as dt
import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core.models import AccessLog, AuditEvent
from core.permissions import SystemActor
from core.services import api_token_create
from reviews import services
from reviews.models import CaseReview, Episode, Finding, IncidentReport
from reviews.tests.factories import (
    CaseReviewFactory,
    EpisodeFactory,
    FindingFactory,
    IncidentReportFactory,
    category,
)

pytestmark = pytest.mark.django_db

NARRATIVE = "Nach dem Hausbesuch blieb die Rückmeldung an die Kita aus (Stichwort Quittenbaum)."
SYSTEM = SystemActor("test")


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _token(user):
    return {"Authorization": f"Bearer {api_token_create(user=user, name='t', actor=user)[1]}"}


@pytest.fixture
def review(muni_a, coordinator_a):
    review = services.review_create(
        municipality=muni_a,
        actor=coordinator_a,
        title="Fall Q 2026",
        trigger="routine",
        method="case_workshop",
        questions=NARRATIVE,
        summary="Zusammenfassung " + NARRATIVE,
    )
    services.episode_create(
        review=review,
        actor=coordinator_a,
        title="Hausbesuch",
        institution_label="Praxis Quittenbaum",
        what_happened=NARRATIVE,
        known_then="Bekannt: " + NARRATIVE,
        why_sensible="Sinnvoll: " + NARRATIVE,
    )
    services.finding_create(
        review=review,
        actor=coordinator_a,
        level="team",
        category=category(),
        text="Befund: " + NARRATIVE,
    )
    return review


# --- encryption at rest ----------------------------------------------------------------------


def test_narratives_are_row_bound_ciphertext_in_the_database(review):
    episode = review.episodes.get()
    finding = review.findings.get()
    stored = [
        _raw("reviews_casereview", "questions", review.pk),
        _raw("reviews_casereview", "summary", review.pk),
        _raw("reviews_episode", "what_happened", episode.pk),
        _raw("reviews_episode", "known_then", episode.pk),
        _raw("reviews_episode", "why_sensible", episode.pk),
        _raw("reviews_finding", "text", finding.pk),
    ]
    assert all(value.startswith("v2:") for value in stored)
    assert not any("Quittenbaum" in value for value in stored)
    fresh = CaseReview.objects.get(pk=review.pk)
    assert fresh.questions == NARRATIVE
    assert Episode.objects.get(pk=episode.pk).why_sensible == "Sinnvoll: " + NARRATIVE


def test_a_narrative_copied_to_another_review_does_not_decrypt(review, muni_a, coordinator_a):
    from core.crypto import DecryptionError

    other = services.review_create(
        municipality=muni_a, actor=coordinator_a, title="Fall R", trigger="routine",
        method="case_workshop", questions="andere Fragen",
    )  # fmt: skip
    token = _raw("reviews_casereview", "questions", review.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reviews_casereview SET questions = %s WHERE id = %s", [token, other.pk]
        )
    with pytest.raises(DecryptionError):
        _ = CaseReview.objects.get(pk=other.pk).questions


def test_raw_near_miss_texts_are_encrypted(muni_a):
    report = services.incident_report_submit(
        municipality=muni_a,
        what_happened="Roh: " + NARRATIVE,
        what_could_have_happened="Hätte: " + NARRATIVE,
        what_helped="Half: " + NARRATIVE,
        what_should_change="Ändern: " + NARRATIVE,
    )
    columns = ("what_happened", "what_could_have_happened", "what_helped", "what_should_change")
    for column in columns:
        assert _raw("reviews_incidentreport", column, report.pk).startswith("v2:")
    assert IncidentReport.objects.get(pk=report.pk).what_helped == "Half: " + NARRATIVE


def test_audit_rows_name_changed_narratives_but_never_their_text(review, coordinator_a):
    services.review_update(review=review, actor=coordinator_a, summary="Neu: " + NARRATIVE)
    rows = AuditEvent.objects.filter(target_id=str(review.pk)).order_by("pk")
    dumped = json.dumps([[r.before, r.after] for r in rows], ensure_ascii=False)
    assert "Quittenbaum" not in dumped
    assert rows.last().after == {"summary": "«geändert»"}


def test_data_migration_seals_clear_rows_and_reverses(review, muni_a):
    episode = review.episodes.get()
    report = IncidentReportFactory(municipality=muni_a)
    with connection.cursor() as cursor:  # the state before the migration: clear text
        cursor.execute(
            "UPDATE reviews_casereview SET questions = %s, summary = '' WHERE id = %s",
            ["Alte Fragen", review.pk],
        )
        cursor.execute(
            "UPDATE reviews_episode SET what_happened = %s WHERE id = %s", ["Alt", episode.pk]
        )
        cursor.execute(
            "UPDATE reviews_incidentreport SET what_happened = %s WHERE id = %s",
            ["Alte Meldung", report.pk],
        )
    migration = importlib.import_module("reviews.migrations.0010_seal_narratives")

    class _Editor:
        pass

    editor = _Editor()
    editor.connection = connection
    migration.forward(django_apps, editor)
    assert _raw("reviews_casereview", "questions", review.pk).startswith("v2:")
    assert _raw("reviews_episode", "what_happened", episode.pk).startswith("v2:")
    assert _raw("reviews_casereview", "summary", review.pk) == ""
    assert CaseReview.objects.get(pk=review.pk).questions == "Alte Fragen"
    assert IncidentReport.objects.get(pk=report.pk).what_happened == "Alte Meldung"
    sealed = _raw("reviews_casereview", "questions", review.pk)
    migration.forward(django_apps, editor)  # a second run changes nothing
    assert _raw("reviews_casereview", "questions", review.pk) == sealed
    migration.backward(django_apps, editor)
    assert _raw("reviews_casereview", "questions", review.pk) == "Alte Fragen"
    assert _raw("reviews_incidentreport", "what_happened", report.pk) == "Alte Meldung"


# --- the detector on save ------------------------------------------------------------------------


def test_a_name_in_a_clear_title_is_refused_naming_the_field(muni_a, coordinator_a):
    with pytest.raises(ValidationError) as exc:
        services.review_create(
            municipality=muni_a,
            actor=coordinator_a,
            title="Fall Kevin Müller",
            trigger="routine",
            method="case_workshop",
            confirmed=True,  # a confirmation does not open a clear field
        )
    assert set(exc.value.message_dict) == {"title"}
    assert not CaseReview.objects.exists()


def test_a_flagged_narrative_needs_the_authors_confirmation(muni_a, coordinator_a):
    kwargs = {
        "municipality": muni_a,
        "actor": coordinator_a,
        "title": "Fall S",
        "trigger": "routine",
        "method": "case_workshop",
        "summary": "Die Mutter Sabine rief am 12.03.2025 an.",
    }
    with pytest.raises(ValidationError) as exc:
        services.review_create(**kwargs)
    assert set(exc.value.message_dict) == {"summary"}
    assert "Name" in exc.value.message_dict["summary"][0]
    review = services.review_create(**kwargs, confirmed=True)
    assert review.summary.startswith("Die Mutter Sabine")
    # an unchanged flagged text is not asked again; a changed one is
    services.review_update(review=review, actor=coordinator_a, status="running")
    with pytest.raises(ValidationError):
        services.review_update(review=review, actor=coordinator_a, summary="Vater Klaus ebenso")


def test_episode_finding_and_recommendation_texts_pass_the_detector(review, coordinator_a):
    with pytest.raises(ValidationError) as exc:
        services.episode_create(
            review=review,
            actor=coordinator_a,
            title="Anruf bei Frau Yilmaz",
            institution_label="Praxis Dr. Beispiel",
        )
    assert set(exc.value.message_dict) == {"title", "institution_label"}
    with pytest.raises(ValidationError) as exc:
        services.finding_create(
            review=review, actor=coordinator_a, level="team", category=category(),
            text="Herr Schulte vergaß die Akte.",
        )  # fmt: skip
    assert set(exc.value.message_dict) == {"text"}
    with pytest.raises(ValidationError) as exc:
        services.recommendation_create(
            review=review, actor=coordinator_a, text="Rückruf", rationale="Tel. 0151 99887766"
        )
    assert set(exc.value.message_dict) == {"rationale"}
    episode = review.episodes.get()
    with pytest.raises(ValidationError):
        services.episode_update(episode=episode, actor=coordinator_a, known_then="Sohn Kevin")
    services.episode_update(
        episode=episode, actor=coordinator_a, known_then="Sohn Kevin", confirmed=True
    )


def test_the_form_shows_the_detector_error_inline(client, muni_a, coordinator_a):
    from conftest import verified_login

    verified_login(client, coordinator_a)
    response = client.post(
        "/lernen/fallanalysen/neu/",
        {
            "title": "Fall T",
            "trigger": "routine",
            "method": "case_workshop",
            "status": "planned",
            "questions": "Warum rief Frau Yilmaz nicht zurück?",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["questions"]
    assert not CaseReview.objects.exists()


def test_the_api_answers_422_naming_the_field(client, muni_a, coordinator_a):
    payload = {
        "municipality": muni_a.slug,
        "title": "Fall U",
        "trigger": "routine",
        "method": "case_workshop",
        "summary": "Familie Yilmaz, Lindenstraße 5",
    }
    headers = _token(coordinator_a)
    response = client.post(
        "/api/v1/reviews", json.dumps(payload), content_type="application/json", headers=headers
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["summary"]
    response = client.post(
        "/api/v1/reviews",
        json.dumps({**payload, "confirmed": True}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201


# --- read log and narratives only for the own commune ------------------------------------------


def test_every_read_of_a_review_is_logged(client, review, coordinator_a):
    from conftest import verified_login

    verified_login(client, coordinator_a)
    assert client.get(review.get_absolute_url()).status_code == 200
    assert (
        client.get(f"/api/v1/reviews/{review.code}", headers=_token(coordinator_a)).json()[
            "questions"
        ]
        == NARRATIVE
    )
    purposes = list(
        AccessLog.objects.filter(target_id=str(review.pk))
        .order_by("pk")
        .values_list("purpose", flat=True)
    )
    assert purposes == ["Falluntersuchung ansehen", "Falluntersuchung über die API gelesen"]


def test_moderating_a_raw_report_is_logged(client, muni_a, coordinator_a):
    from conftest import verified_login

    report = IncidentReportFactory(municipality=muni_a)
    verified_login(client, coordinator_a)
    client.get("/lernen/meldungen/")
    client.get(f"/lernen/meldungen/{report.code}/")
    assert list(
        AccessLog.objects.filter(target_id=str(report.pk))
        .order_by("pk")
        .values_list("purpose", flat=True)
    ) == ["Eingangsliste Beinahe-Ereignisse (Auszug)", "Beinahe-Ereignis moderieren"]


@pytest.mark.parametrize("who", ["project_team", "platform_admin"])
def test_global_roles_see_a_review_but_not_its_narratives(client, request, review, who):
    from conftest import verified_login

    user = request.getfixturevalue(who)
    verified_login(client, user)
    page = client.get(review.get_absolute_url()).content.decode()
    assert review.title in page
    assert "Quittenbaum" not in page
    report = client.get(f"/lernen/fallanalysen/{review.code}/bericht/")
    assert "Quittenbaum" not in report.content.decode()
    headers = _token(user)
    body = client.get(f"/api/v1/reviews/{review.code}", headers=headers).json()
    assert (body["questions"], body["summary"]) == (None, None)
    listed = client.get("/api/v1/reviews", headers=headers).json()
    assert listed and all(r["questions"] is None for r in listed)
    findings = client.get("/api/v1/findings", headers=headers).json()
    assert findings and all(f["text"] is None for f in findings)


def test_another_communes_coordinator_gets_404_and_no_log(client, review, coordinator_b):
    from conftest import verified_login

    verified_login(client, coordinator_b)
    assert client.get(review.get_absolute_url()).status_code == 404
    hold = client.post(
        f"/lernen/fallanalysen/{review.code}/loeschsperre/",
        {"hold-hold": "on", "hold-reason": "fremd"},
    )
    assert hold.status_code == 404
    assert not AccessLog.objects.filter(target_id=str(review.pk)).exists()
    assert CaseReview.objects.get(pk=review.pk).legal_hold is False


# --- retention and legal hold --------------------------------------------------------------------


def _close(review, actor, years_ago: int):
    closed = timezone.localdate() - dt.timedelta(days=366 * years_ago)
    services.review_update(review=review, actor=actor, status="closed", closed_on=closed)


def test_legal_hold_needs_a_reason_and_is_audited(client, review, coordinator_a, caseworker_a):
    with pytest.raises(ValidationError) as exc:
        services.review_legal_hold_set(review=review, actor=coordinator_a, hold=True, reason=" ")
    assert set(exc.value.message_dict) == {"reason"}
    with pytest.raises(PermissionDenied):
        services.review_legal_hold_set(
            review=review, actor=caseworker_a, hold=True, reason="Gericht"
        )
    from conftest import verified_login

    verified_login(client, coordinator_a)
    response = client.post(
        f"/lernen/fallanalysen/{review.code}/loeschsperre/",
        {"hold-hold": "on", "hold-reason": "Familiengericht, Az. liegt der Leitung vor"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.legal_hold and review.legal_hold_reason.startswith("Familiengericht")
    row = AuditEvent.objects.filter(target_id=str(review.pk)).latest("pk")
    assert row.after["legal_hold"] is True and row.reason.startswith("Familiengericht")
    services.review_legal_hold_set(review=review, actor=coordinator_a, hold=False, reason="Ende")
    review.refresh_from_db()
    assert (review.legal_hold, review.legal_hold_reason) == (False, "")


def test_retention_purges_expired_narratives_but_not_under_legal_hold(
    review, muni_a, coordinator_a, settings
):
    settings.KSQM_REVIEW_RETENTION_YEARS = 2
    held = CaseReviewFactory(municipality=muni_a, questions="gehalten")
    recent = CaseReviewFactory(municipality=muni_a, questions="frisch")
    _close(review, coordinator_a, years_ago=3)
    _close(held, coordinator_a, years_ago=3)
    _close(recent, coordinator_a, years_ago=1)
    services.review_legal_hold_set(review=held, actor=coordinator_a, hold=True, reason="Gericht")
    services.finding_publish(
        finding=review.findings.get(), actor=coordinator_a, public_text="Rückmeldung fehlte."
    )
    counts = services.reviews_purge_expired(actor=SYSTEM)
    assert (counts["reviews"], counts["held"]) == (1, 1)
    review.refresh_from_db()
    assert review.purged_at is not None
    assert (review.questions, review.summary) == ("", "")
    assert Episode.objects.get(review=review).what_happened == ""
    finding = Finding.objects.get(review=review)
    assert finding.text == "" and finding.category == category()
    assert finding.library_item.text == "Rückmeldung fehlte."  # the public copy stays
    assert review.title == "Fall Q 2026"
    assert CaseReview.objects.get(pk=held.pk).questions == "gehalten"
    assert CaseReview.objects.get(pk=recent.pk).questions == "frisch"
    assert AuditEvent.objects.filter(target_id=str(review.pk), action="purge").count() == 1
    # idempotent: a second run purges nothing more
    assert services.reviews_purge_expired(actor=SYSTEM)["reviews"] == 0
    with pytest.raises(ValidationError):
        services.review_update(review=review, actor=coordinator_a, summary="wieder da")
    with pytest.raises(ValidationError):
        services.review_purge_narratives(review=held, actor=SYSTEM, reason="manuell")


def test_old_raw_near_miss_texts_are_blanked_by_the_command(muni_a, settings):
    settings.KSQM_INCIDENT_RETENTION_YEARS = 1
    old = IncidentReportFactory(
        municipality=muni_a, received_on=timezone.localdate() - dt.timedelta(days=800)
    )
    new = IncidentReportFactory(municipality=muni_a)
    call_command("purge_reviews", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert IncidentReport.objects.get(pk=old.pk).what_happened == ""
    assert IncidentReport.objects.get(pk=new.pk).what_happened.startswith("Eine Meldung")
    row = AuditEvent.objects.get(action="purge", municipality=muni_a, target_type__isnull=True)
    assert row.after["raw_texts_purged"] == 1


def test_purge_reviews_is_on_the_schedule():
    from operations.schedules import job_get

    assert job_get("purge_reviews").command == "purge_reviews"


def test_every_review_text_model_binds_to_a_code():
    for model in (CaseReview, Episode, Finding, IncidentReport):
        for field in model._meta.concrete_fields:
            if getattr(field, "audit_redacted", False):
                assert field.check() == [], field
    assert EpisodeFactory()._meta.get_field("code").unique
    assert FindingFactory().code


def test_a_procedure_under_review_waits_for_the_review(
    muni_a, coordinator_a, caseworker_a, team_lead_a
):
    """A legal hold stops a purge while a review runs: the procedure's purge waits until
    the review that works on it is closed, and longer while the review is on hold."""
    from cases import services as case_services
    from cases.models import Procedure
    from cases.tests.factories import team_with
    from cases.tests.test_services import _closed_procedure

    team = team_with(muni_a, caseworker_a, team_lead_a)
    old = timezone.now() - dt.timedelta(days=6 * 365)
    procedure = _closed_procedure(team, caseworker_a, team_lead_a, old)
    review = services.review_create(
        municipality=muni_a, actor=coordinator_a, title="Fall V", trigger="routine",
        method="case_workshop", status="running",
    )  # fmt: skip
    CaseReview.objects.filter(pk=review.pk).update(procedure_code=procedure.code)
    review.refresh_from_db()
    purge = SystemActor("purge_expired")
    assert case_services.procedures_purge_expired(actor=purge) == 0  # the review runs
    services.review_update(review=review, actor=coordinator_a, status="closed")
    services.review_legal_hold_set(review=review, actor=coordinator_a, hold=True, reason="OLG")
    assert case_services.procedures_purge_expired(actor=purge) == 0  # closed, but on hold
    services.review_legal_hold_set(review=review, actor=coordinator_a, hold=False, reason="Ende")
    assert case_services.procedures_purge_expired(actor=purge) == 1
    assert Procedure.objects.get(pk=procedure.pk).purged_at is not None
