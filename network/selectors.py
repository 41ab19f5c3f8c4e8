"""Reads of the network registry: scoped lists, the network graph, metrics and gaps.

The graph is built with networkx from three kinds of links: agreements (all parties of
one agreement are linked with each other), working groups (all members of one group) and
the organisational "part of" link (ASD → Jugendamt). Everything below works on that one
graph, so the map, the exports and the API show the same network.
"""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import networkx as nx
from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from core import permissions
from core.exports import csv_writer
from network.choices import EdgeKind
from network.constants import (
    BETWEENNESS_EXACT_MAX_NODES,
    BETWEENNESS_SAMPLE,
    BROKER_COUNT,
    METRICS_CACHE_SECONDS,
)
from network.models import Agreement, Contact, WorkingGroup
from registry.models import Cluster, Institution, Municipality
from registry.taxonomy import KKG_CATEGORIES, get_institution_type

# Colours per institution type group: the map also writes the type in each label, so
# colour is never the only carrier of information.
TYPE_COLOURS: dict[str, str] = {
    "youth_office": "#1f77b4",
    "free_provider": "#6baed6",
    "daycare": "#9ecae1",
    "early_help": "#3182bd",
    "family_education": "#3182bd",
    "school": "#31a354",
    "health_office": "#e6550d",
    "clinic": "#fd8d3c",
    "social_paediatric_centre": "#fd8d3c",
    "early_intervention": "#fdae6b",
    "physician": "#fdd0a2",
    "midwife": "#fdd0a2",
    "police": "#636363",
    "public_order": "#969696",
    "family_court": "#756bb1",
    "public_prosecutor": "#9e9ac8",
    "counselling": "#de9ed6",
    "pregnancy_counselling": "#ce6dbd",
    "violence_protection": "#a55194",
    "employment_agency": "#8c6d31",
    "social_welfare_office": "#bd9e39",
    "municipality": "#444444",
}
DEFAULT_COLOUR = "#bbbbbb"
EDGE_COLOURS = {
    EdgeKind.AGREEMENT: "#d62728",
    EdgeKind.WORKING_GROUP: "#2ca02c",
    EdgeKind.PARENT: "#7f7f7f",
}


def can_edit_network(*, user: Any, municipality: Municipality) -> bool:
    return permissions.has_permission(
        user, permissions.CHANGE, permissions.NETWORK, municipality.pk
    )


def can_view_network(*, user: Any, municipality: Municipality) -> bool:
    return permissions.has_permission(user, permissions.VIEW, permissions.NETWORK, municipality.pk)


def municipality_get_for_network(*, user: Any, slug: str) -> Municipality:
    """The commune whose network ``user`` may see; 404 when unknown *or* not theirs."""
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None or not can_view_network(user=user, municipality=municipality):
        raise Http404("Kommune nicht gefunden")
    return municipality


def municipalities_for_network(*, user: Any) -> QuerySet[Municipality]:
    allowed = permissions.municipality_ids_for(user, permissions.VIEW, permissions.NETWORK)
    qs = Municipality.objects.select_related("cluster").order_by("name")
    if allowed == permissions.ALL:
        return qs.filter(Q(institutions__isnull=False) | Q(agreements__isnull=False)).distinct()
    return qs.filter(pk__in=allowed)


def institution_list(*, municipality: Municipality) -> QuerySet[Institution]:
    """Institutions of a commune (public registry data) with their parents."""
    return (
        Institution.objects.filter(municipality=municipality)
        .select_related("parent")
        .order_by("position", "name")
    )


def institution_get(*, municipality: Municipality, pk: int) -> Institution:
    institution = Institution.objects.filter(municipality=municipality, pk=pk).first()
    if institution is None:
        raise Http404("Einrichtung nicht gefunden")
    return institution


