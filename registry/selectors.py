"""Reads of the registry: public profile data and scoped reads for editors."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from core import permissions
from quality.choices import OutcomeScope, OutcomeStatus
from quality.models import DevelopmentInterest, Outcome, ProfileItem, Topic
from registry.choices import ProjectRole, Sex
from registry.constants import STATE_TILES
from registry.models import Cluster, Institution, Municipality, PopulationCount, State
from registry.taxonomy import get_institution_type


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


def municipality_get_for_user(*, user: Any, slug: str, action: str) -> Municipality:
    """A commune the user may act on (e.g. "change"); 404 when unknown or out of scope."""
    municipality = Municipality.objects.visible_to(user, action).filter(slug=slug).first()
    if municipality is None:
        raise Http404("Kommune nicht gefunden")
    return municipality


def can_edit_municipality(*, user: Any, municipality: Municipality) -> bool:
    return permissions.has_permission(
        user, permissions.CHANGE, permissions.REGISTRY, municipality.pk
    )


def _tree(rows: list[ProfileItem]) -> list[dict[str, Any]]:
    children: dict[int | None, list[ProfileItem]] = defaultdict(list)
    for row in rows:
        children[row.parent_id].append(row)

    def build(parent_id: int | None) -> list[dict[str, Any]]:
        return [
            {"text": r.text, "children": build(r.pk), "id": r.pk}
            for r in sorted(children.get(parent_id, []), key=lambda r: r.position)
        ]

    return build(None)


def _strip_ids(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"text": i["text"], "children": _strip_ids(i["children"])} for i in items]


def municipality_profile(*, municipality: Municipality) -> dict[str, Any]:
    """The full profile in the parser's JSON shape, plus what the page needs.

    Item trees carry ``id`` for editing; :func:`municipality_profile_json` strips them.
    """
    interests = list(DevelopmentInterest.objects.filter(municipality=municipality))
    topics = list(Topic.objects.filter(municipality=municipality))
    outcomes = list(Outcome.objects.filter(municipality=municipality))
    outcome_groups: dict[str, dict[str, list]] = {}
    for scope_key, scope in (
        ("municipal", OutcomeScope.MUNICIPAL),
        ("cross_cluster", OutcomeScope.CROSS_CLUSTER),
    ):
        in_scope = [o for o in outcomes if o.scope == scope]
        top_achieved = {
            o.pk for o in in_scope if o.parent_id is None and o.status == OutcomeStatus.ACHIEVED
        }
        tree = _tree(in_scope)
        outcome_groups[scope_key] = {
            "achieved": [i for i in tree if i["id"] in top_achieved],
            "planned": [i for i in tree if i["id"] not in top_achieved],
        }
    participants = list(
        Institution.objects.filter(municipality=municipality, workshop_participant=True).order_by(
            "position", "name"
        )
    )
    cluster = municipality.cluster
    model = cluster.model_municipality if cluster else None
    partners: list[Municipality] = []
    if cluster is not None:
        partners = list(
            Municipality.objects.filter(cluster=cluster)
            .exclude(pk=cluster.model_municipality_id)
            .order_by("name")
        )
    return {
        "kind": municipality.project_role or None,
        "name": municipality.name,
        "slug": municipality.slug,
        "website": municipality.website or None,
        "state": municipality.state.name if municipality.state else None,
        "cluster": cluster.number if cluster else None,
        "model_municipality": model.name if model else None,
        "partners": [p.name for p in partners]
        if municipality.project_role == ProjectRole.MODEL
        else [],
        "interests": _tree(interests),
        "participants": [{"text": p.name, "children": []} for p in participants],
        "topics": _tree(topics),
        "outcomes": outcome_groups,
        "highlights": municipality.highlights or None,
        "notes": list(municipality.profile_notes or []),
        "participant_objects": participants,
        "partner_objects": partners,
        "model_object": model,
    }


_OBJECT_KEYS = {"participant_objects", "partner_objects", "model_object"}


def municipality_profile_json(*, municipality: Municipality) -> dict[str, Any]:
    """The profile as the API returns it: the parser's shape, ids stripped."""
    profile = municipality_profile(municipality=municipality)
    result = {k: v for k, v in profile.items() if k not in _OBJECT_KEYS}
    for key in ("interests", "topics"):
        result[key] = _strip_ids(result[key])
    result["outcomes"] = {
        scope: {status: _strip_ids(items) for status, items in groups.items()}
        for scope, groups in result["outcomes"].items()
    }
    body_kind = municipality.get_body_kind_display()
    result["body_kind"] = str(body_kind)
    return result


def participants_by_type(participants: list[Institution]) -> list[dict[str, Any]]:
    """Participants grouped by institution type, in taxonomy order, for the profile page."""
    groups: dict[str, list[Institution]] = defaultdict(list)
    for p in participants:
        groups[p.institution_type].append(p)
    result = []
    for code, members in groups.items():
        try:
            itype = get_institution_type(code)
            label = itype.label
        except KeyError:
            label = code
        result.append({"code": code, "label": label, "institutions": members})
    return sorted(result, key=lambda g: str(g["label"]))


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


def cluster_list() -> QuerySet[Cluster]:
    return Cluster.objects.select_related(
        "model_municipality", "model_municipality__state"
    ).annotate(member_count=Count("municipalities"))


def cluster_get(*, number: int) -> Cluster:
    cluster = cluster_list().filter(number=number).first()
    if cluster is None:
        raise Http404("Cluster nicht gefunden")
    return cluster


def cluster_members(*, cluster: Cluster) -> list[Municipality]:
    """Model commune first, then partners by name."""
    members = list(
        Municipality.objects.filter(cluster=cluster)
        .select_related("state")
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.filter(parent__isnull=True).order_by("scope", "position"),
            )
        )
    )
    return sorted(members, key=lambda m: (m.pk != cluster.model_municipality_id, m.name))


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


def project_summary() -> dict[str, int]:
    agg = Municipality.objects.aggregate(
        total=Count("id"),
        models=Count("id", filter=Q(project_role=ProjectRole.MODEL)),
        partners=Count("id", filter=Q(project_role=ProjectRole.PARTNER)),
        states=Count("state", distinct=True),
    )
    agg["clusters"] = Cluster.objects.count()
    agg["outcomes"] = Outcome.objects.count()
    return agg
