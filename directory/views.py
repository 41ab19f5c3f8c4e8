"""Frühe-Hilfen pages: public search, print list and detail; confirmation, import, export."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import exports, permissions
from core.pagecache import cache_public
from core.views import forbidden_unless
from core.web import render_partial_or_page
from directory import geo, hsds, selectors, services
from directory.forms import ImportForm, SearchForm, ServiceForm, ServiceIndicatorForm
from registry.models import Municipality


def _search(request: HttpRequest) -> tuple[SearchForm, selectors.ServiceFilters]:
    municipalities = list(
        Municipality.objects.filter(services__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )
    groups = list(selectors.target_groups().values_list("slug", "name"))
    form = SearchForm(request.GET or None, municipalities=municipalities, groups=groups)
    filters = selectors.ServiceFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ServiceFilters(
            q=data["q"].strip(),
            municipality=data["municipality"],
            target_group=data["target_group"],
            age=data["age"],
            district=data["district"].strip(),
            language=data["language"],
            free=data["free"],
            near=data["near"].strip(),
            radius_km=data["radius_km"],
        )
    return form, filters


def _search_context(request: HttpRequest, form: SearchForm, filters) -> dict:
    """What the result list shows besides the offers: the place searched from, the
    commune's emergency number and whether more filters than the text field are set."""
    origin = filters.origin
    commune = (
        Municipality.objects.filter(slug=filters.municipality).first()
        if filters.municipality
        else None
    )
    return {
        "origin": origin,
        "near_unknown": bool(filters.near) and origin is None,
        "emergency_commune": commune,
        "more_filters": any(
            [
                filters.target_group,
                filters.age is not None,
                filters.municipality,
                filters.district,
                filters.language,
                filters.free,
            ]
        ),
    }


@cache_public()
def service_list(request: HttpRequest) -> HttpResponse:
    """The public search page: one text field, a few filters, results as you type."""
    form, filters = _search(request)
    page = Paginator(selectors.service_search(filters), 25).get_page(request.GET.get("page"))
    items = list(page)
    origin = filters.origin
    results = [
        {
            "service": s,
            "stale": s.is_stale(),
            "distance_km": (
                geo.distance_km(
                    origin.latitude, origin.longitude, float(s.latitude), float(s.longitude)
                )
                if origin is not None and s.latitude is not None
                else None
            ),
        }
        for s in items
    ]
    allowed = permissions.municipality_ids_for(request.user, permissions.ADD, permissions.NETWORK)
    # Global roles may add everywhere; the link list stays short for them: none is shown.
    manageable = (
        list(Municipality.objects.filter(pk__in=allowed).order_by("name"))
        if isinstance(allowed, set)
        else []
    )
    context = {
        "form": form,
        "page": page,
        "results": results,
        "result_map": geo.result_map(items, origin) if request.GET.get("karte") else None,
        "show_map": bool(request.GET.get("karte")),
        "today": selectors.today(),
        "can_manage": bool(manageable),
        "manageable": manageable,
        # Data formats are for the coordination and other systems, not for parents.
        "show_exports": request.user.is_authenticated,
        **_search_context(request, form, filters),
    }
    return render_partial_or_page(request, "directory/service_list.html", "results", context)


def service_print(request: HttpRequest) -> HttpResponse:
    """All results of the current search on one printable page."""
    form, filters = _search(request)
    services = list(selectors.service_search(filters).prefetch_related("target_groups")[:2000])
    return render(
        request,
        "directory/service_print.html",
        {"form": form, "services": services, "today": selectors.today()},
    )


@cache_public()
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    service = selectors.service_get_for_page(user=request.user, code=code)
    indicators = selectors.indicators_for(user=request.user, service=service)
    can_edit = permissions.has_permission(
        request.user, permissions.CHANGE, permissions.NETWORK, service.municipality_id
    )
    return render(
        request,
        "directory/service_detail.html",
        {
            "service": service,
            "indicators": indicators,
            "indicator_form": ServiceIndicatorForm() if can_edit else None,
            "stale": service.is_stale(),
            "show_exports": request.user.is_authenticated,
            "can_edit": permissions.has_permission(
                request.user, permissions.CHANGE, permissions.NETWORK, service.municipality_id
            ),
        },
    )


def service_hsds(request: HttpRequest, code: str) -> HttpResponse:
    service = selectors.service_get_public(code=code)
    return HttpResponse(
        json.dumps(hsds.service_to_hsds(service), ensure_ascii=False, indent=2),
        content_type="application/json",
    )