def contact_list_for_user(
    *, user: Any, municipality: Municipality | None = None, insofa: bool | None = None
) -> QuerySet[Contact]:
    """Contacts ``user`` may see: all of their communes' contacts, elsewhere only the
    public ones. Anonymous visitors see public contacts only (personal data of staff)."""
    allowed = permissions.municipality_ids_for(user, permissions.VIEW, permissions.NETWORK)
    qs = Contact.objects.select_related("institution", "municipality")
    if allowed != permissions.ALL:
        qs = qs.filter(Q(is_public=True) | Q(municipality_id__in=allowed))
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if insofa is not None:
        qs = qs.filter(is_insofa=insofa)
    return qs.order_by("municipality__name", "institution__name", "name")


def contact_get_for_user(*, user: Any, pk: int, action: str = permissions.VIEW) -> Contact:
    if action == permissions.VIEW:
        contact = contact_list_for_user(user=user).filter(pk=pk).first()
    else:
        contact = (
            Contact.objects.visible_to(user, action).select_related("institution").filter(pk=pk)
        ).first()
    if contact is None:
        raise Http404("Ansprechperson nicht gefunden")
    return contact


def agreement_list_for_user(
    *, user: Any, municipality: Municipality | None = None
) -> QuerySet[Agreement]:
    qs = Agreement.objects.visible_to(user).select_related("municipality")
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    return qs.prefetch_related(
        Prefetch("institutions", queryset=Institution.objects.only("id", "name")),
        Prefetch("partner_municipalities", queryset=Municipality.objects.only("id", "name")),
    ).order_by("municipality__name", "next_review_on", "title")


def agreement_get_for_user(*, user: Any, pk: int, action: str = permissions.VIEW) -> Agreement:
    agreement = Agreement.objects.visible_to(user, action).filter(pk=pk).first()
    if agreement is None:
        raise Http404("Vereinbarung nicht gefunden")
    return agreement


def working_group_list(*, municipality: Municipality) -> QuerySet[WorkingGroup]:
    return WorkingGroup.objects.filter(municipality=municipality).prefetch_related(
        Prefetch("members", queryset=Institution.objects.only("id", "name"))
    )


# --- the graph --------------------------------------------------------------------------


def _type_label(code: str) -> str:
    if code == "municipality":
        return "Kommune"
    try:
        return str(get_institution_type(code).label)
    except KeyError:
        return code


def _add_link(graph: nx.Graph, a: str, b: str, kind: str, label: str) -> None:
    if a == b:
        return
    if graph.has_edge(a, b):
        data = graph.edges[a, b]
        data["kinds"] = sorted(set(data["kinds"]) | {kind})
        data["labels"] = sorted(set(data["labels"]) | {label})
        data["weight"] += 1
    else:
        graph.add_edge(a, b, kinds=[kind], labels=[label], weight=1)


def network_graph(*, municipality: Municipality) -> nx.Graph:
    """The commune's network: institutions (and partner communes) as nodes."""
    graph = nx.Graph(name=municipality.name)
    for inst in Institution.objects.filter(municipality=municipality).only(
        "id", "name", "institution_type", "parent_id", "district", "workshop_participant"
    ):
        graph.add_node(
            f"i{inst.pk}",
            label=inst.name,
            type=inst.institution_type,
            type_label=_type_label(inst.institution_type),
            district=inst.district,
            participant=inst.workshop_participant,
        )
        if inst.parent_id:
            graph.add_node(f"i{inst.parent_id}")
            _add_link(graph, f"i{inst.pk}", f"i{inst.parent_id}", EdgeKind.PARENT, "")
    # Link tables are read as plain tuples: on networks of thousands of institutions,
    # building model instances for every membership costs more than the graph itself.
    members: dict[int, list[str]] = defaultdict(list)
    for agreement_id, institution_id in Agreement.institutions.through.objects.filter(
        agreement__municipality=municipality
    ).values_list("agreement_id", "institution_id"):
        members[agreement_id].append(f"i{institution_id}")
    for (
        agreement_id,
        other_id,
        other_name,
    ) in Agreement.partner_municipalities.through.objects.filter(
        agreement__municipality=municipality
    ).values_list("agreement_id", "municipality_id", "municipality__name"):
        node = f"m{other_id}"
        graph.add_node(
            node, label=other_name, type="municipality", type_label="Kommune", district=""
        )
        members[agreement_id].append(node)
    titles = dict(Agreement.objects.filter(municipality=municipality).values_list("id", "title"))
    for agreement_id, nodes in members.items():
        for a, b in combinations(nodes, 2):
            _add_link(graph, a, b, EdgeKind.AGREEMENT, titles[agreement_id])
    group_members: dict[int, list[str]] = defaultdict(list)
    for group_id, institution_id in WorkingGroup.members.through.objects.filter(
        workinggroup__municipality=municipality
    ).values_list("workinggroup_id", "institution_id"):
        group_members[group_id].append(f"i{institution_id}")
    names = dict(WorkingGroup.objects.filter(municipality=municipality).values_list("id", "name"))
    for group_id, nodes in group_members.items():
        for a, b in combinations(nodes, 2):
            _add_link(graph, a, b, EdgeKind.WORKING_GROUP, names[group_id])
    return graph


