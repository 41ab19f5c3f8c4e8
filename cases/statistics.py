"""The federal § 8a statistic (§ 98 Abs. 1 Nr. 13, § 99 Abs. 6 SGB VIII) from procedures.

One row per commune, feature (Merkmal) and category (Ausprägung), with the total and the
four results as columns — the way the KJH statistic tables are laid out. Counting happens
in the database (one GROUP BY per feature), so a million procedures take seconds.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import NotSupportedError
from django.db.models import BigIntegerField, F, Func, QuerySet, TextField
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

logger = logging.getLogger(__name__)

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


# Fetching a million rows of thirty Python objects each was most of the file's time. So the
# rows reach Polars without becoming Python objects: PostgreSQL streams them with COPY into
# Polars' CSV reader, SQLite is read into Arrow by the ADBC driver. The database does as
# little as it can (it runs on one core): no sorting (walking the (commune, completion)
# index to return rows in order cost twice the CPU of a plain scan on SQLite), no casts
# but for nullable columns (a NULL must not decide a column's type). Polars turns every
# value into text, codes the texts with one set of maps for both databases, and sorts.
RECORD_CHUNK = 100_000
SQLITE_BUSY_TIMEOUT_MS = 20_000


class _AsText(Func):
    """A value as text, NULL as the empty text (both databases)."""

    template = "COALESCE(CAST(%(expressions)s AS TEXT), '')"
    output_field = TextField()


class _EpochMicroseconds(Func):
    """A stored timestamp as microseconds since 1970 (UTC), exactly."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list]:
        # SQLite stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC. Its date functions keep
        # milliseconds and round: strftime('%s') of "…:59.9996" is the *next* second. So the
        # whole seconds come from the text without its fraction, and the fraction (padded:
        # ".5" is 500000 microseconds) is added as digits.
        sql, params = compiler.compile(self.get_source_expressions()[0])
        seconds = f"CAST(strftime('%%s', substr({sql}, 1, 19)) AS INTEGER)"
        fraction = f"CAST(substr(substr({sql}, 21) || '000000', 1, 6) AS INTEGER)"
        return f"({seconds} * 1000000 + {fraction})", params * 2

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, list]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"CAST(ROUND(EXTRACT(EPOCH FROM {sql}) * 1000000) AS BIGINT)", params

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list]:
        raise NotSupportedError(
            f"Die Einzeldatenlieferung kennt SQLite und PostgreSQL, nicht {connection.vendor}."
        )


def _text_keys(value: Any) -> list[str]:
    """How a stored value reads as text, from either database and either reader."""
    if value is None:
        return [""]
    if value is True:
        return ["1", "t", "true"]
    if value is False:
        return ["0", "f", "false"]
    return [str(value)]


TRUE_TEXTS = _text_keys(True)


def _nullable(lookup: str) -> bool:
    model: Any = Procedure
    *relations, name = lookup.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name).null


def _text_code_map(categories: Iterable[survey.Category]) -> dict[str, int]:
    return {key: c.code for c in categories for key in _text_keys(c.value)}


def _text_frame(queryset: QuerySet[Procedure], columns: list[str]) -> Any:
    """The columns of the query's rows as a Polars frame of texts, named ``c0``, ``c1``, …"""
    import adbc_driver_manager
    import polars as pl
    from django.db import connections

    names = [f"c{i}" for i in range(len(columns))]
    selected: dict[str, Any] = {}
    for name, column in zip(names, columns, strict=True):
        if column == "result_at":
            selected[name] = _EpochMicroseconds(column)
        elif _nullable(column):
            selected[name] = _AsText(F(column))
        else:
            selected[name] = F(column)

    def sql_of(part: QuerySet[Procedure]) -> tuple[str, Any]:
        return part.order_by().annotate(**selected).values_list(*names).query.sql_with_params()

    connection = connections[queryset.db]
    reader = _reader_for(connection)
    if reader == "copy":
        frame = _text_frame_postgresql(connection, *sql_of(queryset), names)
    elif reader == "adbc":
        parts = [sql_of(part) for part in _id_partitions(queryset)]
        path = str(connection.settings_dict["NAME"])
        try:
            frame = _text_frame_sqlite_file(connection, path, parts, names)
        except adbc_driver_manager.Error:
            logger.warning("per-record file: the ADBC reader failed; reading through Django")
            frame = _text_frame_cursor(connection, *sql_of(queryset), names)
    else:
        frame = _text_frame_cursor(connection, *sql_of(queryset), names)
    return frame.with_columns(pl.all().cast(pl.String))


