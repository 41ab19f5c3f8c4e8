"""Tests for the institution-type taxonomy, the § 3 Abs. 2 KKG mapping and the classifier.

Plain functions without a database: the taxonomy is pure data. The participant strings are
copied verbatim from the ``Teilnehmende`` lines of seeds 000–003 (including a non-breaking
space, glued words and missing spaces) because those are the names the importer meets.
"""

import os

import pytest
from django.conf import settings
from django.utils import translation

from registry.taxonomy import (
    INSTITUTION_TYPES,
    KKG_CATEGORIES,
    Classification,
    InstitutionTypeCode,
    KkgCode,
    classify_institution,
    get_institution_type,
    get_kkg_category,
    institution_type_choices,
    kkg_categories_for,
    kkg_category_choices,
    kkg_gaps,
    normalize_name,
)

# str() of a lazy label needs settings. Under pytest-django the project settings are
# loaded; when run with ``-p no:django`` a minimal configuration without i18n suffices.
if not settings.configured and "DJANGO_SETTINGS_MODULE" not in os.environ:
    settings.configure(USE_I18N=False)

T = InstitutionTypeCode


def _text(label: object) -> str:
    with translation.override("de"):
        return str(label)


# Seed 000, Bundesstadt Bonn.
BONN = [
    ("Schulaufsicht", T.SCHOOL),
    (
        "Frühe Hilfen (Wöchnerinnenbesuchsdienste, ehrenamtliche\u00a0Familienunterstützung)",
        T.EARLY_HELP,
    ),
    ("Jugendamt: soz. Dienste, Fachdienst Kinderschutz", T.YOUTH_OFFICE),
    ("Gesundheitsamt (Kinder- und jugendärztlicher Dienst)", T.HEALTH_OFFICE),
    ("Niedergelassene Therapeutinnen und Therapeuten (Ergo- u. Psychotherapie)", T.PHYSICIAN),
    ("Kitas", T.DAYCARE),
    ("Familiengericht", T.FAMILY_COURT),
    ("Förderschulen, Offene Ganztagsschulen (OGS), Päd. Teams der OGS", T.SCHOOL),
    ("Hebammen", T.MIDWIFE),
    ("Schwangerschaftsberatungsstellen", T.PREGNANCY_COUNSELLING),
    ("Erziehungshilfeträger", T.FREE_PROVIDER),
    ("Suchtberatungsstellen", T.COUNSELLING),
    ("Erziehungsberatungsstellen", T.COUNSELLING),
    ("DeutscherKinderschutzbund", T.CHILD_PROTECTION_ASSOCIATION),
    ("Frauenunterstützungseinrichtungen", T.VIOLENCE_PROTECTION),
    ("Polizei", T.POLICE),
]

# Seed 001, Stadt Bad Kreuznach.
BAD_KREUZNACH = [
    ("ARGE", T.EMPLOYMENT_AGENCY),
    ("Amtsgericht und Staatsanwaltschaft", T.FAMILY_COURT),
    ("Beratungsstellen für Kinder, Jugendliche und Familien", T.COUNSELLING),
    ("Deutscher Kinderschutzbund", T.CHILD_PROTECTION_ASSOCIATION),
    ("Frauenhaus", T.VIOLENCE_PROTECTION),
    ("Grund- und Förderschulen", T.SCHOOL),
    ("Familien", T.FAMILIES),
    ("Freie Träger der Jugendhilfe – ambulant, teilstationär und stationär", T.FREE_PROVIDER),
    ("Gesundheitsamt", T.HEALTH_OFFICE),
    ("Hebammen", T.MIDWIFE),
    ("Institut für Rechtsmedizin", T.FORENSIC_MEDICINE),
    ("Kinderarzt", T.PHYSICIAN),
    ("Kindertagesstätten", T.DAYCARE),
    ("Polizei", T.POLICE),
    ("Sozialpädiatrisches Zentrum", T.SOCIAL_PAEDIATRIC_CENTRE),
    ("Wohnungslosenhilfe", T.HOMELESS_ASSISTANCE),
]

