"""Reads of roles, on-call plan and crisis path; the organigram in DOT, GraphML and CSV."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import networkx as nx
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from core import permissions
from core.exports import csv_writer
from core.graphviz import dot_quote
from registry.models import Municipality
from roles.choices import Audience
from roles.models import EscalationStep, NetworkRole, OnCallSlot

# Audiences a visitor without login may see: the public and the network's professionals,
# who must be able to look up "how do I reach the Jugendamt now" without an account.
OPEN_AUDIENCES = (Audience.PUBLIC, Audience.PARTNERS)


def municipality_get(*, slug: str) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise Http404("Kommune nicht gefunden")
    return municipality


def is_member(*, user: Any, municipality: Municipality) -> bool:
    return permissions.has_permission(user, permissions.VIEW, permissions.NETWORK, municipality.pk)


def can_edit(*, user: Any, municipality: Municipality) -> bool:
    return permissions.has_permission(
        user, permissions.CHANGE, permissions.NETWORK, municipality.pk
    )


def role_list(*, municipality: Municipality) -> QuerySet[NetworkRole]:
    return NetworkRole.objects.filter(municipality=municipality).select_related(
        "institution", "holder", "deputy", "reports_to"
    )


def role_get(*, municipality: Municipality, pk: int) -> NetworkRole:
    role = role_list(municipality=municipality).filter(pk=pk).first()
    if role is None:
        raise Http404("Rolle nicht gefunden")
    return role


def on_call_slots(*, municipality: Municipality, member: bool) -> list[OnCallSlot]:
    qs = OnCallSlot.objects.filter(municipality=municipality).select_related("role")
    if not member:
        qs = qs.filter(audience__in=OPEN_AUDIENCES)
    return list(qs.order_by("audience", "starts_at", "service"))


def reachable_now(
    *, municipality: Municipality, member: bool, moment: dt.datetime | None = None
) -> list[OnCallSlot]:
    """The services reachable at ``moment`` (default: now, in the platform's time zone)."""
    moment = timezone.localtime(moment) if moment else timezone.localtime()
    return [s for s in on_call_slots(municipality=municipality, member=member) if s.covers(moment)]


def escalation_path(*, municipality: Municipality, member: bool) -> QuerySet[EscalationStep]:
    qs = EscalationStep.objects.filter(municipality=municipality).select_related("role")
    return qs if member else qs.filter(is_public=True)


def slot_get(*, municipality: Municipality, pk: int) -> OnCallSlot:
    slot = OnCallSlot.objects.filter(municipality=municipality, pk=pk).first()
    if slot is None:
        raise Http404("Erreichbarkeit nicht gefunden")
    return slot


def step_get(*, municipality: Municipality, pk: int) -> EscalationStep:
    step = EscalationStep.objects.filter(municipality=municipality, pk=pk).first()
    if step is None:
        raise Http404("Schritt nicht gefunden")
    return step


# --- the organigram ---------------------------------------------------------------------


def _person(contact: Any) -> str:
    return contact.name if contact is not None else ""


def organigram_graph(*, municipality: Municipality) -> nx.DiGraph:
    """Roles as nodes (with institution, holder and deputy), "reports to" as edges."""
    graph = nx.DiGraph()
    for role in role_list(municipality=municipality):
        graph.add_node(
            f"r{role.pk}",
            label=str(role),
            function=role.function,
            function_label=str(role.get_function_display()),
            institution=role.institution.name,
            holder=_person(role.holder),
            deputy=_person(role.deputy),
        )
        if role.reports_to_id:
            graph.add_edge(f"r{role.pk}", f"r{role.reports_to_id}")
    return graph


def organigram_dot(graph: nx.DiGraph) -> str:
    """Graphviz source: top-down hierarchy, boxes grouped by institution, wrapped labels."""
    lines = [
        "digraph organigram {",
        '  graph [rankdir=BT, nodesep=0.35, ranksep=0.6, fontname="Helvetica", size="11,16"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#eef3f8", fontname="Helvetica",'
        " fontsize=10, width=2.2];",
        '  edge [color="#555555", arrowsize=0.6];',
    ]
    by_institution: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        by_institution.setdefault(data["institution"], []).append(node)
    for index, (institution, nodes) in enumerate(sorted(by_institution.items())):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f'    label={dot_quote(institution)}; fontsize=9; color="#b0b8c0";')
        for node in nodes:
            data = graph.nodes[node]
            parts = [data["label"]]
            if data["holder"]:
                parts.append(data["holder"])
            if data["deputy"]:
                parts.append(f"Vertretung: {data['deputy']}")
            lines.append(f"    {node} [label={dot_quote(chr(10).join(parts))}];")
        lines.append("  }")
    lines.extend(f"  {a} -> {b};" for a, b in graph.edges())
    lines.append("}")
    return "\n".join(lines) + "\n"


def organigram_graphml(graph: nx.DiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8")
    return buffer.getvalue()


def organigram_csv(graph: nx.DiGraph) -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(
        ["id", "Rolle", "Funktion", "Einrichtung", "Inhaberin", "Vertretung", "berichtet an"]
    )
    for node, data in graph.nodes(data=True):
        parent = next(iter(graph.successors(node)), "")
        writer.writerow(
            [
                node,
                data["label"],
                data["function_label"],
                data["institution"],
                data["holder"],
                data["deputy"],
                parent,
            ]
        )
    return buffer.getvalue()
