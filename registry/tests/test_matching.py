"""Recognising the same commune under different spellings."""

import pytest

from registry.choices import BodyKind
from registry.matching import body_kind_of, core_name, domain_core, municipality_slug, same_commune


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        ("Stadt Ludwigshafen", "Stadt Ludwigshafen am Rhein", "exact"),
        ("Stadt Frankfurt", "Stadt Frankfurt Oder", "suffix"),
        ("Stadt Wolfburg", "Stadt Wolfsburg", "typo"),
        ("Stadt Osnabrück", "Stadt Osnabrueck", "exact"),
        ("Stadt Bremerhaven", "Bremerhaven", "exact"),
        ("Stadt\u00a0Nürnberg", "Stadt Nürnberg", "exact"),
    ],
)
def test_same_commune_recognises_spellings(a, b, reason):
    assert same_commune(a, b) == reason


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Stadt Helmstedt", "Landkreis Helmstedt"),  # city and district are different bodies
        ("Stadt Hof", "Stadt Hoya"),  # short names: no typo tolerance
        ("Stadt Lohmar", "Stadt Meckenheim"),
        ("Stadt", "Stadt Bonn"),
    ],
)
def test_different_communes_stay_apart(a, b):
    assert same_commune(a, b) is None


def test_website_domain_confirms_a_name():
    assert same_commune("Stadt Wolfburg", "Wolfsburg", website_a="www.wolfsburg.de") in (
        "typo",
        "website",
    )
    assert domain_core("https://www.bad-kreuznach.de/jugend") == "bad kreuznach"
    assert (
        same_commune("Stadt Xyzabc", "Stadt Badkreuznach", website_a="www.badkreuznach.de")
        == "website"
    )


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Bundesstadt Bonn", BodyKind.FEDERAL_CITY),
        ("Stadtgemeinde Bremen", BodyKind.CITY_MUNICIPALITY),
        ("Landkreis Mainz-Bingen", BodyKind.DISTRICT),
        ("Altmarkkreis Salzwedel", BodyKind.COUNTY),
        ("Kreis Mettmann", BodyKind.COUNTY),
        ("Musterhausen", BodyKind.UNKNOWN),
    ],
)
def test_body_kind_from_name(name, kind):
    assert body_kind_of(name) == kind


def test_core_name_and_slug_fold_german_letters():
    assert core_name("Stadt Ludwigshafen am Rhein") == "ludwigshafen"
    assert municipality_slug("Stadt Osnabrück") == "stadt-osnabrueck"
    assert municipality_slug("Straße") == "strasse"
