"""The federal § 8a statistic (§ 98 Abs. 1 Nr. 13, § 99 Abs. 6 SGB VIII) from procedures.

One row per commune, feature (Merkmal) and category (Ausprägung), with the total and the
four results as columns — the way the KJH statistic tables are laid out. Counting happens
in the database (one GROUP BY per feature), so a million procedures take seconds.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from cases.choices import (
    AgeGroup,
    DangerSource,
    EndangermentKind,
    LivingSituation,
    ParentAgeGroup,
    ReporterCategory,
    Sex,
    StatisticResult,
)
from cases.models import Procedure

SUPPRESSED = "."  # the statistic's sign for "geheim zu halten"
RESULTS = list(StatisticResult.values)
ENDANGERED = [StatisticResult.ACUTE.value, StatisticResult.LATENT.value]


def _yes_no(value: Any) -> str:
    if value is None:
        return _("unbekannt")
    return _("ja") if value else _("nein")


def _category(label_of: Any, value: Any) -> str:
    if label_of is _yes_no:
        return _yes_no(value)
    return str(label_of(value)) if value not in ("", None) else _("ohne Angabe")


@dataclass
class StatRow:
    municipality: str
    feature: str
    category: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# (feature label, lookup, label function, only acute/latent?)
FEATURES: list[tuple[str, str, Any, bool]] = [
    (
        "Bekanntwerden durch",
        "reporter_category",
        lambda v: ReporterCategory(v).label,
        False,
    ),
    ("Gefährdung ging aus von", "danger_source", lambda v: DangerSource(v).label, True),
    ("Erneute Meldung im Jahr", "repeated_report", _yes_no, False),
    ("Altersgruppe", "child__age_group", lambda v: AgeGroup(v).label, False),
    ("Geschlecht", "child__sex", lambda v: Sex(v).label, False),
    (
        "Aufenthaltsort des Kindes",
        "child__living_situation",
        lambda v: LivingSituation(v).label,
        False,
    ),
    ("Ausländische Herkunft mind. eines Elternteils", "child__foreign_origin", _yes_no, False),
    (
        "In der Familie wird vorrangig Deutsch gesprochen",
        "child__german_family_language",
        _yes_no,
        False,
    ),
    ("Eingliederungshilfe", "child__integration_assistance", _yes_no, False),
    ("Alter der Eltern", "child__parent_age_group", lambda v: ParentAgeGroup(v).label, False),
    ("Inanspruchnahme von Leistungen zu Beginn", "child__prior_help", _yes_no, False),
    ("Vorläufige Schutzmaßnahme (§ 42)", "section_42", _yes_no, False),
]


def build_statistics(queryset: QuerySet[Procedure]) -> list[StatRow]:
    """Aggregate the procedures into the statistic's rows (per commune)."""
    rows: list[StatRow] = []
    names: dict[int, str] = {}

    def grouped(qs: QuerySet, lookup: str | None) -> dict[int, dict[Any, dict[str, int]]]:
        keys = ["municipality_id", "municipality__name", "result"] + ([lookup] if lookup else [])
        out: dict[int, dict[Any, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for rec in qs.order_by().values(*keys).annotate(n=Count("id")):
            names[rec["municipality_id"]] = rec["municipality__name"]
            out[rec["municipality_id"]][rec[lookup] if lookup else None][rec["result"]] = rec["n"]
        return out

    sections: list[tuple[str, dict[int, list[tuple[str, dict[str, int]]]]]] = []
    totals = grouped(queryset, None)
    sections.append(
        (
            "Insgesamt",
            {m: [(_("Verfahren insgesamt"), v[None])] for m, v in totals.items()},
        )
    )
    endangered = queryset.filter(result__in=ENDANGERED)
    kinds: dict[int, list[tuple[str, dict[str, int]]]] = defaultdict(list)
    for kind, field_name in Procedure.KIND_FIELDS.items():
        per = grouped(endangered.filter(**{field_name: True}), None)
        for m in totals:
            kinds[m].append((str(EndangermentKind(kind).label), per.get(m, {}).get(None, {})))
    sections.append(("Art der Kindeswohlgefährdung (Mehrfachnennungen)", kinds))
    for label, lookup, label_of, only_endangered in FEATURES:
        per = grouped(endangered if only_endangered else queryset, lookup)
        section: dict[int, list[tuple[str, dict[str, int]]]] = {}
        for m, values in per.items():
            section[m] = sorted(
                ((_category(label_of, v), c) for v, c in values.items()), key=lambda r: r[0]
            )
        sections.append((label, section))
    for m in sorted(totals, key=lambda m: names[m]):
        for feature, section in sections:
            for category, counts in section.get(m, []):
                rows.append(
                    StatRow(
                        municipality=names[m],
                        feature=feature,
                        category=category,
                        counts={r: counts.get(r, 0) for r in RESULTS},
                    )
                )
    return rows


def header() -> list[str]:
    return ["Kommune", "Merkmal", "Ausprägung", "Insgesamt"] + [
        str(StatisticResult(r).label) for r in RESULTS
    ]


def table(rows: Iterable[StatRow], *, suppress_below: int = 0) -> list[list[Any]]:
    """The rows as cells; counts 1 … suppress_below-1 become '.' (primary suppression)."""

    def cell(n: int) -> Any:
        return SUPPRESSED if suppress_below and 0 < n < suppress_below else n

    return [
        [r.municipality, r.feature, r.category, cell(r.total)]
        + [cell(r.counts[res]) for res in RESULTS]
        for r in rows
    ]


def write_csv(rows: Iterable[StatRow], out: IO[str], *, suppress_below: int = 0) -> None:
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header())
    writer.writerows(table(rows, suppress_below=suppress_below))


def xlsx_bytes(rows: Iterable[StatRow], *, year: int, suppress_below: int = 0) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"§ 8a-Statistik {year}"
    ws.append(header())
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in table(rows, suppress_below=suppress_below):
        ws.append(r)
    ws.append([])
    note = "Gefährdungseinschätzungen nach § 8a Abs. 1 SGB VIII, abgeschlossen im Jahr " + str(year)
    if suppress_below:
        note += f"; Werte unter {suppress_below} geheim gehalten (.)"
    ws.append([note])
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
