"""The federal § 8a statistic (§ 98 Abs. 1 Nr. 13, § 99 Abs. 6 SGB VIII) from procedures.

One row per commune, feature (Merkmal) and category (Ausprägung), with the total and the
four results as columns — the way the KJH statistic tables are laid out. Counting happens
in the database (one GROUP BY per feature), so a million procedures take seconds.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cases import suppression, survey
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
from cases.models import Procedure
from core import exports
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
    ("Anrufung des Familiengerichts", "family_court_called", _yes_no, False),
]
NEW_HELP_FEATURE = "Neu eingeleitete Hilfen (Mehrfachnennungen)"


def _columns(queryset: QuerySet[Procedure], columns: list[str]) -> list[tuple]:
    """The query's columns, fetched with the raw cursor and transposed (one tuple per
    column). Django's per-row value conversion is skipped: booleans may arrive as 0/1,
    which hash and compare like False/True, and no other converted type is read."""
    from django.db import connections

    sql, params = queryset.order_by().values_list(*columns).query.sql_with_params()
    rows: list[tuple] = []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(50_000):
            rows.extend(chunk)
    if not rows:
        return [() for _ in columns]
    return list(zip(*rows, strict=True))


Counts = tuple[
    dict[int, Counter], dict[int, dict[str, Counter]], dict[int, dict[str, Counter]], Any
]


def _empty_counts() -> Counts:
    return (
        defaultdict(Counter),
        defaultdict(lambda: defaultdict(Counter)),
        defaultdict(lambda: defaultdict(Counter)),
        defaultdict(lambda: [defaultdict(Counter) for _ in FEATURES]),
    )


def _domain(lookup: str) -> list[Any]:
    """Every value a feature's column can hold: its choices (or True/False), blank, null."""
    model: Any = Procedure
    *path, name = lookup.split("__")
    for part in path:
        model = model._meta.get_field(part).related_model
    field = model._meta.get_field(name)
    if field.get_internal_type() == "BooleanField":
        values: list[Any] = [True, False]
    else:
        values = [value for value, _label in field.choices or []] + [""]
    if field.null:
        values.append(None)
    return values


def _count_in_database(queryset: QuerySet[Procedure]) -> Counts | None:
    """All counts in one grouped query (commune × result, one conditional count per
    category): the database scans the rows once and returns a handful. None when a
    stored value lies outside the known categories (then the caller counts in Python)."""
    from django.db.models import Count, Q

    aggregates: dict[str, Any] = {"n": Count("id")}
    plan: list[tuple[str, str, Any, Any]] = []  # (alias, kind, key, extra)
    for offset, (kind, field_name) in enumerate(Procedure.KIND_FIELDS.items()):
        alias = f"k{offset}"
        aggregates[alias] = Count("id", filter=Q(**{field_name: True}))
        plan.append((alias, "kind", kind, None))
    aggregates["h_none"] = Count("id", filter=Q(new_help=""))
    plan.append(("h_none", "help", "none", None))
    for offset, code in enumerate(NewHelp.values):
        alias = f"h{offset}"
        aggregates[alias] = Count(
            "id",
            filter=Q(new_help=code)
            | Q(new_help__startswith=f"{code},")
            | Q(new_help__endswith=f",{code}")
            | Q(new_help__contains=f",{code},"),
        )
        plan.append((alias, "help", code, None))
    for index, (_label, lookup, _label_of, _only) in enumerate(FEATURES):
        for offset, value in enumerate(_domain(lookup)):
            alias = f"f{index}_{offset}"
            condition = Q(**{f"{lookup}__isnull": True}) if value is None else Q(**{lookup: value})
            aggregates[alias] = Count("id", filter=condition)
            plan.append((alias, "feature", index, value))
    counts = _empty_counts()
    totals, kinds, helps, features = counts
    endangered = frozenset(ENDANGERED)
    grouped = queryset.order_by().values("municipality_id", "result").annotate(**aggregates)
    for row in grouped:
        municipality_id, result, n = row["municipality_id"], row["result"], row["n"]
        totals[municipality_id][result] += n
        seen: Counter = Counter()
        for alias, kind, key, value in plan:
            count = row[alias]
            if kind == "feature":
                seen[key] += count
                if count and not (FEATURES[key][3] and result not in endangered):
                    features[municipality_id][key][value][result] += count
            elif kind == "help":
                if count:
                    helps[municipality_id][key][result] += count
            elif count and result in endangered:
                kinds[municipality_id][key][result] += count
        if any(seen[index] != n for index in range(len(FEATURES))):
            return None  # a value outside the categories: count it in Python instead
    return counts


