"""Profile pages: home, public commune and cluster pages, and the coordinators' edit views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import permissions
from core.pagecache import cache_public
from core.selectors import audit_events_for_object
from core.views import forbidden_unless
from core.web import render_partial_or_page
from profiles import selectors
from profiles.forms import MunicipalityFilterForm, MunicipalityForm
from registry import selectors as registry_selectors
from registry import services as registry_services


@cache_public()
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "profiles/home.html",
        {
            "summary": selectors.project_summary(),
            "states": registry_selectors.state_overview(),
            "clusters": registry_selectors.cluster_list(),
        },
    )


@cache_public()
def municipality_list(request: HttpRequest) -> HttpResponse:
    form = MunicipalityFilterForm(request.GET or None)
    filters: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "q": data["q"],
            "state": data["state"].code if data["state"] else "",
            "cluster": data["cluster"].number if data["cluster"] else None,
            "role": data["role"],
        }
    page = Paginator(registry_selectors.municipality_list(**filters), 50).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page}
    return render_partial_or_page(request, "profiles/municipality_list.html", "table", context)


@cache_public()
def municipality_detail(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = registry_selectors.municipality_get_public(slug=slug)
    profile = selectors.municipality_profile(municipality=municipality)
    return render(
        request,
        "profiles/municipality_detail.html",
        {
            "municipality": municipality,
            "profile": profile,
            "participant_groups": selectors.participants_by_type(profile["participant_objects"]),
            "pyramid": registry_selectors.population_pyramid(municipality=municipality),
            "can_edit": registry_selectors.can_edit_municipality(
                user=request.user, municipality=municipality
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def municipality_edit(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = registry_selectors.municipality_get_public(slug=slug)
    forbidden_unless(
        permissions.has_permission(
            request.user, permissions.CHANGE, permissions.REGISTRY, municipality.pk
        )
    )
    initial = {
        "body_kind": municipality.body_kind,
        "state": municipality.state,
        "website": municipality.website,
        "emergency_phone": municipality.emergency_phone,
        "highlights": municipality.highlights,
    }
    form = MunicipalityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        registry_services.municipality_update(
            municipality=municipality,
            actor=request.user,
            body_kind=data["body_kind"],
            state=data["state"],
            website=data["website"],
            emergency_phone=data["emergency_phone"].strip(),
            highlights=data["highlights"],
            reason=data["reason"],
        )
        messages.success(request, _("Das Profil wurde gespeichert."))
        return redirect(municipality.get_absolute_url())
    return render(
        request, "profiles/municipality_form.html", {"municipality": municipality, "form": form}
    )


@login_required
def municipality_history(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = registry_selectors.municipality_get_public(slug=slug)
    # The change history names people: members of the commune and the project team only.
    forbidden_unless(
        permissions.has_permission(
            request.user, permissions.VIEW, permissions.REGISTRY, municipality.pk
        )
    )
    events = Paginator(audit_events_for_object(obj=municipality), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "profiles/municipality_history.html",
        {"municipality": municipality, "events": events},
    )


@cache_public()
def cluster_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "profiles/cluster_list.html", {"clusters": registry_selectors.cluster_list()}
    )


@cache_public()
def cluster_detail(request: HttpRequest, number: int) -> HttpResponse:
    cluster = registry_selectors.cluster_get(number=number)
    columns = selectors.cluster_columns(cluster=cluster)
    return render(request, "profiles/cluster_detail.html", {"cluster": cluster, "columns": columns})
