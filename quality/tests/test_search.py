"""Search and similarity on the four seed profiles (German stemming, both engines)."""

from pathlib import Path

import pytest

from core.permissions import SYSTEM
from profiles.services import profile_import
from quality import search
from quality.models import DevelopmentInterest, Outcome, SearchDocument, Topic
from registry.profile_parser import parse_profile_file

SEED_DIR = Path(__file__).resolve().parents[2] / "registry" / "data" / "seed_profiles"


@pytest.fixture
def seeds(db):
    for path in sorted(SEED_DIR.glob("*.txt")):
        profile_import(profile=parse_profile_file(path), actor=SYSTEM)


def test_index_follows_the_imported_profiles(seeds):
    expected = DevelopmentInterest.objects.count() + Topic.objects.count() + Outcome.objects.count()
    assert SearchDocument.objects.count() == expected
    assert search.search_index_rebuild() == expected


def test_search_finds_inflected_forms_across_communes(seeds):
    hits = search.search(query="Einschätzungen")
    communes = {h.municipality_slug for h in hits}
    assert "stadtgemeinde-bremen" in communes  # "Gefährdungseinschätzung" (an interest)
    hits = search.search(query="Netzwerk")
    assert hits and all("netzwerk" in h.text.lower() for h in hits)


def test_search_filters_by_status_scope_and_state(seeds):
    achieved = search.search(query="Gefährdungseinschätzungsbogen", status="achieved")
    assert [h.municipality_slug for h in achieved] == ["bundesstadt-bonn"]
    assert search.search(query="Gefährdungseinschätzungsbogen", status="planned") == []
    assert search.search(query="Gefährdungseinschätzungsbogen", state="HB") == []
    assert search.search(query="Gefährdungseinschätzungsbogen", scope="cross_cluster") == []
    assert search.search(query="Gefährdungseinschätzungsbogen", kinds=["topic"]) == []
    assert search.search(query="   ") == []


def test_bonn_risk_assessment_form_finds_related_work_elsewhere(seeds):
    outcome = Outcome.objects.get(
        municipality__slug="bundesstadt-bonn", text__icontains="Gefährdungseinschätzungsbogen"
    )
    similar = search.similar_items(item=outcome, limit=5)
    assert similar, "no similar item found"
    assert all(hit.municipality_slug != "bundesstadt-bonn" for hit in similar)
    # Bremen's "Gefährdungseinschätzung" and Wolfsburg's "Risikoeinschätzung" lead.
    top = [(h.municipality_slug, h.kind) for h in similar[:2]]
    assert top == [("stadtgemeinde-bremen", "interest"), ("stadt-wolfsburg", "interest")]
    assert "Gefährdungseinschätzung" in similar[0].text
    assert "Risikoeinschätzung" in similar[1].text
    assert similar[0].score >= similar[-1].score


def test_similarity_follows_text_changes(seeds):
    bremen = Outcome.objects.filter(municipality__slug="stadtgemeinde-bremen").first()
    outcome = Outcome.objects.get(
        municipality__slug="bundesstadt-bonn", text__icontains="Gefährdungseinschätzungsbogen"
    )
    bremen.text = "Einheitlicher Gefährdungseinschätzungsbogen für alle Träger"
    bremen.save()
    similar = search.similar_items(item=outcome, limit=1)
    assert similar[0].object_id == bremen.pk


def test_similarity_cache_follows_edits_made_by_other_processes(seeds):
    from datetime import timedelta

    from django.utils import timezone

    outcome = Outcome.objects.get(
        municipality__slug="bundesstadt-bonn", text__icontains="Gefährdungseinschätzungsbogen"
    )
    search.similar_items(item=outcome)  # warm this process's cache
    bremen = Outcome.objects.filter(municipality__slug="stadtgemeinde-bremen").first()
    # Another worker reworded an item: only the database knows (no signal in this process).
    SearchDocument.objects.filter(kind="outcome", object_id=bremen.pk).update(
        text="Einheitlicher Gefährdungseinschätzungsbogen",
        text_changed_at=timezone.now() + timedelta(seconds=5),
    )
    assert search.similar_items(item=outcome, limit=1)[0].object_id == bremen.pk
