"""Reads of the registry's master data: communes, clusters, Länder, population.

The profile read model (master data joined with quality's items) is ``profiles.selectors``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from core import permissions
from registry.choices import ProjectRole, Sex
from registry.constants import STATE_TILES
from registry.models import Cluster, Municipality, PopulationCount, State


def municipality_list(
    *,
    q: str = "",
    state: str = "",
    cluster: int | None = None,
    role: str = "",
) -> QuerySet[Municipality]:
    """Public list of communes with the filters of the list page and the API."""
    qs = Municipality.objects.select_related("state", "cluster").order_by("name")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(aliases__name__icontains=q)).distinct()
    if state:
        qs = qs.filter(Q(state__code__iexact=state) | Q(state__name__iexact=state))
    if cluster is not None:
        qs = qs.filter(cluster__number=cluster)
    if role:
        qs = qs.filter(project_role=role)
    return qs


def municipality_get_public(*, slug: str) -> Municipality:
    """A commune with everything its public profile page shows; 404 when unknown."""
    municipality = (
        Municipality.objects.select_related("state", "cluster", "cluster__model_municipality")
        .filter(slug=slug)
        .first()
    )
    if municipality is None:
        raise Http404("Kommune nicht gefunden")
    return municipality


def can_edit_municipality(*, user: Any, municipality: Municipality) -> bool:
    return permissions.has_permission(
        user, permissions.CHANGE, permissions.REGISTRY, municipality.pk
    )


def population_pyramid(*, municipality: Municipality) -> dict[str, Any] | None:
    """The latest year's age structure as rows of (band, female, male), or None."""
    latest = (
        PopulationCount.objects.filter(municipality=municipality)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if latest is None:
        return None
    rows = PopulationCount.objects.filter(municipality=municipality, year=latest)
    bands: dict[tuple[int, int | None], dict[str, int]] = defaultdict(
        lambda: {"f": 0, "m": 0, "d": 0, "t": 0}
    )
    synthetic = False
    for row in rows:
        bands[(row.age_from, row.age_to)][row.sex] += row.count
        synthetic = synthetic or row.synthetic
    ordered = sorted(bands.items(), key=lambda kv: kv[0][0], reverse=True)
    maximum = max([max(v[Sex.FEMALE], v[Sex.MALE]) for _k, v in ordered] + [1])
    out = []
    for (age_from, age_to), counts in ordered:
        label = f"{age_from}+" if age_to is None else f"{age_from}–{age_to}"
        out.append(
            {
                "label": label,
                "female": counts[Sex.FEMALE],
                "male": counts[Sex.MALE],
                "female_pct": round(100 * counts[Sex.FEMALE] / maximum, 1),
                "male_pct": round(100 * counts[Sex.MALE] / maximum, 1),
                "total": counts[Sex.FEMALE] + counts[Sex.MALE] + counts[Sex.DIVERSE]
                or counts[Sex.TOTAL],
            }
        )
    return {
        "year": latest,
        "rows": out,
        "total": sum(r["total"] for r in out),
        "synthetic": synthetic,
    }


MINOR_AGE_LIMIT = 18


def minors_by_municipality(*, municipality_ids: list[int], year: int) -> dict[int, tuple[int, int]]:
    """Residents under 18 per commune: ``{id: (population year, count)}``.

    The population of ``year`` or, where it is missing, the latest earlier year (the rate
    per 1,000 minors names the year it used). A band that straddles 18 (e.g. 15–20)
    counts pro rata by years of age; an open band ("65+") from 18 up counts nothing.
    Per band the sexes are added, or "insgesamt" where a commune gave only totals.
    Communes without population data are missing from the result.
    """
    rows = PopulationCount.objects.filter(
        municipality_id__in=municipality_ids, year__lte=year
    ).values_list("municipality_id", "year", "age_from", "age_to", "sex", "count")
    latest: dict[int, int] = {}
    for municipality_id, row_year, *_rest in rows:
        latest[municipality_id] = max(latest.get(municipality_id, 0), row_year)
    bands: dict[int, dict[tuple[int, int | None], dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for municipality_id, row_year, age_from, age_to, sex, count in rows:
        if row_year == latest[municipality_id]:
            bands[municipality_id][(age_from, age_to)][sex] += count
    out: dict[int, tuple[int, int]] = {}
    for municipality_id, by_band in bands.items():
        minors = 0.0
        for (age_from, age_to), by_sex in by_band.items():
            if age_from >= MINOR_AGE_LIMIT:
                continue
            parts = sum(v for k, v in by_sex.items() if k != Sex.TOTAL)
            band = parts or by_sex.get(Sex.TOTAL, 0)
            if age_to is None:
                continue  # "0+" says nothing about the minors in it
            if age_to < MINOR_AGE_LIMIT:
                minors += band
            else:
                minors += band * (MINOR_AGE_LIMIT - age_from) / (age_to - age_from + 1)
        out[municipality_id] = (latest[municipality_id], round(minors))
    return out


def cluster_list() -> QuerySet[Cluster]:
    return Cluster.objects.select_related(
        "model_municipality", "model_municipality__state"
    ).annotate(member_count=Count("municipalities"))


def cluster_get(*, number: int) -> Cluster:
    cluster = cluster_list().filter(number=number).first()
    if cluster is None:
        raise Http404("Cluster nicht gefunden")
    return cluster


def state_overview() -> list[dict[str, Any]]:
    """All 16 Länder with their numbers of model and partner communes."""
    counts = {
        row["state_id"]: row
        for row in Municipality.objects.values("state_id").annotate(
            models=Count("id", filter=Q(project_role=ProjectRole.MODEL)),
            partners=Count("id", filter=Q(project_role=ProjectRole.PARTNER)),
            total=Count("id"),
        )
    }
    result = []
    for state in State.objects.all():
        row = counts.get(state.pk, {})
        col, row_no = STATE_TILES.get(state.code, (6, 6))
        result.append(
            {
                "state": state,
                "col": col,
                "row": row_no,
                "models": row.get("models", 0),
                "partners": row.get("partners", 0),
                "total": row.get("total", 0),
            }
        )
    return result
