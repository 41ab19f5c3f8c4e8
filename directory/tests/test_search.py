"""German full-text search with stemming and the filters (runs on SQLite and PostgreSQL)."""

import pytest

from directory import search, selectors
from directory.models import TaxonomyTerm
from directory.selectors import ServiceFilters
from directory.tests.factories import ServiceFactory


def _names(**kwargs) -> list[str]:
    return [s.name for s in selectors.service_search(ServiceFilters(**kwargs))]


@pytest.fixture
def offers(muni_a, muni_b):
    baby = TaxonomyTerm.objects.get(slug="saeugling")
    pregnant = TaxonomyTerm.objects.get(slug="schwangere")
    ServiceFactory(
        municipality=muni_a,
        name="Schwangerschaftsberatung Mitte",
        description="Beratung für Schwangere und werdende Väter",
        target_groups=[pregnant],
        min_age=None,
        max_age=None,
        languages=",de,tr,",
        is_free=True,
        district="Mitte",
    )
    ServiceFactory(
        municipality=muni_a,
        name="Familienhebamme",
        description="Hausbesuche bei Familien mit Säuglingen",
        target_groups=[baby],
        min_age=0,
        max_age=1,
        languages=",de,",
        is_free=True,
        district="Nord",
    )
    ServiceFactory(
        municipality=muni_a,
        name="Babyschwimmen",
        description="Kurs im Hallenbad",
        target_groups=[baby],
        min_age=0,
        max_age=3,
        languages=",de,en,",
        is_free=False,
        district="Nord",
    )
    ServiceFactory(
        municipality=muni_b,
        name="Elterncafé Beispiel",
        description="Treffpunkt für Familien",
        min_age=0,
        max_age=6,
        district="Altstadt",
    )


def test_stemming_matches_inflected_forms(offers):
    # "Familien mit Säugling" is a target group of the swimming course, so it matches too.
    assert _names(q="Familie") == ["Babyschwimmen", "Elterncafé Beispiel", "Familienhebamme"]
    assert _names(q="Säugling") == ["Babyschwimmen", "Familienhebamme"]
    assert _names(q="Hausbesuch") == ["Familienhebamme"]  # text says "Hausbesuche"
    assert _names(q="schwangere") == ["Schwangerschaftsberatung Mitte"]


def test_prefix_of_a_word_finds_it_while_typing(offers):
    assert _names(q="Hallenb") == ["Babyschwimmen"]
    assert _names(q="Schwangerschaftsber") == ["Schwangerschaftsberatung Mitte"]


def test_all_words_must_match(offers):
    assert _names(q="Kurs Hallenbad") == ["Babyschwimmen"]
    assert _names(q="Kurs Schwangere") == []


def test_filters(offers):
    # The café (0–6 years) overlaps the baby group's age range, so it is for babies too.
    assert _names(target_group="saeugling") == [
        "Babyschwimmen",
        "Elterncafé Beispiel",
        "Familienhebamme",
    ]
    assert _names(target_group="schwangere") == ["Schwangerschaftsberatung Mitte"]
    assert _names(age=2) == [
        "Babyschwimmen",
        "Elterncafé Beispiel",
        "Schwangerschaftsberatung Mitte",
    ]
    assert _names(district="Nord", free=True) == ["Familienhebamme"]
    assert _names(language="tr") == ["Schwangerschaftsberatung Mitte"]
    assert _names(language="t") == []
    assert _names(municipality="beispiel-b") == ["Elterncafé Beispiel"]


def test_updates_and_deletes_reach_the_index(offers, coordinator_a):
    from directory import services
    from directory.models import Service

    service = Service.objects.get(name="Babyschwimmen")
    services.service_update(service=service, actor=coordinator_a, description="Wassergewöhnung")
    assert _names(q="Wassergewöhnung") == ["Babyschwimmen"]
    assert _names(q="Hallenbad") == []
    service.delete()
    assert _names(q="Wassergewöhnung") == []


def test_query_without_words_returns_everything(offers):
    assert len(_names(q="  ?! ")) == 4


def test_stems_fold_umlauts():
    assert search.stems("Säuglinge Säugling") == ["saugling", "saugling"]
