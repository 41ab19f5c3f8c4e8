"""A fixed set of parent questions with the offers a good answer contains.

Used by ``test_search_quality.py`` (recall and precision per question, enforced) and by
``bench/directory_search.py`` (the same numbers beside the timings). The catalogue is a
small synthetic directory written the way offers are written in practice (compounds,
German only); the questions are written the way parents ask (plain words, English,
questions with "ich suche … in …").
"""

from __future__ import annotations

from dataclasses import dataclass, field

# name, description, target-group slugs, min age, max age, postcode, commune ("a"/"b")
CATALOGUE: tuple[tuple[str, str, tuple[str, ...], int | None, int | None, str, str], ...] = (
    (
        "Hebammensprechstunde Zentrum",
        "Rat rund um Schwangerschaft, Geburt und Wochenbett.",
        ("schwangere", "saeugling"),
        None,
        1,
        "53111",
        "a",
    ),
    (
        "Familienhebamme Beuel",
        "Hausbesuche im ersten Lebensjahr.",
        ("saeugling", "belastete-eltern"),
        0,
        1,
        "53225",
        "a",
    ),
    (
        "Familienhebammen Nord",
        "Aufsuchende Begleitung nach der Geburt.",
        ("saeugling",),
        0,
        1,
        "28217",
        "b",
    ),
    (
        "Krabbelgruppe Sonnenschein",
        "Spielen und Austausch für Eltern.",
        ("kinder-0-3",),
        0,
        3,
        "53113",
        "a",
    ),
    (
        "Eltern-Kind-Gruppe Spielzeit",
        "Wöchentliches Treffen mit Spielangeboten.",
        (),
        1,
        3,
        "53225",
        "a",
    ),
    (
        "Babymassage-Kurs",
        "Acht Termine für Eltern mit Säuglingen.",
        ("saeugling",),
        0,
        1,
        "53173",
        "a",
    ),
    (
        "Stillgruppe Godesberg",
        "Treffen mit einer Stillberaterin.",
        ("saeugling",),
        0,
        1,
        "53173",
        "a",
    ),
    (
        "Schwangerschaftsberatung Mitte",
        "Hilfe bei finanziellen Fragen und Konflikten in der Schwangerschaft.",
        ("schwangere",),
        None,
        None,
        "53111",
        "a",
    ),
    (
        "Erziehungsberatungsstelle",
        "Gespräche bei Fragen zur Entwicklung und Erziehung.",
        ("kinder-0-3", "kinder-3-6"),
        0,
        6,
        "53115",
        "a",
    ),
    (
        "Alleinerziehenden-Treff",
        "Austausch und Kinderbetreuung.",
        ("alleinerziehende",),
        0,
        6,
        "53119",
        "a",
    ),
    (
        "Väter-Kind-Samstag",
        "Treff für Väter mit kleinen Kindern.",
        ("vaeter",),
        0,
        3,
        "53121",
        "a",
    ),
    (
        "Mehrsprachige Elterngruppe",
        "Elterngruppe mit Sprachmittlung in Türkisch und Arabisch.",
        ("migration",),
        0,
        3,
        "53119",
        "a",
    ),
    (
        "Willkommensbesuch",
        "Begrüßungsbesuch nach der Geburt mit Informationen zu Angeboten.",
        ("saeugling",),
        0,
        1,
        "53123",
        "a",
    ),
    (
        "Elternkurs Starke Eltern",
        "Kurs zu Erziehung und Alltag mit Kindergartenkindern.",
        ("kinder-3-6",),
        3,
        6,
        "53129",
        "a",
    ),
    (
        "Frühförderstelle",
        "Unterstützung bei Entwicklungsverzögerung und Behinderung.",
        ("behinderung",),
        0,
        6,
        "53227",
        "a",
    ),
    (
        "Elterncafé Vahr",
        "Offener Treff für Mütter und Väter mit Babys.",
        ("saeugling", "kinder-0-3"),
        0,
        3,
        "28329",
        "b",
    ),
)


@dataclass(frozen=True)
class Question:
    """What a parent asks, the filters she sets, and the offers a good answer lists."""

    text: str
    expected: frozenset[str]
    filters: dict = field(default_factory=dict)


def _q(text: str, *expected: str, **filters) -> Question:
    return Question(text, frozenset(expected), filters)


QUESTIONS: tuple[Question, ...] = (
    _q("Hebamme", "Hebammensprechstunde Zentrum", "Familienhebamme Beuel", "Familienhebammen Nord"),
    _q(
        "Ich suche eine Hebamme",
        "Hebammensprechstunde Zentrum",
        "Familienhebamme Beuel",
        municipality="musterstadt-a",
    ),
    _q(
        "midwife",
        "Hebammensprechstunde Zentrum",
        "Familienhebamme Beuel",
        "Familienhebammen Nord",
    ),
    _q(
        "Geburtshilfe",
        "Hebammensprechstunde Zentrum",
        "Familienhebamme Beuel",
        "Familienhebammen Nord",
    ),
    _q("Krabbelgruppe", "Krabbelgruppe Sonnenschein", "Eltern-Kind-Gruppe Spielzeit"),
    _q("Eltern-Kind-Gruppe", "Krabbelgruppe Sonnenschein", "Eltern-Kind-Gruppe Spielzeit"),
    _q("playgroup", "Krabbelgruppe Sonnenschein", "Eltern-Kind-Gruppe Spielzeit"),
    _q("Babymassage", "Babymassage-Kurs"),
    _q("baby massage", "Babymassage-Kurs"),
    _q("stillen", "Stillgruppe Godesberg"),
    _q("breastfeeding", "Stillgruppe Godesberg"),
    _q("Erziehungsberatung", "Erziehungsberatungsstelle"),
    _q("parenting advice", "Erziehungsberatungsstelle"),
    _q("single parent", "Alleinerziehenden-Treff"),
    _q("Papa", "Väter-Kind-Samstag", "Elterncafé Vahr"),
    _q("Dolmetscher", "Mehrsprachige Elterngruppe"),
    _q("interpreter", "Mehrsprachige Elterngruppe"),
    _q("Frühförderung", "Frühförderstelle"),
    _q("pregnant", "Hebammensprechstunde Zentrum", "Schwangerschaftsberatung Mitte"),
    _q(
        "Beratung Schwangerschaft",
        "Hebammensprechstunde Zentrum",
        "Schwangerschaftsberatung Mitte",
    ),
    # The age group "0 bis 3 Jahre" must not hide offers tagged "Säugling (0–1)".
    _q(
        "Gruppe",
        "Krabbelgruppe Sonnenschein",
        "Eltern-Kind-Gruppe Spielzeit",
        "Stillgruppe Godesberg",
        "Mehrsprachige Elterngruppe",
        target_group="kinder-0-3",
    ),
    _q(
        "Kurs",
        "Babymassage-Kurs",
        target_group="kinder-0-3",
    ),
    # Near a postcode (Beuel, 53225): what is within 2 km – Gronau across the Rhine is
    # 1.7 km away, Limperich (53227) 2.03 km.
    _q(
        "",
        "Familienhebamme Beuel",
        "Eltern-Kind-Gruppe Spielzeit",
        "Krabbelgruppe Sonnenschein",
        near="53225",
        radius_km=2,
    ),
    _q("Hebamme", "Familienhebamme Beuel", near="Beuel", radius_km=2),
)
