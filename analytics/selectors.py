"""Scoped reads: which event log a user may analyse, and the analyses on it.

The platform's procedures reach analytics only through ``cases.selectors
.procedure_event_rows`` (already restricted to what the user may see in the ANALYTICS
domain, pseudonymous case ids, no identifying data). Uploaded logs are read through
``event_log_upload_get_for_user``. Everything else here computes on event frames.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.http import Http404
from django.utils import timezone

from analytics import compliance, engine, eventlog
from analytics.choices import UploadStatus
from analytics.constants import COMPARISON_NOISE, SUPPRESSION_THRESHOLD
from analytics.engine import ACTIVITY, CASE, TIMESTAMP
from analytics.models import ComplianceRule, EventLogUpload
from cases import aggregates as case_aggregates
from core import permissions
from core.permissions import SystemActor
from registry.models import Municipality
from registry.selectors import minors_by_municipality

PLATFORM_SCHEMA = {
    CASE: pl.Utf8,
    ACTIVITY: pl.Utf8,
    "activity_code": pl.Utf8,
    TIMESTAMP: pl.Datetime("us", "UTC"),
    "institution": pl.Utf8,
    "institution_type": pl.Utf8,
    "municipality": pl.Utf8,
    "urgency": pl.Utf8,
    "result": pl.Utf8,
}
_ROWS_PER_CHUNK = 50_000


@dataclass
class LogFilter:
    """The filters every page and API endpoint shares."""

    municipality_ids: list[int] | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    urgency: str = ""
    upload_code: str = ""
    min_frequency: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def _platform_rows(**kwargs: Any) -> Iterator[dict]:
    # Imported late: analytics must load (and be testable) without the cases app's tables.
    from cases.selectors import procedure_event_rows
    from partners.selectors import partner_event_rows

    # The chain's first links (institution, insoFa) join the procedures' own steps under
    # the same pseudonymous case id (issue 13).
    yield from procedure_event_rows(**kwargs)
    yield from partner_event_rows(**kwargs)


def frame_from_rows(rows: Iterable[dict]) -> pl.DataFrame:
    """Rows (dicts) → event frame, in chunks so a large commune never holds all dicts."""
    chunks: list[pl.DataFrame] = []
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _ROWS_PER_CHUNK:
            chunks.append(_chunk(batch))
            batch = []
    if batch or not chunks:
        chunks.append(_chunk(batch))
    return pl.concat(chunks)


def _chunk(batch: list[dict]) -> pl.DataFrame:
    frame = pl.DataFrame(
        [{k: row.get(k) for k in PLATFORM_SCHEMA if k != TIMESTAMP} for row in batch],
        schema={k: v for k, v in PLATFORM_SCHEMA.items() if k != TIMESTAMP},
    )
    stamps = pl.Series(TIMESTAMP, [row.get(TIMESTAMP) for row in batch], dtype=pl.Datetime("us"))
    if stamps.dtype.time_zone is None:  # type: ignore[union-attr]
        stamps = stamps.dt.replace_time_zone("UTC")
    # An empty institution means "not recorded", not an institution called "".
    blank_to_null = [
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
        for c in ("institution", "institution_type", "result")
    ]
    return frame.with_columns(stamps.dt.convert_time_zone("UTC"), *blank_to_null).select(
        list(PLATFORM_SCHEMA)
    )


def platform_events(*, user: Any, log_filter: LogFilter) -> pl.DataFrame:
    """The platform's procedure events that ``user`` may analyse, filtered."""
    frame = frame_from_rows(
        _platform_rows(
            user=user,
            municipality_ids=log_filter.municipality_ids,
            since=log_filter.since,
            until=log_filter.until,
        )
    )
    if log_filter.urgency:
        frame = frame.filter(pl.col("urgency") == log_filter.urgency)
    return frame


def event_log_upload_list_for_user(*, user: Any) -> Any:
    """Uploaded logs the user may analyse (commune logs by commune, others: project team)."""
    return EventLogUpload.objects.visible_to(user).select_related("municipality", "uploaded_by")


