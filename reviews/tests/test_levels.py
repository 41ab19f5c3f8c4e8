"""The four error levels of the project and the separate context-factor dimension.

Seed 003 names four levels (Fachkraft, Team, Organisation, interorganisationale
Zusammenarbeit). Law, politics and society are contributing factors outside them: they
never count as a level, and migration 0007 moved the old fifth level there.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from core.models import AuditEvent
from core.services import api_token_create
from reviews import selectors, services
from reviews.choices import ContextFactor, FindingLevel, ReviewStatus
from reviews.models import Finding, LibraryItem
from reviews.tests.factories import CaseReviewFactory, FindingFactory, category

pytestmark = pytest.mark.django_db


def test_politics_and_society_is_no_level_but_a_context_factor():
    assert "society" not in FindingLevel.values
    assert len(FindingLevel.values) == 4
    assert ContextFactor.SOCIETY.label == "Politik und Gesellschaft"


def test_service_refuses_a_fifth_level_and_a_finding_without_dimension(muni_a, coordinator_a):
    review = CaseReviewFactory(municipality=muni_a)
    with pytest.raises(ValidationError) as exc:
        services.finding_create(
            review=review, actor=coordinator_a, level="society", category=category(), text="x"
        )
    assert "level" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.finding_create(
            review=review, actor=coordinator_a, level="", category=category(), text="x"
        )
    assert "vier Ebenen" in str(exc.value)
    with pytest.raises(ValidationError):
        services.finding_create(
            review=review,
            actor=coordinator_a,
            level="",
            context_factor="weather",
            category=category(),
            text="x",
        )
    assert not Finding.objects.exists()


def test_context_factor_alone_or_beside_a_level_is_audited(muni_a, coordinator_a):
    review = CaseReviewFactory(municipality=muni_a)
    alone = services.finding_create(
        review=review,
        actor=coordinator_a,
        level="",
        context_factor=ContextFactor.SOCIETY,
        category=category("staff-turnover"),
        text="Fachkräftemangel im ASD.",
    )
    both = services.finding_create(
        review=review,
        actor=coordinator_a,
        level=FindingLevel.ORGANISATION,
        context_factor=ContextFactor.LAW,
        category=category("unclear-responsibility"),
        text="Zuständigkeit nach Umzug ungeklärt.",
    )
    event = AuditEvent.objects.get(target_id=str(alone.pk), action="create")
    assert event.after["context_factor"] == "society"
    assert event.after["level"] == ""
    assert str(alone) == "Politik und Gesellschaft: Personalwechsel und Vakanzen"
    data = selectors.review_detail(review=review)
    assert [(str(label), items) for label, items in data["findings_by_level"]] == [
        ("Organisation", [both])
    ]
    assert [(str(label), items) for label, items in data["findings_by_context"]] == [
        ("Politik und Gesellschaft", [alone])
    ]


def test_database_refuses_a_fifth_level_and_an_empty_dimension(muni_a):
    review = CaseReviewFactory(municipality=muni_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        FindingFactory(review=review, level="society")
    with pytest.raises(IntegrityError), transaction.atomic():
        FindingFactory(review=review, level="", context_factor="")


def test_context_factors_are_excluded_from_the_level_counts(muni_a):
    review = CaseReviewFactory(municipality=muni_a, status=ReviewStatus.CLOSED)
    for _ in range(6):
        FindingFactory(review=review, level="team")
    for _ in range(5):
        FindingFactory(review=review, level="", context_factor="society")
    for _ in range(2):
        FindingFactory(review=review, level="organisation", context_factor="law")
    f = selectors.frequencies(label="x", municipality_ids=[muni_a.pk])
    levels = {code: cell for code, _label, cell in f.by_level}
    contexts = {code: cell for code, _label, cell in f.by_context}
    assert list(levels) == FindingLevel.values
    assert levels["team"].value == 6
    assert levels["organisation"].value is None  # 2 < 5: suppressed
    assert sum(cell.value or 0 for cell in levels.values()) == 6  # society is no level
    assert levels["team"].share == pytest.approx(6 / 8)  # share of findings on a level
    assert contexts["society"].value == 5
    assert contexts["law"].value is None
    assert f.total.value == 13


def test_finding_form_with_neither_level_nor_context_factor_is_refused_inline(
    client, muni_a, coordinator_a
):
    review = CaseReviewFactory(municipality=muni_a)
    client.force_login(coordinator_a)
    url = reverse("reviews:finding_create", args=[review.code])
    data = {
        "finding-level": "",
        "finding-context_factor": "",
        "finding-category": category().pk,
        "finding-valence": "weakness",
        "finding-text": "Ohne Ebene",
    }
    response = client.post(url, data)
    assert response.status_code == 422
    message = "Bitte eine der vier Ebenen oder einen Kontextfaktor angeben."
    assert message in response.content.decode()
    response = client.post(url, data | {"finding-level": "society"})
    assert response.status_code == 422
    assert not Finding.objects.exists()
    response = client.post(url, data | {"finding-context_factor": "society"})
    assert response.status_code == 302
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Kontextfaktoren außerhalb der vier Ebenen" in page
    assert "Politik/Gesellschaft" not in page


def test_api_lists_the_context_factor_and_refuses_a_fifth_level(client, muni_a, caseworker_a):
    review = CaseReviewFactory(municipality=muni_a)
    FindingFactory(review=review, level="", context_factor="society")
    FindingFactory(review=review, level="team")
    token = api_token_create(user=caseworker_a, name="t", actor=caseworker_a)[1]
    headers = {"Authorization": f"Bearer {token}"}
    rows = client.get("/api/v1/findings?context_factor=society", headers=headers).json()
    assert [(r["level"], r["context_factor"]) for r in rows] == [(None, "society")]
    assert client.get("/api/v1/findings?level=society", headers=headers).status_code == 422


def test_publishing_a_context_finding_keeps_the_dimension_in_the_library(muni_a, coordinator_a):
    finding = FindingFactory(
        review=CaseReviewFactory(municipality=muni_a), level="", context_factor="law"
    )
    item = services.finding_publish(
        finding=finding, actor=coordinator_a, public_text="Zuständigkeit ungeklärt."
    )
    assert (item.level, item.context_factor) == ("", "law")
    assert item.title.startswith("Recht und Gesetzgebung:")
    assert list(selectors.library_list(context_factor="law")) == [item]
    assert not selectors.library_list(level="team").exists()
    assert LibraryItem.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_migration_moves_fifth_level_findings_to_the_context_factor(muni_a):
    executor = MigrationExecutor(connection)
    executor.migrate([("reviews", "0006_falluntersuchung_labels")])
    old = executor.loader.project_state([("reviews", "0006_falluntersuchung_labels")]).apps
    OldReview = old.get_model("reviews", "CaseReview")
    OldFinding = old.get_model("reviews", "Finding")
    OldCategory = old.get_model("reviews", "ErrorCategory")
    review = OldReview.objects.create(
        municipality_id=muni_a.pk, title="Alt", trigger="routine", method="systemic", year=2025
    )
    cat = OldCategory.objects.get(code="staff-turnover")
    fifth = OldFinding.objects.create(review=review, level="society", category=cat, text="a")
    team = OldFinding.objects.create(review=review, level="team", category=cat, text="b")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    moved = Finding.objects.get(pk=fifth.pk)
    assert (moved.level, moved.context_factor) == ("", "society")
    kept = Finding.objects.get(pk=team.pk)
    assert (kept.level, kept.context_factor) == ("team", "")
