"""Quality benchmarks: full-text search and similarity over 50,000 outcomes (p50/p95).

Search runs through ``quality.search.search`` (SQLite FTS5 on our German stems, or
PostgreSQL ``german`` full-text with BENCH_DATABASE_URL). Similarity is the in-memory
TF-IDF index (``quality.search.SimilarityIndex``): build time once, then per-item
queries. Peers: a naive ``icontains`` scan for search (the floor without an index) and
brute-force cosine over all vectors for similarity (what the inverted lists save).
Run: .venv/bin/python bench/quality_search.py   (BENCH_OUTCOMES=50000 by default)
"""

from __future__ import annotations

import math
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
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

N_OUTCOMES = int(os.environ.get("BENCH_OUTCOMES", "50000"))
N_COMMUNES = int(os.environ.get("BENCH_COMMUNES", "400"))
QUERIES = int(os.environ.get("BENCH_QUERIES", "200"))
SIMILAR = int(os.environ.get("BENCH_SIMILAR", "100"))

HEADS = (
    "Gefährdungseinschätzungsbogen", "Risikoeinschätzung", "Kooperationsvereinbarung",
    "Übergabevereinbarung", "Falldokumentation", "Organigramm", "Netzwerkkonferenz",
    "Kinderschutzkonferenz", "Fortbildung", "Leitfaden", "Hausbesuche", "Fallanalyse",
    "Beschwerdemanagement", "Elternbriefe", "Willkommensbesuche", "Fachberatung",
    "Krisenintervention", "Qualitätsstandards", "Dokumentationssystem", "Schutzkonzept",
)  # fmt: skip
MODIFIERS = (
    "stadtweit", "trägerübergreifend", "verbindlich", "standardisiert", "gemeinsam",
    "interdisziplinär", "jährlich aktualisiert", "für Kitas und Schulen", "mit der Polizei",
    "mit dem Familiengericht", "im ASD", "für Hebammen", "mit Kliniken", "in Planung",
)  # fmt: skip
OBJECTS = (
    "für Kinder unter drei Jahren", "bei Vernachlässigung", "nach § 8a SGB VIII",
    "mit insoweit erfahrenen Fachkräften", "für den Zuständigkeitswechsel",
    "zwischen Jugendamt und Gesundheitswesen", "für Frühe Hilfen", "im Vier-Augen-Prinzip",
)  # fmt: skip
QUERY_TERMS = (
    "Einschätzung", "Vereinbarungen", "Konferenz", "Dokumentation", "Hausbesuch",
    "Fortbildungen Polizei", "Frühe Hilfen", "Schutzkonzept Kita", "Familiengericht",
    "Risiko", "Zuständigkeitswechsel", "Fachkräfte",
)  # fmt: skip


def pct(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def populate(rng: random.Random) -> None:
    from quality.models import Outcome
    from registry.models import Cluster, Municipality, State

    states = list(State.objects.all())
    clusters = [Cluster.objects.create(number=500 + i) for i in range(40)]
    munis = Municipality.objects.bulk_create(
        Municipality(
            name=f"Stadt Benchhausen {i:03d}",
            slug=f"benchhausen-{i:03d}",
            state=states[i % 16],
            cluster=clusters[i % 40],
        )
        for i in range(N_COMMUNES)
    )
    statuses = ("planned", "in_progress", "achieved", "discarded")
    rows = []
    for i in range(N_OUTCOMES):
        text = " ".join(
            [
                rng.choice(HEADS),
                rng.choice(MODIFIERS),
                rng.choice(OBJECTS),
                f"(Maßnahme {i})",
            ]
        )
        rows.append(
            Outcome(
                municipality=munis[i % len(munis)],
                text=text,
                status=statuses[i % 4],
                scope="cross_cluster" if i % 9 == 0 else "municipal",
                position=i,
            )
        )
    Outcome.objects.bulk_create(rows, batch_size=5000)


def main() -> None:
    from quality import search
    from quality.models import Outcome

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    started = time.perf_counter()
    populate(rng)
    load = time.perf_counter() - started
    started = time.perf_counter()
    indexed = search.search_index_rebuild()
    rebuild = time.perf_counter() - started
    print(f"engine {connection.vendor}; {N_OUTCOMES} outcomes in {N_COMMUNES} communes")
    print(f"load {load:.1f} s; search index rebuild ({indexed} rows) {rebuild:.1f} s")

    # Full-text search
    queries = [rng.choice(QUERY_TERMS) for _ in range(QUERIES)]
    samples, floor, hits = [], [], []
    for q in queries:
        t = time.perf_counter()
        found = search.search(query=q, limit=50)
        samples.append(time.perf_counter() - t)
        hits.append(len(found))
    for q in queries[: max(20, QUERIES // 10)]:
        t = time.perf_counter()
        list(Outcome.objects.filter(text__icontains=q.split()[0])[:50])
        floor.append(time.perf_counter() - t)
    filtered = []
    for q in queries[:50]:
        t = time.perf_counter()
        search.search(query=q, status="achieved", scope="municipal", state="NW", limit=50)
        filtered.append(time.perf_counter() - t)
    p50, p95 = pct(samples)
    f50, f95 = pct(floor)
    g50, g95 = pct(filtered)
    print(
        f"search: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms "
        f"(mean hits {statistics.mean(hits):.0f}, limit 50)"
    )
    print(
        f"search with filters (status, scope, state): "
        f"p50 {g50 * 1000:.1f} ms, p95 {g95 * 1000:.1f} ms"
    )
    print(
        f"peer icontains scan (no stemming): p50 {f50 * 1000:.1f} ms, p95 {f95 * 1000:.1f} ms; "
        f"ratio search/scan p50 {p50 / f50:.2f}"
    )

    # Similarity
    started = time.perf_counter()
    index = search.similarity_index()
    build = time.perf_counter() - started
    ids = list(Outcome.objects.values_list("pk", flat=True))
    sample = [Outcome.objects.get(pk=pk) for pk in rng.sample(ids, SIMILAR)]
    samples = []
    for outcome in sample:
        t = time.perf_counter()
        search.similar_items(item=outcome, limit=5)
        samples.append(time.perf_counter() - t)
    s50, s95 = pct(samples)
    print(
        f"similarity index build: {build:.1f} s "
        f"({len(index.docs)} documents, {len(index.postings)} features)"
    )
    print(
        f"similarity query (top 5, other communes): "
        f"p50 {s50 * 1000:.1f} ms, p95 {s95 * 1000:.1f} ms"
    )

    # Peer: brute-force cosine over every document vector for a few items.
    from quality import german

    vectors = [
        index._weigh(german.features(t)) for t in Outcome.objects.values_list("text", flat=True)
    ]
    brute = []
    for outcome in sample[:10]:
        t = time.perf_counter()
        q = index._weigh(german.features(outcome.text))
        scores = [sum(w * v.get(f, 0.0) for f, w in q.items()) for v in vectors]
        sorted(range(len(scores)), key=scores.__getitem__, reverse=True)[:5]
        brute.append(time.perf_counter() - t)
    b50, _ = pct(brute)
    print(
        f"peer brute-force cosine: p50 {b50 * 1000:.1f} ms; "
        f"ratio inverted/brute p50 {s50 / b50:.3f} ({math.ceil(b50 / s50)}× faster)"
    )


if __name__ == "__main__":
    main()