def network_metrics(graph: nx.Graph, *, broker_count: int = BROKER_COUNT) -> dict[str, Any]:
    """Isolated and weakly connected actors, brokers and components.

    *Isolated*: no link at all. *Weakly connected*: one link only, or outside the largest
    component — a single phone call away from falling out. *Brokers*: highest
    betweenness; every cut vertex (articulation point) is listed too, because losing it
    splits the network. Large graphs use sampled betweenness with a fixed seed so the
    report is reproducible.
    """
    n = graph.number_of_nodes()
    if n == 0:
        return {
            "nodes": 0,
            "edges": 0,
            "density": 0.0,
            "components": 0,
            "isolated": [],
            "weakly_connected": [],
            "brokers": [],
            "cut_vertices": [],
            "betweenness_sampled": False,
        }
    components = sorted(nx.connected_components(graph), key=len, reverse=True)
    largest = components[0] if components else set()
    isolated = sorted(node for node, degree in graph.degree() if degree == 0)
    weak = sorted(
        node
        for node, degree in graph.degree()
        if degree > 0 and (degree == 1 or node not in largest)
    )
    sampled = n > BETWEENNESS_EXACT_MAX_NODES
    betweenness = nx.betweenness_centrality(
        graph, k=min(BETWEENNESS_SAMPLE, n) if sampled else None, seed=7 if sampled else None
    )
    brokers = [
        (node, round(score, 4))
        for node, score in sorted(betweenness.items(), key=lambda kv: (-kv[1], kv[0]))
        if score > 0
    ][:broker_count]
    return {
        "nodes": n,
        "edges": graph.number_of_edges(),
        "density": round(nx.density(graph), 4),
        "components": len(components),
        "isolated": isolated,
        "weakly_connected": weak,
        "brokers": brokers,
        "cut_vertices": sorted(nx.articulation_points(graph)),
        "betweenness_sampled": sampled,
    }


def graph_fingerprint(graph: nx.Graph) -> str:
    """A hash of the network's structure: equal networks give equal metrics."""
    digest = hashlib.sha256()
    for node in sorted(graph.nodes):
        digest.update(f"n{node};".encode())
    for a, b in sorted(tuple(sorted(edge)) for edge in graph.edges):
        digest.update(f"e{a},{b};".encode())
    return digest.hexdigest()


def network_metrics_cached(graph: nx.Graph) -> dict[str, Any]:
    """:func:`network_metrics`, reused while the network's structure is unchanged.

    Betweenness on thousands of nodes takes seconds; the page, the map and the API ask
    for it again and again while the network changes rarely.
    """
    key = f"network-metrics:{BETWEENNESS_SAMPLE}:{graph_fingerprint(graph)}"
    metrics = cache.get(key)
    if metrics is None:
        metrics = network_metrics(graph)
        cache.set(key, metrics, METRICS_CACHE_SECONDS)
    return metrics


