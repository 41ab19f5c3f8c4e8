"""Pages of the standards library and the glossary (thin: selectors read, services write)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import permissions
from core.selectors import audit_events_for_object
from core.views import forbidden_unless
from core.web import apply_errors, error_text
from quality.rendering import render_markdown
from registry.models import Municipality
from standards import selectors, services
from standards.constants import STATUS_TRANSITIONS
from standards.forms import DocumentForm, GlossaryTermForm, SearchForm, TransitionForm, VersionForm


def _editable_municipality(request: HttpRequest, slug: str) -> Municipality:
    municipality = Municipality.objects.visible_to(request.user).filter(slug=slug).first()
    if municipality is None:
        raise Http404("Kommune nicht gefunden")
    forbidden_unless(selectors.can_edit(user=request.user, municipality_id=municipality.pk))
    return municipality


def document_list(request: HttpRequest) -> HttpResponse:
    """The library: every document the visitor may read, searchable in German."""
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    documents = selectors.document_list_for_user(
        user=request.user,
        query=data.get("q", ""),
        kind=data.get("kind", ""),
        others_only=bool(data.get("others")),
    )
    editable = []
    if request.user.is_authenticated:
        ids = permissions.municipality_ids_for(request.user, permissions.ADD, permissions.QUALITY)
        if isinstance(ids, set):
            editable = list(Municipality.objects.filter(pk__in=ids).order_by("name"))
    return render(
        request,
        "standards/document_list.html",
        {"form": form, "documents": documents, "editable": editable, "query": data.get("q", "")},
    )


def document_detail(request: HttpRequest, code: str) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, code=code)
    versions = selectors.versions_for_user(user=request.user, document=document)
    latest = versions[0] if versions else None
    can_edit = selectors.can_edit(user=request.user, municipality_id=document.municipality_id)
    return render(
        request,
        "standards/document_detail.html",
        {
            "document": document,
            "versions": versions,
            "latest": latest,
            "latest_html": render_markdown(latest.text) if latest and latest.text else "",
            "can_edit": can_edit,
            "transition_form": TransitionForm(
                initial={"decided_by": document.decided_by, "decided_on": document.decided_on}
            ),
            "next_statuses": sorted(STATUS_TRANSITIONS.get(document.status, ())),
            "history": audit_events_for_object(obj=document)[:50] if can_edit else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = _editable_municipality(request, slug)
    form = DocumentForm(request.POST or None, request.FILES or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        text, upload = data.pop("text", ""), data.pop("document", None)
        try:
            document = services.document_create(
                municipality=municipality, actor=request.user, text=text, upload=upload, **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Das Dokument wurde als Entwurf angelegt."))
            return redirect("standards:document_detail", code=document.code)
    return render(
        request,
        "standards/document_form.html",
        {"form": form, "municipality": municipality, "title": _("Neues Dokument")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, code: str) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, code=code)
    forbidden_unless(
        selectors.can_edit(user=request.user, municipality_id=document.municipality_id)
    )
    form = DocumentForm(request.POST or None, instance=document, municipality=document.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(document=document, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Das Dokument wurde gespeichert."))
            return redirect("standards:document_detail", code=document.code)
    return render(
        request,
        "standards/document_form.html",
        {
            "form": form,
            "municipality": document.municipality,
            "document": document,
            "title": _("Dokument bearbeiten"),
        },
    )


@login_required
@require_POST
def document_transition(request: HttpRequest, code: str) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, code=code)
    forbidden_unless(
        selectors.can_edit(user=request.user, municipality_id=document.municipality_id)
    )
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.document_transition(document=document, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Neuer Status: %s") % document.get_status_display())
    else:
        messages.error(request, _("Bitte einen gültigen Status wählen."))
    return redirect("standards:document_detail", code=document.code)


@login_required
@require_http_methods(["GET", "POST"])
def version_create(request: HttpRequest, code: str) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, code=code)
    forbidden_unless(
        selectors.can_edit(user=request.user, municipality_id=document.municipality_id)
    )
    latest = document.versions.order_by("-number").first()
    form = VersionForm(
        request.POST or None, request.FILES or None, initial={"text": latest.text if latest else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.version_add(
                document=document,
                actor=request.user,
                text=form.cleaned_data["text"],
                upload=form.cleaned_data["document"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Version %d wurde gespeichert.") % version.number)
            return redirect("standards:document_detail", code=document.code)
    return render(
        request,
        "standards/version_form.html",
        {"form": form, "document": document, "latest": latest},
    )


def version_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, code=code)
    version = selectors.version_get(user=request.user, document=document, number=number)
    return render(
        request,
        "standards/version_detail.html",
        {"document": document, "version": version, "html": render_markdown(version.text)},
    )


def version_file(request: HttpRequest, code: str, number: int) -> FileResponse:
    document = selectors.document_get_for_user(user=request.user, code=code)
    version = selectors.version_get(user=request.user, document=document, number=number)
    if not version.file:
        raise Http404("Keine Datei")
    return FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=version.file_name or f"version-{version.number}",
        content_type=version.content_type or "application/octet-stream",
    )


def version_compare(request: HttpRequest, code: str) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, code=code)
    numbers = sorted(
        v.number for v in selectors.versions_for_user(user=request.user, document=document)
    )
    if len(numbers) < 2:
        raise Http404("Nur eine Version")
    try:
        old_number = int(request.GET.get("alt", numbers[-2]))
        new_number = int(request.GET.get("neu", numbers[-1]))
    except ValueError as exc:
        raise Http404("Version nicht gefunden") from exc
    old = selectors.version_get(user=request.user, document=document, number=old_number)
    new = selectors.version_get(user=request.user, document=document, number=new_number)
    return render(
        request,
        "standards/version_compare.html",
        {
            "document": document,
            "old": old,
            "new": new,
            "numbers": numbers,
            "diff": selectors.version_diff(old, new),
        },
    )


# --- glossary ---------------------------------------------------------------------------


def glossary(request: HttpRequest) -> HttpResponse:
    municipality = None
    if request.GET.get("kommune"):
        municipality = Municipality.objects.filter(slug=request.GET["kommune"]).first()
    editable = []
    if request.user.is_authenticated:
        ids = permissions.municipality_ids_for(request.user, permissions.ADD, permissions.QUALITY)
        if isinstance(ids, set):
            editable = list(Municipality.objects.filter(pk__in=ids).order_by("name"))
    return render(
        request,
        "standards/glossary.html",
        {
            "terms": selectors.glossary_for_user(user=request.user, municipality=municipality),
            "comparison": selectors.glossary_comparison(user=request.user),
            "municipality": municipality,
            "editable": editable,
            "editable_ids": {m.pk for m in editable},
        },
    )


def _glossary_form(request: HttpRequest, municipality: Municipality, term=None) -> HttpResponse:
    form = GlossaryTermForm(request.POST or None, instance=term)
    if request.method == "POST" and form.is_valid():
        try:
            if term is None:
                services.glossary_term_create(
                    municipality=municipality, actor=request.user, **form.cleaned_data
                )
            else:
                services.glossary_term_update(term=term, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Der Begriff wurde gespeichert."))
            return redirect(f"{reverse('standards:glossary')}?kommune={municipality.slug}")
    return render(
        request,
        "standards/glossary_form.html",
        {"form": form, "municipality": municipality, "term": term},
    )


@login_required
@require_http_methods(["GET", "POST"])
def glossary_term_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _glossary_form(request, _editable_municipality(request, slug))


@login_required
@require_http_methods(["GET", "POST"])
def glossary_term_edit(request: HttpRequest, pk: int) -> HttpResponse:
    term = selectors.glossary_term_get_for_user(user=request.user, pk=pk, action=permissions.CHANGE)
    return _glossary_form(request, term.municipality, term)
