"""/api/v1/analytics/: the analyses for machines, with the same filters as the pages.

All endpoints need a personal token and ANALYTICS/VIEW; data are narrowed to the communes
the token's user may analyse (a commune filter outside that scope yields no events).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError

from analytics import selectors
from analytics.engine import ProcessMap
from analytics.schemas import AnalysisFilters, ComparisonFilters, DeadlineQuery
from core import permissions
from core.api import token_auth
from registry.models import Municipality

router = Router(tags=["Prozessanalyse"], auth=token_auth)


def _aware(day: dt.date | None, *, end: bool = False) -> dt.datetime | None:
    if day is None:
        return None
    if end:
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _log_filter(request: HttpRequest, filters: AnalysisFilters) -> selectors.LogFilter:
    if not selectors.can_analyse(request.user):
        permissions.require(request.user, permissions.VIEW, permissions.ANALYTICS, None)
    ids = None
    if filters.municipality:
        municipality = Municipality.objects.filter(slug=filters.municipality).first()
        allowed = permissions.municipality_ids_for(
            request.user, permissions.VIEW, permissions.ANALYTICS
        )
        if municipality is None or (allowed != permissions.ALL and municipality.pk not in allowed):
            raise Http404("Kommune nicht gefunden.")
        ids = [municipality.pk]
    if filters.min_frequency < 1:
        raise HttpError(422, "min_frequency muss mindestens 1 sein.")
    return selectors.LogFilter(
        municipality_ids=ids,
        since=_aware(filters.since),
        until=_aware(filters.until, end=True),
        urgency=filters.urgency or "",
        upload_code=filters.log,
        min_frequency=filters.min_frequency,
    )


def _map_json(result: ProcessMap) -> dict[str, Any]:
    return result.as_json(detailed=True)


@router.get("/process-map", summary="Prozesslandkarte (Directly-Follows-Graph)")
def process_map(request: HttpRequest, filters: Query[AnalysisFilters]) -> dict[str, Any]:
    """Activities, edges with count and mean/median/p90 seconds, start/end, variants."""
    result = selectors.process_map(user=request.user, log_filter=_log_filter(request, filters))
    return _map_json(result)


@router.get("/variants", summary="Varianten und Durchlaufzeiten")
def variants(request: HttpRequest, filters: Query[AnalysisFilters]) -> dict[str, Any]:
    return selectors.variant_report(user=request.user, log_filter=_log_filter(request, filters))


@router.get("/time-between", summary="Zeit zwischen zwei Aktivitäten")
def time_between(
    request: HttpRequest, filters: Query[AnalysisFilters], source: str, target: str
) -> dict[str, Any]:
    """Per case, the time from the first ``source`` to the first ``target`` after it.

    ``source``/``target`` are activity names or, for the platform's procedures, event
    codes (e.g. ``report_received``, ``first_contact``). Returns count and mean/median/p90
    seconds over the cases that have both.
    """
    if not source.strip() or not target.strip():
        raise HttpError(422, "source und target dürfen nicht leer sein.")
    return selectors.time_between_report(
        user=request.user,
        log_filter=_log_filter(request, filters),
        source=source.strip(),
        target=target.strip(),
    )


def _rule_json(result: dict[str, Any]) -> dict[str, Any]:
    rule = result["rule"]
    municipality = result["municipality"]
    return {
        "municipality": municipality.slug if municipality else None,
        "rule": {
            "id": rule.rule_id,
            "name": rule.name,
            "start_activity": rule.start_activity,
            "end_activity": rule.end_activity,
            "deadline_hours": rule.deadline_hours,
            "urgency": rule.urgency,
        },
        **{k: result[k] for k in ("evaluated", "met", "missed", "open", "share_met")},
        "missed_cases": result["missed_cases"],
        "by_month": result["by_month"],
    }


@router.get("/compliance", summary="Fristeinhaltung je Regel")
def compliance(
    request: HttpRequest, filters: Query[AnalysisFilters], deadline: Query[DeadlineQuery]
) -> list[dict[str, Any]]:
    """The communes' deadline rules on their procedures, or one ad-hoc deadline.

    Uploaded logs (``log``) name their own activities, so commune rules (platform event
    codes) do not apply to them: pass ``start``, ``end`` and ``hours`` instead.
    """
    log_filter = _log_filter(request, filters)
    start, end, hours = deadline.start.strip(), deadline.end.strip(), deadline.hours
    given = [bool(start), bool(end), hours is not None]
    if any(given) and not all(given):
        raise HttpError(422, "start, end und hours gehören zusammen.")
    if hours is not None:
        result = selectors.log_deadline_report(
            user=request.user, log_filter=log_filter, start=start, end=end, deadline_hours=hours
        )
        return [_rule_json(result)]
    if filters.log:
        raise HttpError(422, "Für hochgeladene Protokolle bitte start, end und hours angeben.")
    results = selectors.compliance_report(user=request.user, log_filter=log_filter)
    return [_rule_json(r) for r in results]


@router.get("/handovers", summary="Übergaben zwischen Einrichtungen")
def handovers(
    request: HttpRequest, filters: Query[AnalysisFilters], by: str = "institution"
) -> dict[str, Any]:
    column = "institution_type" if by == "type" else "institution"
    report = selectors.handover_report(
        user=request.user, log_filter=_log_filter(request, filters), column=column
    )
    return {
        "column": report["column"],
        "handovers": report["rows"],
        "labels": report["labels"],
        "matrix": [
            [cell["count"] if cell else 0 for cell in row["cells"]] for row in report["matrix"]
        ],
    }


@router.get("/comparison", summary="Kommunenvergleich (aggregiert, mit Unterdrückung)")
def comparison(request: HttpRequest, filters: Query[ComparisonFilters]) -> list[dict[str, Any]]:
    """Indicators per commune; figures based on fewer than 5 cases are null."""
    if not selectors.can_analyse(request.user):
        permissions.require(request.user, permissions.VIEW, permissions.ANALYTICS, None)
    if filters.since or filters.until:
        raise HttpError(
            422,
            "Vergleiche gibt es nur über ganze Zeiträume: period=2024, 2024-Q2 oder 2024-05.",
        )
    try:
        period = selectors.comparison_period(filters.period)
    except ValueError as exc:
        raise HttpError(422, "period: ein Jahr zwischen 1900 und 2200 angeben.") from exc
    slugs = [s.strip() for s in filters.municipalities.split(",") if s.strip()]
    selection = selectors.comparison_municipalities(cluster_number=filters.cluster, slugs=slugs)
    if not selection:
        raise HttpError(422, "Bitte einen Cluster oder Kommunen angeben.")
    rows = selectors.comparison_report(user=request.user, municipalities=selection, period=period)
    return [{**row, "municipality": row["municipality"].slug} for row in rows]
