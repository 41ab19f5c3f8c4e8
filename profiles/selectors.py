"""The profile read model: a commune's master data joined with its profile items.

Public data only (the profile pages need no login). The shape is
:class:`registry.profile_types.Profile`, the same the parser returns and the importer writes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch, Q

from quality.choices import OutcomeScope, OutcomeStatus
from quality.models import DevelopmentInterest, Outcome, ProfileItem, Topic
from registry.choices import ProjectRole
from registry.models import Cluster, Institution, Municipality
from registry.profile_types import OutcomeGroup, Profile, ProfileItemNode
from registry.taxonomy import get_institution_type


class ProfilePage(Profile):
    """The profile as the page shows it: items with ``id``, plus the records it links to."""

    participant_objects: list[Institution]
    partner_objects: list[Municipality]
    model_object: Municipality | None


def _tree(rows: list[ProfileItem]) -> list[ProfileItemNode]:
    children: dict[int | None, list[ProfileItem]] = defaultdict(list)
    for row in rows:
        children[row.parent_id].append(row)

    def build(parent_id: int | None) -> list[ProfileItemNode]:
        nodes: list[ProfileItemNode] = []
        for r in sorted(children.get(parent_id, []), key=lambda r: r.position):
            node: ProfileItemNode = {"text": r.text, "children": build(r.pk), "id": r.pk}
            status = getattr(r, "status", "")
            if status and status not in (OutcomeStatus.PLANNED, OutcomeStatus.ACHIEVED):
                node["status_label"] = str(OutcomeStatus(status).label)
            nodes.append(node)
        return nodes

    return build(None)


def _strip_ids(items: list[ProfileItemNode]) -> list[ProfileItemNode]:
    return [{"text": i["text"], "children": _strip_ids(i["children"])} for i in items]


def municipality_profile(*, municipality: Municipality) -> ProfilePage:
    """The full profile in the parser's shape, plus what the page needs.

    Item trees carry ``id`` for editing; :func:`municipality_profile_json` strips them.
    """
    interests = list(DevelopmentInterest.objects.filter(municipality=municipality))
    topics = list(Topic.objects.filter(municipality=municipality))
    outcomes = list(Outcome.objects.filter(municipality=municipality))
    outcome_groups: dict[str, OutcomeGroup] = {}
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
    return {  # type: ignore[typeddict-item]  # outcome_groups has exactly the two scopes
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


def municipality_profile_json(*, municipality: Municipality) -> Profile:
    """The profile as the API returns it: the parser's shape, ids stripped."""
    profile = municipality_profile(municipality=municipality)
    result: Profile = {k: v for k, v in profile.items() if k not in _OBJECT_KEYS}  # type: ignore[assignment]
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


def cluster_columns(*, cluster: Cluster) -> list[dict[str, Any]]:
    """One column per member for the cluster page: achieved, planned and cross-cluster results."""
    columns = []
    for m in cluster_members(cluster=cluster):
        outcomes = list(m.outcomes.all())
        municipal = [o for o in outcomes if o.scope == OutcomeScope.MUNICIPAL]
        columns.append(
            {
                "municipality": m,
                "is_model": m.pk == cluster.model_municipality_id,
                "achieved": [o for o in municipal if o.status == OutcomeStatus.ACHIEVED],
                "planned": [o for o in municipal if o.status != OutcomeStatus.ACHIEVED],
                "cross": [o for o in outcomes if o.scope == OutcomeScope.CROSS_CLUSTER],
            }
        )
    return columns
