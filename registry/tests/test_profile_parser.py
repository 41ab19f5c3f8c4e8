"""Tests for registry.profile_parser: the seed profiles, synthetic variants, errors, fuzzing.

Seeds 000-003 are read from registry/data/seed_profiles/ (the project's copies of
../shared/seeds/); seed 004, the news article that is no profile, is kept under
profiles/invalid/ so that tools globbing profiles/*.txt only see parseable profiles. All
other files under profiles/ are synthetic, with fictional commune names.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.constants import STATE_NAMES
from registry.profile_parser import (
    ProfileParseError,
    decode_profile_bytes,
    parse_profile_file,
    parse_profile_text,
)

PROFILES = Path(__file__).parent / "profiles"
SEEDS = Path(__file__).resolve().parents[1] / "data" / "seed_profiles"
NEWS_ARTICLE = PROFILES / "invalid" / "seed_004_news_article.txt"

RESULT_KEYS = {
    "source",
    "kind",
    "name",
    "website",
    "state",
    "cluster",
    "model_municipality",
    "partners",
    "interests",
    "participants",
    "topics",
    "outcomes",
    "highlights",
    "notes",
    "warnings",
}


@functools.cache
def parsed(path: Path) -> dict[str, Any]:
    """Parse each file once; the tests only read the result."""
    return parse_profile_file(path)


def leaf(text: str) -> dict[str, Any]:
    return {"text": text, "children": []}


def leaves(*texts: str) -> list[dict[str, Any]]:
    return [leaf(text) for text in texts]


def outcomes(
    achieved: list[dict[str, Any]] | None = None,
    planned: list[dict[str, Any]] | None = None,
    cross_achieved: list[dict[str, Any]] | None = None,
    cross_planned: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "municipal": {"achieved": achieved or [], "planned": planned or []},
        "cross_cluster": {"achieved": cross_achieved or [], "planned": cross_planned or []},
    }


def assert_warnings(result: dict[str, Any], *fragments: str) -> None:
    """Exactly these warnings appear: one per fragment, matched by substring."""
    warnings = result["warnings"]
    assert len(warnings) == len(fragments), warnings
    for fragment in fragments:
        assert any(fragment in warning for warning in warnings), (fragment, warnings)


def assert_item_shape(item: Any) -> None:
    assert isinstance(item, dict)
    assert set(item) == {"text", "children"}
    assert isinstance(item["text"], str)
    assert item["text"] == item["text"].strip()
    assert item["text"]
    assert isinstance(item["children"], list)
    for child in item["children"]:
        assert_item_shape(child)


def assert_result_shape(result: dict[str, Any]) -> None:
    assert set(result) == RESULT_KEYS
    assert isinstance(result["source"], str)
    assert result["kind"] in ("model", "partner")
    assert isinstance(result["name"], str)
    assert result["name"]
    assert result["website"] is None or isinstance(result["website"], str)
    assert result["state"] is None or result["state"] in STATE_NAMES
    assert result["cluster"] is None or type(result["cluster"]) is int
    assert result["model_municipality"] is None or isinstance(result["model_municipality"], str)
    assert result["highlights"] is None or isinstance(result["highlights"], str)
    for key in ("partners", "notes", "warnings"):
        assert isinstance(result[key], list)
        assert all(isinstance(value, str) for value in result[key])
    lists = [result["interests"], result["participants"], result["topics"]]
    assert set(result["outcomes"]) == {"municipal", "cross_cluster"}
    for scope in result["outcomes"].values():
        assert set(scope) == {"achieved", "planned"}
        lists.extend([scope["achieved"], scope["planned"]])
    for items in lists:
        assert isinstance(items, list)
        for item in items:
            assert_item_shape(item)
    json.dumps(result)


# --------------------------------------------------------------------------------------------
# Seed 000: Bonn
# --------------------------------------------------------------------------------------------

BONN = SEEDS / "000_a67e0e16fe20fe3b.txt"


def test_bonn_header_fields() -> None:
    result = parsed(BONN)
    assert_result_shape(result)
    assert result["source"] == str(BONN)
    assert result["kind"] == "model"
    assert result["name"] == "Bundesstadt Bonn"
    assert result["website"] == "www.bonn.de"
    assert result["state"] == "Nordrhein-Westfalen"
    assert result["cluster"] == 6
    assert result["model_municipality"] == "Bundesstadt Bonn"
    assert result["partners"] == ["Stadt Lohmar", "Stadt Meckenheim", "Stadt Sankt Augustin"]


def test_bonn_interests_are_rebuilt_from_the_pdf_lines() -> None:
    result = parsed(BONN)
    assert result["interests"] == leaves(
        "Begleitung der Implementierung einer standardisierten Risikoeinschätzung sowie "
        "Dokumentation",
        "Externe Evaluierung der Gremien- und Netzwerkstruktur im Bereich Frühwarnsystem und "
        "Frühe Förderung",
        "Begleitung der Implementierung des Fachdienstes Kinderschutz",
    )
    assert result["notes"] == [
        "(Die ersten beiden Qualitätsentwicklungsinteressen gelten auch für die beteiligten "
        "Partnerkommunen.)"
    ]


def test_bonn_participants_topics_outcomes() -> None:
    result = parsed(BONN)
    assert result["participants"] == leaves(
        "Schulaufsicht",
        "Frühe Hilfen (Wöchnerinnenbesuchsdienste, ehrenamtliche Familienunterstützung)",
        "Jugendamt: soz. Dienste, Fachdienst Kinderschutz",
        "Gesundheitsamt (Kinder- und jugendärztlicher Dienst)",
        "Niedergelassene Therapeutinnen und Therapeuten (Ergo- u. Psychotherapie)",
        "Kitas",
        "Familiengericht",
        "Förderschulen, Offene Ganztagsschulen (OGS), Päd. Teams der OGS",
        "Hebammen",
        "Schwangerschaftsberatungsstellen",
        "Erziehungshilfeträger",
        "Suchtberatungsstellen",
        "Erziehungsberatungsstellen",
        "Deutscher Kinderschutzbund",
        "Frauenunterstützungseinrichtungen",
        "Polizei",
    )
    assert result["topics"] == leaves(
        "Nachhaltige Finanzierung präventiver Projekte",
        "Unsere Rollen im Bonner Kinderschutzsystem",
        "Unterschiedliche Haltungen der Institutionen zu Standards im Kinderschutz",
    )
    assert result["outcomes"] == outcomes(
        achieved=leaves(
            "Organigramm Bonner Kinderschutzsystem",
            "Installierung einer trägerübergreifenden Koordinierungsstelle Frühe Hilfen",
            "Stadtweit und trägerübergreifend eingesetzter Gefährdungseinschätzungsbogen",
            "Entwurf einer verbindlichen Falldokumentation",
        ),
        planned=leaves(
            "Stadtweite (internetbasierte) Darstellung aller Angebote zu Frühen Hilfen, "
            "inklusive Instrumente und Ansprechpersonen (jährliche Aktualisierung)"
        ),
        cross_achieved=leaves(
            "Jährliche Fachtagung Kinderschutz gemeinsam mit den Partnerkommunen"
        ),
        cross_planned=leaves("Gemeinsame Fachtagung"),
    )
    assert result["highlights"] is None


def test_bonn_warnings() -> None:
    assert_warnings(
        parsed(BONN),
        "interests: moved the remark '(Die ersten beiden",
        "interests: split the glued word 'DokumentationExterne'",
        "interests: merged the bullet line 'Netzwerkstruktur im Bereich",
        "interests: merged the bullet line 'Kinderschutz'",
        "outcomes.municipal.achieved: merged the bullet line 'Koordinierungsstelle Frühe Hilfen'",
        "outcomes.municipal.achieved: merged the bullet line 'Gefährdungseinschätzungsbogen'",
        "outcomes.municipal.planned: merged the bullet line 'Angebote zu Frühen Hilfen",
        "outcomes.municipal.planned: merged the bullet line 'Ansprechpersonen",
        "participants: inserted a missing space in 'DeutscherKinderschutzbund'",
    )


# --------------------------------------------------------------------------------------------
# Seed 001: Bad Kreuznach
# --------------------------------------------------------------------------------------------

BAD_KREUZNACH = SEEDS / "001_426835b77899c3ff.txt"


def test_bad_kreuznach_header_fields() -> None:
    result = parsed(BAD_KREUZNACH)
    assert_result_shape(result)
    assert result["source"] == str(BAD_KREUZNACH)
    assert result["kind"] == "model"
    assert result["name"] == "Stadt Bad Kreuznach"
    assert result["website"] == "www.bad-kreuznach.de"
    assert result["state"] == "Rheinland-Pfalz"
    assert result["cluster"] == 9
    assert result["model_municipality"] == "Stadt Bad Kreuznach"
    # The nbsp-only line after the partners is no partner.
    assert result["partners"] == ["Stadt Ludwigshafen", "Landkreis Mainz-Bingen"]


def test_bad_kreuznach_lists() -> None:
    result = parsed(BAD_KREUZNACH)
    assert result["interests"] == leaves(
        "Bestehende Kooperationen intensivieren und neue Kooperationspartnerinnen und "
        "–partner hinzugewinnen",
        "Handlungsabläufe und Standards entwickeln",
        "Erarbeitung eines Kinderschutzplans mit allen Beteiligten",
    )
    assert result["participants"] == leaves(
        "ARGE",
        "Amtsgericht und Staatsanwaltschaft",
        "Beratungsstellen für Kinder, Jugendliche und Familien",
        "Deutscher Kinderschutzbund",
        "Frauenhaus",
        "Grund- und Förderschulen",
        "Familien",
        "Freie Träger der Jugendhilfe – ambulant, teilstationär und stationär",
        "Gesundheitsamt",
        "Hebammen",
        "Institut für Rechtsmedizin",
        "Kinderarzt",
        "Kindertagesstätten",
        "Polizei",
        "Sozialpädiatrisches Zentrum",
        "Wohnungslosenhilfe",
    )
    assert result["topics"] == leaves(
        "Definition der Begriffe Kindeswohl und Kinderschutz aus Sicht der einzelnen Professionen",
        "Durch die Vernetzung der teilnehmenden Institutionen sollten gemeinsame "
        "Handlungsabläufe zum Kinderschutz erarbeitet werden und Paradigmenwechsel: Eltern "
        "sollen als Expertinnen und Experten Ihrer Familie begriffen und stärker in den "
        "Hilfeprozess eingebunden werden.",
    )
    assert result["outcomes"] == outcomes(
        achieved=leaves(
            'Arbeitsgruppen zu den Themen "Leitbild", "Verfahrensabläufe" und '
            '"institutionsübergreifende Zusammenarbeit"',
            'Vorstellung der Inhalte des Projektes im Jugendhilfeausschuss "Netzwerk Kindeswohl '
            'und Kindergesundheit" sowie in anderen Gremien und Arbeitskreisen',
        ),
        planned=leaves(
            "Leitbild Kinderschutz",
            "Qualitätsstandards zu Verfahrensabläufen und zur Zusammenarbeit",
            "Gemeinsame Fortbildungsveranstaltungen, z.B. zum Thema Datenschutz",
        ),
        # A line without a bullet under the heading is an item too.
        cross_achieved=leaves(
            "Deutliche Verbesserung des Informationsflusses mit den Partnerkommunen"
        ),
    )


def test_bad_kreuznach_highlights_and_warnings() -> None:
    result = parsed(BAD_KREUZNACH)
    highlights = result["highlights"]
    assert highlights.startswith(
        "Wir waren sehr positiv von dem Engagement der Kooperationspartnerinnen und -partner "
        "überrascht. Die Teilnehmendenzahl"
    )
    assert highlights.endswith(
        "Durch den fachlichen Input hatte diese Veranstaltung noch einmal an Qualität gewonnen."
    )
    paragraphs = highlights.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].endswith("an den Werkstätten teilgenommen haben.")
    assert paragraphs[1].startswith("Politisch wurde der Prozess überdies")
    assert result["notes"] == []
    assert_warnings(result)


# --------------------------------------------------------------------------------------------
# Seed 002: Wolfsburg
# --------------------------------------------------------------------------------------------

WOLFSBURG = SEEDS / "002_19ee7bc5f93732c9.txt"


def test_wolfsburg_name_follows_the_website_spelling() -> None:
    result = parsed(WOLFSBURG)
    assert_result_shape(result)
    assert result["source"] == str(WOLFSBURG)
    assert result["kind"] == "model"
    assert result["name"] == "Stadt Wolfsburg"
    assert result["model_municipality"] == "Stadt Wolfsburg"
    assert result["website"] == "www.wolfsburg.de"
    assert result["state"] == "Niedersachsen"
    assert result["cluster"] == 5
    assert result["partners"] == ["Altmarkkreis Salzwedel", "Landkreis Helmstedt"]


def test_wolfsburg_lists() -> None:
    result = parsed(WOLFSBURG)
    assert result["interests"] == leaves(
        "Haltung, Risikoeinschätzung, Handeln in Unsicherheit, kleinteilige Checklisten/Raster",
        "Möglichkeiten und Grenzen der Zusammenarbeit",
        "Kooperation und Vernetzung in der Zusammenarbeit; auch überregional",
    )
    assert result["participants"] == leaves(
        "Drogenberatung",
        "Frauenhaus",
        "Sozialpsychiatrischer Dienst",
        "Jugendamt (ASD)",
        "Polizei Wolfsburg",
        "Gesundheitsamt (Kinder- und jugendärztlicher Dienst; Sozialpsychiatrischer Dienst)",
        "Familienservice",
        "Sozialpädagogische Familienhilfe, Diakonie",
        "Mutter-Kind-Gruppe, Diakonie",
        "Kinderdorf (stationäre Hilfen) Diakonie",
        "Christliches Jugenddorfwerk Deutschlands, Stationäre Hilfen, Jungenhaus, "
        "Mädchenwohngruppe",
        "Christliches Jugenddorfwerk Deutschlands, Begleitetes Pädagogisches Wohnen und "
        "flexible Hilfen",
        "Elisabethstift, ambulante und stationäre Hilfen",
        "Kompetenz für Menschen (KOM), ambulante und stationäre Hilfen",
        "Sozialpädiatrie Klinikum (ZEUS)",
        "Arbeiterwohlfahrt, Familienberatungszentrum",
    )
    assert result["topics"] == leaves(
        "Haltung zum Thema Kinderschutz",
        "Netzwerkarbeit",
        "Fallbesprechungen, Problem- und Fehleranalysen",
    )
    assert result["outcomes"] == outcomes(
        achieved=leaves(
            "Qualitätswerkstatt Kinderschutz",
            "Erarbeitung einer Kooperationsvereinbarung zwischen dem Geschäftsbereich Jugend "
            "und der Polizei; erste Treffen haben stattgefunden",
            "Projekt Kinderschutz-Fortbildung, Schulung, Informationsveranstaltungen für Kitas, "
            "Schulen, Klinikum und Mitarbeitende anderer Institutionen vor Ort",
        ),
        planned=leaves(
            '"Insofern erfahrene Fachkraft" benennen und Vertrag abschließen',
            "Evaluation unseres Projektes",
            '"Frühe Hilfen"',
            "Leitfaden zum Thema Kinderschutz",
        ),
        # "*" bullets after nbsp indentation, one with an nbsp run inside.
        cross_achieved=leaves(
            "Übergabevereinbarungen mit Jugendämtern der benachbarten Landkreise",
            "Verabredung regelmäßiger Treffen (1 bis 2 pro Jahr) in Zukunft zur Netzwerkarbeit",
        ),
    )


def test_wolfsburg_highlights_and_warnings() -> None:
    result = parsed(WOLFSBURG)
    # No final full stop and no final newline, but a complete phrase: not truncated.
    assert result["highlights"] == (
        "Familienfreundlichste Stadt (2009), großes und gut funktionierendes Netzwerk"
    )
    assert result["notes"] == []
    assert_warnings(
        result,
        "name: the title 'Stadt Wolfburg' differs from 'Modellkommune: Stadt Wolfsburg'; "
        "using 'Stadt Wolfsburg', which matches the website www.wolfsburg.de",
        "interests: merged the bullet line 'Unsicherheit, kleinteilige Checklisten/Raster'",
        "interests: merged the bullet line 'Zusammenarbeit; auch überregional'",
        "participants: inserted a missing space in 'undstationäre' -> 'und stationäre'",
        "participants: inserted a missing space in 'stationäreHilfen' -> 'stationäre Hilfen'",
        "participants: inserted a missing space in 'Arbeiterwohlfahrt,Familienberatungszentrum'",
    )


# --------------------------------------------------------------------------------------------
# Seed 003: Bremen
# --------------------------------------------------------------------------------------------

BREMEN = SEEDS / "003_1ad5341d1f9797a2.txt"


def test_bremen_header_fields() -> None:
    result = parsed(BREMEN)
    assert_result_shape(result)
    assert result["source"] == str(BREMEN)
    assert result["kind"] == "model"
    assert result["name"] == "Stadtgemeinde Bremen"
    assert result["website"] == "www.soziales.bremen.de"
    assert result["state"] == "Bremen"
    assert result["cluster"] == 2
    assert result["model_municipality"] == "Stadtgemeinde Bremen"
    assert result["partners"] == ["Stadt Bremerhaven", "Stadt Osnabrück", "Stadt Nürnberg"]


def test_bremen_lists() -> None:
    result = parsed(BREMEN)
    assert result["interests"] == leaves(
        "Überprüfung der Kooperations- und Vernetzungsstrukturen mit dem Ziel der Schaffung "
        "eines Verbundsystems zwischen Fachdiensten der Kinder- und Jugendhilfe und dem "
        "Gesundheitswesen sowie Schule, Kita, Familiengerichten und weiterer angrenzender "
        "Fachdisziplinen",
        "Verknüpfung eines demokratischen (tripolaren) Kinderschutzsystems mit flexiblen "
        "(niedrigschwelligen) übergreifenden familienbezogenen Hilfen im Vorfeld der Hilfen zur "
        "Erziehung (z.B. Häuser der Familie, Mütterzentren, Angebote der Frühen Hilfen) und "
        "deren Erprobung sowie deren Überprüfung auf Wirksamkeit",
        "Qualifizierung interner Verfahrensabläufe (v.a. Umsetzung und Handhabung der "
        "Strukturvorgaben in Hinblick auf Erreichbarkeit, Krisenmanagement, "
        "Gefährdungseinschätzung); Fehleroffenheit und Fehlermanagement (Welches Verständnis "
        "von Fehlern gibt es? Wie werden Fehler erkannt? Wie wird mit Fehlern umgegangen? "
        "Welche Konsequenzen werden aus Fehlern gezogen?); Überprüfung der Konzepte auf "
        "Wirksamkeit",
    )
    assert result["participants"] == leaves(
        "Amt für Soziale Dienste Bremen",
        "Landesinstitut für Schule (Zentrum für schülerbezogene Beratung)",
        "Gesundheitsamt",
        "Kinder- und Jugendpsychiatrie",
        "Schulen (zeitweise)",
        "Polizei",
        "Freie Träger der Jugendhilfe (Landesarbeitsgemeinschaft der Freien "
        "Wohlfahrtspflege Bremen e.V.)",
        "Senator für Inneres - Rettungsdienst (zeitweise)",
        "Kinderkliniken",
        "niedergelassene Kinder- und Jugendärzte und -ärztinnen",
        "Klientinnen und Klienten",
    )
    assert result["topics"] == [
        {
            "text": 'Die "beliebtesten" Kinderschutzfehler und wie man sie auf vier Risiko- und '
            "Fehlerebenen im Kinderschutz vermeiden kann:",
            "children": leaves(
                "Ebene der Fachkraft",
                "Ebene des Teams",
                "Ebene der Organisation",
                "Ebene der interorganisationalen Zusammenarbeit",
            ),
        },
        leaf("Grundsätze erfolgreicher Zusammenarbeit mit Familien"),
        leaf("Methoden der Falluntersuchung/-analyse"),
    ]


def test_bremen_outcomes_split_at_wedges() -> None:
    result = parsed(BREMEN)
    assert result["outcomes"] == outcomes(
        achieved=leaves(
            "Implementierung des Verfahrens der Falluntersuchung als methodisches Instrument "
            "im Rahmen des Casemanagement und der interorganisationalen Zusammenarbeit",
            "Modellhaftes Erproben von partizipatorischen Ansätzen mit Familien als Experten "
            "(u.a. Familienrat)",
            "Verstärkte sozialräumliche Netzwerkarbeit mit dem Ziel der Schaffung von "
            "verbindlichen Kommunikations- und Kooperationsstrukturen",
        ),
        planned=leaves(
            "5. Bremer Kinderschutzkonferenz verbunden mit einem sich anschließenden "
            "gemeinsamen Workshop mit den Partnerkommunen des Bundesmodellprojektes (Austausch "
            "über den jeweiligen Sachstand zur Qualitätsentwicklung im Kinderschutz)",
            "Prozesshafte Umsetzung und Implementierung des Bremer Konzeptes zu "
            "Qualitätssicherung und Risikomanagement im Kinderschutz",
            "Transfer der Ergebnisse aus den Qualitätsentwicklungswerkstätten und der "
            "Ergebnisse des Bundesmodellprojektes insgesamt in die Bremer Kinder- und "
            "Jugendhilfe. Einbeziehung der Medien mit dem Ziel, das Bild des Jugendamts als "
            'Kinderschutzbehörde zu verbessern ("Wir fördern und schützen Kinder gemeinsam '
            'und gern").',
        ),
    )
    assert result["highlights"] is None
    assert result["notes"] == []
    assert_warnings(result, "outcomes.municipal.planned: split an item joined by '∧' into 3")


# --------------------------------------------------------------------------------------------
# Synthetic variants
# --------------------------------------------------------------------------------------------


def test_partner_profile_with_dachzeile_and_windows_line_endings() -> None:
    path = PROFILES / "partner_dachzeile_crlf.txt"
    assert b"\r\n" in path.read_bytes()
    result = parsed(path)
    assert_result_shape(result)
    assert result["kind"] == "partner"
    assert result["name"] == "Landkreis Beispielhausen"
    assert result["website"] == "www.landkreis-beispielhausen.de"
    assert result["state"] == "Bayern"  # "Bundesland:Bayern"
    assert result["cluster"] == 4
    assert result["model_municipality"] == "Stadt Musterstadt"
    assert result["partners"] == ["Gemeinde Probedorf"]
    assert result["interests"] == leaves(
        "Verbindliche Absprachen zwischen Jugendamt und Schulen",
        "Einarbeitung neuer Fachkräfte im Allgemeinen Sozialen Dienst",
    )
    assert result["participants"] == leaves(
        "Jugendamt", "Gesundheitsamt", "Polizei", "Familienzentrum Beispielhausen"
    )
    assert result["topics"] == leaves(
        "Übergänge zwischen Kita und Grundschule", "Erreichbarkeit in Krisen"
    )
    assert result["outcomes"] == outcomes(
        achieved=leaves("Checkliste für Meldungen nach § 8a SGB VIII"),
        planned=leaves("Gemeinsame Fortbildung mit der Modellkommune"),
    )
    assert result["highlights"] == (
        "Die Partnerkommune nahm an drei Werkstätten der Modellkommune teil."
    )
    assert_warnings(result, "ignored the stray line 'Dachzeile' before the profile heading")


def test_missing_sections_give_empty_values() -> None:
    result = parsed(PROFILES / "missing_sections.txt")
    assert_result_shape(result)
    assert result["kind"] == "model"
    assert result["name"] == "Gemeinde Musterhausen"
    assert result["website"] is None
    assert result["state"] == "Saarland"
    assert result["cluster"] is None
    assert result["model_municipality"] == "Gemeinde Musterhausen"
    assert result["partners"] == []
    assert result["interests"] == []
    assert result["participants"] == []
    assert result["topics"] == leaves(
        "Kinderschutz in der Kindertagespflege", "Zusammenarbeit mit Hebammen"
    )
    assert result["outcomes"] == outcomes()
    assert result["highlights"] is None
    assert_warnings(result, "no KINDERSCHUTZCLUSTER line")


def test_state_without_colon_and_hyphenated_heading() -> None:
    result = parsed(PROFILES / "state_without_colon.txt")
    assert_result_shape(result)
    assert result["state"] == "Niedersachsen"
    assert result["cluster"] == 3
    assert result["partners"] == ["Samtgemeinde Beispieltal", "Gemeinde Musterheide"]
    assert result["interests"] == leaves("Standards für die Gefährdungseinschätzung")
    assert result["participants"] == leaves("Jugendamt", "Familiengericht")
    assert_warnings(result, "BUNDESLAND line without colon: 'BUNDESLAND NIEDERSACHSEN'")


def test_unknown_state_is_null_with_warning() -> None:
    result = parsed(PROFILES / "unknown_state.txt")
    assert_result_shape(result)
    assert result["state"] is None
    assert result["cluster"] == 13
    assert result["topics"] == leaves("Kinderschutz im ländlichen Raum")
    assert_warnings(result, "unknown Bundesland 'MUSTERLAND'")


def test_items_joined_by_wedge_are_split_and_star_bullets() -> None:
    result = parsed(PROFILES / "wedge_joined.txt")
    assert_result_shape(result)
    assert result["partners"] == ["Stadt Musterhafen"]
    assert result["interests"] == leaves(
        "Verbindliche Verfahrensstandards",
        "Transparente Zuständigkeiten",
        "Fehleroffene Teamkultur",
    )
    assert result["outcomes"] == outcomes(
        achieved=leaves(
            "Kooperationsvereinbarung mit Kliniken",
            "Leitfaden für Schulen",
            "Notfallkarte für Kitas",
        ),
        planned=leaves("Fachtag Kinderschutz"),
        cross_achieved=leaves("Gemeinsame Fortbildungen mit Musterhafen"),
        cross_planned=leaves("Austausch der Leitfäden", "Gemeinsamer Fachtag"),
    )
    assert_warnings(
        result,
        "interests: split an item joined by '∧' into 2 items",
        "outcomes.municipal.achieved: split an item joined by '∧' into 3 items",
        "outcomes.cross_cluster.planned: split an item joined by '∧' into 2 items",
    )


def test_continuation_lines_without_bullets() -> None:
    result = parsed(PROFILES / "continuation_lines.txt")
    assert_result_shape(result)
    assert result["interests"] == leaves(
        "Verbesserung der Zusammenarbeit zwischen Jugendamt, Schulen und Kindertagesstätten",
        "Einheitliche Standards für die Kinder- und Jugendhilfe",
        "Stärkung der Sozialpädagogischen Familienhilfe",
    )
    # A wrap inside parentheses continues the participant; a wrap after a full name does not.
    assert result["participants"] == leaves(
        "Jugendamt",
        "Gesundheitsamt (Kinder- und Jugendgesundheitsdienst)",
        "Polizei",
        "Schulen",
        "Kitas",
        "Familiengericht",
    )
    assert result["outcomes"] == outcomes(
        achieved=leaves("Kinderschutzkonzept"),
        cross_achieved=leaves(
            "Regelmäßiger Austausch mit der Modellkommune", "Gemeinsame Fortbildung der Fachkräfte"
        ),
    )
    assert_warnings(result, "'Fami-' + 'lienhilfe' -> 'Familienhilfe'")


def test_alpha_and_dash_sub_items_and_utf8_bom() -> None:
    path = PROFILES / "sub_items_bom.txt"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = parsed(path)
    assert_result_shape(result)
    assert result["kind"] == "model"
    assert result["state"] == "Baden-Württemberg"
    assert result["topics"] == [
        {
            "text": "Fehlerquellen im Kinderschutz",
            "children": leaves("fehlende Rückmeldungen", "unklare Zuständigkeiten"),
        },
        leaf("Methoden der Fallanalyse"),
    ]
    assert result["outcomes"] == outcomes(
        achieved=[
            {
                "text": "Leitfaden Kinderschutz mit Anlagen",
                "children": leaves("Meldebogen", "Ablaufschema"),
            },
            leaf("Fortbildungskonzept"),
        ],
        planned=[
            {
                "text": "Arbeitsgruppen zu drei Themen:",
                "children": leaves("Schule", "Gesundheit", "Jugendhilfe"),
            },
            leaf("Evaluation"),
        ],
    )
    assert_warnings(result)


def test_footnotes_go_to_notes() -> None:
    result = parsed(PROFILES / "footnotes.txt")
    assert_result_shape(result)
    assert result["topics"] == leaves(
        "Meldewege bei Kindeswohlgefährdung", "Kooperation mit Schulen"
    )
    assert result["highlights"] == "Die Stadt hat 2009 einen Kinderschutzbericht veröffentlicht."
    assert result["notes"] == [
        "¹ Quelle: Kinderschutzbericht der Stadt Beispielheim 2009",
        "² Der Bericht ist im Rathaus erhältlich.",
        "[3] Siehe Protokoll der zweiten Werkstatt.",
        "(Die Themen wurden in der ersten Werkstatt gemeinsam festgelegt.)",
    ]
    assert_warnings(
        result,
        "moved the footnote line '¹ Quelle",
        "moved the footnote line '² Der Bericht",
        "moved the footnote line '[3] Siehe",
        "topics: moved the remark '(Die Themen",
        "topics: removed footnote marker '¹'",
        "topics: removed footnote marker '[3]'",
        "highlights: removed footnote marker '²'",
    )


def test_truncated_free_text_is_flagged() -> None:
    result = parsed(PROFILES / "truncated_highlights.txt")
    assert_result_shape(result)
    assert result["highlights"] == (
        "Die Werkstätten waren stets gut besucht. Besonders hilfreich war die Teilnahme der"
    )
    assert_warnings(result, "possibly truncated")


def test_truncated_list_is_flagged() -> None:
    result = parsed(PROFILES / "truncated_list.txt")
    assert_result_shape(result)
    assert result["outcomes"] == outcomes(
        achieved=leaves("Netzwerkkarte Frühe Hilfen", "Vereinbarung mit den")
    )
    assert_warnings(result, "possibly truncated: the last item ends unfinished")


def test_cp1252_file_is_decoded() -> None:
    path = PROFILES / "cp1252_crlf.txt"
    raw = path.read_bytes()
    assert b"\x95" in raw  # the cp1252 bullet
    assert b"\r\n" in raw
    result = parsed(path)
    assert_result_shape(result)
    assert result["name"] == "Stadt Großbeispielstadt"
    assert result["state"] == "Thüringen"
    assert result["partners"] == ["Gemeinde Kleinmusterdorf"]
    assert result["topics"] == leaves("Frühe Hilfen – Zugänge für Familien", "Übergänge gestalten")
    assert result["highlights"] == "Großes Engagement der Schulen und Kitas."
    assert_warnings(result, "decoded it as Windows-1252 (cp1252)")


def test_saved_html_page() -> None:
    result = parsed(PROFILES / "saved_page.html")
    assert_result_shape(result)
    assert result["kind"] == "model"
    assert result["name"] == "Landkreis Beispielhausen"
    assert result["website"] == "www.beispielhausen.de"
    assert result["state"] == "Hessen"
    assert result["cluster"] == 7
    assert result["partners"] == ["Stadt Musterstadt", "Gemeinde Probedorf"]
    assert result["interests"] == leaves(
        "Verbindliche Verfahren im Kinderschutz & ihre Umsetzung",
        "Zusammenarbeit mit Kinderärztinnen und Kinderärzten",
    )
    assert result["participants"] == leaves(
        "Jugendamt", "Gesundheitsamt", "Polizei", "Familiengericht"
    )
    assert result["topics"] == [
        {
            "text": "Risikoeinschätzung auf vier Ebenen:",
            "children": leaves("Ebene der Fachkraft", "Ebene des Teams"),
        },
        leaf("Fehlerkultur"),
    ]
    assert result["outcomes"] == outcomes(
        achieved=leaves("Organigramm des Kinderschutzsystems"),
        planned=leaves("Fachtag Kinderschutz 2010"),
        cross_achieved=leaves("Austausch mit den Partnerkommunen"),
    )
    assert result["highlights"] == (
        "Die Werkstatt tagte sechs Mal.\n\nAlle Ergebnisse sind online verfügbar."
    )
    assert_warnings(
        result,
        "converted an HTML page to plain text",
        "ignored the stray line 'Startseite > Projekte'",
    )


def test_glue_repairs_keep_legitimate_forms() -> None:
    result = parsed(PROFILES / "glue_repairs.txt")
    assert_result_shape(result)
    assert [item["text"] for item in result["participants"]] == [
        "KiTa-Leitungen",
        "OGS",
        "Kinderschutzbund Musterstadt e.V.",
        "Beratungsstellen (z.B. Erziehungsberatung)",
        "Freie Träger, u.a. Diakonie",
        "Schulen, v.a. Grundschulen",
        "Kooperationspartnerinnen und -partner",
        "Sozialpädiatrie (ZEUS)",
        "MitarbeiterInnen der KiTas",
        "Familienzentrum Musterstadt",
        "ambulante und teilstationäre Hilfen",
        "stationäre Hilfen",
        "Jugendamt, Allgemeiner Sozialer Dienst",
        "Hilfen zur Erziehung; Eingliederungshilfe",
        "Schulsozialarbeit im Bereich Grundschule",
    ]
    assert result["topics"] == leaves(
        "Undurchsichtige Zuständigkeiten und undeutliche Absprachen",
        "PowerPoint-Vorlagen für die BuKiSchG-Schulung",
        "Informationen unter www.musterstadt.de/KinderSchutz",
    )
    assert_warnings(
        result,
        "'FamilienzentrumMusterstadt' -> 'Familienzentrum Musterstadt'",
        "'undteilstationäre' -> 'und teilstationäre'",
        "'stationäreHilfen' -> 'stationäre Hilfen'",
        "'Jugendamt,Allgemeiner' -> 'Jugendamt, Allgemeiner'",
        "'Erziehung;Eingliederungshilfe' -> 'Erziehung; Eingliederungshilfe'",
        "'imBereich' -> 'im Bereich'",
    )


def test_name_typo_in_title_is_fixed_from_the_website() -> None:
    result = parsed(PROFILES / "name_typo.txt")
    assert_result_shape(result)
    assert result["name"] == "Stadt Musterstadt"
    assert result["model_municipality"] == "Stadt Musterstadt"
    assert_warnings(result, "using 'Stadt Musterstadt', which matches the website")


def test_profile_without_kind_heading_is_assumed_model() -> None:
    result = parsed(PROFILES / "no_kind_heading.txt")
    assert_result_shape(result)
    assert result["kind"] == "model"
    assert result["name"] == "Stadt Beispielstedt"
    assert result["state"] == "Brandenburg"
    assert result["topics"] == leaves("Fehleranalyse")
    assert_warnings(result, "no MODELLKOMMUNE/PARTNERKOMMUNE heading; assumed kind 'model'")


def test_pdf_lines_with_own_bullets_are_merged_only_when_they_continue() -> None:
    result = parsed(PROFILES / "pdf_artefact.txt")
    assert_result_shape(result)
    assert result["interests"] == leaves(
        "Aufbau eines kreisweit abgestimmten Verfahrens bei Kindeswohlgefährdung",
        "Kooperation zwischen Jugendhilfe und Gesundheitshilfe",
        # Items ending in an infinitive are complete and stay apart.
        "Handlungsabläufe überprüfen und Standards entwickeln",
        "Neue Partnerinnen und Partner hinzugewinnen",
    )
    assert result["outcomes"]["municipal"]["achieved"] == leaves(
        "Einführung eines gemeinsam genutzten Dokumentationssystems",
        "Fortbildungsreihe für Lehrkräfte, Erzieherinnen, Hebammen und Kinderärztinnen",
        "Vereinbarung mit dem Kinder- und Jugendgesundheitsdienst",
        "Kooperationsvereinbarung mit der Polizei",
    )
    assert_warnings(
        result,
        "merged the bullet line 'Verfahrens bei Kindeswohlgefährdung'",
        "merged the bullet line 'Gesundheitshilfe'",
        "merged the bullet line 'Dokumentationssystems'",
        "merged the bullet line 'Hebammen und Kinderärztinnen'",
        "merged the bullet line 'und Jugendgesundheitsdienst'",
    )


# --------------------------------------------------------------------------------------------
# Smaller cases, straight from text
# --------------------------------------------------------------------------------------------


def profile(*lines: str) -> dict[str, Any]:
    return parse_profile_text("\n".join(lines), source="inline.txt")


def test_misspelt_state_is_matched_with_warning() -> None:
    result = profile("MODELLKOMMUNE", "Stadt Musterstadt", "BUNDESLAND: NIEDERSACHEN")
    assert result["state"] == "Niedersachsen"
    assert any("'NIEDERSACHEN' read as 'Niedersachsen'" in w for w in result["warnings"])


def test_state_spelled_with_transliterated_umlaut() -> None:
    result = profile("MODELLKOMMUNE", "Stadt Musterstadt", "BUNDESLAND: THUERINGEN")
    assert result["state"] == "Thüringen"
    assert not any("Bundesland" in w for w in result["warnings"])


def test_missing_state_is_null_with_warning() -> None:
    result = profile("MODELLKOMMUNE", "Stadt Musterstadt", "KINDERSCHUTZCLUSTER 2")
    assert result["state"] is None
    assert_warnings(result, "no BUNDESLAND line")


def test_partner_kind_is_inferred_from_a_different_model_commune() -> None:
    result = profile("Gemeinde Probedorf", "BUNDESLAND: HESSEN", "Modellkommune: Stadt Musterstadt")
    assert result["kind"] == "partner"
    assert result["name"] == "Gemeinde Probedorf"
    assert result["model_municipality"] == "Stadt Musterstadt"
    assert any("assumed kind 'partner'" in w for w in result["warnings"])


def test_model_title_matching_the_website_wins_over_a_misspelt_model_line() -> None:
    result = profile(
        "MODELLKOMMUNE",
        "Stadt Musterstadt",
        "www.musterstadt.de",
        "BUNDESLAND: HESSEN",
        "KINDERSCHUTZCLUSTER 1",
        "Modellkommune: Stadt Mustersadt",
    )
    assert result["name"] == result["model_municipality"] == "Stadt Musterstadt"
    assert_warnings(result, "using 'Stadt Musterstadt', which matches the website")


def test_model_line_naming_another_commune_keeps_the_title() -> None:
    result = profile(
        "MODELLKOMMUNE",
        "Stadt Musterstadt",
        "BUNDESLAND: HESSEN",
        "KINDERSCHUTZCLUSTER 1",
        "Modellkommune: Landkreis Beispielhausen",
    )
    assert result["name"] == result["model_municipality"] == "Stadt Musterstadt"
    assert_warnings(result, "name different communes; kept the title")


def test_partner_without_model_line_warns() -> None:
    result = profile("PARTNERKOMMUNE", "Gemeinde Probedorf", "BUNDESLAND: HESSEN", "CLUSTER 3")
    assert result["kind"] == "partner"
    assert result["model_municipality"] is None
    assert result["cluster"] == 3
    assert_warnings(result, "partner profile without a 'Modellkommune:' line")


def test_relative_clause_and_infinitive_items_are_not_merged() -> None:
    result = profile(
        "MODELLKOMMUNE",
        "Stadt Musterstadt",
        "BUNDESLAND: HESSEN",
        "KINDERSCHUTZCLUSTER 1",
        "Zentrale Themen",
        "• Fachkräfte, die regelmäßig teilnehmen",
        "• Standards verbindlich vereinbaren",
        "• Eltern besser erreichen",
    )
    assert [item["text"] for item in result["topics"]] == [
        "Fachkräfte, die regelmäßig teilnehmen",
        "Standards verbindlich vereinbaren",
        "Eltern besser erreichen",
    ]
    assert result["warnings"] == []


def test_free_text_in_sentences_without_final_stop_is_flagged() -> None:
    result = profile(
        "MODELLKOMMUNE",
        "Stadt Musterstadt",
        "BUNDESLAND: HESSEN",
        "KINDERSCHUTZCLUSTER 1",
        "Besonderheiten",
        "Die Werkstatt war gut besucht. Leider fehlte die Polizei bei der zweiten Sitzung",
    )
    assert_warnings(result, "possibly truncated")


def test_inline_heading_text_and_duplicate_sections() -> None:
    result = profile(
        "MODELLKOMMUNE",
        "Stadt Musterstadt",
        "BUNDESLAND: HESSEN",
        "KINDERSCHUTZCLUSTER 1",
        "Teilnehmende: Jugendamt | Polizei",
        "Zentrale Themen",
        "• Fehlerkultur",
        "Zentrale Themen",
        "• Netzwerkarbeit",
        "Besonderheiten: Gute Zusammenarbeit.",
    )
    assert result["participants"] == leaves("Jugendamt", "Polizei")
    assert result["topics"] == leaves("Fehlerkultur", "Netzwerkarbeit")
    assert result["highlights"] == "Gute Zusammenarbeit."
    assert_warnings(result, "section 'topics' appears twice")


def test_uppercase_headings_bulleted_partners_and_model_name_on_next_line() -> None:
    result = profile(
        "PARTNERKOMMUNE",
        "Gemeinde Probedorf",
        "Internet: www.probedorf.de",
        "BUNDESLAND: hessen",
        "Kinderschutz-Cluster Nr. 7",
        "Modellkommune:",
        "Stadt Musterstadt",
        "PARTNERKOMMUNEN:",
        "• Stadt Beispielfurt",
        "• Landkreis Beispielhausen",
        "ZENTRALE THEMEN :",
        "- Fehlerkultur",
        "ERGEBNISSE",
        "KOMMUNAL:",
        "- Leitfaden",
    )
    assert result["kind"] == "partner"
    assert result["website"] == "www.probedorf.de"
    assert result["state"] == "Hessen"
    assert result["cluster"] == 7
    assert result["model_municipality"] == "Stadt Musterstadt"
    assert result["partners"] == ["Stadt Beispielfurt", "Landkreis Beispielhausen"]
    assert result["topics"] == leaves("Fehlerkultur")
    assert result["outcomes"] == outcomes(achieved=leaves("Leitfaden"))
    assert result["warnings"] == []


def test_age_structure_text_is_ignored_with_warning() -> None:
    result = profile(
        "MODELLKOMMUNE",
        "Stadt Musterstadt",
        "BUNDESLAND: HESSEN",
        "KINDERSCHUTZCLUSTER 1",
        "Altersstruktur der Einwohner",
        "unter 6 Jahre: 5 %",
    )
    assert_warnings(result, "ignored the text under 'Altersstruktur der Einwohner'")


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------


def test_decode_strips_utf8_bom() -> None:
    assert decode_profile_bytes(b"\xef\xbb\xbfMODELLKOMMUNE\n", source="x") == "MODELLKOMMUNE\n"


def test_decode_falls_back_to_cp1252() -> None:
    text = "• Qualitätsentwicklung – Straße\n"
    assert decode_profile_bytes(text.encode("cp1252"), source="x") == text


def test_decode_reads_utf16_with_bom() -> None:
    text = "MODELLKOMMUNE\nStadt Musterstadt\n"
    assert decode_profile_bytes(text.encode("utf-16"), source="x") == text


def test_decode_converts_html() -> None:
    markup = (
        b"<html><head><title>T</title><style>p {}</style></head><body>"
        b"<h1>MODELLKOMMUNE</h1><p>Stadt&nbsp;Musterstadt<br>www.musterstadt.de</p>"
        b"<ul><li>Thema A<ul><li>Unterpunkt</li></ul></li><li>Thema &amp; B</li></ul>"
        b"<script>alert('x')</script></body></html>"
    )
    text = decode_profile_bytes(markup, source="x")
    lines = [line for line in text.splitlines() if line]
    assert lines == [
        "MODELLKOMMUNE",
        "Stadt\u00a0Musterstadt",
        "www.musterstadt.de",
        "• Thema A",
        "    - Unterpunkt",
        "• Thema & B",
    ]


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", bytes(range(1, 32)) * 8],
    ids=["nul-bytes", "control-characters"],
)
def test_decode_rejects_binary(data: bytes) -> None:
    with pytest.raises(ProfileParseError, match="blob.bin"):
        decode_profile_bytes(data, source="blob.bin")


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\r\n\xc2\xa0\n", "only whitespace"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        ("article.txt", NEWS_ARTICLE.read_bytes(), "not a commune"),
        ("only_heading.txt", b"MODELLKOMMUNE\n\n", "no commune name"),
    ],
)
def test_unusable_files_raise_with_the_path(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ProfileParseError) as caught:
        parse_profile_file(path)
    assert str(path) in str(caught.value)
    assert reason in str(caught.value)


def test_seed_news_article_is_rejected() -> None:
    path = NEWS_ARTICLE
    with pytest.raises(ProfileParseError, match="not a commune profile") as caught:
        parse_profile_file(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("make_path", [lambda tmp: tmp / "missing.txt", lambda tmp: tmp])
def test_unreadable_paths_raise_with_the_path(tmp_path: Path, make_path: Any) -> None:
    path = make_path(tmp_path)
    with pytest.raises(ProfileParseError, match="cannot read") as caught:
        parse_profile_file(path)
    assert str(path) in str(caught.value)


def test_parse_profile_text_rejects_blank_text() -> None:
    with pytest.raises(ProfileParseError, match="inline.txt"):
        parse_profile_text(" \u00a0\n\n", source="inline.txt")


# --------------------------------------------------------------------------------------------
# Property: never anything but ProfileParseError, always the full shape
# --------------------------------------------------------------------------------------------

PROFILE_FRAGMENTS = st.sampled_from(
    [
        "MODELLKOMMUNE",
        "PARTNERKOMMUNE",
        "Dachzeile",
        "Stadt Musterstadt",
        "www.musterstadt.de",
        "BUNDESLAND: HESSEN",
        "BUNDESLAND",
        "BUNDESLANDSAARLAND",
        "KINDERSCHUTZCLUSTER 3",
        "KINDERSCHUTZCLUSTER 99999999999",
        "Modellkommune:",
        "Modellkommune: Stadt Musterstat",
        "Partnerkommunen:",
        "Qualitätsentwicklungs-",
        "interesse",
        "Teilnehmende",
        "Zentrale Themen",
        "Ergebnisse",
        "Kommunal",
        "In Planung",
        "Clusterübergreifend",
        "Besonderheiten:",
        "  • Begleitung einer und",
        "  • DokumentationExterne",
        "    - Unterpunkt",
        "a) erstens",
        "• A ∧ B ∧",
        "∧",
        "A | B |",
        "|",
        "\u00a0 \u00a0",
        "",
        "¹ Quelle",
        "Text¹",
        "(Eine Bemerkung mit vier Wörtern)",
        "Wort(Eine angeklebte Bemerkung mit Wörtern.)",
        "•",
        "* ",
        "-",
        "Kinder-",
        "<p>",
    ]
)
PROFILE_LIKE = st.lists(st.one_of(PROFILE_FRAGMENTS, st.text(max_size=20)), max_size=25).map(
    "\n".join
)


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.one_of(st.text(), PROFILE_LIKE))
def test_parser_only_raises_profile_parse_error(text: str) -> None:
    for candidate in (text, "MODELLKOMMUNE\n" + text):
        try:
            result = parse_profile_text(candidate, source="fuzz.txt")
        except ProfileParseError as exc:
            assert "fuzz.txt" in str(exc)
            continue
        assert_result_shape(result)
        assert result["source"] == "fuzz.txt"
