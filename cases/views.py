"""Pages of § 8a procedures: thin views over the chokepoint selectors and the services.

Every procedure is obtained through ``selectors.procedure_get_for_user`` (404 when out of
scope, a read-log row on every read); never through the ORM directly (a test greps this).
"""

from __future__ import annotations

import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases import selectors, services, statistics
from cases.choices import AssessmentStatus
from cases.forms import (
    AmendmentForm,
    AssessmentForm,
    CloseForm,
    PolicyForm,
    ProcedureCreateForm,
    ProcedureFilterForm,
    SignOffForm,
    StartAssessmentForm,
    StatisticsForm,
    StepForm,
    TeamForm,
    TeamMemberForm,
)
from cases.instruments import load_instrument
from core import permissions
from core.selectors import audit_events_for_object
from core.views import forbidden_unless
from registry.models import Institution, Municipality


def _may_work_on_cases(user) -> bool:
    return bool(permissions.municipality_ids_for(user, permissions.VIEW, permissions.CASES))


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@login_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    """The team's procedures; with ``due`` the list of due and overdue deadlines."""
    if not _may_work_on_cases(request.user):
        # Coordination manages teams and deadlines but never sees procedures.
        managed = permissions.municipality_ids_for(
            request.user, permissions.MANAGE_MEMBERS, "members"
        )
        forbidden_unless(bool(managed))
        communes = Municipality.objects.order_by("name")
        if managed != permissions.ALL:
            communes = communes.filter(pk__in=managed)
        return render(request, "cases/settings_index.html", {"communes": communes})
    form = ProcedureFilterForm(request.GET or None)
    filters: dict = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
    qs = selectors.procedure_list(user=request.user, **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(p, selectors.procedure_next_deadline(p, now)) for p in page]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "can_export": bool(
            permissions.municipality_ids_for(request.user, permissions.EXPORT, permissions.CASES)
        ),
        "can_add": selectors.teams_for_user(user=request.user).exists(),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "cases/procedure_list.html#table", context)
    return render(request, "cases/procedure_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def procedure_create(request: HttpRequest) -> HttpResponse:
    teams = selectors.teams_for_user(user=request.user)
    forbidden_unless(teams.exists())
    form = ProcedureCreateForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            procedure = services.procedure_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Die Meldung wurde angelegt."))
            return redirect(procedure.get_absolute_url())
    return render(request, "cases/procedure_form.html", {"form": form})


def _detail_context(request: HttpRequest, procedure) -> dict:
    events = list(procedure.events.select_related("institution").prefetch_related("amendments"))
    assessments = list(procedure.assessments.select_related("author", "signed_by"))
    return {
        "procedure": procedure,
        "persons": list(procedure.persons.all()),
        "events": events,
        "assessments": assessments,
        "general_amendments": list(
            procedure.amendments.filter(event__isnull=True, assessment__isnull=True)
        ),
        "deadlines": procedure.deadlines(),
        "next_deadline": selectors.procedure_next_deadline(procedure),
        "missing": services.procedure_missing_steps(procedure=procedure),
        "has_draft": any(a.status == AssessmentStatus.DRAFT for a in assessments),
        "step_form": StepForm(
            institutions=Institution.objects.filter(municipality_id=procedure.municipality_id)
        ),
        "start_form": StartAssessmentForm(),
        "amendment_form": AmendmentForm(),
        "close_form": CloseForm(),
        "history": audit_events_for_object(obj=procedure)[:100],
        "now": timezone.now(),
    }


@login_required
def procedure_detail(request: HttpRequest, code) -> HttpResponse:
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Verfahren ansehen"
    )
    return render(request, "cases/procedure_detail.html", _detail_context(request, procedure))


def _post_and_back(request: HttpRequest, procedure, action, success: str) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied:
        raise
    else:
        messages.success(request, success)
    return redirect(procedure.get_absolute_url())


@login_required
@require_POST
def procedure_step(request: HttpRequest, code) -> HttpResponse:
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Schritt dokumentieren"
    )
    form = StepForm(
        request.POST,
        institutions=Institution.objects.filter(municipality_id=procedure.municipality_id),
    )
    if not form.is_valid():
        messages.error(request, _("Bitte Schritt und Zeitpunkt angeben."))
        return redirect(procedure.get_absolute_url())
    d = form.cleaned_data
    return _post_and_back(
        request,
        procedure,
        lambda: services.procedure_record_step(
            procedure=procedure,
            actor=request.user,
            activity_code=d["activity_code"],
            occurred_at=d["occurred_at"],
            institution=d["institution"],
            institution_name=d["institution_name"],
            note=d["note"],
            details={"transmitted": d["transmitted"]} if d["transmitted"] else {},
        ),
        _("Der Schritt wurde dokumentiert."),
    )