def _reader_for(connection: Any) -> str:
    """How the rows reach Polars: ``copy`` (PostgreSQL), ``adbc`` (an SQLite file) or
    ``cursor`` (anything else)."""
    if connection.vendor == "postgresql":
        return "copy"
    if (
        connection.vendor == "sqlite"
        and not connection.is_in_memory_db()
        and not connection.in_atomic_block
    ):
        # The driver's own connection reads committed data only: inside a transaction (a
        # caller's atomic block, a test) this connection's rows go through its own cursor.
        return "adbc"
    return "cursor"


def _id_partitions(queryset: QuerySet[Procedure]) -> list[QuerySet[Procedure]]:
    """The query split into id ranges, one per core (at most four), read side by side.

    SQLite answers on one core per connection; the ADBC driver releases Python's lock, so
    two connections read two halves in about half the time.
    """
    import os

    from django.db.models import Max, Min

    bounds = Procedure.objects.using(queryset.db).aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return [queryset]
    count = max(1, min(os.cpu_count() or 1, 4))
    step = (bounds["high"] - bounds["low"]) // count + 1
    return [
        queryset.filter(id__gte=bounds["low"] + i * step, id__lt=bounds["low"] + (i + 1) * step)
        for i in range(count)
    ]


def _text_frame_cursor(connection: Any, sql: str, params: Any, names: list[str]) -> Any:
    """Through the connection's own cursor (a Python object per value: slowest)."""
    import polars as pl

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    # psycopg hands over a uuid.UUID for the procedure code: its text, as COPY writes it.
    plain = (str, int, float, bool, type(None))
    objects = {i for i, value in enumerate(rows[0]) if not isinstance(value, plain)}
    if objects:
        rows = [
            tuple(str(v) if i in objects and v is not None else v for i, v in enumerate(row))
            for row in rows
        ]
    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)


def _text_frame_postgresql(connection: Any, sql: str, params: Any, names: list[str]) -> Any:
    """COPY … TO STDOUT as CSV, parsed by Polars (psycopg binds the parameters)."""
    import polars as pl

    buffer = io.BytesIO()
    copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql, params) as copy:
        for block in copy:
            buffer.write(block)
    if not buffer.getbuffer().nbytes:
        return pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    buffer.seek(0)
    frame = pl.read_csv(buffer, has_header=False, new_columns=names, infer_schema=False)
    return frame.with_columns(pl.all().fill_null(""))


def _text_frame_sqlite_file(
    connection: Any, path: str, statements: list[tuple[str, Any]], names: list[str]
) -> Any:
    """The database file read into Arrow by the ADBC SQLite driver, one connection and one
    thread per statement (the partitions of one query)."""
    from concurrent.futures import ThreadPoolExecutor

    import polars as pl

    literal_statements = [_with_literals(connection, sql, params) for sql, params in statements]
    with ThreadPoolExecutor(max_workers=len(literal_statements)) as pool:
        frames = [f for f in pool.map(lambda sql: _read_sqlite(path, sql), literal_statements)]
    frames = [f.rename(dict(zip(f.columns, names, strict=True))) for f in frames if f.height]
    if not frames:
        return pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    return pl.concat(frames, how="vertical_relaxed")


def _with_literals(connection: Any, sql: str, params: Any) -> str:
    """The statement with its parameters as SQLite literals.

    The driver binds parameters only from Arrow data; SQLite itself quotes them (QUOTE), so
    no value is ever spliced in by hand.
    """
    for value in params:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise TypeError(f"unexpected parameter type {type(value).__name__}")
    literals: tuple = ()
    if params:
        connection.ensure_connection()
        quote = "SELECT " + ", ".join(["QUOTE(?)"] * len(params))
        literals = connection.connection.execute(quote, tuple(params)).fetchone()
    return sql % literals


