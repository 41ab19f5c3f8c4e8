"""Process-mining computations on a columnar event log (Polars).

Every analysis takes an *event frame*: a Polars DataFrame or LazyFrame with at least the
columns ``case_id`` (string), ``activity`` (string) and ``timestamp`` (UTC datetime), and
optionally ``resource``, ``institution``, ``institution_type``, ``municipality``,
``urgency``, ``result``, ``activity_code``. :mod:`analytics.eventlog` builds such frames
from XES/CSV/Parquet files, :mod:`analytics.selectors` from the platform's procedures.

Why Polars and not DuckDB: Polars is already a runtime dependency, needs no database
file, and its lazy engine computes the whole map (edges, durations, start/end activities,
variants) in one multi-threaded pass; ``bench/process_mining.py`` measures it against
pm4py. The semantics follow pm4py's dataframe path so that results are equal: events are
ordered per case by timestamp, ties keep file order; the duration of an edge a→b is
``timestamp(b) − timestamp(a)`` of the two consecutive events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl
import polars.selectors  # noqa: F401 – pl.selectors

CASE = "case_id"
ACTIVITY = "activity"
TIMESTAMP = "timestamp"

REQUIRED_COLUMNS = (CASE, ACTIVITY, TIMESTAMP)
CASE_KEY = "_case_key"


def _lazy(frame: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    return frame.lazy() if isinstance(frame, pl.DataFrame) else frame


def _case_key() -> pl.Expr:
    return pl.col(CASE).hash(seed=0x5EED).alias(CASE_KEY)


def _sort_keyed(lf: pl.LazyFrame) -> pl.LazyFrame:
    # Two stable single-column sorts (time, then case key) are about twice as fast as one
    # sort on both columns, which Polars does on an encoded row format.
    return lf.sort(TIMESTAMP, maintain_order=True).sort(CASE_KEY, maintain_order=True)


def sort_events(frame: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """Events grouped by case and ordered by time; equal timestamps keep their file order.

    Cases only need to be contiguous, not in lexical order, so the sort key is a 64-bit
    hash of the case id: sorting integers is several times faster than sorting a million
    distinct strings. A hash collision would interleave two cases; that is checked
    (neighbouring rows must change case exactly where the key changes) and the plain
    string sort is used in that improbable event.
    """
    lf = _lazy(frame)
    keyed = _sort_keyed(lf.with_columns(_case_key())).collect()
    case_changes = pl.col(CASE) != pl.col(CASE).shift(1)
    key_changes = pl.col(CASE_KEY) != pl.col(CASE_KEY).shift(1)
    consistent = keyed.select((case_changes == key_changes).fill_null(True).all()).item()
    if consistent:
        return keyed.drop(CASE_KEY).lazy()
    return lf.sort([CASE, TIMESTAMP], maintain_order=True)  # collision: exact string sort


def _with_next(sorted_frame: pl.LazyFrame, *extra: str, case: str = CASE) -> pl.LazyFrame:
    """Each event with its successor in the same case (the directly-follows relation)."""
    cols = [pl.col(ACTIVITY).alias("source"), pl.col(ACTIVITY).shift(-1).alias("target")]
    cols += [pl.col(c).alias(f"{c}_from") for c in extra]
    cols += [pl.col(c).shift(-1).alias(f"{c}_to") for c in extra]
    cols.append(
        ((pl.col(TIMESTAMP).shift(-1) - pl.col(TIMESTAMP)).dt.total_microseconds() / 1e6).alias(
            "seconds"
        )
    )
    # Shift first, filter after: the successor must be taken from the unfiltered order.
    return (
        sorted_frame.select(case, *cols, (pl.col(case).shift(-1) == pl.col(case)).alias("_same"))
        .filter(pl.col("_same"))
        .drop("_same")
    )


@dataclass
class ProcessMap:
    """The directly-follows graph with frequencies and durations, plus variants."""

    activities: dict[str, int]
    edges: list[dict[str, Any]]
    start_activities: dict[str, int]
    end_activities: dict[str, int]
    variants: list[dict[str, Any]] = field(default_factory=list)
    cases: int = 0
    events: int = 0

    def as_json(self, *, detailed: bool = False) -> dict[str, Any]:
        """The documented JSON shape (``manage.py process_map``); ``detailed`` adds p90/share."""
        edge_keys = ["source", "target", "count", "mean_seconds", "median_seconds"]
        variant_keys = ["activities", "count"]
        if detailed:
            edge_keys.append("p90_seconds")
            variant_keys.append("share")
        return {
            "activities": self.activities,
            "edges": [{k: e[k] for k in edge_keys} for e in self.edges],
            "start_activities": self.start_activities,
            "end_activities": self.end_activities,
            "variants": [{k: v[k] for k in variant_keys} for v in self.variants],
            "cases": self.cases,
            "events": self.events,
        }


def _counts(frame: pl.DataFrame, key: str) -> dict[str, int]:
    rows = frame.sort(["len", key], descending=[True, False]).iter_rows()
    return {name: int(n) for name, n in rows}


def _narrow_sorted(lf: pl.LazyFrame) -> tuple[pl.DataFrame, int, int]:
    """(case key, activity, timestamp) grouped by case in time order; cases; events.

    The case key is a 64-bit hash of the case id, the activity a categorical (small
    integer codes): sorting and grouping integers is several times faster than strings.
    A second, independent hash travels along: after the sort it must be constant within
    every run of equal keys, otherwise two cases share a key (a collision) and the
    string path is taken. Logs already in time order skip the sort by time.
    """
    narrow = lf.select(
        _case_key(),
        pl.col(CASE).hash(seed=0xC0FFEE).alias("_check"),
        pl.col(ACTIVITY).cast(pl.Categorical),
        pl.col(TIMESTAMP),
    ).collect()
    if narrow.height == 0:
        return narrow.drop("_check"), 0, 0
    time_sorted = narrow.select(
        (pl.col(TIMESTAMP).diff().drop_nulls() >= pl.duration()).all()
    ).item()
    lazy = narrow.lazy()
    if not time_sorted:
        lazy = lazy.sort(TIMESTAMP, maintain_order=True)
    narrow = lazy.sort(CASE_KEY, maintain_order=True).collect()
    key, check = pl.col(CASE_KEY), pl.col("_check")
    same_key = (key == key.shift(1)).fill_null(False)
    runs, collision = narrow.select(
        (~same_key).sum().alias("runs"),
        (same_key & (check != check.shift(1))).any().alias("collision"),
    ).row(0)
    if collision:  # a 64-bit hash collision: take the exact (string) path
        ordered = sort_events(lf).collect()
        narrow = ordered.select(
            pl.col(CASE).rank("dense").cast(pl.UInt64).alias(CASE_KEY),
            pl.col(ACTIVITY).cast(pl.Categorical),
            TIMESTAMP,
        )
        return narrow, int(ordered[CASE].n_unique()), narrow.height
    return narrow.drop("_check"), int(runs), narrow.height


def process_map(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    min_frequency: int = 1,
    with_variants: bool = True,
    max_variants: int | None = None,
) -> ProcessMap:
    """Directly-follows graph, start/end activities and variants in one parallel pass.

    ``min_frequency`` drops activities and edges seen fewer times (the usual map filter);
    counts of the remaining ones are unchanged, as in Disco or pm4py's filtered DFG.
    """
    events, cases, n_events = _narrow_sorted(_lazy(frame))
    ev = events.lazy()
    is_first = pl.col(CASE_KEY) != pl.col(CASE_KEY).shift(1)
    is_last = pl.col(CASE_KEY) != pl.col(CASE_KEY).shift(-1)
    queries = [
        ev.group_by(ACTIVITY).len(),
        _with_next(ev, case=CASE_KEY)
        .group_by(["source", "target"])
        .agg(
            pl.len().alias("count"),
            pl.col("seconds").mean().alias("mean_seconds"),
            pl.col("seconds").median().alias("median_seconds"),
            pl.col("seconds").quantile(0.9, "linear").alias("p90_seconds"),
        ),
        ev.filter(is_first.fill_null(True)).group_by(ACTIVITY).len(),
        ev.filter(is_last.fill_null(True)).group_by(ACTIVITY).len(),
    ]
    if with_variants:
        queries.append(_variants_of_sorted(ev, case=CASE_KEY))
    results = pl.collect_all(queries)
    as_text = pl.selectors.by_dtype(pl.Categorical).cast(pl.Utf8)
    act, edges, starts, ends = (r.with_columns(as_text) for r in results[:4])
    activities = _counts(act, ACTIVITY)
    edge_rows = edges.sort(["count", "source", "target"], descending=[True, False, False])
    if min_frequency > 1:
        activities = {a: n for a, n in activities.items() if n >= min_frequency}
        edge_rows = edge_rows.filter(
            (pl.col("count") >= min_frequency)
            & pl.col("source").is_in(list(activities))
            & pl.col("target").is_in(list(activities))
        )
    variant_list: list[dict[str, Any]] = []
    if with_variants:
        var = results[4]
        if max_variants is not None:
            var = var.head(max_variants)
        variant_list = [
            {"activities": list(a), "count": int(n), "share": float(sh)}
            for a, n, sh in var.select("activities", "count", "share").iter_rows()
        ]
    return ProcessMap(
        activities=activities,
        edges=edge_rows.to_dicts(),
        start_activities=_counts(starts, ACTIVITY),
        end_activities=_counts(ends, ACTIVITY),
        variants=variant_list,
        cases=cases,
        events=n_events,
    )


def _variants_of_sorted(lf: pl.LazyFrame, *, case: str = CASE) -> pl.LazyFrame:
    per_case = lf.group_by(case, maintain_order=True).agg(pl.col(ACTIVITY).alias("activities"))
    return (
        per_case.group_by("activities")
        .agg(pl.len().alias("count"))
        .with_columns(pl.col("activities").cast(pl.List(pl.Utf8)))
        .with_columns((pl.col("count") / pl.col("count").sum()).alias("share"))
        .sort(["count", "activities"], descending=[True, False])
    )


def variants_frame(frame: pl.DataFrame | pl.LazyFrame, *, presorted: bool = False) -> pl.LazyFrame:
    """Variants (activity sequences) with their case counts and share, most frequent first."""
    lf = _lazy(frame) if presorted else sort_events(frame)
    return _variants_of_sorted(lf)


def variants(frame: pl.DataFrame | pl.LazyFrame, *, limit: int | None = None) -> list[dict]:
    """Variants as dicts ``{activities, count, share}``, most frequent first."""
    events, _cases, _n = _narrow_sorted(_lazy(frame))
    result = _variants_of_sorted(events.lazy(), case=CASE_KEY).collect()
    if limit is not None:
        result = result.head(limit)
    return [
        {"activities": list(a), "count": int(n), "share": float(s)}
        for a, n, s in result.iter_rows()
    ]


def case_durations(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Throughput time per case: first event, last event, seconds between, event count."""
    return (
        _lazy(frame)
        .group_by(CASE)
        .agg(
            pl.col(TIMESTAMP).min().alias("start"),
            pl.col(TIMESTAMP).max().alias("end"),
            pl.len().alias("events"),
        )
        .with_columns(
            ((pl.col("end") - pl.col("start")).dt.total_microseconds() / 1e6).alias("seconds")
        )
        .sort(CASE)
        .collect()
    )


