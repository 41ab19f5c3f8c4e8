"""Learning library: moderation workflow, German search, filters, small-count suppression."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from registry.tests.factories import ClusterFactory, InstitutionFactory
from reviews import search, selectors, services
from reviews.choices import IncidentStatus, ReviewStatus
from reviews.models import LibraryItem
from reviews.tests.factories import (
    CaseReviewFactory,
    FindingFactory,
    IncidentReportFactory,
    category,
)

pytestmark = pytest.mark.django_db


def _moderate(report, actor, **extra):
    values = {
        "answer": "Danke, wir haben die Vertretung geregelt.",
        "public_title": "Hausbesuche ohne Vertretung",
        "public_text": "Während des Urlaubs fanden keine Hausbesuche statt.",
        "level": "organisation",
        "category": category("management-system"),
    }
    values.update(extra)
    return services.incident_report_moderate(report=report, actor=actor, **values)


def test_moderation_publishes_an_anonymised_version_and_the_answer(muni_a, coordinator_a):
    report = IncidentReportFactory(
        municipality=muni_a,
        what_happened="Frau Yilmaz (Hauptstraße 12) bekam keinen Hausbesuch.",
        reporter_institution_type="daycare",
    )
    _moderate(report, coordinator_a)
    report.refresh_from_db()
    assert report.status == IncidentStatus.PUBLISHED
    assert report.moderated_by == coordinator_a
    item = LibraryItem.objects.get(incident=report)
    assert item.trigger == "near_miss"
    assert item.institution_types == "|daycare|"
    assert "Yilmaz" not in item.text + item.title + item.answer


def test_moderation_refuses_identifying_details_in_what_is_shared(muni_a, coordinator_a):
    report = IncidentReportFactory(municipality=muni_a)
    with pytest.raises(ValidationError):
        _moderate(report, coordinator_a, public_text="Frau Yilmaz bekam keinen Hausbesuch.")
    with pytest.raises(ValidationError):
        _moderate(report, coordinator_a, answer="Rufen Sie uns an: 0228 / 77 34 56")
    report.refresh_from_db()
    assert report.status == IncidentStatus.RECEIVED
    assert not LibraryItem.objects.exists()


def test_answer_without_publishing_and_rejecting(muni_a, coordinator_a):
    report = IncidentReportFactory(municipality=muni_a)
    _moderate(report, coordinator_a, publish=False)
    report.refresh_from_db()
    assert report.status == IncidentStatus.ANSWERED
    assert not LibraryItem.objects.exists()
    services.incident_report_reject(report=report, actor=coordinator_a, answer="Kein Bezug.")
    report.refresh_from_db()
    assert report.status == IncidentStatus.REJECTED


@pytest.mark.parametrize("who", ["caseworker_a", "coordinator_b", "project_team", "partner_a"])
def test_only_the_communes_coordination_moderates(request, muni_a, who):
    report = IncidentReportFactory(municipality=muni_a)
    with pytest.raises(PermissionDenied):
        _moderate(report, request.getfixturevalue(who))
    assert not selectors.incident_queue_for_user(user=request.getfixturevalue(who)).exists()


def test_moderation_queue_and_page_are_scoped(client, muni_a, muni_b, coordinator_a, caseworker_a):
    mine = IncidentReportFactory(municipality=muni_a, what_happened="Meldung aus A")
    theirs = IncidentReportFactory(municipality=muni_b, what_happened="Meldung aus B")
    client.force_login(coordinator_a)
    body = client.get(reverse("reviews:incident_queue")).content.decode()
    assert "Meldung aus A" in body and "Meldung aus B" not in body
    assert client.get(reverse("reviews:incident_moderate", args=[mine.code])).status_code == 200
    assert client.get(reverse("reviews:incident_moderate", args=[theirs.code])).status_code == 404
    client.force_login(caseworker_a)
    assert client.get(reverse("reviews:incident_queue")).status_code == 403
    assert client.get(reverse("reviews:incident_moderate", args=[mine.code])).status_code == 404


def test_moderation_page_flags_details_and_publishes(client, muni_a, coordinator_a):
    report = IncidentReportFactory(
        municipality=muni_a, what_happened="Mutter Sabine rief am 12.03.2024 an."
    )
    client.force_login(coordinator_a)
    url = reverse("reviews:incident_moderate", args=[report.code])
    body = client.get(url).content.decode()
    assert "<mark>Mutter Sabine</mark>" in body
    assert "[Name] rief am [Datum] an." in body  # the suggested anonymised version
    response = client.post(
        url,
        {
            "public_title": "Anruf ohne Rückruf",
            "public_text": "Eine Mutter rief an und bekam keinen Rückruf.",
            "level": "professional",
            "category": category("communication-breakdown").pk,
            "answer": "Danke für den Hinweis.",
            "publish": "on",
        },
    )
    assert response.status_code == 302
    assert LibraryItem.objects.filter(incident=report).exists()


def test_german_search_finds_inflected_forms_and_compounds(muni_a, coordinator_a):
    finding = FindingFactory(review=CaseReviewFactory(municipality=muni_a))
    services.finding_publish(
        finding=finding,
        actor=coordinator_a,
        public_text="Die Hausbesuche unterblieben, die Gefährdungseinschätzung fehlte.",
    )
    other = FindingFactory(review=CaseReviewFactory(municipality=muni_a))
    services.finding_publish(
        finding=other, actor=coordinator_a, public_text="Die Schule erhielt keine Rückmeldung."
    )
    assert list(selectors.library_list(q="Hausbesuch")) == [finding.library_item]
    assert list(selectors.library_list(q="gefährdungseinschätzungen")) == [finding.library_item]
    assert list(selectors.library_list(q="Gefahrdungseinschatzung")) == [finding.library_item]
    assert list(selectors.library_list(q="Rückmeldungen Schule")) == [other.library_item]
    assert selectors.library_list(q="Inobhutnahme").count() == 0
    assert selectors.library_list(q="").count() == 2


def test_search_normalisation():
    assert search.tokens("Die Hausbesuche") == ["hausbesuch"]
    assert search.normalise("Gefährdung", "") == "gefahrd"


def test_library_filters_by_level_category_trigger_and_institution_type(muni_a, coordinator_a):
    review = CaseReviewFactory(municipality=muni_a, trigger="serious_harm")
    review.team.add(InstitutionFactory(municipality=muni_a, institution_type="school"))
    finding = FindingFactory(review=review, level="team", category=category("four-eyes-not-kept"))
    services.finding_publish(finding=finding, actor=coordinator_a, public_text="Kein Vier-Augen.")
    report = IncidentReportFactory(municipality=muni_a, reporter_institution_type="daycare")
    _moderate(report, coordinator_a)
    assert selectors.library_list(level="team").get().finding == finding
    assert selectors.library_list(category="four-eyes-not-kept").get().finding == finding
    assert selectors.library_list(trigger="near_miss").get().incident == report
    assert selectors.library_list(institution_type="school").get().finding == finding
    assert selectors.library_list(institution_type="daycare").get().incident == report
    assert selectors.library_list(kind="incident").get().incident == report


def test_library_page_is_public_and_searchable(
    client, muni_a, coordinator_a, django_assert_max_num_queries
):
    for i in range(8):
        finding = FindingFactory(review=CaseReviewFactory(municipality=muni_a))
        services.finding_publish(
            finding=finding, actor=coordinator_a, public_text=f"Übergabe {i} misslang."
        )
    with django_assert_max_num_queries(8):
        response = client.get(reverse("reviews:library"))
    assert response.status_code == 200
    assert response.content.decode().count('class="card"') == 8
    response = client.get(reverse("reviews:library"), {"q": "Übergaben"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "8 Einträge" in response.content.decode()


# --- Die häufigsten Kinderschutzfehler -----------------------------------------------------------


def _findings(muni, n, level="team", code="documentation-gap", status=ReviewStatus.CLOSED):
    review = CaseReviewFactory(municipality=muni, status=status)
    for _ in range(n):
        FindingFactory(review=review, level=level, category=category(code))


def test_small_counts_are_suppressed(muni_a, settings):
    settings.REVIEWS_MIN_PUBLISHED_COUNT = 5
    _findings(muni_a, 6, level="team")
    _findings(muni_a, 2, level="organisation", code="workload")
    f = selectors.frequencies(label="x")
    levels = {code: cell.value for code, _label, cell in f.by_level}
    assert levels["team"] == 6
    assert levels["organisation"] is None  # 2 < 5: suppressed
    assert levels["professional"] == 0  # zero reveals nobody
    categories = {code: cell.value for code, _label, cell in f.by_category}
    assert categories == {"documentation-gap": 6, "workload": None}
    settings.REVIEWS_MIN_PUBLISHED_COUNT = 2
    f = selectors.frequencies(label="x")
    assert {c: cell.value for c, _l, cell in f.by_level}["organisation"] == 2


def test_planned_reviews_and_strengths_are_not_counted_as_errors(muni_a, settings):
    settings.REVIEWS_MIN_PUBLISHED_COUNT = 1
    _findings(muni_a, 3, status=ReviewStatus.PLANNED)
    review = CaseReviewFactory(municipality=muni_a, status=ReviewStatus.CLOSED)
    FindingFactory(review=review, valence="strength")
    assert selectors.frequencies(label="x").raw_total == 0
    assert selectors.frequencies(label="x", valence="strength").raw_total == 1


def test_a_commune_sees_where_it_differs(muni_a, muni_b, settings):
    settings.REVIEWS_MIN_PUBLISHED_COUNT = 3
    _findings(muni_a, 6, level="interorganisational", code="information-loss-interface")
    _findings(muni_a, 4, level="team")
    _findings(muni_b, 10, level="team")
    data = selectors.frequency_scopes(municipality=muni_a)
    diffs = {d.code: d.points for d in data["differences"]}
    assert diffs["interorganisational"] == 60.0
    assert diffs["team"] == -60.0


def test_cluster_scope_and_page_with_inline_svg(client, muni_a, muni_b, settings):
    settings.REVIEWS_MIN_PUBLISHED_COUNT = 2
    cluster = ClusterFactory(number=31, model_municipality=muni_a)
    muni_a.cluster = cluster
    muni_a.save()
    _findings(muni_a, 3, level="team")
    _findings(muni_b, 1, level="professional", code="child-not-seen")
    response = client.get(reverse("reviews:frequencies"), {"cluster": 31})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and "<title>" in body
    assert "Kinderschutzcluster 31 im Vergleich" in body
    # Kind nicht gesehen: 1 finding, below the minimum of 2, shown only as "< 2".
    assert "Kind nicht gesehen" not in body or "&lt; 2" in body
    response = client.get(reverse("reviews:frequencies"), {"kommune": muni_b.slug})
    assert "Zu wenige Befunde" in response.content.decode()


def test_frequencies_csv_keeps_small_counts_suppressed(client, muni_a, settings):
    settings.REVIEWS_MIN_PUBLISHED_COUNT = 3
    _findings(muni_a, 4, level="team")
    _findings(muni_a, 1, level="professional", code="child-not-seen")
    response = client.get(reverse("reviews:frequencies_csv"), {"kommune": muni_a.slug})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "bereich,dimension,schluessel,bezeichnung,anzahl"
    assert "bundesweit,ebene,team,Team,4" in lines
    assert "bundesweit,ebene,professional,Fachkraft,<3" in lines
    assert "bundesweit,kategorie,child-not-seen,Kind nicht gesehen,<3" in lines
    assert any(line.startswith("Stadt Musterstadt A,gesamt") for line in lines)


def test_search_uses_the_engines_full_text_where_there_is_one(muni_a, coordinator_a):
    from django.db import connection

    finding = FindingFactory(review=CaseReviewFactory(municipality=muni_a))
    services.finding_publish(
        finding=finding, actor=coordinator_a, public_text="Die Hausbesuche blieben aus."
    )
    qs = selectors.library_list(q="Hausbesuch")
    assert list(qs) == [finding.library_item]
    if connection.vendor == "postgresql":
        # The german configuration matched it (rank 1), through the GIN index.
        assert qs.get().search_rank == 1
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'reviews_library_german'"
            )
            assert "to_tsvector('german'" in cursor.fetchone()[0]
    else:
        assert "search_rank" not in qs.query.annotations