# Seed 002, Stadt Wolfsburg (spelt "Wolfburg" in the profile).
WOLFSBURG = [
    ("Drogenberatung", T.COUNSELLING),
    ("Frauenhaus", T.VIOLENCE_PROTECTION),
    ("Sozialpsychiatrischer Dienst", T.SOCIAL_PSYCHIATRIC_SERVICE),
    ("Jugendamt (ASD)", T.YOUTH_OFFICE),
    ("Polizei Wolfsburg", T.POLICE),
    (
        "Gesundheitsamt (Kinder- und jugendärztlicher Dienst; Sozialpsychiatrischer Dienst)",
        T.HEALTH_OFFICE,
    ),
    ("Familienservice", T.EARLY_HELP),
    ("Sozialpädagogische Familienhilfe, Diakonie", T.FREE_PROVIDER),
    ("Mutter-Kind-Gruppe, Diakonie", T.FREE_PROVIDER),
    ("Kinderdorf (stationäre Hilfen) Diakonie", T.FREE_PROVIDER),
    (
        "Christliches Jugenddorfwerk Deutschlands, Stationäre Hilfen, Jungenhaus, "
        "Mädchenwohngruppe",
        T.FREE_PROVIDER,
    ),
    (
        "Christliches Jugenddorfwerk Deutschlands, Begleitetes Pädagogisches Wohnen und "
        "flexible Hilfen",
        T.FREE_PROVIDER,
    ),
    ("Elisabethstift, ambulante undstationäre Hilfen", T.FREE_PROVIDER),
    ("Kompetenz für Menschen (KOM), ambulante und stationäreHilfen", T.FREE_PROVIDER),
    ("Sozialpädiatrie Klinikum (ZEUS)", T.CLINIC),
    ("Arbeiterwohlfahrt,Familienberatungszentrum", T.COUNSELLING),
]

# Seed 003, Stadtgemeinde Bremen.
BREMEN = [
    ("Amt für Soziale Dienste Bremen", T.YOUTH_OFFICE),
    ("Landesinstitut für Schule (Zentrum für schülerbezogene Beratung)", T.SCHOOL),
    ("Gesundheitsamt", T.HEALTH_OFFICE),
    ("Kinder- und Jugendpsychiatrie", T.CLINIC),
    ("Schulen (zeitweise)", T.SCHOOL),
    ("Polizei", T.POLICE),
    (
        "Freie Träger der Jugendhilfe (Landesarbeitsgemeinschaft der Freien Wohlfahrtspflege "
        "Bremen e.V.)",
        T.FREE_PROVIDER,
    ),
    ("Senator für Inneres - Rettungsdienst (zeitweise)", T.PUBLIC_ORDER),
    ("Kinderkliniken", T.CLINIC),
    ("niedergelassene Kinder- und Jugendärzte und -ärztinnen", T.PHYSICIAN),
    ("Klientinnen und Klienten", T.FAMILIES),
]

SEED_PARTICIPANTS = BONN + BAD_KREUZNACH + WOLFSBURG + BREMEN


# -- the § 3 Abs. 2 KKG list ------------------------------------------------------------


def test_kkg_categories_are_the_eighteen_members_of_section_3_2_kkg() -> None:
    codes = [category.code for category in KKG_CATEGORIES]
    assert len(codes) == 18
    assert len(set(codes)) == 18
    assert codes == [str(code) for code in KkgCode]
    assert all(category.paragraph.startswith("§ 3 Abs. 2 KKG") for category in KKG_CATEGORIES)
    assert get_kkg_category("integration_assistance").paragraph.endswith("§ 125 SGB IX")


def test_kkg_codes_are_short_lowercase_slugs() -> None:
    for category in KKG_CATEGORIES:
        assert category.code.replace("_", "").isalpha()
        assert category.code == category.code.lower()
        assert type(category.code) is str


def test_kkg_labels_are_german() -> None:
    labels = [_text(category.label) for category in KKG_CATEGORIES]
    assert "Familiengerichte" in labels
    assert "Angehörige der Heilberufe" in labels
    assert len(set(labels)) == len(labels)


def test_kkg_category_choices_are_well_formed() -> None:
    choices = kkg_category_choices()
    assert [code for code, _label in choices] == [c.code for c in KKG_CATEGORIES]
    assert all(_text(label) for _code, label in choices)


def test_unknown_kkg_code_raises_key_error() -> None:
    with pytest.raises(KeyError):
        get_kkg_category("ministry")


# -- institution types ------------------------------------------------------------------


