"""Network analysis on a 5,000-node network: graph build, metrics, gaps, exports.

A synthetic commune with 5,000 institutions, agreements between 2–4 of them and working
groups of 8–30 members is stored in the database; then the same code the pages use
builds the networkx graph from the database and computes the metrics. Peer: exact
betweenness (what small networks get) against the sampled estimate used above
1,000 nodes, on the same graph, with the overlap of their top-10 brokers.

Run: .venv/bin/python bench/network_metrics.py (temporary SQLite; BENCH_DATABASE_URL for
PostgreSQL). Sizes: BENCH_NODES (default 5000); BENCH_EXACT=0 skips the exact peer.
The first "metrics again" call fills the cache, the second shows a cache hit.
"""

from __future__ import annotations

import atexit
import os
import random
import shutil
import sys
import tempfile
import time
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

import networkx as nx  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

N_NODES = int(os.environ.get("BENCH_NODES", "5000"))
EXACT = os.environ.get("BENCH_EXACT", "1") != "0"


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    print(f"{label:42} {elapsed * 1000:10.1f} ms")
    return result, elapsed


def populate(rng: random.Random):
    from network.models import Agreement, WorkingGroup
    from registry.models import Institution, Municipality, State
    from registry.taxonomy import INSTITUTION_TYPES

    municipality, _ = Municipality.objects.get_or_create(
        slug="bench-netz",
        defaults={"name": "Stadt Netzhausen", "state": State.objects.first()},
    )
    Agreement.objects.filter(municipality=municipality).delete()
    WorkingGroup.objects.filter(municipality=municipality).delete()
    Institution.objects.filter(municipality=municipality).delete()
    types = [t.code for t in INSTITUTION_TYPES if t.code != "municipality"]
    with transaction.atomic():
        Institution.objects.bulk_create(
            [
                Institution(
                    municipality=municipality,
                    name=f"Einrichtung {i:05d}",
                    institution_type=rng.choice(types),
                    workshop_participant=i % 10 == 0,
                )
                for i in range(N_NODES)
            ],
            batch_size=1000,
        )
        ids = list(
            Institution.objects.filter(municipality=municipality).values_list("pk", flat=True)
        )
        # A few hubs (Jugendamt, ASD teams) take part in many agreements: a scale-free flavour.
        hubs = ids[:50]
        agreements = Agreement.objects.bulk_create(
            [
                Agreement(municipality=municipality, title=f"Vereinbarung {i}", kind="cooperation")
                for i in range(N_NODES // 2)
            ],
            batch_size=1000,
        )
        through = Agreement.institutions.through
        links = []
        for agreement in agreements:
            members = set(rng.sample(ids, rng.randint(1, 3)))
            members.add(rng.choice(hubs))
            links += [through(agreement_id=agreement.pk, institution_id=m) for m in members]
        through.objects.bulk_create(links, batch_size=2000)
        groups = WorkingGroup.objects.bulk_create(
            [WorkingGroup(municipality=municipality, name=f"AK {i}") for i in range(N_NODES // 100)]
        )
        member_through = WorkingGroup.members.through
        member_through.objects.bulk_create(
            [
                member_through(workinggroup_id=g.pk, institution_id=m)
                for g in groups
                for m in rng.sample(ids, rng.randint(8, 30))
            ],
            batch_size=2000,
        )
    return municipality


def main() -> None:
    from network import selectors

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    municipality, load_s = timed("load (bulk insert)", lambda: populate(rng))
    print(f"engine: {connection.vendor}")
    graph, build_s = timed(
        "graph from database", lambda: selectors.network_graph(municipality=municipality)
    )
    print(f"nodes {graph.number_of_nodes()}, edges {graph.number_of_edges()}")
    metrics, metrics_s = timed(
        "metrics (sampled betweenness)", lambda: selectors.network_metrics(graph)
    )
    print(
        f"isolated {len(metrics['isolated'])}, "
        f"weakly connected {len(metrics['weakly_connected'])}, "
        f"components {metrics['components']}, cut vertices {len(metrics['cut_vertices'])}"
    )
    timed("metrics again (cache hit)", lambda: selectors.network_metrics_cached(graph))
    timed("metrics again (cache hit)", lambda: selectors.network_metrics_cached(graph))
    timed("gap report § 3 KKG", lambda: selectors.network_gap_report(municipality=municipality))
    timed("GraphML export", lambda: selectors.network_graphml(graph))
    timed("CSV export", lambda: selectors.network_csv(graph))
    timed("DOT source", lambda: selectors.network_dot(graph))
    _, json_s = timed(
        "API document (graph+metrics+gaps)",
        lambda: selectors.network_json(municipality=municipality),
    )
    if EXACT:
        # Exact betweenness is O(n·m): affordable as a reference up to a few thousand
        # nodes; above BENCH_EXACT_MAX the reference is a 10× larger sample instead.
        exact_max = int(os.environ.get("BENCH_EXACT_MAX", "2000"))
        k = selectors.BETWEENNESS_SAMPLE
        if graph.number_of_nodes() <= exact_max:
            label, reference = "peer: exact betweenness", lambda: nx.betweenness_centrality(graph)
        else:
            label = f"peer: betweenness with {10 * k} pivots"
            reference = lambda: nx.betweenness_centrality(graph, k=10 * k, seed=11)  # noqa: E731
        exact, exact_s = timed(label, reference)
        sampled = nx.betweenness_centrality(graph, k=k, seed=7)
        ranked_exact = [n for n, _ in sorted(exact.items(), key=lambda kv: -kv[1])]
        top_sampled = [n for n, _ in sorted(sampled.items(), key=lambda kv: -kv[1])[:10]]
        # Many hubs have near-equal scores, so the order inside the top group is noise;
        # what matters is that the reported brokers belong to the true top group.
        print(
            f"reference / sampled metrics time: {exact_s / metrics_s:.1f}x; "
            f"top-10 shared: {len(set(ranked_exact[:10]) & set(top_sampled))}/10; "
            f"sampled top-5 within reference top-20: "
            f"{len(set(ranked_exact[:20]) & set(top_sampled[:5]))}/5"
        )
    print(f"total page work (build + metrics): {(build_s + metrics_s) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
