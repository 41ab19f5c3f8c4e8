"""The federal § 8a survey as data: features (Merkmale), categories and their codes.

Source (public): Statistisches Bundesamt (Destatis), "Statistiken der Kinder- und Jugendhilfe –
Gefährdungseinschätzungen nach § 8a Absatz 1 SGB VIII", Erhebungsbogen and
Merkmalsbeschreibung, legal basis §§ 98 Abs. 1 Nr. 13, 99 Abs. 6, 101 Abs. 2 Nr. 13 SGB VIII;
a total count of every assessment the Jugendamt completed in the reporting year, one
questionnaire per child and procedure (several children of one family: one each; several
procedures of one child in the year: one each), since reporting year 2012.

Codes: the categories are numbered in the order in which the survey form lists them; yes/no
features use 1 = ja, 2 = nein, 9 = unbekannt/ohne Angabe, multiple-response items 1 =
angekreuzt, 0 = nicht angekreuzt. These codes are THIS platform's documented mapping, not a
reproduction of the Landesamt's delivery record layout (Datensatzbeschreibung), which each
Statistisches Landesamt publishes for its own upload; compare the two before a delivery
(``docs`` of this module are printed as the mapping sheet of the per-record file).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cases.choices import (
    AgeGroup,
    DangerSource,
    EndangermentKind,
    LivingSituation,
    NewHelp,
    ParentAgeGroup,
    ReporterCategory,
    Sex,
    StatisticResult,
)

SOURCE = (
    "Statistisches Bundesamt (Destatis): Statistiken der Kinder- und Jugendhilfe – "
    "Gefährdungseinschätzungen nach § 8a Absatz 1 SGB VIII (Erhebungsbogen, "
    "Merkmalsbeschreibung); §§ 98 Abs. 1 Nr. 13, 99 Abs. 6 SGB VIII"
)

YES, NO, UNKNOWN = 1, 2, 9


@dataclass(frozen=True)
class Category:
    value: Any  # the value stored on the platform
    code: int  # the survey code in the per-record file
    label: str


@dataclass(frozen=True)
class Feature:
    """One survey feature: where it lives on the procedure and how it is coded."""

    key: str  # column name in the per-record file
    label: str  # feature as the survey names it
    lookup: str  # ORM lookup from Procedure
    categories: tuple[Category, ...]
    only_endangered: bool = False  # asked only for akute/latente Gefährdung

    def code_of(self, value: Any) -> int | str:
        for category in self.categories:
            if category.value == value:
                return category.code
        return UNKNOWN if value in (None, "") else ""


def _numbered(choices: Any) -> tuple[Category, ...]:
    return tuple(
        Category(value, index, str(label)) for index, (value, label) in enumerate(choices, 1)
    )


def _yes_no_unknown() -> tuple[Category, ...]:
    return (
        Category(True, YES, "ja"),
        Category(False, NO, "nein"),
        Category(None, UNKNOWN, "unbekannt"),
    )


# Feature order follows the survey form: how it became known, the child, the family, the result.
FEATURES: tuple[Feature, ...] = (
    Feature(
        "bekanntwerden", "Bekanntwerden der möglichen Kindeswohlgefährdung durch",
        "reporter_category", _numbered(ReporterCategory.choices),
    ),
    Feature("geschlecht", "Geschlecht", "child__sex", _numbered(Sex.choices)),
    Feature("altersgruppe", "Alter bei Abschluss der Gefährdungseinschätzung",
            "child__age_group", _numbered(AgeGroup.choices)),
    Feature(
        "aufenthaltsort", "Aufenthaltsort des Kindes/Jugendlichen",
        "child__living_situation", _numbered(LivingSituation.choices),
    ),
    Feature("auslaendische_herkunft", "Ausländische Herkunft mindestens eines Elternteils",
            "child__foreign_origin", _yes_no_unknown()),
    Feature("deutsch_vorrangig", "In der Familie wird vorrangig Deutsch gesprochen",
            "child__german_family_language", _yes_no_unknown()),
    Feature("eingliederungshilfe", "Kind/Jugendliche:r erhält Eingliederungshilfe",
            "child__integration_assistance", _yes_no_unknown()),
    Feature("alter_eltern", "Alter der Eltern", "child__parent_age_group",
            _numbered(ParentAgeGroup.choices)),
    Feature("leistungen_zu_beginn",
            "Inanspruchnahme von Leistungen (§§ 16–19, 27–35a) zu Beginn",
            "child__prior_help", _yes_no_unknown()),
    Feature("erneute_meldung", "Erneute Meldung zum selben Kind im Berichtsjahr",
            "repeated_report", (Category(True, YES, "ja"), Category(False, NO, "nein"))),
    Feature("gefaehrdung_durch", "Gefährdung ging aus von", "danger_source",
            _numbered(DangerSource.choices), only_endangered=True),
    Feature("anrufung_familiengericht", "Anrufung des Familiengerichts (§ 8a Abs. 2)",
            "family_court_called", (Category(True, YES, "ja"), Category(False, NO, "nein"))),
    Feature("inobhutnahme", "Vorläufige Schutzmaßnahme (§ 42)", "section_42",
            (Category(True, YES, "ja"), Category(False, NO, "nein"))),
)  # fmt: skip

RESULT = Feature(
    "ergebnis", "Ergebnis der Gefährdungseinschätzung", "result",
    _numbered(StatisticResult.choices),
)  # fmt: skip

# Multiple responses: one 0/1 column each.
KINDS = _numbered(EndangermentKind.choices)
NEW_HELP = _numbered(NewHelp.choices)


def mapping_rows() -> list[list[str]]:
    """The mapping sheet: column, feature, code, category (for the per-record file)."""
    rows = [
        ["kommune", "Kommune (Jugendamt)", "", "Name"],
        ["verfahren", "Pseudonyme Verfahrensnummer (UUID)", "", ""],
        ["berichtsjahr", "Berichtsjahr (Abschluss der Gefährdungseinschätzung)", "", "JJJJ"],
        ["abschlussmonat", "Monat des Abschlusses", "", "1–12"],
        ["geburtsmonat", "Geburtsmonat", "", "1–12"],
        ["geburtsjahr", "Geburtsjahr", "", "JJJJ"],
        ["alter", "Alter in Jahren bei Abschluss", "", "0–17"],
    ]
    rows.extend(
        [feature.key, feature.label, str(c.code), c.label]
        for feature in (RESULT, *FEATURES)
        for c in feature.categories
    )
    for prefix, label, cats in (
        ("art_", "Art der Kindeswohlgefährdung (Mehrfachnennung)", KINDS),
        ("hilfe_", "Neu eingeleitete Hilfe (Mehrfachnennung)", NEW_HELP),
    ):
        rows.extend(
            [f"{prefix}{c.value}", f"{label}: {c.label}", "0/1", "1 = ja, 0 = nein"] for c in cats
        )
    return rows
