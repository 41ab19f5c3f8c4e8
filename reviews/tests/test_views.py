"""Review pages: permissions per role and commune, the workflow, report and PDF."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from registry.tests.factories import InstitutionFactory
from reviews.models import CaseReview, ErrorCategory, Finding, Recommendation
from reviews.tests.factories import (
    CaseReviewFactory,
    EpisodeFactory,
    FindingFactory,
    category,
)

pytestmark = pytest.mark.django_db


def test_review_pages_need_login(client, muni_a):
    review = CaseReviewFactory(municipality=muni_a)
    for url in (reverse("reviews:review_list"), review.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/anmelden/")


@pytest.mark.parametrize("who", ["coordinator_a", "caseworker_a", "team_lead_a", "project_team"])
def test_readers_see_the_review(request, client, muni_a, who):
    review = CaseReviewFactory(municipality=muni_a, title="Fall Sonnenweg")
    client.force_login(request.getfixturevalue(who))
    assert "Fall Sonnenweg" in client.get(reverse("reviews:review_list")).content.decode()
    assert client.get(review.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "who", ["coordinator_b", "caseworker_b", "partner_a", "readonly_a", "data_protection_a"]
)
def test_others_get_404_for_the_review(request, client, muni_a, who):
    review = CaseReviewFactory(municipality=muni_a, title="Fall Sonnenweg")
    client.force_login(request.getfixturevalue(who))
    assert "Fall Sonnenweg" not in client.get(reverse("reviews:review_list")).content.decode()
    assert client.get(review.get_absolute_url()).status_code == 404
    assert client.get(reverse("reviews:review_report_pdf", args=[review.code])).status_code == 404


def test_caseworker_may_read_but_not_edit(client, muni_a, caseworker_a):
    review = CaseReviewFactory(municipality=muni_a)
    client.force_login(caseworker_a)
    assert client.get(reverse("reviews:review_edit", args=[review.code])).status_code == 403
    assert client.get(reverse("reviews:review_create")).status_code == 403
    response = client.post(
        reverse("reviews:finding_create", args=[review.code]),
        {
            "finding-level": "team",
            "finding-category": category().pk,
            "finding-valence": "weakness",
            "finding-text": "x",
        },
    )
    assert response.status_code == 403
    assert not Finding.objects.exists()


def test_coordinator_runs_a_review_through_the_pages(
    client, muni_a, coordinator_a, django_assert_max_num_queries
):
    kita = InstitutionFactory(
        municipality=muni_a, name="Kita Regenbogen", institution_type="daycare"
    )
    client.force_login(coordinator_a)
    response = client.post(
        reverse("reviews:review_create"),
        {
            "title": "Fall B 2026",
            "trigger": "near_miss",
            "method": "systemic",
            "status": "running",
            "team": [kita.pk],
        },
    )
    review = CaseReview.objects.get()
    assert response["Location"] == review.get_absolute_url()
    code = review.code
    client.post(
        reverse("reviews:episode_create", args=[code]),
        {
            "episode-title": "Meldung der Kita",
            "episode-occurred_on": "2026-02-01",
            "episode-what_happened": "Die Kita meldete Hunger.",
            "episode-known_then": "Nur die Meldung.",
            "episode-why_sensible": "Die Familie war bekannt und kooperativ.",
        },
    )
    episode = review.episodes.get()
    client.post(
        reverse("reviews:finding_create", args=[code]),
        {
            "finding-level": "interorganisational",
            "finding-category": category("reporter-no-feedback").pk,
            "finding-valence": "weakness",
            "finding-text": "Die Kita erhielt keine Rückmeldung.",
            "finding-episode": episode.pk,
        },
    )
    finding = review.findings.get()
    assert finding.episode == episode
    client.post(
        reverse("reviews:recommendation_create", args=[code]),
        {
            "recommendation-text": "Rückmeldung binnen einer Woche",
            "recommendation-finding": finding.pk,
        },
    )
    rec = Recommendation.objects.get()
    response = client.post(reverse("reviews:recommendation_to_outcome", args=[code, rec.pk]))
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.outcome is not None and rec.outcome.municipality == muni_a
    with django_assert_max_num_queries(20):
        body = client.get(review.get_absolute_url()).content.decode()
    for text in (
        "Meldung der Kita",
        "Die Familie war bekannt",
        "keine Rückmeldung",
        "Maßnahme der Werkstatt",
    ):
        assert text in body
    report = client.get(reverse("reviews:review_report", args=[code])).content.decode()
    assert "Bericht der Falluntersuchung" in report and "Kita Regenbogen" in report


def test_invalid_subform_shows_inline_errors(client, muni_a, coordinator_a):
    review = CaseReviewFactory(municipality=muni_a)
    client.force_login(coordinator_a)
    response = client.post(
        reverse("reviews:episode_create", args=[review.code]), {"episode-title": ""}
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()


def test_publish_page_suggests_a_redacted_text_and_blocks_details(client, muni_a, coordinator_a):
    finding = FindingFactory(
        review=CaseReviewFactory(municipality=muni_a),
        text="Frau Yilmaz rief am 12.03.2024 nicht zurück.",
    )
    client.force_login(coordinator_a)
    url = reverse("reviews:finding_publish", args=[finding.review.code, finding.pk])
    body = client.get(url).content.decode()
    assert "[Name] rief am [Datum] nicht zurück." in body
    response = client.post(url, {"public_text": "Frau Yilmaz rief nicht zurück."})
    assert response.status_code == 422
    finding.refresh_from_db()
    assert not finding.is_published
    response = client.post(url, {"public_text": "Die Fachkraft rief nicht zurück."})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.is_published


def test_report_pdf_is_written(client, muni_a, coordinator_a, tmp_path):
    review = CaseReviewFactory(municipality=muni_a, title="Fall PDF")
    EpisodeFactory(review=review, title="Hausbesuch ohne Kind")
    FindingFactory(review=review, level="professional", category=category("child-not-seen"))
    client.force_login(coordinator_a)
    response = client.get(reverse("reviews:review_report_pdf", args=[review.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "bericht.pdf"
    path.write_bytes(response.content)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(data) > 2000


def test_taxonomy_page_edit_only_for_the_project_team(client, project_team, coordinator_a):
    url = reverse("reviews:category_list")
    client.force_login(coordinator_a)
    assert "Kind nicht gesehen" in client.get(url).content.decode()
    assert (
        client.post(
            url, {"code": "neu", "label": "Neu", "kind": "error", "position": 0}
        ).status_code
        == 403
    )
    client.force_login(project_team)
    response = client.post(
        url,
        {
            "code": "language-barrier",
            "label": "Sprachbarriere",
            "kind": "factor",
            "position": 3,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert ErrorCategory.objects.get(code="language-barrier").label == "Sprachbarriere"


def test_no_view_bypasses_the_chokepoint_selectors():
    source = (Path(__file__).resolve().parents[1] / "views.py").read_text()
    assert "get_object_or_404" not in source
    assert not re.search(r"(CaseReview|IncidentReport|Finding|Episode)\.objects", source)


def test_navigation_entries():
    from django.apps import apps

    nav = apps.get_app_config("reviews").navigation
    assert [(name, needs_login) for name, _label, needs_login in nav] == [
        ("reviews:incident_start", False),
        ("reviews:library", False),
        ("reviews:review_list", True),
    ]


def test_coordinator_completes_an_imported_episode(client, muni_a, coordinator_a, caseworker_a):
    review = CaseReviewFactory(municipality=muni_a)
    episode = EpisodeFactory(review=review, title="Hausbesuch", imported=True)
    url = reverse("reviews:episode_edit", args=[review.code, episode.pk])
    client.force_login(caseworker_a)
    assert client.get(url).status_code == 403
    client.force_login(coordinator_a)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Hausbesuch",
            "known_then": "Nur die Meldung der Kita.",
            "why_sensible": "Die Mutter wirkte kooperativ.",
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.why_sensible == "Die Mutter wirkte kooperativ."
    other = EpisodeFactory(review=CaseReviewFactory(municipality=muni_a))
    assert (
        client.get(reverse("reviews:episode_edit", args=[review.code, other.pk])).status_code == 404
    )


def test_review_list_links_the_own_commune_comparison(
    client, muni_a, coordinator_a, django_assert_max_num_queries
):
    for _ in range(5):
        FindingFactory(review=CaseReviewFactory(municipality=muni_a))
    client.force_login(coordinator_a)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("reviews:review_list")).content.decode()
    assert f"?kommune={muni_a.slug}" in body
    assert body.count("Fallanalyse Demo") == 5


def test_import_form_only_for_those_who_document_cases(client, muni_a, coordinator_a, caseworker_a):
    review = CaseReviewFactory(municipality=muni_a)
    client.force_login(coordinator_a)
    assert "import-procedure_code" not in client.get(review.get_absolute_url()).content.decode()
    client.force_login(caseworker_a)
    assert "import-procedure_code" in client.get(review.get_absolute_url()).content.decode()
