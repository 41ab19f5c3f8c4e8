"""Pages of instruments: list, upload with preview, publish, versions and their diff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import permissions
from core.views import forbidden_unless
from core.web import error_text
from instruments import selectors, services
from instruments.choices import VersionStatus
from instruments.forms import PublishForm, UploadForm
from instruments.parsing import InstrumentFileError
from registry.models import Municipality
from registry.taxonomy import institution_type_choices


def _editable_communes(request: HttpRequest):
    allowed = permissions.municipality_ids_for(request.user, permissions.ADD, permissions.QUALITY)
    communes = Municipality.objects.order_by("name")
    if allowed == permissions.ALL:
        return communes
    return communes.filter(pk__in=allowed)


@login_required
def instrument_list(request: HttpRequest) -> HttpResponse:
    instruments = selectors.instruments_for_user(user=request.user)
    can_upload = bool(
        permissions.municipality_ids_for(request.user, permissions.ADD, permissions.QUALITY)
    )
    return render(
        request,
        "instruments/instrument_list.html",
        {"instruments": instruments, "can_upload": can_upload},
    )


@login_required
@require_http_methods(["GET", "POST"])
def instrument_upload(request: HttpRequest) -> HttpResponse:
    communes = _editable_communes(request)
    forbidden_unless(communes.exists())
    form = UploadForm(request.POST or None, request.FILES or None, municipalities=communes)
    problems = []
    if request.method == "POST" and form.is_valid():
        municipality = communes.get(pk=form.cleaned_data["municipality"])
        try:
            version = services.instrument_upload(
                municipality=municipality, actor=request.user, source=form.cleaned_data["source"]
            )
        except InstrumentFileError as exc:
            problems = exc.problems
            form.add_error(None, _("Die Datei enthält Fehler; nichts wurde gespeichert."))
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect("instruments:version_detail", code=version.code)
    status = 400 if problems or form.errors else 200
    return render(
        request,
        "instruments/instrument_upload.html",
        {"form": form, "problems": problems},
        status=status,
    )


@login_required
def instrument_detail(request: HttpRequest, code) -> HttpResponse:
    instrument = selectors.instrument_get_for_user(user=request.user, code=code)
    drafts = []
    if instrument.municipality_id and permissions.has_permission(
        request.user, permissions.CHANGE, permissions.QUALITY, instrument.municipality_id
    ):
        drafts = instrument.versions.filter(status=VersionStatus.DRAFT).order_by("-uploaded_at")
    labels = dict(institution_type_choices())
    versions = instrument.published_versions
    for index, version in enumerate(versions):
        version.type_labels = [str(labels.get(t, t)) for t in version.institution_types or []]
        version.older = versions[index + 1] if index + 1 < len(versions) else None
    return render(
        request,
        "instruments/instrument_detail.html",
        {"instrument": instrument, "drafts": drafts},
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_detail(request: HttpRequest, code) -> HttpResponse:
    """A version shown as the form professionals see (the preview of a draft)."""
    version = selectors.version_get_for_user(user=request.user, code=code)
    definition = selectors.as_definition(version)
    band = request.GET.get("band") or (definition.age_bands[0][0] if definition.age_bands else "")
    if band not in dict(definition.age_bands):
        raise Http404(selectors.NOT_FOUND)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.instrument_publish(
                version=version, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request, _("Veröffentlicht als Version %(n)s.") % {"n": version.number}
            )
            return redirect("instruments:instrument_detail", code=version.instrument.code)
    previous = (
        version.instrument.versions.filter(status=VersionStatus.PUBLISHED)
        .exclude(pk=version.pk)
        .order_by("-number")
    )
    if version.number:
        previous = previous.filter(number__lt=version.number)
    return render(
        request,
        "instruments/version_detail.html",
        {
            "version": version,
            "definition": definition,
            "band": band,
            "sections": definition.items_for(band),
            "form": form,
            "can_publish": not version.is_published,
            "previous": previous.first(),
            "type_labels": dict(institution_type_choices()),
        },
    )


@login_required
@require_POST
def version_discard(request: HttpRequest, code) -> HttpResponse:
    version = selectors.version_get_for_user(user=request.user, code=code)
    instrument = version.instrument
    try:
        services.instrument_draft_discard(version=version, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("instruments:instrument_detail", code=instrument.code)


@login_required
def version_diff(request: HttpRequest, old, new) -> HttpResponse:
    a = selectors.version_get_for_user(user=request.user, code=old)
    b = selectors.version_get_for_user(user=request.user, code=new)
    if a.instrument_id != b.instrument_id:
        raise Http404(selectors.NOT_FOUND)
    return render(
        request,
        "instruments/version_diff.html",
        {"old": a, "new": b, "diff": selectors.version_diff(a, b)},
    )