def _read_sqlite(path: str, sql: str) -> Any:
    import adbc_driver_manager
    import adbc_driver_sqlite
    import polars as pl

    database = adbc_driver_sqlite.connect(path)
    try:
        with (
            adbc_driver_manager.AdbcConnection(database) as adbc_connection,
            adbc_driver_manager.AdbcStatement(adbc_connection) as statement,
        ):
            # A reader in WAL mode may meet a checkpoint for a moment: wait as Django's
            # own connection does (settings: timeout 20 s) instead of failing at once.
            statement.set_sql_query(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            statement.execute_query()
            statement.set_sql_query(sql)
            stream, _rows = statement.execute_query()
            return pl.DataFrame(stream)
    finally:
        database.close()


def record_frame(queryset: QuerySet[Procedure]) -> Any:
    """The per-record file as one Polars frame.

    One coded row per procedure (the survey's unit: child and procedure), columns as
    :func:`record_header`, ordered by commune, completion and id. Texts are already safe
    for export (:func:`core.exports.safe_cell`); an empty cell is null. Completion month
    and year are local (the site's zone): the reporting year is the local calendar year.
    """
    import polars as pl
    from django.utils import timezone

    features = survey.FEATURES
    kind_fields = list(Procedure.KIND_FIELDS.values())
    columns = [
        "municipality_id",
        "code",
        "result_at",
        "id",
        "child__birth_month",
        "child__birth_year",
        "result",
        "new_help",
        *kind_fields,
        *[f.lookup for f in features],
    ]
    frame = _text_frame(queryset, columns)
    raw_of = {column: f"c{i}" for i, column in enumerate(columns)}
    names = {
        str(pk): exports.safe_cell(name) or None
        for pk, name in Municipality.objects.values_list("pk", "name")
    }
    result_codes = {c.value: c.code for c in survey.RESULT.categories}
    endangered_codes = [result_codes[value] for value in ENDANGERED]
    done = (
        pl.from_epoch(pl.col(raw_of["result_at"]).cast(pl.Int64), time_unit="us")
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(timezone.get_current_timezone_name())
    )
    birth_month = pl.col(raw_of["child__birth_month"]).cast(pl.Int64)
    birth_year = pl.col(raw_of["child__birth_year"]).cast(pl.Int64)
    frame = frame.with_columns(
        pl.col(raw_of["municipality_id"]).cast(pl.Int64).alias("_commune"),
        pl.col(raw_of["result_at"]).cast(pl.Int64).alias("_done"),
        pl.col(raw_of["id"]).cast(pl.Int64).alias("_id"),
        done.dt.year().cast(pl.Int64).alias("berichtsjahr"),
        done.dt.month().cast(pl.Int64).alias("abschlussmonat"),
        pl.col(raw_of["result"])
        .replace_strict(result_codes, default=None, return_dtype=pl.Int64)
        .alias(survey.RESULT.key),
    )
    coded = [
        pl.col(raw_of["municipality_id"])
        .replace_strict(names, default=None, return_dtype=pl.String)
        .alias("kommune"),
        _dashed_uuid(pl.col(raw_of["code"])).alias("verfahren"),
        pl.col("berichtsjahr"),
        pl.col("abschlussmonat"),
        birth_month.alias("geburtsmonat"),
        birth_year.alias("geburtsjahr"),
        (
            pl.col("berichtsjahr")
            - birth_year
            - (pl.col("abschlussmonat") < birth_month).cast(pl.Int64)
        ).alias("alter"),
        pl.col(survey.RESULT.key),
    ]
    for feature in features:
        value = pl.col(raw_of[feature.lookup]).replace_strict(
            _text_code_map(feature.categories), default=survey.UNKNOWN, return_dtype=pl.Int64
        )
        if feature.only_endangered:
            value = pl.when(pl.col(survey.RESULT.key).is_in(endangered_codes)).then(value)
        coded.append(value.alias(feature.key))
    for category, kind_field in zip(survey.KINDS, kind_fields, strict=True):
        flag = pl.col(raw_of[kind_field]).is_in(TRUE_TEXTS).cast(pl.Int64)
        coded.append(flag.alias(f"art_{category.value}"))
    for category in survey.NEW_HELP:
        # One of the comma-separated codes, whole (a pattern, not a split into lists: thrice
        # as fast).
        pattern = f"(^|,){re.escape(category.value)}(,|$)"
        flag = pl.col(raw_of["new_help"]).str.contains(pattern).cast(pl.Int64)
        coded.append(flag.alias(f"hilfe_{category.value}"))
    # Sorted once coded: moving thirty small numbers per row is cheaper than the texts.
    order = ["_commune", "_done", "_id"]
    return frame.select(*coded, *order).sort(order).select(record_header())


def _dashed_uuid(column: Any) -> Any:
    """A procedure code in its usual form (SQLite stores 32 hex digits, PostgreSQL dashes)."""
    hexes = column.str.replace_all("-", "", literal=True).str.to_lowercase()
    return hexes.str.replace(UUID_PATTERN, "${1}-${2}-${3}-${4}-${5}")


UUID_PATTERN = r"^(.{8})(.{4})(.{4})(.{4})(.{12})$"


def record_rows(queryset: QuerySet[Procedure]) -> Iterable[list[Any]]:
    """The per-record file row by row (numbers and texts; an empty cell is ``""``)."""
    for row in record_frame(queryset).iter_rows():
        yield ["" if cell is None else cell for cell in row]


def write_records_csv(queryset: QuerySet[Procedure], out: IO[str]) -> int:
    """Write the per-record file as CSV (``;``, German Excel); returns the row count.

    Polars writes the coded frame (quoting as Python's csv module does; an empty cell is
    null, which it leaves unquoted, where an empty text would be quoted); the texts in
    it are already safe for export.
    """
    exports.csv_writer(out, delimiter=";").writerow(record_header())
    frame = record_frame(queryset)
    for part in frame.iter_slices(RECORD_CHUNK):
        out.write(part.write_csv(include_header=False, separator=";", line_terminator="\r\n"))
    return frame.height


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
