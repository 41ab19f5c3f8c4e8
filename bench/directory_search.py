"""Directory search over 20,000 offers: p50/p95 per query (SQLite FTS5 or PostgreSQL).

What is timed is what the public search page does per request: the count and the first
page of 25 results for one set of filters. The peer is a naive ``icontains`` search over
name and description (no index, no stemming), the obvious alternative to full text.

Run: .venv/bin/python bench/directory_search.py            (temporary SQLite file)
     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ksqm_bench \\
         .venv/bin/python bench/directory_search.py        (PostgreSQL; database must exist)
Sizes: BENCH_SERVICES (default 20000), BENCH_REPEAT (default 30).
"""

from __future__ import annotations

import atexit
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="ksqm-bench-")
atexit.register(shutil.rmtree, _tmp, ignore_errors=True)  # the temporary SQLite database
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.setdefault("KSQM_VAR_DIR", _tmp)
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

N_SERVICES = int(os.environ.get("BENCH_SERVICES", "20000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))

WORDS = [
    "Beratung",
    "Hebamme",
    "Elterncafé",
    "Krabbelgruppe",
    "Familienhebamme",
    "Schwangerschaftsberatung",
    "Säuglinge",
    "Kleinkinder",
    "Eltern",
    "Väter",
    "Alleinerziehende",
    "Stillgruppe",
    "Babymassage",
    "Kurs",
    "Hausbesuch",
    "Begleitung",
    "Erziehung",
    "Entwicklung",
    "Frühförderung",
    "Sprachmittlung",
    "Treffpunkt",
    "Familienzentrum",
    "Stadtteil",
    "Patenschaft",
    "Willkommensbesuch",
    "Gesundheit",
    "Ernährung",
    "Schlaf",
    "Bewegung",
    "Spielgruppe",
    "Austausch",
    "Unterstützung",
    "Alltag",
    "Kinderbetreuung",
    "Vorsorge",
]
DISTRICTS = ("Mitte", "Nord", "Süd", "Ost", "West", "Altstadt", "Neustadt", "Hafen")


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def synthetic_services(rng: random.Random, munis: list, n_services: int, terms: list):
    """``n_services`` unsaved synthetic offers spread over ``munis``, each with two target
    groups from ``terms`` (returned beside them) and its search document built."""
    from directory.models import Service

    services, chosen = [], []
    for n in range(n_services):
        name_words = rng.sample(WORDS, 2)
        text_words = rng.choices(WORDS, k=18)
        min_age = rng.choice((None, 0, 0, 1, 3))
        service = Service(
            municipality=munis[n % len(munis)],
            name=f"{name_words[0]} {name_words[1]} {n}",
            provider_name=f"Demo Träger {n % 300}",
            description=" ".join(text_words),
            min_age=min_age,
            max_age=None if min_age is None else min_age + rng.choice((1, 3, 6)),
            languages=rng.choice((",de,", ",de,en,", ",de,tr,", ",ar,de,")),
            is_free=rng.random() < 0.7,
            district=rng.choice(DISTRICTS),
            # A fifth of the offers at a postcode of the local table (distance search).
            postcode="53225" if n % 5 == 0 else "",
            latitude=Decimal("50.738") + Decimal(n % 97) / 10000 if n % 5 == 0 else None,
            longitude=Decimal("7.129") + Decimal(n % 89) / 10000 if n % 5 == 0 else None,
            synthetic=True,
        )
        groups = rng.sample(terms, 2)
        service.search_document = service.build_search_document([t.name for t in groups])
        services.append(service)
        chosen.append(groups)
    return services, chosen


def populate(rng: random.Random) -> tuple[float, float]:
    from directory import search
    from directory.models import Service, TaxonomyTerm
    from registry.models import Municipality, State

    Service.objects.all().delete()
    state = State.objects.first()
    munis = [
        Municipality.objects.get_or_create(
            slug=f"bench-fh-{i}", defaults={"name": f"Stadt Benchhausen {i}", "state": state}
        )[0]
        for i in range(8)
    ]
    terms = list(TaxonomyTerm.objects.all())
    started = time.perf_counter()
    with transaction.atomic():
        services, chosen = synthetic_services(rng, munis, N_SERVICES, terms)
        Service.objects.bulk_create(services, batch_size=1000)
        pks = dict(Service.objects.values_list("code", "pk"))
        through = Service.target_groups.through
        through.objects.bulk_create(
            [
                through(service_id=pks[service.code], taxonomyterm_id=term.pk)
                for service, groups in zip(services, chosen, strict=True)
                for term in groups
            ],
            batch_size=2000,
        )
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        search.rebuild_index()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE directory_service")
    return loaded, time.perf_counter() - started


def main() -> None:
    from directory.models import Service
    from directory.selectors import ServiceFilters, service_search

    call_command("migrate", verbosity=0)
    rng = random.Random(42)
    loaded, indexed = populate(rng)
    print(f"engine: {connection.vendor}, {N_SERVICES} offers")
    print(f"load {loaded:.1f} s, full-text index {indexed:.1f} s")

    queries = [
        ("no filter", ServiceFilters()),
        ("q=Hebamme", ServiceFilters(q="Hebamme")),
        ("q=Säuglinge", ServiceFilters(q="Säuglinge")),
        ("q=Beratung Schwangere", ServiceFilters(q="Beratung Schwangere")),
        ("q=Heb (typing)", ServiceFilters(q="Heb")),
        # Synonym groups and question words (directory.vocabulary): OR groups per word.
        ("q=midwife (synonyms)", ServiceFilters(q="midwife")),
        ("q=Ich suche eine Hebamme", ServiceFilters(q="Ich suche eine Hebamme")),
        ("q=Krabbelgruppe (synonyms)", ServiceFilters(q="Krabbelgruppe")),
        ("target_group=saeugling", ServiceFilters(target_group="saeugling")),
        ("age=2 free", ServiceFilters(age=2, free=True)),
        ("near=53225 5 km", ServiceFilters(near="53225", radius_km=5)),
        ("q=Beratung near=53225", ServiceFilters(q="Beratung", near="53225")),
        (
            "q=Familie district language",
            ServiceFilters(q="Familie", district="Nord", language="tr"),
        ),
        ("q=Kurs municipality", ServiceFilters(q="Kurs", municipality="bench-fh-3")),
    ]

    def page(filters: ServiceFilters) -> int:
        qs = service_search(filters)
        count = qs.count()
        list(qs[:25])
        return count

    def naive(text: str) -> int:
        qs = Service.objects.all()
        for word in text.split():
            qs = qs.filter(Q(name__icontains=word) | Q(description__icontains=word))
        qs = qs.order_by("name", "pk")
        count = qs.count()
        list(qs[:25])
        return count

    print(f"{'query':34} {'hits':>6} {'p50 ms':>8} {'p95 ms':>8}   naive icontains p50 / ratio")
    for label, filters in queries:
        page(filters)  # warm up
        samples = []
        hits = 0
        for _ in range(REPEAT):
            started = time.perf_counter()
            hits = page(filters)
            samples.append(time.perf_counter() - started)
        p50, p95 = statistics.median(samples), pct(samples, 0.95)
        peer = ""
        if filters.q and not (filters.district or filters.municipality or filters.near):
            naive_samples = []
            naive_hits = 0
            for _ in range(max(5, REPEAT // 3)):
                started = time.perf_counter()
                naive_hits = naive(filters.q)
                naive_samples.append(time.perf_counter() - started)
            n50 = statistics.median(naive_samples)
            peer = f"{n50 * 1000:8.1f} ms ({naive_hits} hits) / {n50 / p50:5.1f}x"
        print(f"{label:34} {hits:6d} {p50 * 1000:8.1f} {p95 * 1000:8.1f}   {peer}")


if __name__ == "__main__":
    main()
