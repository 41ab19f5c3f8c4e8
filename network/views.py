"""Network registry pages: a commune's network, contacts, agreements, the map and exports."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import permissions
from core.graphviz import GraphvizUnavailable, dot_to_svg
from core.pdf import html_to_pdf
from core.views import forbidden_unless
from core.web import apply_errors
from network import selectors, services
from network.forms import AgreementForm, ContactForm, InstitutionForm, WorkingGroupForm
from registry import services as registry_services
from registry.models import Municipality
from registry.selectors import cluster_get


def _network_municipality(request: HttpRequest, slug: str, action: str) -> Municipality:
    municipality = selectors.municipality_get_for_network(user=request.user, slug=slug)
    if action != permissions.VIEW:
        forbidden_unless(
            permissions.has_permission(request.user, action, permissions.NETWORK, municipality.pk)
        )
    return municipality


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "network/network_overview.html",
        {"municipalities": selectors.municipalities_for_network(user=request.user)},
    )


@login_required
def municipality_network(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = _network_municipality(request, slug, permissions.VIEW)
    graph = selectors.network_graph(municipality=municipality)
    metrics = selectors.network_metrics_cached(graph)
    labels = {node: data.get("label", node) for node, data in graph.nodes(data=True)}
    return render(
        request,
        "network/network_detail.html",
        {
            "municipality": municipality,
            "institutions": selectors.institution_list(municipality=municipality),
            "contacts": selectors.contact_list_for_user(
                user=request.user, municipality=municipality
            ),
            "agreements": selectors.agreement_list_for_user(
                user=request.user, municipality=municipality
            ),
            "working_groups": selectors.working_group_list(municipality=municipality),
            "gaps": selectors.network_gap_report(municipality=municipality),
            "metrics": metrics,
            "isolated": [labels[n] for n in metrics["isolated"]],
            "weak": [labels[n] for n in metrics["weakly_connected"]],
            "brokers": [(labels[n], score) for n, score in metrics["brokers"]],
            "can_edit": selectors.can_edit_network(user=request.user, municipality=municipality),
        },
    )


def contact_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Public list of a commune's contacts: visitors see only those marked public."""
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise Http404("Kommune nicht gefunden")
    insofa = True if request.GET.get("insofa") == "1" else None
    contacts = selectors.contact_list_for_user(
        user=request.user, municipality=municipality, insofa=insofa
    )
    return render(
        request,
        "network/contact_list.html",
        {"municipality": municipality, "contacts": contacts, "insofa": insofa},
    )


