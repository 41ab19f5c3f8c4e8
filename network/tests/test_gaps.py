"""The § 3 Abs. 2 KKG gap report on the seed communes' workshop participants."""

from pathlib import Path

import pytest

from core.permissions import SYSTEM
from network import selectors
from profiles.services import profile_import
from registry.models import Cluster, Municipality
from registry.profile_parser import parse_profile_file
from registry.tests.factories import InstitutionFactory

SEEDS = Path(__file__).resolve().parents[2] / "registry" / "data" / "seed_profiles"


@pytest.fixture
def seeds(db):
    for path in sorted(SEEDS.glob("*.txt")):
        profile_import(profile=parse_profile_file(path), actor=SYSTEM)


def _gaps(slug: str) -> list[str]:
    municipality = Municipality.objects.get(slug=slug)
    return selectors.network_gaps(municipality=municipality, participants_only=True)


def test_bonn_lacks_hospital_social_welfare_office_and_employment_agency(seeds):
    gaps = _gaps("bundesstadt-bonn")
    assert {"hospital", "social_welfare_office", "employment_agency"} <= set(gaps)
    # …but has what its list names: Polizei, Familiengericht, Gesundheitsamt, Schulen.
    assert not {"police", "family_court", "health_office", "school"} & set(gaps)


def test_bad_kreuznach_has_a_social_paediatric_centre(seeds):
    gaps = _gaps("stadt-bad-kreuznach")
    assert "social_paediatric_centre" not in gaps
    report = selectors.network_gap_report(
        municipality=Municipality.objects.get(slug="stadt-bad-kreuznach"), participants_only=True
    )
    spz = next(row for row in report if row.code == "social_paediatric_centre")
    assert spz.institutions == ("Sozialpädiatrisches Zentrum",)
    assert "social_paediatric_centre" in _gaps("bundesstadt-bonn")


def test_gap_report_keeps_the_statute_order_and_cites_the_paragraph(seeds):
    report = selectors.network_gap_report(
        municipality=Municipality.objects.get(slug="stadtgemeinde-bremen"), participants_only=True
    )
    assert [row.code for row in report][:3] == [
        "youth_welfare",
        "integration_assistance",
        "health_office",
    ]
    assert all(row.paragraph.startswith("§ 3 Abs. 2 KKG") for row in report)


def test_cluster_matrix_puts_the_model_commune_first(seeds):
    cluster = Cluster.objects.get(number=6)
    matrix = selectors.cluster_gap_matrix(cluster=cluster)
    names = [m.name for m in matrix["municipalities"]]
    assert names[0] == "Bundesstadt Bonn"
    assert len(names) > 1
    hospital = next(r for r in matrix["rows"] if r["code"] == "hospital")
    assert len(hospital["cells"]) == len(names)
    assert not hospital["cells"][0].covered


def test_non_participants_count_only_when_asked(muni_a):
    InstitutionFactory(municipality=muni_a, name="Klinikum Muster", institution_type="clinic")
    assert "hospital" in selectors.network_gaps(municipality=muni_a, participants_only=True)
    assert "hospital" not in selectors.network_gaps(municipality=muni_a)