# --- § 3 Abs. 2 KKG gaps ----------------------------------------------------------------


@dataclass(frozen=True)
class GapRow:
    code: str
    label: str
    paragraph: str
    institutions: tuple[str, ...]

    @property
    def covered(self) -> bool:
        return bool(self.institutions)


def network_gap_report(
    *, municipality: Municipality, participants_only: bool = False
) -> list[GapRow]:
    """Each § 3 Abs. 2 KKG category with the institutions that cover it (empty = gap).

    ``participants_only`` limits the view to the workshop's participants, which is what
    the seed profiles list ("Teilnehmende").
    """
    qs = Institution.objects.filter(municipality=municipality)
    if participants_only:
        qs = qs.filter(workshop_participant=True)
    covering: dict[str, list[str]] = defaultdict(list)
    for name, type_code in qs.values_list("name", "institution_type").order_by("name"):
        try:
            codes = get_institution_type(type_code).kkg
        except KeyError:
            continue
        for code in codes:
            covering[code].append(name)
    return [
        GapRow(c.code, str(c.label), c.paragraph, tuple(covering.get(c.code, ())))
        for c in KKG_CATEGORIES
    ]


def network_gaps(*, municipality: Municipality, participants_only: bool = False) -> list[str]:
    """Codes of the missing categories, in the statute's order."""
    return [
        row.code
        for row in network_gap_report(
            municipality=municipality, participants_only=participants_only
        )
        if not row.covered
    ]


def cluster_gap_matrix(*, cluster: Cluster, participants_only: bool = True) -> dict[str, Any]:
    """The gap report of every commune of a cluster side by side (rows: categories)."""
    members = list(
        Municipality.objects.filter(Q(cluster=cluster) | Q(led_cluster=cluster))
        .distinct()
        .order_by("name")
    )
    members.sort(key=lambda m: (m.pk != cluster.model_municipality_id, m.name))
    reports = {
        m.pk: network_gap_report(municipality=m, participants_only=participants_only)
        for m in members
    }
    rows = []
    for index, category in enumerate(KKG_CATEGORIES):
        rows.append(
            {
                "code": category.code,
                "label": str(category.label),
                "cells": [reports[m.pk][index] for m in members],
            }
        )
    return {"municipalities": members, "rows": rows}


# --- exports ----------------------------------------------------------------------------


def graph_for_export(graph: nx.Graph) -> nx.Graph:
    """A copy with only scalar attributes (GraphML and Gephi can't store lists)."""
    out = nx.Graph(name=graph.graph.get("name", ""))
    for node, data in graph.nodes(data=True):
        type_code = data.get("type", "")
        out.add_node(
            node,
            label=data.get("label", node),
            type=type_code,
            type_label=data.get("type_label", ""),
            district=data.get("district", ""),
            colour=TYPE_COLOURS.get(type_code, DEFAULT_COLOUR),
        )
    for a, b, data in graph.edges(data=True):
        out.add_edge(
            a,
            b,
            kinds=",".join(str(k) for k in data["kinds"]),
            labels="; ".join(data["labels"]),
            weight=data["weight"],
        )
    return out


