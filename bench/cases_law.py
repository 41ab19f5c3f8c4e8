"""Issue 16 benchmarks: the § 8a statistic and its per-record file at scale, the key
figures with suppression, and person-index matching against many indexed persons.

Peers, named: the statistic against a naive per-row Python count and against Polars
(fetch the same columns, ``group_by`` per feature); the per-record file against a
row-by-row Python coder from the raw cursor (the first version; the output must be
identical byte for byte); the person index (keyed blind index, one indexed
lookup) against decrypting every stored name to compare (what encrypted names without a
blind index need) and against a Polars scan of *plaintext* names (what an unencrypted
system does).

Default sizes run in about a minute (100,000 procedures in 10 communes, 50,000 persons);
``--full`` uses the issue's sizes (1,000,000 procedures in 20 communes, 500,000 persons).
SQLite in a temporary directory, or PostgreSQL from BENCH_DATABASE_URL.
Run: .venv/bin/python bench/cases_law.py [--full] [--only stats|index] [--keep-data]
(``--keep-data`` with KSQM_VAR_DIR or BENCH_DATABASE_URL set reuses the generated
procedures of an earlier run: generating a million takes 4–8 minutes.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cases_scale  # noqa: E402  (sets up Django with the bench database)
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

timed = cases_scale.timed


def _communes(n: int):
    from cases.models import Team
    from registry.models import Municipality

    out = []
    for i in range(n):
        muni, _ = Municipality.objects.get_or_create(
            slug=f"bench-kommune-{i:02d}", defaults={"name": f"Bench Kommune {i:02d}"}
        )
        team, _ = Team.objects.get_or_create(municipality=muni, name="ASD Bench")
        out.append((muni, team))
    return out


def run_statistics(n_total: int, n_communes: int, *, keep_data: bool = False) -> None:
    import polars as pl

    from cases import aggregates, statistics
    from cases.selectors import statistics_queryset
    from core.permissions import SystemActor

    rng = random.Random(16)
    tz = timezone.get_current_timezone()
    year = 2025
    from cases.models import Procedure

    started = time.perf_counter()
    communes = _communes(n_communes)
    present = Procedure.objects.count()
    if keep_data and present == n_total:
        print(f"kept the {present:,} procedures of an earlier run (--keep-data)")
    else:
        if present:
            cases_scale.wipe()
        for muni, team in communes:
            cases_scale.populate(
                muni, team, [], n_total // n_communes,
                dt.datetime(year - 1, 6, 1, tzinfo=tz), dt.datetime(year, 12, 1, tzinfo=tz), rng,
            )  # fmt: skip
        gen = time.perf_counter() - started
        print(f"generated {n_total:,} procedures in {n_communes} communes in {gen:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    actor = SystemActor("bench")

    def qs():
        return statistics_queryset(user=actor, year=year)

    counted = qs().count()
    repeat = 3

    # Ours: identical tuples counted in C, then spread over the features.
    t_ours, t_ours_max = timed(lambda: statistics.build_statistics(qs()), repeat)

    lookups = [lookup for _label, lookup, _f, _only in statistics.FEATURES]
    kind_fields = list(statistics.Procedure.KIND_FIELDS.values())
    columns = ["municipality_id", "result", "new_help", *kind_fields, *lookups]

    def naive() -> dict:
        counts: dict = {}
        for row in qs().order_by().values_list(*columns).iterator(chunk_size=20_000):
            muni, result = row[0], row[1]
            for index, value in enumerate(row[2:]):
                key = (muni, index, value, result)
                counts[key] = counts.get(key, 0) + 1
        return counts

    def polars() -> list:
        rows = list(qs().order_by().values_list(*columns).iterator(chunk_size=20_000))
        frame = pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=1000)
        return [
            frame.group_by(["municipality_id", column, "result"]).len() for column in columns[2:]
        ]

    t_columns, _ = timed(lambda: statistics.build_statistics(qs(), in_database=False), 1)
    t_naive, _ = timed(naive, 1)
    t_polars, _ = timed(polars, repeat)
    print(
        f"statistic {year}: {counted:,} assessed procedures; ours (one grouped query with "
        f"conditional counts) median {t_ours:.2f} s (max {t_ours_max:.2f}); our Python "
        f"column path {t_columns:.2f} s ({t_columns / t_ours:.1f}x); "
        f"naive Python {t_naive:.2f} s ({t_naive / t_ours:.1f}x ours); "
        f"Polars fetch+group_by {t_polars:.2f} s ({t_polars / t_ours:.1f}x ours)"
    )

    rows = statistics.build_statistics(qs())
    t_table, _ = timed(lambda: statistics.table(rows, suppress_below=3), repeat)
    t0 = time.perf_counter()
    buffer = io.StringIO()
    statistics.write_csv(rows, buffer, suppress_below=3)
    statistics.xlsx_bytes(rows, year=year, suppress_below=3)
    t_write = time.perf_counter() - t0
    print(
        f"  tables: {len(rows):,} rows; complementary suppression {t_table * 1000:.0f} ms; "
        f"CSV+XLSX with suppression {t_write * 1000:.0f} ms; "
        f"aggregate+suppress+export {t_ours + t_table + t_write:.2f} s (target < 5 s)"
    )

    # Key figures of the project team: every commune, their sum, this and last year.
    (scope,) = aggregates.scopes_for_user(user=actor)
    t_figures, _ = timed(lambda: aggregates.scope_figures(scope=scope, year=year), 1)
    print(f"  key figures, all {n_communes} communes + sum, two years: {t_figures:.2f} s")

    # Per-record delivery: one coded row per procedure.
    reader = statistics._reader_for(connection)
    t_records, t_records_max = timed(
        lambda: statistics.write_records_csv(qs(), io.StringIO()), repeat
    )
    t_frame, _ = timed(lambda: statistics.record_frame(qs()), 1)
    frame = statistics.record_frame(qs())
    t_write, _ = timed(lambda: frame.write_csv(separator=";", line_terminator="\r\n"), 1)
    t_python, _ = timed(lambda: python_rows_csv(qs(), io.StringIO()), 1)
    ours = io.StringIO()
    statistics.write_records_csv(qs(), ours)
    peer = io.StringIO()
    python_rows_csv(qs(), peer)
    same = "identical" if ours.getvalue() == peer.getvalue() else "DIFFERENT"
    print(
        f"  per-record file: {frame.height:,} rows, {len(ours.getvalue()) / 1e6:.0f} MB CSV; "
        f"ours ({reader} reader, Polars coding) median {t_records:.2f} s "
        f"(max {t_records_max:.2f}; read+code {t_frame:.2f} s, write {t_write:.2f} s; "
        f"target < 5 s); row-by-row Python coder from the raw cursor (wave 2's first "
        f"version) {t_python:.2f} s ({t_python / t_records:.1f}x ours); output {same}"
    )


def python_rows_csv(queryset, out) -> int:
    """The peer: every row fetched as Python objects and coded cell by cell (dict lookups
    built once), written by the csv module. Same file, byte for byte."""
    import csv

    from cases import survey
    from cases.models import Procedure
    from cases.statistics import record_header
    from core import exports
    from registry.models import Municipality

    tz = timezone.get_current_timezone()
    safe = exports.safe_cell
    features = survey.FEATURES
    code_maps = [{c.value: safe(c.code) for c in f.categories} for f in features]
    result_codes = {c.value: c.code for c in survey.RESULT.categories}
    only_endangered = [f.only_endangered for f in features]
    kind_fields = list(Procedure.KIND_FIELDS.values())
    help_values = [c.value for c in survey.NEW_HELP]
    names = {pk: safe(name) for pk, name in Municipality.objects.values_list("pk", "name")}
    endangered_values = ["acute", "latent"]
    columns = [
        "municipality_id", "code", "result_at", "child__birth_month", "child__birth_year",
        "result", "new_help", *kind_fields, *[f.lookup for f in features],
    ]  # fmt: skip
    n_kinds = len(kind_fields)
    start = 7 + n_kinds
    writer = csv.writer(out, delimiter=";")
    exports.csv_writer(out, delimiter=";").writerow(record_header())
    ordered = queryset.order_by("municipality_id", "result_at", "id").values_list(*columns)
    count = 0
    for row in ordered.iterator(chunk_size=20_000):
        done = row[2].astimezone(tz)
        month, year = row[3], row[4]
        endangered = row[5] in endangered_values
        code = str(row[1])
        writer.writerow(
            [
                names.get(row[0], ""), code, done.year, done.month, month, year,
                done.year - year - (1 if done.month < month else 0),
                result_codes.get(row[5], ""),
                *[
                    "" if only and not endangered else code_map.get(value, survey.UNKNOWN)
                    for value, code_map, only in zip(
                        row[start:], code_maps, only_endangered, strict=True
                    )
                ],
                *[1 if flag else 0 for flag in row[7 : 7 + n_kinds]],
                *[1 if value in (row[6].split(",") if row[6] else ()) else 0
                  for value in help_values],
            ]
        )  # fmt: skip
        count += 1
    return count


def run_index(n_persons: int) -> None:
    import uuid

    import polars as pl

    from cases import person_index
    from cases.models import IndexedPerson
    from core import fields

    muni, _team = _communes(1)[0]
    rng = random.Random(500)
    first = ["Mia", "Lea", "Ben", "Noah", "Emma", "Paul", "Lina", "Finn", "Ida", "Elias"]
    last = ["Muster", "Beispiel", "Demo", "Probe", "Test", "Schmidt-Demo", "Müller-Demo"]

    def letters(i: int) -> str:
        # Digits vanish in the normalised name: a unique suffix in letters instead.
        out = ""
        for _ in range(4):
            i, r = divmod(i, 26)
            out += chr(97 + r)
        return out

    people = []
    for i in range(n_persons):
        name = f"{rng.choice(first)} {rng.choice(last)}-{letters(i)}"
        born = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(17 * 365))
        people.append((name, born.isoformat()))
    label = IndexedPerson._meta.label_lower
    ops = connection.ops
    cols = ["code", "municipality_id", "name", "birth_date", "blind_index", "key_id",
            "created_at"]  # fmt: skip
    sql = (
        f"INSERT INTO {IndexedPerson._meta.db_table} "  # noqa: S608 – fixed identifiers
        f"({', '.join(ops.quote_name(c) for c in cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
    )
    key = person_index.key_id()
    now = ops.adapt_datetimefield_value(timezone.now())
    sqlite = connection.vendor == "sqlite"
    started = time.perf_counter()
    for offset in range(0, n_persons, 20_000):
        batch = []
        for name, born in people[offset : offset + 20_000]:
            code = uuid.uuid4()
            batch.append(
                (
                    code.hex if sqlite else code,
                    muni.pk,
                    fields.seal(name, label_lower=label, field_name="name", row_code=code),
                    fields.seal(born, label_lower=label, field_name="birth_date", row_code=code),
                    person_index.blind_index(municipality_id=muni.pk, name=name, birth_date=born),
                    key,
                    now,
                )
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
    gen = time.perf_counter() - started
    print(f"indexed {n_persons:,} persons (sealed name and birth date, blind index) in {gen:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")

    # Intakes: half of them a child already in the index (written differently), half new.
    probes = []
    for i in range(200):
        name, born = people[rng.randrange(n_persons)]
        if i % 2:
            name = ", ".join(reversed(name.upper().split(" ", 1)))  # "MUSTER-…, MIA"
        else:
            name, born = f"Neu Kind-{letters(i)}", "2015-05-05"
        probes.append((name, born))

    def ours() -> int:
        hits = 0
        for name, born in probes:
            value = person_index.blind_index(municipality_id=muni.pk, name=name, birth_date=born)
            hits += len(list(IndexedPerson.objects.filter(municipality=muni, blind_index=value)))
        return hits

    hits = ours()
    t_ours, _ = timed(ours, 3)
    per = t_ours / len(probes)
    print(
        f"person index: {len(probes)} intakes against {n_persons:,} persons, {hits} found; "
        f"{per * 1000:.2f} ms per intake (blind index + indexed lookup)"
    )

    # Peer 1: no blind index, names encrypted: decrypt every stored person and compare.
    sample = list(
        IndexedPerson.objects.filter(municipality=muni).order_by("pk")[: min(20_000, n_persons)]
    )
    t0 = time.perf_counter()
    for person in sample:
        _ = (person_index.normalise_name(person.name), person.birth_date)
    t_decrypt = (time.perf_counter() - t0) / len(sample) * n_persons
    print(
        f"  peer decrypt-and-compare: {t_decrypt:.1f} s per intake "
        f"(measured on {len(sample):,}, scaled to {n_persons:,}); "
        f"{t_decrypt / per:,.0f}x ours"
    )

    # Peer 2: plaintext names (no encryption at all), scanned with Polars.
    frame = pl.DataFrame(
        {
            "name": [person_index.normalise_name(n) for n, _b in people],
            "birth_date": [b for _n, b in people],
        }
    )

    def polars_scan() -> int:
        found = 0
        for name, born in probes:
            target = person_index.normalise_name(name)
            found += frame.filter(
                (pl.col("name") == target) & (pl.col("birth_date") == born)
            ).height
        return found

    assert polars_scan() == hits
    t_scan, _ = timed(polars_scan, 3)
    scan_per = t_scan / len(probes)
    print(
        f"  peer Polars scan of plaintext names: {scan_per * 1000:.2f} ms per intake "
        f"({scan_per / per:.1f}x ours) — and it keeps names in plaintext"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="1,000,000 procedures, 500,000 persons")
    parser.add_argument("--only", choices=["stats", "index"], default="")
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="reuse procedures of an earlier run in KSQM_VAR_DIR / BENCH_DATABASE_URL",
    )
    args = parser.parse_args()
    n_stats = 1_000_000 if args.full else int(os.environ.get("BENCH_STATS", "100000"))
    n_communes = 20 if args.full else 10
    n_persons = 500_000 if args.full else int(os.environ.get("BENCH_PERSONS", "50000"))
    call_command("migrate", verbosity=0)
    if not args.keep_data:
        cases_scale.wipe()
    from cases.models import IndexedPerson

    IndexedPerson.objects.all().delete()
    print(f"database: {connection.vendor}; load: {os.getloadavg()[0]:.2f}")
    if args.only != "index":
        run_statistics(n_stats, n_communes, keep_data=args.keep_data)
    if args.only != "stats":
        run_index(n_persons)


if __name__ == "__main__":
    main()
