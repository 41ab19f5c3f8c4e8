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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

CHUNK = 50_000


def timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    samples.sort()
    return statistics.median(samples), samples[-1]


def populate(muni, team, users, n: int, start, end, rng) -> float:
    from cases.demo import build_procedures

    started = time.perf_counter()
    done = 0
    while done < n:
        size = min(CHUNK, n - done)
        build_procedures(
            rng=rng,
            municipality=muni,
            teams=[team],
            users=users,
            count=size,
            start=start,
            end=end,
            now=timezone.now(),
            with_details=False,
            number_offset=done,
        )
        done += size
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="1,000,000 / 100,000 procedures")
    args = parser.parse_args()
    n_stats = 1_000_000 if args.full else int(os.environ.get("BENCH_STATS", "100000"))
    n_list = 100_000 if args.full else int(os.environ.get("BENCH_LIST", "20000"))

    call_command("migrate", verbosity=0)
    from cases.models import Procedure, Team, TeamMembership
    from cases.selectors import statistics_queryset
    from cases.statistics import build_statistics, write_csv, xlsx_bytes
    from core.choices import Role
    from core.models import Membership
    from core.permissions import SystemActor
    from core.services import user_create
    from registry.models import Municipality

    Procedure.objects.all().delete()
    rng = random.Random(7)
    tz = timezone.get_current_timezone()
    year = 2025
    stats_muni, _ = Municipality.objects.get_or_create(
        slug="bench-statistik", defaults={"name": "Bench Statistik"}
    )
    list_muni, _ = Municipality.objects.get_or_create(
        slug="bench-liste", defaults={"name": "Bench Liste"}
    )
    users = []
    for name, role in (("bench-fk", Role.CASEWORKER), ("bench-tl", Role.TEAM_LEAD)):
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=name).first() or user_create(
            username=name, password="bench-pass-123"
        )
        for muni in (stats_muni, list_muni):
            Membership.objects.get_or_create(user=user, municipality=muni, role=role)
        users.append(user)
    teams = {}
    for muni in (stats_muni, list_muni):
        team, _ = Team.objects.get_or_create(municipality=muni, name="ASD Bench")
        for user in users:
            TeamMembership.objects.get_or_create(team=team, user=user)
        teams[muni.pk] = team

    vendor = connection.vendor
    print(f"database: {vendor}; statistics over {n_stats:,} procedures, list with {n_list:,}")
    # The statistic's year: all procedures were reported in 2025 (results land in 2025/26).
    gen = populate(
        stats_muni, teams[stats_muni.pk], users, n_stats,
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
    import io

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

    gen = populate(
        list_muni, teams[list_muni.pk], users, n_list,
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
