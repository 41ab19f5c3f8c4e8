"""The federal § 8a statistic (§ 98 Abs. 1 Nr. 13, § 99 Abs. 6 SGB VIII) from procedures.

One row per commune, feature (Merkmal) and category (Ausprägung), with the total and the
four results as columns — the way the KJH statistic tables are laid out. Counting happens
in the database (one GROUP BY per feature), so a million procedures take seconds.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db.models import QuerySet
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
from registry.models import Municipality

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
    """Aggregate the procedures into the statistic's rows (per commune).

    One pass over the rows instead of one GROUP BY per feature: the identical tuples are
    counted first (C speed), then spread over the features. On SQLite this is ~10x faster
    than 14 grouped queries with joins; PostgreSQL profits less but loses nothing.
    """
    lookups = [lookup for _, lookup, _, _ in FEATURES]
    kind_fields = list(Procedure.KIND_FIELDS.values())
    columns = ["municipality_id", "result", *kind_fields, *lookups]
    combos = Counter(queryset.order_by().values_list(*columns).iterator(chunk_size=20_000))
    names = dict(
        Municipality.objects.filter(pk__in={c[0] for c in combos}).values_list("pk", "name")
    )
    totals: dict[int, Counter] = defaultdict(Counter)
    kinds: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    features: dict[int, list[dict[Any, Counter]]] = defaultdict(
        lambda: [defaultdict(Counter) for _ in FEATURES]
    )
    n_kinds = len(kind_fields)
    for combo, n in combos.items():
        municipality_id, result = combo[0], combo[1]
        totals[municipality_id][result] += n
        endangered = result in ENDANGERED
        if endangered:
            for kind, flag in zip(Procedure.KIND_FIELDS, combo[2 : 2 + n_kinds], strict=True):
                if flag:
                    kinds[municipality_id][kind][result] += n
        per = features[municipality_id]
        for index, value in enumerate(combo[2 + n_kinds :]):
            if FEATURES[index][3] and not endangered:
                continue
            per[index][value][result] += n
    rows: list[StatRow] = []

    def add(municipality_id: int, feature: str, category: str, counts: Counter) -> None:
        rows.append(
            StatRow(
                municipality=names.get(municipality_id, ""),
                feature=feature,
                category=category,
                counts={r: counts.get(r, 0) for r in RESULTS},
            )
        )

    for municipality_id in sorted(totals, key=lambda m: names.get(m, "")):
        add(municipality_id, "Insgesamt", _("Verfahren insgesamt"), totals[municipality_id])
        for kind in Procedure.KIND_FIELDS:
            add(
                municipality_id,
                "Art der Kindeswohlgefährdung (Mehrfachnennungen)",
                str(EndangermentKind(kind).label),
                kinds[municipality_id][kind],
            )
        for index, (label, _lookup, label_of, _only) in enumerate(FEATURES):
            categories = sorted(
                ((_category(label_of, v), c) for v, c in features[municipality_id][index].items()),
                key=lambda r: r[0],
            )
            for category, counts in categories:
                add(municipality_id, label, category, counts)
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
