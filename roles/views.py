"""Pages of roles, on-call plan and crisis path (thin: selectors read, services write)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.graphviz import GraphvizUnavailable, dot_to_svg
from core.views import forbidden_unless
from core.web import apply_errors
from quality.rendering import protocol_pdf
from registry.models import Municipality
from roles import selectors, services
from roles.forms import EscalationStepForm, OnCallSlotForm, RoleForm


def _member_municipality(request: HttpRequest, slug: str, *, edit: bool = False) -> Municipality:
    municipality = selectors.municipality_get(slug=slug)
    if not selectors.is_member(user=request.user, municipality=municipality):
        raise Http404("Kommune nicht gefunden")
    if edit:
        forbidden_unless(selectors.can_edit(user=request.user, municipality=municipality))
    return municipality


def _organigram_svg(graph) -> tuple[str, str]:
    try:
        return dot_to_svg(selectors.organigram_dot(graph)), ""
    except GraphvizUnavailable as exc:
        return "", str(exc)


@login_required
def role_list(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = _member_municipality(request, slug)
    graph = selectors.organigram_graph(municipality=municipality)
    svg, svg_error = _organigram_svg(graph) if graph.number_of_nodes() else ("", "")
    return render(
        request,
        "roles/role_list.html",
        {
            "municipality": municipality,
            "roles": selectors.role_list(municipality=municipality),
            "svg": svg,
            "svg_error": svg_error,
            "can_edit": selectors.can_edit(user=request.user, municipality=municipality),
        },
    )


@login_required
def organigram_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    municipality = _member_municipality(request, slug)
    graph = selectors.organigram_graph(municipality=municipality)
    stem = f"rollen-{municipality.slug}"
    # PDF: A4 landscape by default, A3 for large organisations (the drawing scales to the
    # page, so nothing is cut off; the table repeats its header row on every page).
    paper = "A3" if request.GET.get("papier", "").lower() == "a3" else "A4"
    if fmt == "graphml":
        response = HttpResponse(selectors.organigram_graphml(graph), content_type="application/xml")
    elif fmt == "csv":
        response = HttpResponse(selectors.organigram_csv(graph), content_type="text/csv")
    elif fmt == "dot":
        response = HttpResponse(selectors.organigram_dot(graph), content_type="text/vnd.graphviz")
    elif fmt in ("svg", "pdf"):
        svg, error = _organigram_svg(graph)
        if error:
            messages.error(request, error)
            return redirect("roles:role_list", slug=municipality.slug)
        if fmt == "svg":
            response = HttpResponse(svg, content_type="image/svg+xml")
        else:
            html = render_to_string(
                "roles/organigram_print.html",
                {
                    "paper": paper,
                    "municipality": municipality,
                    "svg": svg,
                    "roles": selectors.role_list(municipality=municipality),
                },
            )
            response = HttpResponse(protocol_pdf(html), content_type="application/pdf")
    else:
        raise Http404("Unbekanntes Format")
    if fmt == "pdf" and paper == "A3":
        stem += "-a3"
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


def _entity_form(
    request: HttpRequest,
    municipality: Municipality,
    form: Form,
    *,
    title: str,
    save: Callable[[dict[str, Any]], object],
    back: str,
) -> HttpResponse:
    """The shared create/edit flow: valid input goes to a service; its ValidationError
    lands inline in the form with everything typed kept."""
    if request.method == "POST" and form.is_valid():
        try:
            save(dict(form.cleaned_data))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Gespeichert."))
            return redirect(back, slug=municipality.slug)
    return render(
        request,
        "roles/entity_form.html",
        {"municipality": municipality, "form": form, "title": title, "back": back},
    )


def availability(request: HttpRequest, slug: str) -> HttpResponse:
    """How to reach the Jugendamt now: public for the open audiences, complete for members."""
    municipality = selectors.municipality_get(slug=slug)
    member = selectors.is_member(user=request.user, municipality=municipality)
    return render(
        request,
        "roles/availability.html",
        {
            "municipality": municipality,
            "now": selectors.reachable_now(municipality=municipality, member=member),
            "slots": selectors.on_call_slots(municipality=municipality, member=member),
            "steps": selectors.escalation_path(municipality=municipality, member=member),
            "member": member,
            "can_edit": selectors.can_edit(user=request.user, municipality=municipality),
        },
    )


@dataclass(frozen=True)
class _Entity:
    """One kind of record the roles pages create and edit."""

    form: type[Form]
    create: Callable[..., object]
    update: Callable[..., object]
    get: Callable[..., object]
    new_title: str
    edit_title: str
    back: str


_ENTITIES = {
    "role": _Entity(
        RoleForm,
        services.role_create,
        services.role_update,
        selectors.role_get,
        gettext_lazy("Neue Rolle"),
        gettext_lazy("Rolle bearbeiten"),
        "roles:role_list",
    ),
    "slot": _Entity(
        OnCallSlotForm,
        services.on_call_slot_create,
        services.on_call_slot_update,
        selectors.slot_get,
        gettext_lazy("Neue Erreichbarkeit"),
        gettext_lazy("Erreichbarkeit bearbeiten"),
        "roles:availability",
    ),
    "step": _Entity(
        EscalationStepForm,
        services.escalation_step_create,
        services.escalation_step_update,
        selectors.step_get,
        gettext_lazy("Neuer Schritt im Krisenweg"),
        gettext_lazy("Schritt im Krisenweg bearbeiten"),
        "roles:availability",
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def entity_create(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """A new role, on-call slot or crisis-path step (``kind`` from the URL pattern)."""
    entity = _ENTITIES[kind]
    municipality = _member_municipality(request, slug, edit=True)
    return _entity_form(
        request,
        municipality,
        entity.form(request.POST or None, municipality=municipality),
        title=str(entity.new_title),
        save=lambda data: entity.create(municipality=municipality, actor=request.user, **data),
        back=entity.back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def entity_edit(request: HttpRequest, slug: str, pk: int, kind: str) -> HttpResponse:
    entity = _ENTITIES[kind]
    municipality = _member_municipality(request, slug, edit=True)
    record = entity.get(municipality=municipality, pk=pk)
    return _entity_form(
        request,
        municipality,
        entity.form(request.POST or None, instance=record, municipality=municipality),
        title=str(entity.edit_title),
        save=lambda data: entity.update(**{kind: record}, actor=request.user, **data),
        back=entity.back,
    )