def network_graphml(graph: nx.Graph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(graph_for_export(graph), buffer, encoding="utf-8")
    return buffer.getvalue()


def network_csv(graph: nx.Graph) -> str:
    """Edge list with labels (Gephi's "Kantentabelle": Source, Target, Type, Label, Weight)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(
        ["Source", "Target", "Source label", "Target label", "Kinds", "Label", "Weight"]
    )
    for a, b, data in sorted(graph.edges(data=True)):
        writer.writerow(
            [
                a,
                b,
                graph.nodes[a].get("label", a),
                graph.nodes[b].get("label", b),
                ",".join(str(k) for k in data["kinds"]),
                "; ".join(data["labels"]),
                data["weight"],
            ]
        )
    for node in sorted(nx.isolates(graph)):
        writer.writerow([node, "", graph.nodes[node].get("label", node), "", "", "", 0])
    return buffer.getvalue()


def network_dot(graph: nx.Graph) -> str:
    """Organigram-style DOT: departments under their parent, coloured by type."""
    from core.graphviz import dot_quote

    lines = [
        "graph network {",
        '  graph [rankdir=TB, fontname="Helvetica", overlap=false, splines=true];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=8];',
    ]
    for node, data in sorted(graph.nodes(data=True)):
        colour = TYPE_COLOURS.get(data.get("type", ""), DEFAULT_COLOUR)
        label = f"{data.get('label', node)}\n({data.get('type_label', '')})"
        lines.append(f"  {node} [label={dot_quote(label)}, fillcolor={dot_quote(colour + '55')}];")
    for a, b, data in sorted(graph.edges(data=True)):
        kinds = data["kinds"]
        if EdgeKind.PARENT in kinds:
            style = "solid"
            colour = EDGE_COLOURS[EdgeKind.PARENT]
        elif EdgeKind.AGREEMENT in kinds:
            style = "bold"
            colour = EDGE_COLOURS[EdgeKind.AGREEMENT]
        else:
            style = "dashed"
            colour = EDGE_COLOURS[EdgeKind.WORKING_GROUP]
        lines.append(f"  {a} -- {b} [style={style}, color={dot_quote(colour)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def network_json(
    *, municipality: Municipality, graph: nx.Graph | None = None, analysis: bool = True
) -> dict[str, Any]:
    """Nodes, edges and (with ``analysis``) metrics and gaps as one document.

    The API asks for everything; the interactive map only needs nodes and edges.
    """
    if graph is None:
        graph = network_graph(municipality=municipality)
    labels = {node: data.get("label", node) for node, data in graph.nodes(data=True)}
    document: dict[str, Any] = {
        "municipality": municipality.slug,
        "nodes": [
            {
                "id": node,
                "label": labels[node],
                "type": data.get("type", ""),
                "type_label": data.get("type_label", ""),
                "colour": TYPE_COLOURS.get(data.get("type", ""), DEFAULT_COLOUR),
                "degree": graph.degree(node),
            }
            for node, data in sorted(graph.nodes(data=True))
        ],
        "edges": [
            {
                "source": a,
                "target": b,
                "kinds": [str(k) for k in data["kinds"]],
                "labels": data["labels"],
                "weight": data["weight"],
            }
            for a, b, data in sorted(graph.edges(data=True))
        ],
    }
    if not analysis:
        return document
    metrics = network_metrics_cached(graph)
    return {
        **document,
        "metrics": {
            **metrics,
            "brokers": [
                {"id": node, "label": labels[node], "betweenness": score}
                for node, score in metrics["brokers"]
            ],
        },
        "gaps": [
            {"code": row.code, "label": row.label, "paragraph": row.paragraph}
            for row in network_gap_report(municipality=municipality)
            if not row.covered
        ],
    }


def due_items_for_user(*, user: Any, today: Any) -> list:
    """Mein Bereich: agreements past their review date or due for review within 30 days."""
    import datetime as dt

    from django.urls import reverse
    from django.utils.translation import gettext as _

    from core.inbox import DueItem
    from network.models import Agreement

    if not permissions.municipality_ids_for(user, permissions.CHANGE, permissions.NETWORK):
        return []
    agreements = (
        Agreement.objects.visible_to(user, permissions.CHANGE)
        .filter(next_review_on__lte=today + dt.timedelta(days=30))
        .select_related("municipality")
        .order_by("next_review_on")[:10]
    )
    return [
        DueItem(
            kind="agreement_review",
            title=(
                _("Vereinbarung „%(title)s“ überprüfen (überfällig)")
                if a.next_review_on < today
                else _("Vereinbarung „%(title)s“ überprüfen")
            )
            % {"title": a.title},
            url=reverse("network:agreement_edit", args=[a.municipality.slug, a.pk]),
            when=a.next_review_on,
            overdue=a.next_review_on < today,
        )
        for a in agreements
    ]