def test_type_codes_are_unique_and_match_the_enum() -> None:
    codes = [item.code for item in INSTITUTION_TYPES]
    assert len(codes) == len(set(codes))
    assert codes == [str(code) for code in InstitutionTypeCode]
    assert all(type(code) is str for code in codes)


def test_every_type_maps_to_existing_kkg_codes() -> None:
    known = {category.code for category in KKG_CATEGORIES}
    for item in INSTITUTION_TYPES:
        assert set(item.kkg) <= known, item.code
        assert len(item.kkg) == len(set(item.kkg)), item.code


def test_every_kkg_category_is_covered_by_some_type() -> None:
    assert kkg_gaps(item.code for item in INSTITUTION_TYPES) == []


def test_every_type_except_unclassified_has_keywords() -> None:
    for item in INSTITUTION_TYPES:
        if item.code == T.UNCLASSIFIED:
            assert item.keywords == ()
            assert item.kkg == ()
        else:
            assert item.keywords, item.code
            assert all(keyword == keyword.lower() for keyword in item.keywords)


def test_institution_type_choices_are_well_formed() -> None:
    choices = institution_type_choices()
    assert len(choices) == len(INSTITUTION_TYPES)
    for code, label in choices:
        assert isinstance(code, str)
        assert code == code.strip().lower()
        assert len(code) <= 40
        assert _text(label).strip()
    labels = [_text(label) for _code, label in choices]
    assert len(set(labels)) == len(labels)
    assert dict(choices)[T.UNCLASSIFIED] is get_institution_type(T.UNCLASSIFIED).label
    assert _text(get_institution_type(T.UNCLASSIFIED).label) == "unklassifiziert"


def test_get_institution_type() -> None:
    assert get_institution_type("clinic").kkg == ("hospital",)
    assert get_institution_type(T.PUBLIC_PROSECUTOR).kkg == ()
    assert get_institution_type(T.FAMILIES).kkg == ()


@pytest.mark.parametrize("code", ["", "Clinic", "hospital_x", "kita"])
def test_unknown_type_code_raises_key_error(code: str) -> None:
    with pytest.raises(KeyError):
        get_institution_type(code)
    with pytest.raises(KeyError):
        kkg_categories_for(code)


def test_kkg_categories_for() -> None:
    assert [c.code for c in kkg_categories_for(T.YOUTH_OFFICE)] == ["youth_welfare"]
    assert [c.code for c in kkg_categories_for(T.PUBLIC_ORDER)] == ["police"]
    assert [c.code for c in kkg_categories_for(T.MIDWIFE)] == ["healthcare_professions"]
    assert kkg_categories_for(T.UNCLASSIFIED) == ()


# -- classification of the seed participants --------------------------------------------


@pytest.mark.parametrize(("name", "expected"), SEED_PARTICIPANTS)
def test_seed_participant_is_classified(name: str, expected: InstitutionTypeCode) -> None:
    result = classify_institution(name)
    assert result.type_code == expected
    assert result.confidence > 0
    assert result.matched


def test_no_seed_participant_is_unclassified() -> None:
    # Every one of the 59 participant entries carries a telling word; names that are
    # truly unknowable on their own ("Elisabethstift", "Kompetenz für Menschen (KOM)")
    # only appear with a description ("ambulante und stationäre Hilfen") in the seeds.
    assert len(SEED_PARTICIPANTS) == 59
    assert all(
        classify_institution(name).type_code != T.UNCLASSIFIED for name, _ in SEED_PARTICIPANTS
    )


def test_mixed_name_keeps_the_first_rule_with_lower_confidence() -> None:
    mixed = classify_institution("Amtsgericht und Staatsanwaltschaft")
    alone = classify_institution("Amtsgericht")
    assert mixed.type_code == alone.type_code == T.FAMILY_COURT
    assert mixed.confidence < alone.confidence
    assert mixed.matched == "amtsgericht"
    assert classify_institution("Staatsanwaltschaft").type_code == T.PUBLIC_PROSECUTOR


def test_welfare_association_does_not_make_a_name_mixed() -> None:
    result = classify_institution("Arbeiterwohlfahrt,Familienberatungszentrum")
    assert result == Classification(T.COUNSELLING, 0.85, "beratung")


