"""Evaluation benchmark: aggregating 100,000 answers of one round (and of a comparison).

Three ways to the same figures (means, spread, distribution per statement and per
institution type, with small-group folding):

* **SQL** — what the product does: one GROUP BY (statement, type, value) in the
  database, then :func:`evaluation.selectors.aggregate` on a few hundred count rows.
* **Polars** — fetch the answer rows and group them in a Polars DataFrame.
* **Python** — fetch the rows and count them in a plain loop (the floor of "no engine").

All three must agree; the script checks it. Run: .venv/bin/python bench/evaluation_aggregation.py
(``BENCH_ANSWERS`` sets the size, ``BENCH_DATABASE_URL`` a PostgreSQL database).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="ksqm-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.setdefault("KSQM_VAR_DIR", _tmp)
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
else:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")

import django  # noqa: E402

django.setup()

import polars as pl  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

N_ANSWERS = int(os.environ.get("BENCH_ANSWERS", "100000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
TYPES = ["youth_office", "free_provider", "daycare", "school", "clinic", "police", "midwife"]


def timed(fn, repeat: int = REPEAT) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def populate():
    from evaluation.models import Answer, Response, Round
    from evaluation.services import framework_ensure_builtin
    from registry.models import Municipality

    framework = framework_ensure_builtin()[0]
    definition = framework.parsed()
    rng = random.Random(8)
    rounds = []
    for c in range(2):
        municipality = Municipality.objects.create(name=f"Bench-Kommune {c}", slug=f"bench-{c}")
        evaluation_round = Round.objects.create(
            municipality=municipality,
            framework=framework,
            kind="self",
            title=f"Bench {c}",
            opens_on=dt.date(2026, 1, 1),
            closes_on=dt.date(2026, 12, 31),
            min_group_size=5,
        )
        rounds.append(evaluation_round)
        count, responses, answers = 0, [], []
        while count < N_ANSWERS:
            type_code = rng.choices(TYPES, weights=[30, 15, 15, 15, 10, 10, 5])[0]
            response = Response(
                round=evaluation_round, institution_type=type_code, submitted_on=dt.date(2026, 2, 1)
            )
            responses.append(response)
            for s in definition.statements(type_code):
                value = None if rng.random() < 0.07 else rng.randint(1, 5)
                answers.append(
                    Answer(
                        response=response,
                        round=evaluation_round,
                        institution_type=type_code,
                        dimension_key=s.dimension,
                        statement_key=s.key,
                        value=value,
                    )
                )
                count += 1
        Response.objects.bulk_create(responses, batch_size=2000)
        Answer.objects.bulk_create(answers, batch_size=5000)
    return rounds, definition


def main() -> None:
    from evaluation import selectors
    from evaluation.models import Answer, Response

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    rounds, definition = populate()
    setup = time.perf_counter() - started
    target = rounds[0]
    n = Answer.objects.filter(round=target).count()
    n_resp = Response.objects.filter(round=target).count()
    print(
        f"engine: {connection.vendor}; answers in the round: {n:,} ({n_resp:,} responses); "
        f"setup {setup:.1f} s"
    )

    sizes = dict(
        Response.objects.filter(round=target)
        .values_list("institution_type")
        .annotate(c=django.db.models.Count("id"))
        .order_by()
    )

    def via_sql():
        return selectors.round_results(evaluation_round=target)

    def rows():
        return list(
            Answer.objects.filter(round=target).values_list(
                "statement_key", "institution_type", "value"
            )
        )

    def via_polars():
        frame = pl.DataFrame(rows(), schema=["statement", "type", "value"], orient="row")
        counts = frame.group_by(["statement", "type", "value"]).len()
        return selectors.aggregate(
            definition=definition,
            counts=counts.iter_rows(),
            group_sizes=sizes,
            minimum=target.min_group_size,
        )

    def via_python():
        counts = Counter(rows())
        return selectors.aggregate(
            definition=definition,
            counts=((s, t, v, c) for (s, t, v), c in counts.items()),
            group_sizes=sizes,
            minimum=target.min_group_size,
        )

    def fetch_only():
        return rows()

    t_sql, r_sql = timed(via_sql)
    t_pl, r_pl = timed(via_polars)
    t_py, r_py = timed(via_python)
    t_fetch, _ = timed(fetch_only)
    for other in (r_pl, r_py):
        for a, b in zip(r_sql["dimensions"], other["dimensions"], strict=True):
            assert abs(a["mean"] - b["mean"]) < 1e-9 and abs(a["sd"] - b["sd"]) < 1e-9

    def via_comparison():
        return selectors.dimension_means(rounds)

    t_cmp, _ = timed(via_comparison)
    print(f"round results, SQL GROUP BY + aggregate : {t_sql * 1000:8.1f} ms (median of {REPEAT})")
    print(
        f"round results, rows → Polars group_by    : {t_pl * 1000:8.1f} ms  "
        f"({t_pl / t_sql:.1f}× SQL)"
    )
    print(
        f"round results, rows → Python Counter     : {t_py * 1000:8.1f} ms  "
        f"({t_py / t_sql:.1f}× SQL)"
    )
    print(f"  of which fetching the rows alone        : {t_fetch * 1000:8.1f} ms")
    print(f"comparison of 2 rounds ({2 * n:,} answers): {t_cmp * 1000:8.1f} ms")
    print(f"throughput (SQL path): {n / t_sql / 1e6:.2f} M answers/s")


if __name__ == "__main__":
    main()