@login_required
@require_POST
def procedure_close(request: HttpRequest, code) -> HttpResponse:
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Verfahren abschließen"
    )
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte den Zeitpunkt des Abschlusses angeben."))
        return redirect(procedure.get_absolute_url())
    return _post_and_back(
        request,
        procedure,
        lambda: services.procedure_close(
            procedure=procedure,
            actor=request.user,
            occurred_at=form.cleaned_data["occurred_at"],
            note=form.cleaned_data["note"],
        ),
        _("Das Verfahren wurde abgeschlossen."),
    )


@login_required
@require_POST
def amendment_add(request: HttpRequest, code) -> HttpResponse:
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Ergänzung dokumentieren"
    )
    form = AmendmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Die Ergänzung ist leer."))
        return redirect(procedure.get_absolute_url())
    target = form.cleaned_data["target"]
    event = assessment = None
    if target.startswith("event:"):
        event = procedure.events.filter(pk=target.removeprefix("event:")).first()
    elif target.startswith("assessment:"):
        assessment = procedure.assessments.filter(code=target.removeprefix("assessment:")).first()
    return _post_and_back(
        request,
        procedure,
        lambda: services.amendment_add(
            procedure=procedure,
            actor=request.user,
            text=form.cleaned_data["text"],
            event=event,
            assessment=assessment,
        ),
        _("Die Ergänzung wurde dokumentiert."),
    )


