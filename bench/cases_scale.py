"""Cases benchmarks: the federal § 8a statistic over many procedures, the case list at scale.

Default sizes run in a few minutes (statistics over 100,000 procedures, case list with
20,000 in one team); ``--full`` uses the issue's sizes (1,000,000 and 100,000).
SQLite in a temporary directory, or PostgreSQL from BENCH_DATABASE_URL (the database must
exist and may be emptied). Run: .venv/bin/python bench/cases_scale.py [--full]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="ksqm-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.setdefault("KSQM_VAR_DIR", _tmp)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

CHUNK = 50_000
# Newly started help as stored (comma-separated NewHelp codes), one or two per procedure.
NEW_HELP = ["16_18", "27_32", "33_34", "16_18,27_32", "other"]


def timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    samples.sort()
    return statistics.median(samples), samples[-1]


def populate(muni, team, users, n: int, start, end, rng) -> float:
    """Insert ``n`` procedures with child records by raw ``executemany`` (ORM-free speed).

    Distributions come from cases.demo; only the columns the statistic and the list read
    are filled meaningfully (no persons, no events: the benchmark measures reads).
    """
    import uuid

    from django.core.management.color import no_style
    from django.db.models import Max

    from cases import demo
    from cases.choices import age_group_for
    from cases.models import ChildRecord, Procedure

    ops = connection.ops
    sqlite = connection.vendor == "sqlite"

    def when(value):
        return ops.adapt_datetimefield_value(value) if value is not None else None

    def pick(weighted):
        return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]

    child_cols = [
        "id", "municipality_id", "sex", "birth_year", "birth_month", "age_group",
        "foreign_origin", "german_family_language", "integration_assistance",
        "living_situation", "parent_age_group", "prior_help",
    ]  # fmt: skip
    proc_cols = [
        "id", "code", "municipality_id", "team_id", "file_number", "child_id", "received_at",
        "reporter_category", "channel", "indications", "urgency", "repeated_report",
        "first_contact_due", "assessment_due", "feedback_due", "first_contact_at", "feedback_at",
        "status", "result", "result_at", "kind_neglect", "kind_psychological", "kind_physical",
        "kind_sexual", "danger_source", "section_42", "closed_at", "purge_after", "purged_at",
        "created_by_id", "created_at", "report_code", "family_court_called", "new_help",
        "legal_hold", "legal_hold_reason",
    ]  # fmt: skip

    def insert_sql(table, cols):
        quoted = ", ".join(ops.quote_name(c) for c in cols)
        return f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(cols))})"

    child_sql = insert_sql(ChildRecord._meta.db_table, child_cols)
    proc_sql = insert_sql(Procedure._meta.db_table, proc_cols)
    next_child = (ChildRecord.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    next_proc = (Procedure.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    span = (end - start).total_seconds()
    now = timezone.now()
    created = when(now)
    started = time.perf_counter()
    done = 0
    while done < n:
        size = min(CHUNK, n - done)
        children, procedures = [], []
        for i in range(size):
            k = done + i
            received = start + dt.timedelta(seconds=rng.random() * span)
            low, high, _w = pick([((a, b, w), w) for a, b, w in demo.AGES])
            age = rng.randrange(low, high)
            month = rng.randint(1, 12)
            child_id = next_child + k
            children.append((
                child_id, muni.pk, rng.choice("mmf"), received.year - age, month,
                age_group_for(age), rng.random() < 0.38, rng.random() < 0.75,
                rng.random() < 0.04, pick(demo.LIVING), "27+", rng.random() < 0.3,
            ))  # fmt: skip
            urgency = pick(demo.URGENCIES)
            result = pick(demo.RESULTS)
            reporter = pick(demo.REPORTERS)
            endangered = result in ("acute", "latent")
            first = received + dt.timedelta(hours=rng.uniform(1, 100))
            result_at = first + dt.timedelta(days=rng.lognormvariate(1.6, 0.6))
            decided = result_at <= now
            closed = result_at + dt.timedelta(days=rng.lognormvariate(2.5, 0.8))
            is_closed = decided and closed <= now
            status = "closed" if is_closed else ("decided" if decided else "assessing")
            procedures.append((
                next_proc + k, uuid.uuid4().hex if sqlite else uuid.uuid4(), muni.pk, team.pk,
                f"BENCH-{muni.pk}-{k:07d}", child_id, when(received), reporter, "phone", "",
                urgency, rng.random() < 0.1,
                when(received + dt.timedelta(hours=demo.DEFAULT_FIRST_CONTACT_HOURS[urgency])),
                when(received + dt.timedelta(days=14)), None,
                when(first if first <= now else None), None, status,
                result if decided else "", when(result_at if decided else None),
                decided and endangered and rng.random() < 0.58,
                decided and endangered and rng.random() < 0.35,
                decided and endangered and rng.random() < 0.27,
                decided and endangered and rng.random() < 0.05,
                pick(demo.DANGER) if decided and endangered else "",
                decided and result == "acute" and rng.random() < 0.3,
                when(closed if is_closed else None), None, None, None, created,
                uuid.uuid4().hex if sqlite else uuid.uuid4(),
                decided and endangered and rng.random() < 0.12,
                rng.choice(NEW_HELP) if decided and rng.random() < 0.35 else "",
                False, "",
            ))  # fmt: skip
        # One transaction per chunk: in autocommit SQLite would sync after every row.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(child_sql, children)
            cursor.executemany(proc_sql, procedures)
        done += size
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in ops.sequence_reset_sql(no_style(), [ChildRecord, Procedure]):
                cursor.execute(sql)
    return time.perf_counter() - started


def wipe() -> None:
    """Empty the case tables with plain SQL (an ORM delete would load every row)."""
    from cases import models

    tables = [
        m._meta.db_table
        for m in (
            models.Amendment,
            models.ProcedureEvent,
            models.RiskAssessment,
            models.PersonRecord,
            models.Procedure,
            models.ChildRecord,
        )
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="1,000,000 / 100,000 procedures")
    parser.add_argument("--only", choices=["stats", "list"], default="", help="run one part")
    args = parser.parse_args()
    n_stats = 1_000_000 if args.full else int(os.environ.get("BENCH_STATS", "100000"))
    n_list = 100_000 if args.full else int(os.environ.get("BENCH_LIST", "20000"))

    call_command("migrate", verbosity=0)
    from cases.models import Team, TeamMembership
    from core.choices import Role
    from core.models import Membership
    from core.services import user_create
    from registry.models import Municipality

    wipe()
    rng = random.Random(7)
    year = 2025
    stats_muni, _ = Municipality.objects.get_or_create(
        slug="bench-statistik", defaults={"name": "Bench Statistik"}
    )
    list_muni, _ = Municipality.objects.get_or_create(
        slug="bench-liste", defaults={"name": "Bench Liste"}
    )
    from django.contrib.auth import get_user_model

    def bench_user(name: str, role: str, muni) -> object:
        user = get_user_model().objects.filter(username=name).first() or user_create(
            username=name, password="bench-pass-123"
        )
        Membership.objects.get_or_create(user=user, municipality=muni, role=role)
        return user

    # Separate people per part: the list user's team holds exactly the list's procedures.
    stats_users = [
        bench_user("bench-fk", Role.CASEWORKER, stats_muni),
        bench_user("bench-tl", Role.TEAM_LEAD, stats_muni),
    ]
    list_users = [
        bench_user("bench-liste-fk", Role.CASEWORKER, list_muni),
        bench_user("bench-liste-tl", Role.TEAM_LEAD, list_muni),
    ]
    teams = {}
    for muni, users in ((stats_muni, stats_users), (list_muni, list_users)):
        team, _ = Team.objects.get_or_create(municipality=muni, name="ASD Bench")
        for user in users:
            TeamMembership.objects.get_or_create(team=team, user=user)
        teams[muni.pk] = team

    vendor = connection.vendor
    print(f"database: {vendor}; statistics over {n_stats:,} procedures, list with {n_list:,}")
    if args.only != "list":
        run_statistics(stats_muni, teams[stats_muni.pk], stats_users, n_stats, year, rng, vendor)
    if args.only != "stats":
        run_list(list_muni, teams[list_muni.pk], list_users, n_list, year, rng, vendor)


def run_statistics(stats_muni, team, users, n_stats, year, rng, vendor) -> None:
    import io

    from cases.selectors import statistics_queryset
    from cases.statistics import build_statistics, write_csv, xlsx_bytes
    from core.permissions import SystemActor

    tz = timezone.get_current_timezone()
    # The statistic's year: all procedures were reported in 2025 (results land in 2025/26).
    gen = populate(
        stats_muni, team, users, n_stats,
        dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year, 12, 1, tzinfo=tz), rng,
    )  # fmt: skip
    print(f"generated {n_stats:,} procedures in {gen:.1f} s ({n_stats / gen:,.0f}/s)")
    if vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")

    actor = SystemActor("bench")
    counted = statistics_queryset(user=actor, year=year).count()
    repeat = 3 if n_stats >= 500_000 else 5
    t_build, t_max = timed(
        lambda: build_statistics(statistics_queryset(user=actor, year=year)), repeat
    )
    rows = build_statistics(statistics_queryset(user=actor, year=year))
    t0 = time.perf_counter()
    write_csv(rows, io.StringIO())
    xlsx_bytes(rows, year=year)
    t_write = time.perf_counter() - t0
    t_count, _ = timed(lambda: statistics_queryset(user=actor, year=year).count(), repeat)
    print(
        f"statistics {year}: {counted:,} assessed procedures, {len(rows)} rows; "
        f"aggregate median {t_build:.2f} s (max {t_max:.2f} s), CSV+XLSX {t_write * 1000:.0f} ms"
    )
    print(
        f"  ratio aggregate / plain COUNT(*) of the same rows: {t_build / t_count:.1f}x "
        f"(COUNT {t_count * 1000:.0f} ms); {t_build / max(counted, 1) * 1e6:.2f} µs per procedure"
    )


def run_list(list_muni, team, users, n_list, year, rng, vendor) -> None:
    tz = timezone.get_current_timezone()
    gen = populate(
        list_muni, team, users, n_list,
        dt.datetime(2023, 1, 1, tzinfo=tz), timezone.now() - dt.timedelta(hours=1), rng,
    )  # fmt: skip
    if vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    print(f"generated {n_list:,} procedures in one team in {gen:.1f} s")
    client = Client()
    client.force_login(users[1])
    url = "/verfahren/"
    assert client.get(url).status_code == 200
    results = {}
    for label, query in (
        ("first page", ""),
        ("page 100", "?page=100"),
        ("overdue", "?due=overdue"),
        ("year filter", f"?year={year}"),
    ):
        median, worst = timed(lambda q=query: client.get(url + q), 10)
        results[label] = median
        print(f"case list {label:12s}: median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms")
    floor, _ = timed(lambda: client.get("/start/"), 10)
    print(
        f"  ratio first page / personal start page (framework floor): "
        f"{results['first page'] / floor:.1f}x ({floor * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
