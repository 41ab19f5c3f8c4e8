"""Deadline compliance on an event frame: did the reaction come in time?

A rule says "from the first <start> of a case to the first <end> after it, at most N
hours" (optionally only for cases of one urgency). Each case with a start is *met*
(end in time), *missed* (end too late, or no end and the deadline has passed) or *open*
(no end yet, deadline still running). Pure functions: the rules come in as plain data,
so they can be tested on hand-made cases without a database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from analytics.engine import ACTIVITY, CASE, TIMESTAMP


@dataclass(frozen=True)
class Rule:
    """A deadline rule as plain data (see ``analytics.models.ComplianceRule``)."""

    name: str
    start_activity: str
    end_activity: str
    deadline_hours: int
    urgency: str = ""
    municipality: str = ""  # slug; empty = the rule applies to every event in the frame
    rule_id: int | None = None


def _matches(frame: pl.LazyFrame, columns: list[str], value: str) -> pl.LazyFrame:
    condition = pl.lit(False)
    for col in columns:
        condition = condition | (pl.col(col) == value).fill_null(False)
    return frame.filter(condition)


def rule_cases(frame: pl.DataFrame, rule: Rule, *, now: dt.datetime) -> pl.DataFrame:
    """One row per case that has the start activity: start, end, hours and status."""
    lf = frame.lazy()
    if rule.municipality and "municipality" in frame.columns:
        lf = lf.filter(pl.col("municipality") == rule.municipality)
    if rule.urgency and "urgency" in frame.columns:
        lf = lf.filter(pl.col("urgency") == rule.urgency)
    columns = [c for c in (ACTIVITY, "activity_code") if c in frame.columns]
    starts = (
        _matches(lf, columns, rule.start_activity)
        .group_by(CASE)
        .agg(pl.col(TIMESTAMP).min().alias("start"))
    )
    ends = (
        _matches(lf, columns, rule.end_activity)
        .select(CASE, pl.col(TIMESTAMP).alias("end"))
        .join(starts, on=CASE)
        .filter(pl.col("end") >= pl.col("start"))
        .group_by(CASE)
        .agg(pl.col("end").min())
    )
    limit = dt.timedelta(hours=rule.deadline_hours)
    now_utc = now.astimezone(dt.UTC)
    return (
        starts.join(ends, on=CASE, how="left")
        .with_columns(
            ((pl.col("end") - pl.col("start")).dt.total_seconds() / 3600).alias("hours"),
            pl.when(pl.col("end").is_not_null() & ((pl.col("end") - pl.col("start")) <= limit))
            .then(pl.lit("met"))
            .when(pl.col("end").is_not_null() | (pl.lit(now_utc) - pl.col("start") > limit))
            .then(pl.lit("missed"))
            .otherwise(pl.lit("open"))
            .alias("status"),
            pl.col("start").dt.strftime("%Y-%m").alias("month"),
        )
        .sort(["start", CASE])
        .collect()
    )


def evaluate_rule(
    frame: pl.DataFrame, rule: Rule, *, now: dt.datetime, max_missed: int = 200
) -> dict[str, Any]:
    """Share met, the cases that missed (up to ``max_missed``) and the trend by month."""
    per_case = rule_cases(frame, rule, now=now)
    counts = dict(per_case.group_by("status").len().iter_rows())
    met, missed, open_ = counts.get("met", 0), counts.get("missed", 0), counts.get("open", 0)
    evaluated = met + missed
    by_month = (
        per_case.filter(pl.col("status") != "open")
        .group_by("month")
        .agg(
            (pl.col("status") == "met").sum().alias("met"),
            (pl.col("status") == "missed").sum().alias("missed"),
        )
        .sort("month")
    )
    missed_rows = per_case.filter(pl.col("status") == "missed").head(max_missed)
    return {
        "rule": rule,
        "evaluated": evaluated,
        "met": met,
        "missed": missed,
        "open": open_,
        "share_met": (met / evaluated) if evaluated else None,
        "missed_cases": [
            {
                "case_id": r[CASE],
                "start": r["start"],
                "end": r["end"],
                "hours": None if r["hours"] is None else round(r["hours"], 1),
            }
            for r in missed_rows.iter_rows(named=True)
        ],
        "by_month": [
            {
                "month": m,
                "met": int(a),
                "missed": int(b),
                "share_met": a / (a + b) if a + b else None,
            }
            for m, a, b in by_month.iter_rows()
        ],
    }


def evaluate(frame: pl.DataFrame, rules: list[Rule], *, now: dt.datetime) -> list[dict]:
    """Every rule's result, in the order given."""
    return [evaluate_rule(frame, rule, now=now) for rule in rules]