@login_required
def stale_list(request: HttpRequest) -> HttpResponse:
    """Offers of the user's communes not confirmed for 12 months (coordination)."""
    forbidden_unless(
        bool(
            permissions.municipality_ids_for(request.user, permissions.CHANGE, permissions.NETWORK)
        )
    )
    services = selectors.stale_services_for_user(user=request.user)
    page = Paginator(services, 100).get_page(request.GET.get("page"))
    return render(request, "directory/service_stale.html", {"page": page})


@login_required
@require_POST
def service_confirm(request: HttpRequest, code: str) -> HttpResponse:
    service = selectors.service_get_for_user(user=request.user, code=code, action=permissions.VIEW)
    forbidden_unless(
        permissions.has_permission(
            request.user, permissions.CHANGE, permissions.NETWORK, service.municipality_id
        )
    )
    services.service_confirm(service=service, actor=request.user)
    if request.htmx:
        return HttpResponse('<span role="status">' + _("bestätigt") + "</span>")
    messages.success(request, _("Das Angebot wurde als aktuell bestätigt."))
    return redirect(service.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def service_import(request: HttpRequest) -> HttpResponse:
    forbidden_unless(
        bool(permissions.municipality_ids_for(request.user, permissions.ADD, permissions.NETWORK))
    )
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    errors: list[tuple[int, str]] = []
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = services.read_table(content=upload.read(), filename=upload.name)
            result = services.service_import(
                municipality=form.cleaned_data["municipality"],
                rows=rows,
                mapping=form.mapping(),
                actor=request.user,
                source=upload.name,
            )
        except services.ServiceImportError as exc:
            errors = exc.errors
    return render(
        request,
        "directory/service_import.html",
        {"form": form, "errors": errors, "result": result},
    )


def service_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The public directory (optionally one commune) as CSV, Excel or HSDS JSON."""
    _form, filters = _search(request)
    qs = selectors.service_search(filters)
    if fmt == "csv":
        response = HttpResponse(
            selectors.export_csv(qs, excel=exports.wants_excel(request.GET)),
            content_type="text/csv; charset=utf-8",
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            selectors.export_xlsx(qs),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "json":
        response = HttpResponse(
            json.dumps(hsds.services_to_hsds(hsds.hsds_queryset(qs)), ensure_ascii=False),
            content_type="application/json",
        )
    else:
        raise Http404("Unbekanntes Format")
    response["Content-Disposition"] = f'attachment; filename="fruehe-hilfen.{fmt}"'
    return response


def _service_form(request: HttpRequest, municipality: Municipality, service=None) -> HttpResponse:
    form = ServiceForm(request.POST or None, instance=service, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        groups = data.pop("target_groups")
        data["languages"] = data.pop("language_codes")
        try:
            if service is None:
                service = services.service_create(
                    municipality=municipality, actor=request.user, target_groups=groups, **data
                )
            else:
                services.service_update(
                    service=service, actor=request.user, target_groups=groups, **data
                )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Das Angebot wurde gespeichert."))
            return redirect(service.get_absolute_url())
    return render(
        request,
        "directory/service_form.html",
        {"form": form, "municipality": municipality, "service": service},
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise Http404("Kommune nicht gefunden")
    forbidden_unless(
        permissions.has_permission(
            request.user, permissions.ADD, permissions.NETWORK, municipality.pk
        )
    )
    return _service_form(request, municipality)


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, code: str) -> HttpResponse:
    service = selectors.service_get_for_user(
        user=request.user, code=code, action=permissions.CHANGE
    )
    return _service_form(request, service.municipality, service)


@login_required
@require_POST
def service_indicator(request: HttpRequest, code: str) -> HttpResponse:
    """Record a year's effect indicators of an offer (coordination of its commune)."""
    service = selectors.service_get_for_user(
        user=request.user, code=code, action=permissions.CHANGE
    )
    form = ServiceIndicatorForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.service_indicator_record(
                service=service, year=data.pop("year"), actor=request.user, **data
            )
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                for error in errors:
                    messages.error(request, error)
        else:
            messages.success(request, _("Kennzahlen gespeichert."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect(reverse("directory:service_detail", args=[service.code]) + "#wirkung")


@require_http_methods(["GET", "POST"])
def service_confirm_link(request: HttpRequest, token: str) -> HttpResponse:
    """A provider confirms her offer through the personal link in the reminder mail."""
    service = selectors.service_confirmation_get(token=token)
    if request.method == "POST":
        service = services.service_confirm_by_link(service=service)
        return render(
            request, "directory/service_confirm_link.html", {"service": service, "done": True}
        )
    return render(request, "directory/service_confirm_link.html", {"service": service})
