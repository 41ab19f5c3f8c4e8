"""Reviews benchmarks: library search, "häufigste Fehler" aggregates, detector, public form.

Sizes: BENCH_LIBRARY items in the learning library (default 20,000), BENCH_FINDINGS
findings in BENCH_REVIEWS reviews over BENCH_COMMUNES communes (50,000 / 5,000 / 400).
Search runs through ``reviews.search`` (icontains over Snowball stems; plus the ``german``
text-search configuration on PostgreSQL with BENCH_DATABASE_URL). Peer: a naive
``icontains`` over the raw text (no stemming; finds fewer items and is the floor).
Run: .venv/bin/python bench/reviews_library.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="ksqm-bench-reviews-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.setdefault("KSQM_VAR_DIR", _tmp)
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

N_LIBRARY = int(os.environ.get("BENCH_LIBRARY", "20000"))
N_FINDINGS = int(os.environ.get("BENCH_FINDINGS", "50000"))
N_REVIEWS = int(os.environ.get("BENCH_REVIEWS", "5000"))
N_COMMUNES = int(os.environ.get("BENCH_COMMUNES", "400"))
QUERIES = int(os.environ.get("BENCH_QUERIES", "100"))

SENTENCES = (
    "Die Hausbesuche fanden nur angekündigt statt",
    "Die Gefährdungseinschätzung wurde nicht im Vier-Augen-Prinzip abgezeichnet",
    "Beim Zuständigkeitswechsel fehlte das Übergabegespräch",
    "Die meldende Kita erhielt keine Rückmeldung",
    "Die Information der Kinderärztin erreichte den ASD nicht",
    "Die Fachkraft war mit zu vielen Fällen belastet",
    "Die Familie wurde nicht in die Einschätzung einbezogen",
    "Das Kind wurde über Wochen nicht gesehen",
    "Die insoweit erfahrene Fachkraft wurde nicht hinzugezogen",
    "Die Dokumentation der Entscheidung fehlte",
    "Die Polizei informierte per Fax an eine alte Nummer",
    "Die Schule war unsicher, ob sie Daten weitergeben darf",
)
QUERY_TERMS = (
    "Hausbesuch",
    "Einschätzungen",
    "Übergabe",
    "Rückmeldung Kita",
    "Kinderärztin",
    "Fälle",
    "Familie einbezogen",
    "Dokumentation",
    "Polizei Fax",
    "Datenschutz",
)
DETECTOR_SAMPLES = (
    "Frau Yilmaz rief am 12.03.2024 an, Tel. 0228 / 77 34 56, Hauptstraße 12.",
    "Die Kita meldete gewichtige Anhaltspunkte, der ASD reagierte nach drei Wochen.",
    "Sohn Kevin Müller, geb. 03.05.2019, Familiengericht 2 F 123/24, Az. 51.2-1234/24.",
    "Keine Rückmeldung an die Schule nach § 4 Abs. 4 KKG; die Leitung war im Urlaub.",
)


def pct(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def populate(rng: random.Random) -> None:
    from registry.models import Municipality, State
    from reviews import search
    from reviews.choices import FindingLevel, LibraryKind, ReviewStatus, ReviewTrigger
    from reviews.models import CaseReview, ErrorCategory, Finding, LibraryItem

    states = list(State.objects.all())
    munis = Municipality.objects.bulk_create(
        Municipality(name=f"Stadt Lernhausen {i:03d}", slug=f"lernhausen-{i:03d}",
                     state=rng.choice(states))
        for i in range(N_COMMUNES)
    )  # fmt: skip
    categories = list(ErrorCategory.objects.all())
    levels = FindingLevel.values
    statuses = [ReviewStatus.RUNNING, ReviewStatus.CLOSED, ReviewStatus.IMPLEMENTED]
    reviews = CaseReview.objects.bulk_create(
        CaseReview(municipality=rng.choice(munis), title=f"Bench-Fall {i}",
                   trigger=rng.choice(ReviewTrigger.values), method="systemic",
                   status=rng.choice(statuses), year=rng.choice((2024, 2025, 2026)))
        for i in range(N_REVIEWS)
    )  # fmt: skip
    findings = Finding.objects.bulk_create(
        (
            Finding(review=rng.choice(reviews), level=rng.choice(levels),
                    category=rng.choice(categories), valence="weakness",
                    text=rng.choice(SENTENCES))
            for _ in range(N_FINDINGS)
        ),
        batch_size=2000,
    )  # fmt: skip
    items = []
    for finding in findings[:N_LIBRARY]:
        text = f"{rng.choice(SENTENCES)}. {rng.choice(SENTENCES)}."
        title = f"{finding.get_level_display()}: {finding.category.label}"
        items.append(
            LibraryItem(kind=LibraryKind.FINDING, finding=finding,
                        municipality_id=finding.review.municipality_id, level=finding.level,
                        category=finding.category, valence="weakness",
                        trigger=finding.review.trigger, title=title, text=text,
                        published_on="2026-01-01",
                        search_text=search.normalise(title, text, finding.category.label))
        )  # fmt: skip
    LibraryItem.objects.bulk_create(items, batch_size=2000)


def timed(fn, repeat: int) -> list[float]:
    out = []
    for i in range(repeat):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    call_command("migrate", verbosity=0)
    from django.test import Client

    from registry.models import Municipality
    from reviews import detector, selectors
    from reviews.models import LibraryItem

    rng = random.Random(6)
    start = time.perf_counter()
    populate(rng)
    print(f"engine: {connection.vendor}")
    print(
        f"populate: {N_COMMUNES} communes, {N_REVIEWS} reviews, {N_FINDINGS} findings, "
        f"{N_LIBRARY} library items in {time.perf_counter() - start:.1f} s"
    )

    def ours(i: int) -> int:
        return len(list(selectors.library_list(q=QUERY_TERMS[i % len(QUERY_TERMS)])[:25]))

    def ours_count(i: int) -> int:
        return selectors.library_list(q=QUERY_TERMS[i % len(QUERY_TERMS)]).count()

    def naive(i: int) -> int:
        term = QUERY_TERMS[i % len(QUERY_TERMS)].split()[0]
        return len(list(LibraryItem.objects.filter(text__icontains=term)[:25]))

    hits_ours = sum(ours_count(i) for i in range(len(QUERY_TERMS)))
    hits_naive = sum(
        LibraryItem.objects.filter(text__icontains=t.split()[0]).count() for t in QUERY_TERMS
    )
    p50, p95 = pct(timed(ours, QUERIES))
    n50, n95 = pct(timed(naive, QUERIES))
    print(f"library search (first page of 25): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"naive icontains peer:              p50 {n50:.1f} ms, p95 {n95:.1f} ms")
    print(f"  ratio ours/naive p50: {p50 / n50:.2f}; recall ours {hits_ours} vs naive "
          f"{hits_naive} matches over {len(QUERY_TERMS)} queries")  # fmt: skip
    f50, f95 = pct(timed(lambda i: list(selectors.library_list(level="team",
                                                                 trigger="near_miss")[:25]),
                         QUERIES))  # fmt: skip
    print(f"library filter level+trigger:      p50 {f50:.1f} ms, p95 {f95:.1f} ms")

    muni = Municipality.objects.filter(slug__startswith="lernhausen-").first()
    national = timed(lambda i: selectors.frequencies(label="x"), 10)
    scoped = timed(lambda i: selectors.frequency_scopes(municipality=muni), 10)
    print(f"frequencies national over {N_FINDINGS} findings: p50 {pct(national)[0]:.0f} ms")
    print(f"frequencies commune vs all others (3 aggregates): p50 {pct(scoped)[0]:.0f} ms")

    texts = [DETECTOR_SAMPLES[i % len(DETECTOR_SAMPLES)] for i in range(20000)]
    start = time.perf_counter()
    flagged = sum(1 for t in texts if detector.detect(t))
    elapsed = time.perf_counter() - start
    print(f"detector: {len(texts) / elapsed:,.0f} texts/s ({flagged} of {len(texts)} flagged)")

    from django.conf import settings

    settings.REVIEWS_INCIDENT_RATE_LIMIT = 10**9
    settings.REVIEWS_INCIDENT_RATE_LIMIT_ALL_COMMUNES = 10**9
    settings.REVIEWS_INCIDENT_MIN_FILL_SECONDS = 0
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    token = client.get(f"/api/v1/incident-reports/form-token?municipality={muni.slug}").json()
    n = 300
    start = time.perf_counter()
    for i in range(n):
        response = client.post(
            "/api/v1/incident-reports",
            data={
                "municipality": muni.slug,
                "what_happened": f"Bench-Meldung {i}",
                "form_token": token["form_token"],
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    elapsed = time.perf_counter() - start
    print(f"public POST /api/v1/incident-reports: {n / elapsed:.0f} reports/s "
          f"({elapsed / n * 1000:.1f} ms each, incl. audit row)")  # fmt: skip


if __name__ == "__main__":
    main()