def event_log_upload_get_for_user(*, user: Any, code: Any) -> EventLogUpload:
    """One uploaded log; 404 both when it does not exist and when it is not the user's."""
    try:
        return event_log_upload_list_for_user(user=user).get(code=code)
    except (EventLogUpload.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Protokoll nicht gefunden.") from exc


def upload_frame_path(upload: EventLogUpload) -> Path:
    return Path(settings.MEDIA_ROOT) / upload.frame_file


def upload_events(*, user: Any, log_filter: LogFilter) -> pl.DataFrame:
    """The events of an uploaded log (must be processed), with the period filter applied."""
    upload = event_log_upload_get_for_user(user=user, code=log_filter.upload_code)
    if upload.status != UploadStatus.DONE or not upload.frame_file:
        raise Http404("Das Protokoll ist noch nicht verarbeitet.")
    lf = eventlog.scan_frame(upload_frame_path(upload))
    if log_filter.since:
        lf = lf.filter(pl.col(TIMESTAMP) >= log_filter.since)
    if log_filter.until:
        lf = lf.filter(pl.col(TIMESTAMP) < log_filter.until)
    if log_filter.urgency and "urgency" in lf.collect_schema().names():
        lf = lf.filter(pl.col("urgency") == log_filter.urgency)
    return lf.collect()


def events_for(*, user: Any, log_filter: LogFilter) -> pl.DataFrame:
    """The event frame a page or endpoint analyses: an uploaded log or the platform's."""
    if log_filter.upload_code:
        return upload_events(user=user, log_filter=log_filter)
    return platform_events(user=user, log_filter=log_filter)


def analysable_municipalities(*, user: Any) -> Any:
    """Communes whose procedures the user may analyse (for filter choices)."""
    allowed = permissions.municipality_ids_for(user, permissions.VIEW, permissions.ANALYTICS)
    qs = Municipality.objects.order_by("name")
    if allowed == permissions.ALL:
        return qs
    return qs.filter(pk__in=allowed)


def can_analyse(user: Any) -> bool:
    """Whether the user may open the analytics pages at all."""
    return bool(permissions.municipality_ids_for(user, permissions.VIEW, permissions.ANALYTICS))


# --- analyses ----------------------------------------------------------------------------


def process_map(*, user: Any, log_filter: LogFilter, max_variants: int = 50) -> engine.ProcessMap:
    frame = events_for(user=user, log_filter=log_filter)
    return engine.process_map(
        frame, min_frequency=log_filter.min_frequency, max_variants=max_variants
    )


def variant_report(
    *,
    user: Any,
    log_filter: LogFilter,
    limit: int = 100,
    between: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Variants with count and share, throughput times per case and, with ``between``
    (source, target), the time between two activities — all from one read of the log."""
    frame = events_for(user=user, log_filter=log_filter)
    durations = engine.case_durations(frame)
    longest = durations.sort("seconds", descending=True).head(20)
    report = {
        "cases": durations.height,
        "variants": engine.variants(frame, limit=limit),
        "throughput": engine.duration_summary(durations["seconds"]),
        "longest_cases": longest.select(CASE, "start", "end", "events", "seconds").to_dicts(),
    }
    if between:
        report["between"] = _time_between(frame, *between)
    return report


def time_between_report(
    *, user: Any, log_filter: LogFilter, source: str, target: str
) -> dict[str, Any]:
    """Time from the first ``source`` to the first ``target`` after it, per case."""
    return _time_between(events_for(user=user, log_filter=log_filter), source, target)


def _time_between(frame: pl.DataFrame, source: str, target: str) -> dict[str, Any]:
    # Platform events can be named by code (report_received) as well as by label.
    column = ACTIVITY
    if "activity_code" in frame.columns and (
        frame.filter(pl.col("activity_code") == source).height
    ):
        column = "activity_code"
    per_case = engine.time_between(frame, source=source, target=target, column=column)
    return {"source": source, "target": target, **engine.duration_summary(per_case["seconds"])}


def log_activities(*, user: Any, log_filter: LogFilter) -> list[str] | None:
    """Activity names of the selected uploaded log (None for the platform's procedures)."""
    if not log_filter.upload_code:
        return None
    upload = event_log_upload_get_for_user(user=user, code=log_filter.upload_code)
    if upload.status != UploadStatus.DONE or not upload.frame_file:
        raise Http404("Das Protokoll ist noch nicht verarbeitet.")
    names = eventlog.scan_frame(upload_frame_path(upload)).select(pl.col(ACTIVITY).unique())
    return sorted(names.collect().get_column(ACTIVITY).drop_nulls().to_list())


def log_deadline_report(
    *,
    user: Any,
    log_filter: LogFilter,
    start: str,
    end: str,
    deadline_hours: int,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """One ad-hoc deadline ("first ``end`` within N hours after the first ``start``").

    Works on uploaded logs as on the platform's procedures; the result has the shape of a
    commune rule's result, with the commune of the uploaded log (or none).
    """
    frame = events_for(user=user, log_filter=log_filter)
    rule = compliance.Rule(
        name=f"{start} → {end}",
        start_activity=start,
        end_activity=end,
        deadline_hours=deadline_hours,
    )
    result = compliance.evaluate_rule(frame, rule, now=now or timezone.now())
    # events_for has already checked access to the upload; this only names its commune.
    upload = (
        EventLogUpload.objects.filter(code=log_filter.upload_code).first()
        if log_filter.upload_code
        else None
    )
    result["municipality"] = upload.municipality if upload else None
    return result


def compliance_rules_for(*, user: Any, municipality_ids: list[int] | None) -> list[ComplianceRule]:
    """Active rules of the communes the user may analyse (optionally narrowed)."""
    allowed = permissions.municipality_ids_for(user, permissions.VIEW, permissions.ANALYTICS)
    qs = ComplianceRule.objects.filter(active=True).select_related("municipality")
    if allowed != permissions.ALL:
        qs = qs.filter(municipality_id__in=allowed)
    if municipality_ids is not None:
        qs = qs.filter(municipality_id__in=municipality_ids)
    return list(qs.order_by("municipality__name", "name"))


def compliance_rule_list_for_user(*, user: Any) -> Any:
    """Rules the user may edit (quality domain: coordination and project team)."""
    return ComplianceRule.objects.visible_to(user, permissions.CHANGE).select_related(
        "municipality"
    )


def compliance_rule_get_for_user(*, user: Any, pk: int) -> ComplianceRule:
    try:
        return compliance_rule_list_for_user(user=user).get(pk=pk)
    except ComplianceRule.DoesNotExist as exc:
        raise Http404("Regel nicht gefunden.") from exc


def rule_as_data(rule: ComplianceRule) -> compliance.Rule:
    return compliance.Rule(
        name=rule.name,
        start_activity=rule.start_activity,
        end_activity=rule.end_activity,
        deadline_hours=rule.deadline_hours,
        urgency=rule.urgency,
        municipality=rule.municipality.slug,
        rule_id=rule.pk,
    )


def policy_rules(
    municipalities: Iterable[Municipality],
) -> list[tuple[compliance.Rule, Municipality]]:
    """The communes' own deadlines (their case policy) as rules: the one source of truth
    that also sets the case team's due dates."""
    from cases.selectors import policy_deadline_rules

    by_id = {m.pk: m for m in municipalities}
    return [
        (
            compliance.Rule(
                name=spec["name"],
                start_activity=spec["start_activity"],
                end_activity=spec["end_activity"],
                deadline_hours=spec["deadline_hours"],
                urgency=spec["urgency"],
                municipality=by_id[spec["municipality_id"]].slug,
            ),
            by_id[spec["municipality_id"]],
        )
        for spec in policy_deadline_rules(municipality_ids=list(by_id))
    ]


def compliance_report(
    *, user: Any, log_filter: LogFilter, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Each commune's deadlines evaluated on its own procedures: first the case policy's
    (the same that drives the due lists), then any further rule the coordination added."""
    frame = platform_events(user=user, log_filter=log_filter)
    # Policy rules only for communes that have procedures in the frame (the project team
    # may analyse every commune; most have none on the platform).
    present = set(frame["municipality"].unique().drop_nulls().to_list()) if frame.height else set()
    municipalities = [m for m in analysable_municipalities(user=user) if m.slug in present]
    pairs = policy_rules(municipalities)
    extra = compliance_rules_for(user=user, municipality_ids=log_filter.municipality_ids)
    pairs += [(rule_as_data(r), r.municipality) for r in extra]
    results = compliance.evaluate(frame, [rule for rule, _m in pairs], now=now or timezone.now())
    for result, (_rule, municipality) in zip(results, pairs, strict=True):
        result["municipality"] = municipality
    return results


def handover_report(
    *, user: Any, log_filter: LogFilter, column: str = "institution"
) -> dict[str, Any]:
    """Hand-overs between institutions as rows and as a matrix (sender × receiver)."""
    frame = events_for(user=user, log_filter=log_filter)
    if column not in frame.columns:
        column = "institution"
    if column not in frame.columns:
        return {"rows": [], "labels": [], "matrix": [], "column": column}
    rows = engine.handovers(frame, column=column).to_dicts()
    labels = sorted({r["source"] for r in rows} | {r["target"] for r in rows})
    index = {(r["source"], r["target"]): r for r in rows}
    matrix = [{"label": a, "cells": [index.get((a, b)) for b in labels]} for a in labels]
    return {"rows": rows, "labels": labels, "matrix": matrix, "column": column}


def comparison_municipalities(*, cluster_number: int | None, slugs: list[str]) -> list:
    """The communes to compare: a cluster's members or any selection by slug."""
    qs = Municipality.objects.order_by("name")
    if cluster_number is not None:
        return list(qs.filter(cluster__number=cluster_number))
    return list(qs.filter(slug__in=slugs))


def _suppress(value: Any, basis: int) -> Any:
    return value if basis >= SUPPRESSION_THRESHOLD else None


_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4])|-(?P<month>0[1-9]|1[0-2]))?$")


@dataclass(frozen=True)
class ComparisonPeriod:
    """A whole calendar period (year, quarter or month) in local time; ``label`` is its key."""

    label: str
    since: dt.datetime | None
    until: dt.datetime | None


ALL_TIME = ComparisonPeriod("gesamt", None, None)


def comparison_period(text: str | None) -> ComparisonPeriod:
    """``2024``, ``2024-Q2`` or ``2024-05`` (empty: all time); ``ValueError`` otherwise.

    The comparison is offered over whole periods only, never over free date ranges: two
    ranges a day apart once gave a suppressed day's cases as their difference.
    """
    text = (text or "").strip()
    if not text:
        return ALL_TIME
    match = _PERIOD.match(text)
    if not match or not 1900 <= int(match["year"]) <= 2200:
        raise ValueError(text)
    year = int(match["year"])
    if match["quarter"]:
        first_month, months = 3 * int(match["quarter"]) - 2, 3
    elif match["month"]:
        first_month, months = int(match["month"]), 1
    else:
        first_month, months = 1, 12
    end_index = first_month - 1 + months
    tz = timezone.get_default_timezone()
    start = dt.datetime(year, first_month, 1, tzinfo=tz)
    end = dt.datetime(year + end_index // 12, end_index % 12 + 1, 1, tzinfo=tz)
    return ComparisonPeriod(text, start, end)


def _noisy(count: int, *, key: str) -> int:
    """``count`` plus a noise in ±COMPARISON_NOISE, fixed for its key (never negative).

    The noise is an HMAC of the commune, period and figure under the server's secret:
    asking the same question again gives the same answer (averaging many answers learns
    nothing), and overlapping periods get independent noise, so their difference no
    longer is the count of the part where they differ.
    """
    digest = hmac.new(settings.SECRET_KEY.encode(), key.encode(), hashlib.sha256).digest()
    return max(count + digest[0] % (2 * COMPARISON_NOISE + 1) - COMPARISON_NOISE, 0)


def _assessment_figures(
    *, counts: dict[str, int] | None, minors: tuple[int, int] | None, key: str
) -> dict[str, Any]:
    """§ 8a assessments of one commune in the comparison: the count, the rate per 1,000
    minors and the mix of results — each from noisy counts and withheld when small.

    A result's share is withheld when its count is 1 … threshold-1; when only one share
    would be withheld, the next smallest goes too (the shares add up to 1, so a single
    gap could be filled in).
    """
    counts = counts or dict.fromkeys(case_aggregates.RESULTS, 0)
    total = sum(counts.values())
    noisy = {r: _noisy(n, key=f"{key}assessments:{r}") for r, n in counts.items()}
    noisy_total = sum(noisy.values())
    small = total < SUPPRESSION_THRESHOLD
    withheld = {r for r, n in counts.items() if 0 < n < SUPPRESSION_THRESHOLD}
    if len(withheld) == 1:
        rest = [r for r in counts if r not in withheld and counts[r] > 0]
        if rest:
            withheld.add(min(rest, key=lambda r: counts[r]))
    mix = {
        r: None if small or r in withheld or not noisy_total else round(noisy[r] / noisy_total, 3)
        for r in case_aggregates.RESULTS
    }
    rate = None
    if not small and minors and minors[1]:
        rate = round(noisy_total * 1000 / minors[1], 2)
    return {
        "assessments": None if small else noisy_total,
        "assessments_per_1000_minors": rate,
        "population_year": minors[0] if minors and rate is not None else None,
        "result_mix": mix,
    }


def comparison_report(
    *,
    user: Any,
    municipalities: list[Municipality],
    period: ComparisonPeriod = ALL_TIME,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """The same indicators side by side, aggregated and protected against re-identification.

    A benchmark between communes is the point of the comparison (Bremerhaven's wish), so
    any user who may analyse at least one commune sees the other communes' *aggregates*:
    the events are read with the system's authority, and only counts, medians and shares
    leave this function. Two protections (``docs``: README, "Kommunenvergleich"):

    * Every figure based on fewer than ``SUPPRESSION_THRESHOLD`` cases is withheld.
    * Differencing: only whole periods (``comparison_period``), and every published count
      carries a keyed noise of at most ±``COMPARISON_NOISE`` (``_noisy``); the per-case
      figures are computed from the noisy counts. A year minus its other eleven months,
      or two overlapping periods, then no longer give a suppressed month's cases.
    """
    if not can_analyse(user):
        permissions.require(user, permissions.VIEW, permissions.ANALYTICS, None)
    ids = [m.pk for m in municipalities]
    frame = frame_from_rows(
        _platform_rows(
            user=SystemActor("analytics comparison"),
            municipality_ids=ids,
            since=period.since,
            until=period.until,
        )
    )
    now = now or timezone.now()
    rules = ComplianceRule.objects.filter(active=True, municipality_id__in=ids).select_related(
        "municipality"
    )
    rules_by_slug: dict[str, list[compliance.Rule]] = {}
    for policy_rule, municipality in policy_rules(municipalities):
        rules_by_slug.setdefault(municipality.slug, []).append(policy_rule)
    for rule in rules:
        rules_by_slug.setdefault(rule.municipality.slug, []).append(rule_as_data(rule))
    assessments = case_aggregates.result_counts(
        municipality_ids=ids, since=period.since, until=period.until
    )
    # Rates need a population year: the period's (none for "all time").
    minors = (
        minors_by_municipality(municipality_ids=ids, year=period.since.year)
        if period.since is not None
        else {}
    )
    result = []
    for municipality in municipalities:
        part = frame.filter(pl.col("municipality") == municipality.slug)
        durations = engine.case_durations(part)
        cases = durations.height
        summary = engine.duration_summary(durations["seconds"])
        handover_count = int(engine.handovers(part)["count"].sum()) if part.height else 0
        met = evaluated = 0
        for rule in rules_by_slug.get(municipality.slug, []):
            outcome = compliance.evaluate_rule(part, rule, now=now, max_missed=0)
            met += outcome["met"]
            evaluated += outcome["evaluated"]
        suppressed = cases < SUPPRESSION_THRESHOLD
        key = f"{municipality.slug}|{period.label}|"
        n_cases = max(_noisy(cases, key=key + "cases"), 1)
        n_events = _noisy(part.height, key=key + "events")
        n_handovers = _noisy(handover_count, key=key + "handovers")
        n_evaluated = _noisy(evaluated, key=key + "evaluated")
        n_met = min(_noisy(met, key=key + "met"), n_evaluated)
        result.append(
            {
                **_assessment_figures(
                    counts=assessments.get(municipality.pk),
                    minors=minors.get(municipality.pk),
                    key=key,
                ),
                "municipality": municipality,
                "period": period.label,
                "suppressed": suppressed,
                "cases": None if suppressed else n_cases,
                "events_per_case": _suppress(round(n_events / n_cases, 1), cases),
                "median_days": _suppress(
                    round(summary["median"] / 86400, 1) if summary["median"] is not None else None,
                    cases,
                ),
                "p90_days": _suppress(
                    round(summary["p90"] / 86400, 1) if summary["p90"] is not None else None,
                    cases,
                ),
                "handovers_per_case": _suppress(round(n_handovers / n_cases, 2), cases),
                "compliance_share": _suppress(
                    round(n_met / n_evaluated, 2) if n_evaluated else None, evaluated
                ),
                "compliance_basis": n_evaluated if evaluated >= SUPPRESSION_THRESHOLD else None,
            }
        )
    return result