def duration_summary(seconds: pl.Series) -> dict[str, float | int | None]:
    """Count, mean, median and 90th percentile of a duration column (seconds)."""
    s = seconds.drop_nulls()
    if s.len() == 0:
        return {"count": 0, "mean": None, "median": None, "p90": None}
    return {
        "count": int(s.len()),
        "mean": float(s.mean()),  # type: ignore[arg-type]
        "median": float(s.median()),  # type: ignore[arg-type]
        "p90": float(s.quantile(0.9, "linear")),  # type: ignore[arg-type]
    }


def time_between(
    frame: pl.DataFrame | pl.LazyFrame, *, source: str, target: str, column: str = ACTIVITY
) -> pl.DataFrame:
    """Per case: time from the first ``source`` event to the first ``target`` after it.

    Cases without ``source``, or without a ``target`` at or after it, are left out; this is
    the question "how long from report to first contact", not a directly-follows edge.
    """
    lf = _lazy(frame)
    first_source = (
        lf.filter(pl.col(column) == source)
        .group_by(CASE)
        .agg(pl.col(TIMESTAMP).min().alias("source_time"))
    )
    return (
        lf.filter(pl.col(column) == target)
        .join(first_source, on=CASE)
        .filter(pl.col(TIMESTAMP) >= pl.col("source_time"))
        .group_by(CASE)
        .agg(pl.col("source_time").first(), pl.col(TIMESTAMP).min().alias("target_time"))
        .with_columns(
            ((pl.col("target_time") - pl.col("source_time")).dt.total_microseconds() / 1e6).alias(
                "seconds"
            )
        )
        .sort(CASE)
        .collect()
    )


def handovers(frame: pl.DataFrame | pl.LazyFrame, *, column: str = "institution") -> pl.DataFrame:
    """Hand-overs between institutions: consecutive events of a case whose ``column`` differs.

    Returns one row per (from, to) with the count, the number of cases and the waiting time
    (mean/median/p90 seconds between the last event at the sender and the first at the
    receiver) — the interfaces where cases wait or get lost.
    """
    pairs = _with_next(sort_events(frame), column)
    src, dst = f"{column}_from", f"{column}_to"
    return (
        pairs.filter(
            pl.col(src).is_not_null() & pl.col(dst).is_not_null() & (pl.col(src) != pl.col(dst))
        )
        .group_by([src, dst])
        .agg(
            pl.len().alias("count"),
            pl.col(CASE).n_unique().alias("cases"),
            pl.col("seconds").mean().alias("mean_seconds"),
            pl.col("seconds").median().alias("median_seconds"),
            pl.col("seconds").quantile(0.9, "linear").alias("p90_seconds"),
        )
        .rename({src: "source", dst: "target"})
        .sort(["count", "source", "target"], descending=[True, False, False])
        .collect()
    )