def _count_in_python(queryset: QuerySet[Procedure]) -> Counts:
    """The same counts from the rows (raw cursor, one ``Counter`` per column in C)."""
    lookups = [lookup for _, lookup, _, _ in FEATURES]
    kind_fields = list(Procedure.KIND_FIELDS.values())
    columns = ["municipality_id", "result", "new_help", *kind_fields, *lookups]
    data = _columns(queryset, columns)
    munis, results, helps_col = data[0], data[1], data[2]
    counts = _empty_counts()
    totals, kinds, helps, features = counts
    for (municipality_id, result), n in Counter(zip(munis, results, strict=True)).items():
        totals[municipality_id][result] += n
    for (municipality_id, new_help, result), n in Counter(
        zip(munis, helps_col, results, strict=True)
    ).items():
        for code in new_help.split(",") if new_help else ("none",):
            helps[municipality_id][code][result] += n
    endangered = frozenset(ENDANGERED)
    for offset, kind in enumerate(Procedure.KIND_FIELDS):
        column = data[3 + offset]
        for (municipality_id, flag, result), n in Counter(
            zip(munis, column, results, strict=True)
        ).items():
            if flag and result in endangered:
                kinds[municipality_id][kind][result] += n
    first_feature = 3 + len(kind_fields)
    for index, (_label, _lookup, _label_of, only_endangered) in enumerate(FEATURES):
        column = data[first_feature + index]
        for (municipality_id, value, result), n in Counter(
            zip(munis, column, results, strict=True)
        ).items():
            if only_endangered and result not in endangered:
                continue
            # 0/1 from SQLite's raw cursor: the statistic's categories are True/False.
            key = bool(value) if isinstance(value, int) and not isinstance(value, bool) else value
            features[municipality_id][index][key][result] += n
    return counts


def build_statistics(queryset: QuerySet[Procedure], *, in_database: bool = True) -> list[StatRow]:
    """Aggregate the procedures into the statistic's rows (per commune).

    The database counts (one grouped query with a conditional count per category, see
    :func:`_count_in_database`); where a stored value lies outside the known categories,
    or with ``in_database=False``, the rows are counted in Python instead. Both give the
    same rows (tested); bench/cases_law.py has the figures against the peers.
    """
    counts = _count_in_database(queryset) if in_database else None
    if counts is None:
        counts = _count_in_python(queryset)
    totals, kinds, helps, features = counts
    names = dict(Municipality.objects.filter(pk__in=set(totals)).values_list("pk", "name"))
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
        for code in ["none", *NewHelp.values]:
            label = _("keine neue Hilfe") if code == "none" else str(NewHelp(code).label)
            add(municipality_id, NEW_HELP_FEATURE, label, helps[municipality_id][code])
    return rows


def summed(rows: Iterable[StatRow], label: str) -> list[StatRow]:
    """The rows of several communes added up under one ``label`` (cluster, all communes),
    in the order the categories first appear."""
    sums: dict[tuple[str, str], Counter] = {}
    for r in rows:
        sums.setdefault((r.feature, r.category), Counter()).update(r.counts)
    return [
        StatRow(label, feature, category, {res: counts.get(res, 0) for res in RESULTS})
        for (feature, category), counts in sums.items()
    ]


def header() -> list[str]:
    return ["Kommune", "Merkmal", "Ausprägung", "Insgesamt"] + [
        str(StatisticResult(r).label) for r in RESULTS
    ]


def table(rows: Iterable[StatRow], *, suppress_below: int = 0) -> list[list[Any]]:
    """The rows as cells. With ``suppress_below`` counts 1 … suppress_below-1 become '.'
    (primary suppression) and so do the cells that would let a reader recompute them from
    the published totals (complementary suppression, see :mod:`cases.suppression`)."""
    rows = list(rows)
    hidden = suppression.complementary(rows, suppress_below) if suppress_below > 1 else set()
    out = []
    for index, r in enumerate(rows):
        values = [r.total] + [r.counts[res] for res in RESULTS]
        out.append(
            [r.municipality, r.feature, r.category]
            + [SUPPRESSED if (index, col) in hidden else v for col, v in enumerate(values)]
        )
    return out


def write_csv(
    rows: Iterable[StatRow], out: IO[str], *, suppress_below: int = 0, excel: bool = False
) -> None:
    """``;``-separated; ``excel`` starts with a BOM so German Excel keeps the umlauts."""
    if excel:
        out.write(exports.BOM)
    writer = exports.csv_writer(out, delimiter=";")
    writer.writerow(header())
    writer.writerows(table(rows, suppress_below=suppress_below))


def xlsx_bytes(rows: Iterable[StatRow], *, year: int, suppress_below: int = 0) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = f"§ 8a-Statistik {year}"
    ws.append(header())
    for r in exports.safe_rows(table(rows, suppress_below=suppress_below)):
        ws.append(r)
    exports.style_sheet(ws)
    ws.append([])
    note = "Gefährdungseinschätzungen nach § 8a Abs. 1 SGB VIII, abgeschlossen im Jahr " + str(year)
    if suppress_below:
        note += f"; Werte unter {suppress_below} geheim gehalten (.)"
    ws.append([note])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- per-record delivery (one row per child and procedure) --------------------------------