def test_health_office_beats_physician_and_spz_beats_clinic() -> None:
    assert classify_institution("Kinder- und jugendärztlicher Dienst").type_code == (
        T.HEALTH_OFFICE
    )
    assert classify_institution("SPZ am Klinikum Mitte").type_code == T.SOCIAL_PAEDIATRIC_CENTRE
    assert classify_institution(
        "Klinik für Kinder- und Jugendpsychiatrie und Psychotherapie"
    ).type_code == (T.CLINIC)
    assert classify_institution("Praxis für Ergotherapie").type_code == T.PHYSICIAN


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jobcenter Bonn", T.EMPLOYMENT_AGENCY),
        ("Agentur für Arbeit", T.EMPLOYMENT_AGENCY),
        ("Sozialamt", T.SOCIAL_WELFARE_OFFICE),
        ("Lebenshilfe e.V.", T.INTEGRATION_ASSISTANCE),
        ("Interdisziplinäre Frühförderstelle", T.EARLY_INTERVENTION),
        ("Familienbildungsstätte", T.FAMILY_EDUCATION),
        ("Mütterzentrum", T.FAMILY_EDUCATION),
        ("Mehrgenerationenhaus", T.MULTIGENERATIONAL_HOUSE),
        ("Mutter-Kind-Kurklinik", T.MATERNAL_RECOVERY),
        ("Familienhebammen", T.MIDWIFE),
        ("Schuldnerberatung", T.COUNSELLING),
        ("Ordnungsamt", T.PUBLIC_ORDER),
        ("pro familia", T.PREGNANCY_COUNSELLING),
        ("Koordinierungsstelle Frühe Hilfen", T.EARLY_HELP),
        ("Caritasverband", T.FREE_PROVIDER),
        ("Eltern", T.FAMILIES),
        ("Beratungs- stelle", T.COUNSELLING),
        ("Volkshochschule", T.UNCLASSIFIED),
        ("Elisabethstift", T.UNCLASSIFIED),
        ("Kompetenz für Menschen (KOM)", T.UNCLASSIFIED),
    ],
)
def test_further_names(name: str, expected: InstitutionTypeCode) -> None:
    assert classify_institution(name).type_code == expected


@pytest.mark.parametrize("name", ["", "   ", "\u00a0\t\n", "\u00ad"])
def test_empty_name_is_unclassified(name: str) -> None:
    assert classify_institution(name) == Classification("unclassified", 0.0, None)


def test_carrier_only_names_have_low_confidence() -> None:
    assert classify_institution("Diakonie").confidence < 0.6


def test_normalize_name() -> None:
    assert normalize_name("Kinder- und Jugend\u00adpsychiatrie") == "kinder- und jugendpsychiatrie"
    assert normalize_name("Beratungs- stelle") == "beratungsstelle"
    assert normalize_name("Ergo- u. Psycho\u00a0therapie") == "ergo- u. psycho therapie"
    assert normalize_name("Mutter-Kind-Gruppe") == "mutter kind gruppe"
    assert normalize_name("Träger – ambulant") == "traeger - ambulant"
    assert normalize_name("AWO,Familienzentrum") == "awo, familienzentrum"
    assert normalize_name("Straße") == "strasse"


# -- gaps -------------------------------------------------------------------------------


def _types(participants: list[tuple[str, InstitutionTypeCode]]) -> list[str]:
    return [classify_institution(name).type_code for name, _expected in participants]


def test_bonn_lacks_hospital_social_welfare_office_and_employment_agency() -> None:
    gaps = [category.code for category in kkg_gaps(_types(BONN))]
    assert {"hospital", "social_welfare_office", "employment_agency"} <= set(gaps)
    assert "youth_welfare" not in gaps
    assert "healthcare_professions" not in gaps
    # Gaps keep the statute's order.
    order = [category.code for category in KKG_CATEGORIES]
    assert gaps == [code for code in order if code in gaps]


def test_bad_kreuznach_has_a_social_paediatric_centre() -> None:
    gaps = [category.code for category in kkg_gaps(_types(BAD_KREUZNACH))]
    assert "social_paediatric_centre" not in gaps
    assert "employment_agency" not in gaps
    assert "hospital" in gaps


def test_gaps_of_nothing_is_the_whole_list_and_unknown_code_raises() -> None:
    assert kkg_gaps([]) == list(KKG_CATEGORIES)
    assert kkg_gaps(["families", "unclassified"]) == list(KKG_CATEGORIES)
    with pytest.raises(KeyError):
        kkg_gaps(["youth_office", "ministry"])
