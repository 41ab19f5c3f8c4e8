"""Registry benchmarks: page render times with 500 communes, profile parse throughput.

Peers: the list and profile pages are compared with a minimal Django view rendered
through the same stack (the framework's floor), and the parser with merely decoding and
splitting the same files (the I/O floor). Run: .venv/bin/python bench/registry_pages.py
"""

from __future__ import annotations

import os
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
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402

N_COMMUNES = int(os.environ.get("BENCH_COMMUNES", "500"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))


def timed(fn, repeat: int = REPEAT) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def populate() -> str:
    from core.permissions import SYSTEM
    from quality.models import DevelopmentInterest, Outcome, Topic
    from registry.models import Cluster, Institution, Municipality, PopulationCount, State

    states = list(State.objects.all())
    clusters = [Cluster.objects.create(number=100 + i) for i in range(42)]
    munis = Municipality.objects.bulk_create(
        Municipality(
            name=f"Stadt Benchhausen {i:03d}",
            slug=f"benchhausen-{i:03d}",
            body_kind="stadt",
            state=states[i % 16],
            project_role="model" if i % 12 == 0 else "partner",
            cluster=clusters[i % 42],
            highlights="Synthetische Besonderheiten. " * 5,
        )
        for i in range(N_COMMUNES)
    )
    items = []
    for m in munis:
        items += [
            Institution(
                municipality=m,
                name=f"Einrichtung {j}",
                institution_type="school",
                workshop_participant=True,
                position=j,
            )
            for j in range(15)
        ]
    Institution.objects.bulk_create(items)
    for model, n in ((DevelopmentInterest, 4), (Topic, 4), (Outcome, 8)):
        model.objects.bulk_create(
            model(
                municipality=m,
                text=f"Synthetischer Punkt {j} über Gefährdungseinschätzung",
                position=j,
            )
            for m in munis
            for j in range(n)
        )
    PopulationCount.objects.bulk_create(
        PopulationCount(municipality=m, year=2024, age_from=a, age_to=a + 4, sex=s, count=1000)
        for m in munis
        for a in range(0, 80, 5)
        for s in ("f", "m")
    )
    del SYSTEM
    return munis[N_COMMUNES // 2].slug


def floor_view(request):
    return HttpResponse("<html><body>ok</body></html>")


def main() -> None:
    call_command("migrate", verbosity=0)
    slug = populate()
    client = Client()
    print(f"database: {connection.vendor}, communes: {N_COMMUNES}, repeats: {REPEAT}")

    from django.urls import path

    import config.urls as urls

    urls.urlpatterns.append(path("__bench_floor__/", floor_view))
    floor = timed(lambda: client.get("/__bench_floor__/"))
    rows = [
        ("floor: minimal Django view", floor),
        ("commune list, page 1 (50 rows)", timed(lambda: client.get("/kommunen/"))),
        (
            "commune list, search 'bench' (htmx partial)",
            timed(lambda: client.get("/kommunen/?q=bench", headers={"HX-Request": "true"})),
        ),
        (
            "commune list, filter state+role",
            timed(lambda: client.get("/kommunen/?state=NW&role=partner")),
        ),
        ("commune page (full profile)", timed(lambda: client.get(f"/kommunen/{slug}/"))),
        ("API municipalities (all 500)", timed(lambda: client.get("/api/v1/municipalities"), 10)),
        ("API municipality profile", timed(lambda: client.get(f"/api/v1/municipalities/{slug}"))),
        ("start page", timed(lambda: client.get("/"))),
    ]
    print(f"{'page':<46} {'p50 ms':>8} {'p95 ms':>8} {'× floor':>8}")
    for name, (p50, p95) in rows:
        print(f"{name:<46} {p50 * 1000:8.1f} {p95 * 1000:8.1f} {p50 / floor[0]:8.1f}")

    from registry.profile_parser import decode_profile_bytes, parse_profile_text

    files = sorted((ROOT / "registry" / "data" / "seed_profiles").glob("*.txt")) + sorted(
        (ROOT / "registry" / "tests" / "profiles").glob("*.txt")
    )
    blobs = [(str(p), p.read_bytes()) for p in files]
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        for _name, data in blobs:
            data.decode("utf-8", "replace").splitlines()
    floor_s = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(rounds):
        for name, data in blobs:
            parse_profile_text(decode_profile_bytes(data, source=name), source=name)
    parse_s = time.perf_counter() - started
    n = rounds * len(blobs)
    print(
        f"\nprofile parser: {n / parse_s:,.0f} profiles/s over {len(blobs)} files "
        f"({parse_s / n * 1e6:.0f} µs each); decode+split floor {n / floor_s:,.0f}/s; "
        f"parser = {parse_s / floor_s:.0f}× floor"
    )


if __name__ == "__main__":
    main()
