"""Pages of the training records (thin: selectors read, services write)."""

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
from core.web import apply_errors
from registry.models import Institution, Municipality
from trainings import selectors, services
from trainings.choices import TrainingTopic
from trainings.forms import ParticipationForm, TrainingForm


def _municipality(request: HttpRequest, slug: str, action: str = permissions.VIEW) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None or not permissions.has_permission(
        request.user, permissions.VIEW, permissions.QUALITY, municipality.pk
    ):
        raise Http404("Kommune nicht gefunden")
    if action != permissions.VIEW:
        forbidden_unless(
            permissions.has_permission(request.user, action, permissions.QUALITY, municipality.pk)
        )
    return municipality


def _own_municipalities(request: HttpRequest) -> list[Municipality]:
    ids = permissions.municipality_ids_for(request.user, permissions.VIEW, permissions.QUALITY)
    qs = (
        Municipality.objects.all()
        if ids == permissions.ALL
        else Municipality.objects.filter(pk__in=ids)
    )
    return list(qs.order_by("name"))


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    topic = request.GET.get("thema", "")
    if topic not in TrainingTopic.values:
        topic = ""
    editable_ids = permissions.municipality_ids_for(
        request.user, permissions.ADD, permissions.QUALITY
    )
    communes = _own_municipalities(request)
    return render(
        request,
        "trainings/training_list.html",
        {
            "trainings": selectors.training_list_for_user(user=request.user, topic=topic)[:300],
            "communes": communes,
            "editable": [
                m for m in communes if editable_ids == permissions.ALL or m.pk in editable_ids
            ],
            "topics": TrainingTopic.choices,
            "topic": topic,
            "record": selectors.person_record(user=request.user),
        },
    )


@login_required
def training_detail(request: HttpRequest, code: str) -> HttpResponse:
    training = selectors.training_get_for_user(user=request.user, code=code)
    can_edit = selectors.can_edit(user=request.user, municipality_id=training.municipality_id)
    form = ParticipationForm(municipality=training.municipality) if can_edit else None
    return render(
        request,
        "trainings/training_detail.html",
        {"training": training, "can_edit": can_edit, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_create(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = _municipality(request, slug, permissions.ADD)
    form = TrainingForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            training = services.training_create(
                municipality=municipality, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Fortbildung wurde gespeichert."))
            return redirect("trainings:training_detail", code=training.code)
    return render(
        request,
        "trainings/training_form.html",
        {"form": form, "municipality": municipality, "title": _("Neue Fortbildung")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_edit(request: HttpRequest, code: str) -> HttpResponse:
    training = selectors.training_get_for_user(user=request.user, code=code)
    forbidden_unless(
        selectors.can_edit(user=request.user, municipality_id=training.municipality_id)
    )
    form = TrainingForm(request.POST or None, instance=training, municipality=training.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_update(training=training, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Fortbildung wurde gespeichert."))
            return redirect("trainings:training_detail", code=training.code)
    return render(
        request,
        "trainings/training_form.html",
        {
            "form": form,
            "municipality": training.municipality,
            "training": training,
            "title": _("Fortbildung bearbeiten"),
        },
    )


@login_required
@require_POST
def participation_add(request: HttpRequest, code: str) -> HttpResponse:
    training = selectors.training_get_for_user(user=request.user, code=code)
    forbidden_unless(
        selectors.can_edit(user=request.user, municipality_id=training.municipality_id)
    )
    form = ParticipationForm(request.POST, municipality=training.municipality)
    if form.is_valid():
        try:
            services.participation_add(training=training, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Teilnahme wurde eingetragen."))
            return redirect("trainings:training_detail", code=training.code)
    return render(
        request,
        "trainings/training_detail.html",
        {"training": training, "can_edit": True, "form": form},
        status=422,
    )


@login_required
@require_POST
def participation_remove(request: HttpRequest, code: str) -> HttpResponse:
    participation = selectors.participation_get_for_user(
        user=request.user, code=code, action=permissions.CHANGE
    )
    training = participation.training
    services.participation_remove(participation=participation, actor=request.user)
    messages.success(request, _("Die Teilnahme wurde entfernt."))
    return redirect("trainings:training_detail", code=training.code)


@login_required
def certificate(request: HttpRequest, code: str) -> HttpResponse:
    participation = selectors.participation_get_for_user(user=request.user, code=code)
    try:
        pdf = services.certificate_pdf(participation=participation, actor=request.user)
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="teilnahmebescheinigung-{participation.certificate_code}.pdf"'
    )
    return response


@login_required
def coverage(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = _municipality(request, slug)
    return render(
        request,
        "trainings/coverage.html",
        {
            "municipality": municipality,
            "rows": selectors.coverage(municipality=municipality),
            "instrument_trained": selectors.instrument_trained(municipality=municipality),
            "years": selectors.COVERAGE_YEARS,
        },
    )


@login_required
def institution_record(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    municipality = _municipality(request, slug)
    institution = Institution.objects.filter(municipality=municipality, pk=pk).first()
    if institution is None:
        raise Http404("Einrichtung nicht gefunden")
    return render(
        request,
        "trainings/institution_record.html",
        {
            "municipality": municipality,
            "institution": institution,
            "participations": selectors.institution_record(institution=institution),
        },
    )