@login_required
@require_POST
def assessment_start(request: HttpRequest, code) -> HttpResponse:
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Gefährdungseinschätzung beginnen"
    )
    form = StartAssessmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte den Beginn angeben."))
        return redirect(procedure.get_absolute_url())
    try:
        assessment = services.risk_assessment_start(
            procedure=procedure, actor=request.user, occurred_at=form.cleaned_data["occurred_at"]
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(procedure.get_absolute_url())
    return redirect("cases:assessment_detail", code=assessment.code)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(
        user=request.user, code=code, purpose="Gefährdungseinschätzung bearbeiten"
    )
    instrument = load_instrument(assessment.instrument_key)
    initial = {
        "parents_involved": assessment.parents_involved,
        "child_involved": assessment.child_involved,
        "home_visit": assessment.home_visit,
        "result": assessment.result,
        "kinds": assessment.kinds,
        "danger_source": assessment.danger_source,
        "notes": assessment.notes,
        **{f"item__{k}": str(v) for k, v in assessment.answers.items()},
    }
    form = AssessmentForm(
        request.POST or None,
        initial=initial,
        instrument=instrument,
        age_band=assessment.age_band,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_assessment_update(
                assessment=assessment, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Die Einschätzung wurde gespeichert."))
            return redirect("cases:assessment_detail", code=assessment.code)
    can_sign = (
        not assessment.is_binding
        and assessment.author_id != request.user.pk
        and permissions.has_permission(
            request.user,
            permissions.SIGN_OFF,
            permissions.CASES,
            assessment.procedure.municipality_id,
        )
    )
    return render(
        request,
        "cases/assessment_detail.html",
        {
            "assessment": assessment,
            "procedure": assessment.procedure,
            "instrument": instrument,
            "form": form,
            "can_sign": can_sign,
            "sign_form": SignOffForm(),
            "age_band_label": dict(instrument.age_bands).get(assessment.age_band, ""),
            "answer_rows": [
                (
                    section.title,
                    [(i, assessment.answers.get(f"{section.key}.{i.key}")) for i in items],
                )
                for section, items in instrument.items_for(assessment.age_band)
            ],
        },
    )


@login_required
@require_POST
def assessment_sign_off(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(
        user=request.user, code=code, purpose="Gefährdungseinschätzung abzeichnen"
    )
    form = SignOffForm(request.POST)
    form.is_valid()
    try:
        services.risk_assessment_sign_off(
            assessment=assessment,
            actor=request.user,
            reason=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("cases:assessment_detail", code=assessment.code)
    messages.success(request, _("Die Einschätzung ist abgezeichnet und damit verbindlich."))
    return redirect(assessment.procedure.get_absolute_url())


@login_required
def person_export(request: HttpRequest, code, person) -> HttpResponse:
    """Art. 15 DSGVO: everything stored about one person, as a JSON download."""
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Auskunft nach Art. 15 DSGVO"
    )
    record = procedure.persons.filter(code=person).first()
    if record is None:
        raise Http404(selectors.NOT_FOUND)
    data = services.person_subject_access_export(
        procedure=procedure, person=record, actor=request.user
    )
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="auskunft-{record.code}.json"'
    return response


@login_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    """The federal § 8a statistic for the communes where the user may export case data."""
    allowed = permissions.municipality_ids_for(request.user, permissions.EXPORT, permissions.CASES)
    forbidden_unless(bool(allowed))
    municipalities = Municipality.objects.order_by("name")
    if allowed != permissions.ALL:
        municipalities = municipalities.filter(pk__in=allowed)
    form = StatisticsForm(
        request.GET or None,
        municipalities=municipalities,
        initial={"year": timezone.localdate().year - 1, "format": "html"},
    )
    context: dict = {"form": form}
    if form.is_valid():
        d = form.cleaned_data
        ids = None
        if d["municipality"]:
            ids = [m.pk for m in municipalities if m.slug == d["municipality"]]
        qs = selectors.statistics_queryset(user=request.user, year=d["year"], municipality_ids=ids)
        rows = statistics.build_statistics(qs)
        suppress = d["suppress_below"] or 0
        if d["format"] in ("csv", "xlsx"):
            services.statistics_export_record(
                actor=request.user,
                year=d["year"],
                municipality_id=ids[0] if ids else None,
                fmt=d["format"],
                suppress_below=suppress,
            )
        name = f"statistik-8a-{d['year']}{'-' + d['municipality'] if d['municipality'] else ''}"
        if d["format"] == "csv":
            buffer = io.StringIO()
            statistics.write_csv(rows, buffer, suppress_below=suppress)
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        if d["format"] == "xlsx":
            response = HttpResponse(
                statistics.xlsx_bytes(rows, year=d["year"], suppress_below=suppress),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        context.update(
            {
                "header": statistics.header(),
                "table": statistics.table(rows, suppress_below=suppress),
                "year": d["year"],
            }
        )
    return render(request, "cases/statistics.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def commune_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Case teams and the commune's deadlines and retention (coordination of the commune).

    Shows no procedure: team composition and deadlines are organisational data.
    """
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise Http404(selectors.NOT_FOUND)
    forbidden_unless(
        permissions.has_permission(
            request.user, permissions.MANAGE_MEMBERS, "members", municipality.pk
        )
    )
    teams = selectors.teams_of_municipality(municipality=municipality)
    users = selectors.case_workers_of_municipality(municipality=municipality)
    policy = services.policy_for(municipality_id=municipality.pk)
    action = request.POST.get("action", "")
    team_form = TeamForm(request.POST if action == "team" else None)
    member_form = TeamMemberForm(
        request.POST if action in ("add", "remove") else None, teams=teams, users=users
    )
    policy_form = PolicyForm(
        request.POST if action == "policy" else None, initial=PolicyForm.initial_from(policy)
    )
    if request.method == "POST":
        try:
            if action == "team" and team_form.is_valid():
                services.team_create(
                    municipality=municipality,
                    name=team_form.cleaned_data["name"],
                    actor=request.user,
                )
                messages.success(request, _("Das Team wurde angelegt."))
                return redirect("cases:commune_settings", slug=slug)
            if action in ("add", "remove") and member_form.is_valid():
                d = member_form.cleaned_data
                if action == "add":
                    services.team_member_add(team=d["team"], user=d["user"], actor=request.user)
                else:
                    services.team_member_remove(team=d["team"], user=d["user"], actor=request.user)
                messages.success(request, _("Die Teamzusammensetzung wurde gespeichert."))
                return redirect("cases:commune_settings", slug=slug)
            if action == "policy" and policy_form.is_valid():
                services.case_policy_update(
                    municipality=municipality, actor=request.user, **policy_form.service_kwargs()
                )
                messages.success(request, _("Die Fristen wurden gespeichert."))
                return redirect("cases:commune_settings", slug=slug)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    return render(
        request,
        "cases/commune_settings.html",
        {
            "municipality": municipality,
            "teams": teams,
            "team_form": team_form,
            "member_form": member_form,
            "policy_form": policy_form,
            "can_edit_policy": permissions.has_permission(
                request.user, permissions.CHANGE, permissions.REGISTRY, municipality.pk
            ),
        },
    )
