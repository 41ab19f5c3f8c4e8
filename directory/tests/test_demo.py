"""Demo data: synthetic offers per demo commune, idempotent, some stale, searchable."""

import io

import pytest

from directory import demo as directory_demo
from directory import selectors
from directory.models import Service
from network import demo as network_demo
from network.models import Agreement, Contact
from profiles import demo as registry_demo


@pytest.fixture
def demo(db):
    out = io.StringIO()
    for module in (registry_demo, network_demo, directory_demo):
        module.load(seed=1, small=True, stdout=out)
    return out


def test_demo_loads_offers_networks_and_is_idempotent(demo):
    assert Service.objects.filter(municipality__slug="bundesstadt-bonn").count() == 20
    assert Service.objects.filter(synthetic=False).count() == 0
    assert Agreement.objects.filter(municipality__slug="bundesstadt-bonn").count() >= 3
    assert Contact.objects.filter(is_insofa=True, is_public=True).exists()
    assert not Contact.objects.exclude(name__startswith="Demo ").exists()
    counts = (Service.objects.count(), Agreement.objects.count(), Contact.objects.count())
    for module in (network_demo, directory_demo):
        module.load(seed=1, small=True, stdout=io.StringIO())
    assert (Service.objects.count(), Agreement.objects.count(), Contact.objects.count()) == counts


def test_demo_offers_are_searchable_and_some_are_stale(demo):
    hits = selectors.service_search(
        selectors.ServiceFilters(q="Hebamme", municipality="stadt-wolfsburg")
    )
    assert hits.exists()
    assert any(s.is_stale() for s in Service.objects.all())
    assert (
        Service.objects.filter(schedules__isnull=False).distinct().count()
        == Service.objects.count()
    )


def test_demo_offers_sit_in_real_postcode_areas_and_parents_find_them(demo):
    from directory import geo

    bonn = Service.objects.filter(municipality__slug="bundesstadt-bonn")
    postcodes = {p.postcode for p in geo.places() if p.place == "Bonn"}
    assert set(bonn.values_list("postcode", flat=True)) <= postcodes
    assert not bonn.filter(latitude__isnull=True).exists()
    found = selectors.service_search(
        selectors.ServiceFilters(q="Hebamme", municipality="bundesstadt-bonn")
    )
    names = {s.name.split()[0] for s in found}
    assert {"Hebammensprechstunde", "Familienhebamme"} <= names
    assert bonn.first().municipality.emergency_phone.startswith("0000 110")