def record_header() -> list[str]:
    """Column names of the per-record file; the first column is the commune, as in the
    aggregate tables. :func:`cases.survey.mapping_rows` documents every code."""
    return [
        "kommune",
        "verfahren",
        "berichtsjahr",
        "abschlussmonat",
        "geburtsmonat",
        "geburtsjahr",
        "alter",
        survey.RESULT.key,
        *[f.key for f in survey.FEATURES],
        *[f"art_{c.value}" for c in survey.KINDS],
        *[f"hilfe_{c.value}" for c in survey.NEW_HELP],
    ]


def _raw_rows(queryset: QuerySet[Procedure], columns: list[str]) -> Iterable[tuple]:
    """The query's rows from the raw cursor, in chunks (no per-value conversion)."""
    from django.db import connections

    sql, params = queryset.values_list(*columns).query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(20_000):
            yield from chunk


def _aware(value: Any) -> Any:
    """A stored datetime as an aware UTC value (SQLite hands back the text it stored)."""
    import datetime as dt

    if isinstance(value, str):
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _code_text(value: Any) -> str:
    """A procedure code in its usual form (SQLite stores 32 hex digits)."""
    if isinstance(value, str) and len(value) == 32:
        # Sliced, not parsed: uuid.UUID per row was a third of the file's coding time.
        h = value.lower()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return str(value)


def record_rows(queryset: QuerySet[Procedure]) -> Iterable[list[Any]]:
    """One coded row per procedure (the survey's unit: child and procedure).

    Codes are looked up in dicts built once; the time zone conversion uses the site's zone
    (the reporting year is the local calendar year of completion).
    """
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    features = survey.FEATURES
    # Every text a row can hold comes from these maps, defused for export once here
    # (exports.safe_cell), so the writers need not look at 30 cells of every row.
    safe = exports.safe_cell
    code_maps = [{c.value: safe(c.code) for c in f.categories} for f in features]
    result_codes = {c.value: safe(c.code) for c in survey.RESULT.categories}
    only_endangered = [f.only_endangered for f in features]
    kind_fields = list(Procedure.KIND_FIELDS.values())
    help_values = [c.value for c in survey.NEW_HELP]
    names = {pk: safe(name) for pk, name in Municipality.objects.values_list("pk", "name")}
    columns = [
        "municipality_id",
        "code",
        "result_at",
        "child__birth_month",
        "child__birth_year",
        "result",
        "new_help",
        *kind_fields,
        *[f.lookup for f in features],
    ]
    n_kinds = len(kind_fields)
    start = 7 + n_kinds
    unknown = safe(survey.UNKNOWN)
    for row in _raw_rows(queryset.order_by("municipality_id", "result_at", "id"), columns):
        done = _aware(row[2]).astimezone(tz)
        month, year = row[3], row[4]
        age = done.year - year - (1 if done.month < month else 0)
        endangered = row[5] in ENDANGERED
        coded = [
            "" if only and not endangered else code_map.get(value, unknown)
            for value, code_map, only in zip(row[start:], code_maps, only_endangered, strict=True)
        ]
        helps = row[6].split(",") if row[6] else ()
        yield [
            names.get(row[0], ""),
            _code_text(row[1]),
            done.year,
            done.month,
            month,
            year,
            age,
            result_codes.get(row[5], ""),
            *coded,
            *[1 if flag else 0 for flag in row[7 : 7 + n_kinds]],
            *[1 if value in helps else 0 for value in help_values],
        ]


def write_records_csv(queryset: QuerySet[Procedure], out: IO[str]) -> int:
    """Write the per-record file as CSV (``;``, German Excel); returns the row count.

    :func:`record_rows` yields cells that are already safe for export (numbers, and texts
    from maps defused once), so the rows go to the C writer in chunks.
    """
    import csv
    from itertools import islice

    exports.csv_writer(out, delimiter=";").writerow(record_header())
    writer = csv.writer(out, delimiter=";")
    rows = iter(record_rows(queryset))
    count = 0
    while chunk := list(islice(rows, 5000)):
        writer.writerows(chunk)
        count += len(chunk)
    return count


def records_xlsx_bytes(queryset: QuerySet[Procedure], *, year: int) -> bytes:
    """The per-record file as XLSX (write-only workbook) with the mapping sheet."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"Einzeldaten {year}")
    ws.append(record_header())
    for row in exports.safe_rows(record_rows(queryset)):
        ws.append(row)
    mapping = wb.create_sheet("Schlüssel")
    mapping.append(["Spalte", "Merkmal", "Schlüssel", "Ausprägung"])
    for row in survey.mapping_rows():
        mapping.append(row)
    mapping.append([])
    mapping.append(["Quelle", survey.SOURCE])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