def _entity_form(
    request: HttpRequest,
    municipality: Municipality,
    form: Form,
    *,
    title: str,
    save: Callable[[dict[str, Any]], object],
    saved: str,
    multipart: bool = False,
    on_error: Callable[[], object] | None = None,
) -> HttpResponse:
    """The shared create/edit flow: valid input goes to ``save`` (a service call), the
    service's ValidationError lands inline in the form, success returns to the network."""
    if request.method == "POST" and form.is_valid():
        try:
            save(dict(form.cleaned_data))
        except ValidationError as exc:
            if on_error is not None:
                on_error()
            apply_errors(form, exc)
        else:
            messages.success(request, saved)
            return redirect("network:municipality_network", slug=municipality.slug)
    return render(
        request,
        "network/entity_form.html",
        {"municipality": municipality, "form": form, "title": title, "multipart": multipart},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = _network_municipality(request, slug, permissions.ADD)

    def save(data: dict[str, Any]) -> None:
        institution = data.pop("institution")
        services.contact_create(institution=institution, actor=request.user, **data)

    return _entity_form(
        request,
        municipality,
        ContactForm(request.POST or None, municipality=municipality),
        title=_("Neue Ansprechperson"),
        save=save,
        saved=_("Die Ansprechperson wurde gespeichert."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    municipality = _network_municipality(request, slug, permissions.CHANGE)
    contact = selectors.contact_get_for_user(user=request.user, pk=pk, action=permissions.CHANGE)
    if contact.municipality_id != municipality.pk:
        raise Http404("Ansprechperson nicht gefunden")
    return _entity_form(
        request,
        municipality,
        ContactForm(request.POST or None, instance=contact, municipality=municipality),
        title=_("Ansprechperson bearbeiten"),
        save=lambda data: services.contact_update(contact=contact, actor=request.user, **data),
        saved=_("Die Ansprechperson wurde gespeichert."),
    )


def _institution_form_view(
    request: HttpRequest, municipality: Municipality, institution=None
) -> HttpResponse:
    def save(data: dict[str, Any]) -> None:
        if institution is None:
            registry_services.institution_create(
                municipality=municipality, actor=request.user, **data
            )
        else:
            registry_services.institution_update(
                institution=institution, actor=request.user, **data
            )

    return _entity_form(
        request,
        municipality,
        InstitutionForm(request.POST or None, instance=institution, municipality=municipality),
        title=_("Neue Einrichtung") if institution is None else _("Einrichtung bearbeiten"),
        save=save,
        saved=_("Die Einrichtung wurde gespeichert."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def institution_create(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = _network_municipality(request, slug, permissions.VIEW)
    forbidden_unless(
        permissions.has_permission(
            request.user, permissions.ADD, permissions.REGISTRY, municipality.pk
        )
    )
    return _institution_form_view(request, municipality)


@login_required
@require_http_methods(["GET", "POST"])
def institution_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    municipality = _network_municipality(request, slug, permissions.VIEW)
    institution = selectors.institution_get(municipality=municipality, pk=pk)
    forbidden_unless(
        permissions.has_permission(
            request.user, permissions.CHANGE, permissions.REGISTRY, municipality.pk
        )
    )
    return _institution_form_view(request, municipality, institution)


def _agreement_relations(data: dict[str, Any]) -> dict[str, Any]:
    """Form data → the agreement services' keyword arguments."""
    return {
        "institutions": data.pop("institutions"),
        "partner_municipalities": data.pop("partner_municipalities"),
        "document": data.pop("document") or None,
        **data,
    }


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = _network_municipality(request, slug, permissions.ADD)
    return _entity_form(
        request,
        municipality,
        AgreementForm(request.POST or None, request.FILES or None, municipality=municipality),
        title=_("Neue Vereinbarung"),
        save=lambda data: services.agreement_create(
            municipality=municipality, actor=request.user, **_agreement_relations(data)
        ),
        saved=_("Die Vereinbarung wurde gespeichert."),
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    municipality = _network_municipality(request, slug, permissions.CHANGE)
    agreement = selectors.agreement_get_for_user(
        user=request.user, pk=pk, action=permissions.CHANGE
    )
    if agreement.municipality_id != municipality.pk:
        raise Http404("Vereinbarung nicht gefunden")
    return _entity_form(
        request,
        municipality,
        AgreementForm(
            request.POST or None,
            request.FILES or None,
            instance=agreement,
            municipality=municipality,
        ),
        title=_("Vereinbarung bearbeiten"),
        save=lambda data: services.agreement_update(
            agreement=agreement, actor=request.user, **_agreement_relations(data)
        ),
        saved=_("Die Vereinbarung wurde gespeichert."),
        multipart=True,
        on_error=agreement.refresh_from_db,
    )


@login_required
def agreement_document(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """The signed document, only for members who may see the commune's agreements."""
    municipality = _network_municipality(request, slug, permissions.VIEW)
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk)
    if agreement.municipality_id != municipality.pk or not agreement.document:
        raise Http404("Dokument nicht gefunden")
    return FileResponse(
        agreement.document.open("rb"),
        as_attachment=True,
        filename=agreement.document.name.rsplit("/", 1)[-1],
    )


@login_required
@require_http_methods(["GET", "POST"])
def working_group_create(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = _network_municipality(request, slug, permissions.ADD)
    return _entity_form(
        request,
        municipality,
        WorkingGroupForm(request.POST or None, municipality=municipality),
        title=_("Neuer Arbeitskreis"),
        save=lambda data: services.working_group_create(
            municipality=municipality,
            name=data["name"],
            description=data["description"],
            members=data["members"],
            actor=request.user,
        ),
        saved=_("Der Arbeitskreis wurde gespeichert."),
    )


@login_required
def network_map(request: HttpRequest, slug: str) -> HttpResponse:
    """Organigram (Graphviz SVG, if installed) and the interactive view of the network."""
    municipality = _network_municipality(request, slug, permissions.VIEW)
    graph = selectors.network_graph(municipality=municipality)
    svg, svg_error = "", ""
    try:
        svg = dot_to_svg(selectors.network_dot(graph))
    except GraphvizUnavailable as exc:
        svg_error = str(exc)
    data = selectors.network_json(municipality=municipality, graph=graph, analysis=False)
    return render(
        request,
        "network/network_map.html",
        {
            "municipality": municipality,
            "svg": svg,
            "svg_error": svg_error,
            "graph_data": data,
            "legend": sorted(
                {(n["type_label"], n["colour"]) for n in data["nodes"]}, key=lambda t: t[0]
            ),
        },
    )


def _print_rows(data: dict[str, Any]) -> dict[str, Any]:
    """The printed network's legend and one row per institution with its ties."""
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    peers: dict[Any, list[tuple[str, list[str]]]] = {n["id"]: [] for n in data["nodes"]}
    for edge in data["edges"]:
        kinds = list(edge.get("labels") or [])
        peers[edge["source"]].append((labels.get(edge["target"], ""), kinds))
        peers[edge["target"]].append((labels.get(edge["source"], ""), kinds))
    rows = [
        {"label": n["label"], "type_label": n["type_label"], "peers": sorted(peers[n["id"]])}
        for n in sorted(data["nodes"], key=lambda n: n["label"])
    ]
    legend = sorted({(n["type_label"], n["colour"]) for n in data["nodes"]}, key=lambda t: t[0])
    return {"rows": rows, "legend": legend}


@login_required
def network_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    municipality = _network_municipality(request, slug, permissions.VIEW)
    graph = selectors.network_graph(municipality=municipality)
    stem = f"netzwerk-{municipality.slug}"
    if fmt == "graphml":
        response = HttpResponse(selectors.network_graphml(graph), content_type="application/xml")
    elif fmt == "csv":
        response = HttpResponse(selectors.network_csv(graph), content_type="text/csv")
    elif fmt == "dot":
        response = HttpResponse(selectors.network_dot(graph), content_type="text/vnd.graphviz")
    elif fmt == "json":
        return HttpResponse(
            json.dumps(selectors.network_json(municipality=municipality), ensure_ascii=False),
            content_type="application/json",
        )
    elif fmt == "svg":
        try:
            svg = dot_to_svg(selectors.network_dot(graph))
        except GraphvizUnavailable as exc:
            messages.error(request, str(exc))
            return redirect(reverse("network:network_map", args=[municipality.slug]))
        response = HttpResponse(svg, content_type="image/svg+xml")
    elif fmt == "pdf":
        # A4 landscape by default, A3 for large networks: the drawing scales to the page,
        # the table of institutions and their ties repeats its header on every page.
        paper = "A3" if request.GET.get("papier", "").lower() == "a3" else "A4"
        try:
            svg = dot_to_svg(selectors.network_dot(graph))
        except GraphvizUnavailable as exc:
            messages.error(request, str(exc))
            return redirect(reverse("network:network_map", args=[municipality.slug]))
        html = render_to_string(
            "network/network_print.html",
            {"municipality": municipality, "svg": svg, "paper": paper}
            | _print_rows(selectors.network_json(municipality=municipality, graph=graph)),
        )
        response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
        if paper == "A3":
            stem += "-a3"
    else:
        raise Http404("Unbekanntes Format")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


def cluster_gaps(request: HttpRequest, number: int) -> HttpResponse:
    """§ 3 Abs. 2 KKG gaps of every commune of a cluster side by side (public registry data)."""
    cluster = cluster_get(number=number)
    participants_only = request.GET.get("alle") != "1"
    return render(
        request,
        "network/cluster_gaps.html",
        {
            "cluster": cluster,
            "matrix": selectors.cluster_gap_matrix(
                cluster=cluster, participants_only=participants_only
            ),
            "participants_only": participants_only,
        },
    )
