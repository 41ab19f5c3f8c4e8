"""Pages of § 8a procedures: thin views over the chokepoint selectors and the services.

Every procedure is obtained through ``selectors.procedure_get_for_user`` (404 when out of
scope, a read-log row on every read); never through the ORM directly (a test greps this).
"""

from __future__ import annotations

import datetime as dt
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cases import aggregates, report_sections, selectors, services, statistics
from cases.choices import AssessmentStatus
from cases.forms import (
    AmendmentForm,
    AssessmentForm,
    ChildFormSet,
    CloseForm,
    CommitteeReportForm,
    HandoverAcceptForm,
    HandoverForm,
    KeyFiguresForm,
    LegalHoldForm,
    PersonForm,
    PolicyForm,
    ProcedureCreateForm,
    ProcedureFilterForm,
    ReturnForm,
    SignOffForm,
    SignOffRequestForm,
    StartAssessmentForm,
    StatisticsForm,
    StepForm,
    TeamForm,
    TeamMemberForm,
)
from cases.instruments import Instrument, resolve_instrument
from cases.models import RiskAssessment
from core import charts, fragcache, permissions
from core.selectors import audit_events_for_object
from core.views import forbidden_unless
from core.web import apply_errors, error_text, is_htmx, render_partial_or_page
from registry.models import Institution, Municipality


def _instrument_of(assessment: RiskAssessment) -> Instrument:
    """The exact instrument version the assessment was made with (forever the same)."""
    return resolve_instrument(
        key=assessment.instrument_key,
        version=assessment.instrument_version,
        municipality_id=assessment.procedure.municipality_id,
    )


def _may_work_on_cases(user) -> bool:
    return bool(permissions.municipality_ids_for(user, permissions.VIEW, permissions.CASES))


@login_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    """The team's procedures; with ``due`` the list of due and overdue deadlines.

    The table is the expensive part and changes far less often than it is read: it is
    kept per process (core.fragcache), keyed on the user's scope as ids, the query
    string and the language, at the data version of the scope's communes. Who may see
    which rows is decided before, by the same selectors as without the cache.
    """
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
    scope = selectors.case_scope_for_user(user=request.user)
    can_export = bool(
        permissions.municipality_ids_for(request.user, permissions.EXPORT, permissions.CASES)
    )
    filters, head = _procedure_list_head(request, can_add=scope.can_add, can_export=can_export)
    now = timezone.now()

    def render_table() -> tuple[str, dt.datetime | None]:
        qs = selectors.procedure_list(user=request.user, scope=scope, now=now, **filters)
        page = Paginator(qs.values(*selectors.LIST_VALUES), 50).get_page(request.GET.get("page"))
        names = selectors.team_names(team_ids=scope.team_ids)
        rows, turns_stale = selectors.procedure_list_rows(page, now=now, team_names=names)
        context = {"page": page, "rows": rows}
        html = render_to_string("cases/procedure_list.html#procedure-table", context, request)
        return html, turns_stale

    if filters.get("due"):
        # Which procedures are "due" moves with the clock, not only with the data.
        table = render_table()[0]
    else:
        table = fragcache.cached_fragment(
            (
                "cases:procedure-table",
                scope.key,
                request.GET.urlencode(),
                translation.get_language(),
                timezone.get_current_timezone_name(),
            ),
            scopes=[f"cases:{m}" for m in sorted(scope.municipality_ids)],
            render=render_table,
            now=now,
        )
    context = {
        "head": mark_safe(head),  # noqa: S308 – our own rendered template
        "table": mark_safe(table),  # noqa: S308 – our own rendered template
    }
    return render_partial_or_page(request, "cases/procedure_list.html", "table", context)


FILTER_FIELDS = tuple(ProcedureFilterForm.base_fields)


def _procedure_list_head(
    request: HttpRequest, *, can_add: bool, can_export: bool
) -> tuple[dict, str]:
    """The valid filters of the query string and the page's head (title, links, form).

    Both follow from the query string, the language and two permission flags alone (the
    form's choices are fixed, no procedure is in them), so each process keeps them per
    combination instead of building and rendering the form on every request.
    """
    key = (
        "cases:procedure-list-head",
        translation.get_language(),
        can_add,
        can_export,
        bool(request.GET),
        tuple((name, tuple(request.GET.getlist(name))) for name in FILTER_FIELDS),
    )
    hit = fragcache.fragments.get(key, timezone.now())
    if hit is None:
        form = ProcedureFilterForm(request.GET or None)
        filters: dict = {}
        if form.is_valid():
            filters = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
        context = {
            "filter_form": render_to_string("_form.html", {"form": form}),
            "can_add": can_add,
            "can_export": can_export,
        }
        hit = (filters, render_to_string("cases/procedure_list.html#list-head", context))
        fragcache.fragments.set(key, hit, None)
    filters, head = hit
    return dict(filters), head


@login_required
@require_http_methods(["GET", "POST"])
def procedure_create(request: HttpRequest) -> HttpResponse:
    """Intake of a report naming one or more children (one procedure per child).

    "Weiteres Kind" re-renders the bound forms with one more child, so nothing typed is lost
    (works without JS; with htmx only the form is swapped).
    """
    teams = selectors.teams_for_user(user=request.user)
    forbidden_unless(teams.exists())
    data = request.POST if request.method == "POST" else None
    form = ProcedureCreateForm(data, teams=teams)
    children = ChildFormSet(data, prefix="kind")
    if data is not None and "add_child" in data:
        children = _formset_with_extra_child(data)
    elif data is not None and form.is_valid() and children.is_valid():
        entries = [f.entry() for f in children.forms]
        try:
            procedures = services.report_create(actor=request.user, **form.service_kwargs(entries))
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            if len(procedures) == 1:
                messages.success(request, _("Die Meldung wurde angelegt."))
            else:
                messages.success(
                    request,
                    _("Die Meldung wurde für %(n)s Kinder angelegt (je ein Verfahren): %(fns)s")
                    % {"n": len(procedures), "fns": ", ".join(p.file_number for p in procedures)},
                )
            if request.htmx:
                return HttpResponseClientRedirect(procedures[0].get_absolute_url())
            return redirect(procedures[0].get_absolute_url())
    context = {"form": form, "children": children}
    return render_partial_or_page(request, "cases/procedure_form.html", "intake-form", context)


def _formset_with_extra_child(data) -> ChildFormSet:
    """The posted children plus one empty form; errors are not shown for a mere "add"."""
    data = data.copy()
    total = int(data.get("kind-TOTAL_FORMS", "1") or 1)
    data["kind-TOTAL_FORMS"] = str(min(total + 1, 12))
    initial = []
    for index in range(total):
        prefix = f"kind-{index}-"
        initial.append({k.removeprefix(prefix): v for k, v in data.items() if k.startswith(prefix)})
    return ChildFormSet(initial=initial + [{}], prefix="kind")


def _detail_context(request: HttpRequest, procedure, **forms) -> dict:
    events = list(procedure.events.select_related("institution").prefetch_related("amendments"))
    assessments = list(procedure.assessments.select_related("author", "signed_by"))
    return {
        "procedure": procedure,
        "persons": list(procedure.persons.all()),
        "events": events,
        "assessments": assessments,
        "report_siblings": selectors.procedures_of_same_report(
            user=request.user, procedure=procedure
        ),
        "index_candidates": selectors.person_index_candidates(
            user=request.user, procedure=procedure
        ),
        "index": selectors.person_index_context(user=request.user, procedure=procedure),
        "can_link_child": procedure.indexed_child_id is None
        and any(p.role == "child" and p.name and p.birth_date for p in procedure.persons.all()),
        "general_amendments": list(
            procedure.amendments.filter(event__isnull=True, assessment__isnull=True)
        ),
        "deadlines": procedure.deadlines(),
        "next_deadline": selectors.procedure_next_deadline(procedure),
        "missing": services.procedure_missing_steps(procedure=procedure),
        "has_draft": any(a.status == AssessmentStatus.DRAFT for a in assessments),
        "step_form": forms.get("step_form") or _step_form(procedure),
        "start_form": forms.get("start_form") or StartAssessmentForm(),
        "amendment_form": forms.get("amendment_form") or AmendmentForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "hold_form": forms.get("hold_form")
        or LegalHoldForm(prefix="hold", initial={"hold": not procedure.legal_hold}),
        "can_hold": services.may_set_legal_hold(user=request.user, procedure=procedure),
        "person_form": forms.get("person_form") or PersonForm(),
        "handover_form": forms.get("handover_form") or _handover_form(procedure),
        "handover": getattr(procedure, "handover", None) if procedure.handed_over_at else None,
        "received_handover": selectors.handover_received_by(procedure=procedure),
        "linked": selectors.procedure_links(user=request.user, procedure=procedure),
        "history": audit_events_for_object(obj=procedure)[:100],
        "now": timezone.now(),
    }


def _step_form(procedure, data=None) -> StepForm:
    return StepForm(
        data, institutions=Institution.objects.filter(municipality_id=procedure.municipality_id)
    )


def _render_detail(request: HttpRequest, procedure, status: int = 200, **forms) -> HttpResponse:
    """The detail page again, with the bound form that failed: typed entries stay."""
    return render(
        request,
        "cases/procedure_detail.html",
        _detail_context(request, procedure, **forms),
        status=status,
    )


@login_required
def procedure_detail(request: HttpRequest, code) -> HttpResponse:
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Verfahren ansehen"
    )
    return _render_detail(request, procedure)


def _post_and_back(request: HttpRequest, procedure, action, success: str, form_name: str, form):
    """Run a service; on success back to the page, on a rule violation the page again with
    the bound form and the error beside it (nothing typed is lost)."""
    try:
        action()
    except ValidationError as exc:
        form.add_error(None, error_text(exc))
        procedure.refresh_from_db()
        return _render_detail(request, procedure, status=400, **{form_name: form})
    messages.success(request, success)
    return redirect(procedure.get_absolute_url())


def _steps_partial(request: HttpRequest, procedure, form: StepForm, saved: bool) -> HttpResponse:
    """htmx: the step list with its form, plus the deadlines out of band (a first contact
    fulfils one); the page stays where the user is instead of reloading at the top."""
    procedure.refresh_from_db()
    context = _detail_context(request, procedure, step_form=form)
    context["step_saved"] = saved
    html = render(request, "cases/procedure_detail.html#steps", context).content.decode()
    context["oob"] = True
    html += render(request, "cases/procedure_detail.html#deadlines", context).content.decode()
    return HttpResponse(html)


@login_required
@require_POST
def procedure_step(request: HttpRequest, code) -> HttpResponse:
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Schritt dokumentieren"
    )
    form = _step_form(procedure, request.POST)
    partial = is_htmx(request)
    if form.is_valid():
        d = form.cleaned_data
        details: dict = {}
        if d["help_types"]:
            details["help_types"] = d["help_types"]
        for key in ("impression_form", "section_42_reason", "section_42_place"):
            if d[key]:
                details[key] = d[key]
        if d["review_on"]:
            details["review_on"] = d["review_on"].isoformat()
        try:
            services.procedure_record_step(
                procedure=procedure,
                actor=request.user,
                activity_code=d["activity_code"],
                occurred_at=d["occurred_at"],
                institution=d["institution"],
                institution_name=d["institution_name"],
                note=d["note"],
                details=details,
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            if partial:
                return _steps_partial(request, procedure, _step_form(procedure), saved=True)
            messages.success(request, _("Der Schritt wurde dokumentiert."))
            return redirect(procedure.get_absolute_url())
    if partial:
        return _steps_partial(request, procedure, form, saved=False)
    return _render_detail(request, procedure, status=400, step_form=form)


@login_required
@require_POST
def procedure_close(request: HttpRequest, code) -> HttpResponse:
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Verfahren abschließen"
    )
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, procedure, status=400, close_form=form)
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
        "close_form",
        form,
    )


@login_required
@require_POST
def procedure_legal_hold(request: HttpRequest, code) -> HttpResponse:
    """Set or lift the legal hold that stops the purge (team lead, reason required)."""
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Löschsperre ändern"
    )
    form = LegalHoldForm(request.POST, prefix="hold")
    if not form.is_valid():
        return _render_detail(request, procedure, status=400, hold_form=form)
    try:
        services.procedure_legal_hold_set(
            procedure=procedure,
            actor=request.user,
            hold=form.cleaned_data["hold"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        procedure.refresh_from_db()
        return _render_detail(request, procedure, status=400, hold_form=form)
    messages.success(
        request,
        _("Die Löschsperre ist gesetzt.")
        if procedure.legal_hold
        else _("Die Löschsperre ist aufgehoben."),
    )
    return redirect(procedure.get_absolute_url() + "#aufbewahrung")


@login_required
@require_POST
def person_add(request: HttpRequest, code) -> HttpResponse:
    """Identifying data given later (optional at intake)."""
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Person ergänzen"
    )
    form = PersonForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, procedure, status=400, person_form=form)
    d = form.cleaned_data
    return _post_and_back(
        request,
        procedure,
        lambda: services.person_add(
            procedure=procedure,
            actor=request.user,
            role=d["role"],
            name=d["name"],
            birth_date=d["birth_date"].isoformat() if d["birth_date"] else "",
            address=d["address"],
        ),
        _("Die Angaben zur Person wurden gespeichert."),
        "person_form",
        form,
    )


@login_required
@require_POST
def amendment_add(request: HttpRequest, code) -> HttpResponse:
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Ergänzung dokumentieren"
    )
    form = AmendmentForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, procedure, status=400, amendment_form=form)
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
        "amendment_form",
        form,
    )


@login_required
@require_POST
def assessment_start(request: HttpRequest, code) -> HttpResponse:
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Gefährdungseinschätzung beginnen"
    )
    form = StartAssessmentForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, procedure, status=400, start_form=form)
    try:
        assessment = services.risk_assessment_start(
            procedure=procedure, actor=request.user, occurred_at=form.cleaned_data["occurred_at"]
        )
    except ValidationError as exc:
        form.add_error(None, error_text(exc))
        return _render_detail(request, procedure, status=400, start_form=form)
    return redirect("cases:assessment_detail", code=assessment.code)


def _assessment_context(
    request: HttpRequest,
    assessment,
    *,
    form: AssessmentForm | None = None,
    sign_form: SignOffForm | None = None,
    request_form: SignOffRequestForm | None = None,
    return_form: ReturnForm | None = None,
) -> dict:
    """Who sees what: the author edits the draft and asks a colleague; while a request is
    open the draft is read-only for everyone; the asked colleague signs or returns it."""
    instrument = _instrument_of(assessment)
    user = request.user
    open_request = selectors.assessment_open_request(assessment=assessment)
    may_sign = permissions.has_permission(
        user, permissions.SIGN_OFF, permissions.CASES, assessment.procedure.municipality_id
    )
    is_author = assessment.author_id == user.pk
    editable = not assessment.is_binding and open_request is None
    if form is None and editable:
        initial = {
            "parents_involved": assessment.parents_involved,
            "child_involved": assessment.child_involved,
            "home_visit": assessment.home_visit,
            "result": assessment.result,
            "kinds": assessment.kinds,
            "danger_source": assessment.danger_source,
            "notes": assessment.notes,
            "parents_not_involved_reason": assessment.parents_not_involved_reason,
            "child_not_involved_reason": assessment.child_not_involved_reason,
            "participants": "\n".join(
                f"{p['name']} – {p['role']}" if p.get("role") else p["name"]
                for p in assessment.participants
            ),
            **{f"item__{k}": str(v) for k, v in assessment.answers.items()},
        }
        form = AssessmentForm(initial=initial, instrument=instrument, age_band=assessment.age_band)
    signers = services.eligible_signers(assessment=assessment) if editable else []
    return {
        "assessment": assessment,
        "procedure": assessment.procedure,
        "instrument": instrument,
        "form": form if editable else None,
        "editable": editable,
        "open_request": open_request,
        "is_requested_signer": open_request is not None and open_request.signer_id == user.pk,
        "may_withdraw": open_request is not None
        and user.pk in (open_request.requested_by_id, assessment.author_id),
        "can_sign": not assessment.is_binding and not is_author and may_sign,
        "sign_form": sign_form or SignOffForm(),
        "request_form": request_form or SignOffRequestForm(signers=signers),
        "has_signers": bool(signers),
        "return_form": return_form or ReturnForm(),
        "requests": list(assessment.sign_off_requests.select_related("signer", "requested_by")),
        "age_band_label": dict(instrument.age_bands).get(assessment.age_band, ""),
        "answer_rows": [
            (
                section.title,
                [(i, assessment.answers.get(f"{section.key}.{i.key}")) for i in items],
            )
            for section, items in instrument.items_for(assessment.age_band)
        ],
    }


def _render_assessment(
    request: HttpRequest, assessment, status: int = 200, **forms
) -> HttpResponse:
    return render(
        request,
        "cases/assessment_detail.html",
        _assessment_context(request, assessment, **forms),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(
        user=request.user, code=code, purpose="Gefährdungseinschätzung bearbeiten"
    )
    if request.method == "POST":
        form = AssessmentForm(
            request.POST,
            instrument=_instrument_of(assessment),
            age_band=assessment.age_band,
        )
        if form.is_valid():
            try:
                services.risk_assessment_update(
                    assessment=assessment, actor=request.user, **form.service_kwargs()
                )
            except ValidationError as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Die Einschätzung wurde gespeichert."))
                return redirect("cases:assessment_detail", code=assessment.code)
        # The typed entries come back with the error: nothing is lost.
        return _render_assessment(request, assessment, status=400, form=form)
    return _render_assessment(request, assessment)


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
        form.add_error(None, error_text(exc))
        return _render_assessment(request, assessment, status=400, sign_form=form)
    messages.success(request, _("Die Einschätzung ist abgezeichnet und damit verbindlich."))
    return redirect(assessment.procedure.get_absolute_url())


@login_required
@require_POST
def assessment_request_sign_off(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(
        user=request.user, code=code, purpose="Abzeichnung anfragen"
    )
    form = SignOffRequestForm(
        request.POST, signers=services.eligible_signers(assessment=assessment)
    )
    if form.is_valid():
        try:
            services.risk_assessment_request_sign_off(
                assessment=assessment,
                actor=request.user,
                signer=form.cleaned_data["signer"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Die Bitte um Abzeichnung wurde gesendet."))
            return redirect("cases:assessment_detail", code=assessment.code)
    return _render_assessment(request, assessment, status=400, request_form=form)


@login_required
@require_POST
def assessment_return(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(
        user=request.user, code=code, purpose="Gefährdungseinschätzung zurückgeben"
    )
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.risk_assessment_return(
                assessment=assessment, actor=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Die Einschätzung wurde mit Kommentar zurückgegeben."))
            return redirect("cases:sign_off_inbox")
    return _render_assessment(request, assessment, status=400, return_form=form)


@login_required
@require_POST
def assessment_withdraw_request(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(
        user=request.user, code=code, purpose="Abzeichnung zurückziehen"
    )
    try:
        services.risk_assessment_withdraw_request(assessment=assessment, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Die Bitte um Abzeichnung wurde zurückgezogen."))
    return redirect("cases:assessment_detail", code=assessment.code)


@login_required
def sign_off_inbox(request: HttpRequest) -> HttpResponse:
    """ "Warten auf meine Abzeichnung": open requests addressed to me, and mine that wait."""
    forbidden_unless(_may_work_on_cases(request.user))
    return render(
        request,
        "cases/sign_off_inbox.html",
        {
            "waiting_for_me": selectors.sign_off_requests_for_signer(user=request.user),
            "asked_by_me": selectors.sign_off_requests_by_requester(user=request.user),
        },
    )


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
        excel_csv = d["format"] == "csv_excel"
        if d["format"] in ("csv", "csv_excel", "xlsx"):
            services.statistics_export_record(
                actor=request.user,
                year=d["year"],
                municipality_id=ids[0] if ids else None,
                fmt="csv" if excel_csv else d["format"],
                suppress_below=suppress,
            )
        name = f"statistik-8a-{d['year']}{'-' + d['municipality'] if d['municipality'] else ''}"
        if d["format"] in ("csv", "csv_excel"):
            buffer = io.StringIO()
            statistics.write_csv(rows, buffer, suppress_below=suppress, excel=excel_csv)
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
            messages.error(request, error_text(exc))
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


@login_required
@require_POST
def procedure_link_child(request: HttpRequest, code) -> HttpResponse:
    """Confirm who the child is: an earlier person of the index, or a new one."""
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Personenindex: Zuordnung bestätigen"
    )
    choice = request.POST.get("person", "")
    person = None
    if choice != "new":
        candidates = selectors.person_index_candidates(user=request.user, procedure=procedure)
        person = next((c["person"] for c in candidates if str(c["person"].code) == choice), None)
        if person is None:
            messages.error(request, _("Bitte eine der angezeigten Personen oder „neu“ wählen."))
            return redirect(procedure.get_absolute_url())
    try:
        services.procedure_link_child(procedure=procedure, actor=request.user, person=person)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Das Kind ist im Personenindex zugeordnet."))
    return redirect(procedure.get_absolute_url())


@login_required
@require_POST
def procedure_link_sibling(request: HttpRequest, code) -> HttpResponse:
    """Link this child and the child of another procedure of the same report as siblings."""
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Personenindex: Geschwister verknüpfen"
    )
    other = selectors.procedure_get_for_user(
        user=request.user,
        code=request.POST.get("other", ""),
        purpose="Personenindex: Geschwister verknüpfen",
    )
    if procedure.indexed_child is None or other.indexed_child is None:
        messages.error(request, _("Beide Kinder müssen erst im Personenindex zugeordnet sein."))
        return redirect(procedure.get_absolute_url())
    try:
        services.person_household_link(
            person=procedure.indexed_child, other=other.indexed_child, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Die Kinder sind als Geschwister verknüpft."))
    return redirect(procedure.get_absolute_url())


def _handover_form(procedure, data=None) -> HandoverForm:
    return HandoverForm(
        data,
        municipalities=Municipality.objects.exclude(pk=procedure.municipality_id).order_by("name"),
    )


@login_required
@require_POST
def procedure_hand_over(request: HttpRequest, code) -> HttpResponse:
    """§ 8a Abs. 6: hand the procedure over to the Jugendamt that became responsible."""
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="Übergabe nach § 8a Abs. 6"
    )
    form = _handover_form(procedure, request.POST)
    if not form.is_valid():
        return _render_detail(request, procedure, status=400, handover_form=form)
    d = form.cleaned_data
    return _post_and_back(
        request,
        procedure,
        lambda: services.procedure_hand_over(
            procedure=procedure,
            actor=request.user,
            occurred_at=d["occurred_at"],
            items=d["items"],
            transmitted=d["transmitted"],
            to_municipality=d["to_municipality"],
            to_office=d["to_office"],
            conversation_at=d["conversation_at"],
            conversation_with=d["conversation_with"],
            conversation_note=d["conversation_note"],
        ),
        _("Die Übergabe ist dokumentiert."),
        "handover_form",
        form,
    )


@login_required
def handover_intake(request: HttpRequest) -> HttpResponse:
    """Hand-overs from other communes addressed to my Jugendamt."""
    forbidden_unless(_may_work_on_cases(request.user))
    return render(
        request,
        "cases/handover_intake.html",
        {"handovers": selectors.handovers_for_intake(user=request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def handover_detail(request: HttpRequest, code) -> HttpResponse:
    """Exactly what was transmitted, and the take-over into a procedure of our own."""
    handover = selectors.handover_get_for_intake(user=request.user, code=code)
    teams = selectors.teams_for_user(user=request.user).filter(
        municipality_id=handover.to_municipality_id
    )
    form = HandoverAcceptForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            procedure = services.handover_accept(
                handover=handover, actor=request.user, team=form.cleaned_data["team"]
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Die Übergabe ist als eigenes Verfahren übernommen."))
            return redirect(procedure.get_absolute_url())
    return render(
        request,
        "cases/handover_detail.html",
        {"handover": handover, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- key figures and the report to the Jugendhilfeausschuss (aggregates only) -------------


@login_required
def statistics_overview(request: HttpRequest) -> HttpResponse:
    """Kennzahlen: the suppressed § 8a figures of the user's scopes, with the previous year.

    For the coordination (own commune, sharing cluster) and the project team (all
    communes and their sum); never a procedure.
    """
    scopes = aggregates.scopes_for_user(user=request.user)
    forbidden_unless(bool(scopes))
    last_year = timezone.localdate().year - 1
    first = scopes[0]
    data = request.GET.copy() if request.GET else {}
    data.setdefault("year", str(last_year))
    data.setdefault("scope", f"{first.kind}:{first.key}")
    form = KeyFiguresForm(data, scopes=scopes)
    context: dict = {"form": form}
    if not form.is_valid():
        return render(request, "cases/statistics_overview.html", context, status=422)
    d = form.cleaned_data
    kind, key = d["scope"].split(":", 1)
    scope = aggregates.scope_get_for_user(user=request.user, kind=kind, key=key)
    if scope is None:
        raise Http404(selectors.NOT_FOUND)
    figures = aggregates.scope_figures(scope=scope, year=d["year"])
    if d["format"] in ("csv", "csv_excel"):
        services.statistics_export_record(
            actor=request.user,
            year=d["year"],
            municipality_id=scope.municipality_ids[0] if scope.kind == "commune" else None,
            fmt=d["format"],
            suppress_below=figures["threshold"],
        )
        from core.exports import csv_text

        table = figures["table"]
        body = csv_text(table.header, table.table, excel=d["format"] == "csv_excel")
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        name = f"kennzahlen-8a-{d['year']}-{scope.kind}-{scope.key}"
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    context.update(figures)
    context["report_links"] = [
        (m.name, m.slug)
        for m in Municipality.objects.filter(pk__in=scope.municipality_ids).order_by("name")
        if scope.kind != "national" or len(scope.municipality_ids) < 60
    ]
    return render(request, "cases/statistics_overview.html", context)


def _committee_context(request: HttpRequest, slug: str, year: int) -> dict:
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None or not aggregates.may_see_commune(
        user=request.user, municipality_id=municipality.pk
    ):
        raise Http404(selectors.NOT_FOUND)
    if not 2012 <= year <= timezone.localdate().year:
        raise Http404(selectors.NOT_FOUND)
    scope = aggregates.Scope("commune", slug, municipality.name, (municipality.pk,))
    figures = aggregates.scope_figures(scope=scope, year=year)
    report = selectors.committee_report_get(municipality=municipality, year=year)
    can_edit = permissions.has_permission(
        request.user, permissions.CHANGE, permissions.QUALITY, municipality.pk
    ) and permissions.has_permission(
        request.user, permissions.VIEW, permissions.ANALYTICS, municipality.pk
    )
    comparison = figures["comparisons"][0] if figures["comparisons"] else None
    reporters = aggregates.category_rows(comparison, "reporters") if comparison else []
    ages = aggregates.category_rows(comparison, "ages") if comparison else []
    return {
        "municipality": municipality,
        "year": year,
        "report": report,
        "comparison": comparison,
        "rows": aggregates.committee_rows(comparison) if comparison else [],
        "reporters": reporters,
        "ages": ages,
        # The year's figures as bars (suppressed counts hatched "< n"), beside the tables.
        "reporter_chart": charts.count_bars(
            [(r.label, r.current) for r in reporters],
            title=_("Bekanntwerden durch, %(year)s") % {"year": year},
            minimum=figures["threshold"],
        ),
        "age_chart": charts.count_bars(
            [(r.label, r.current) for r in ages],
            title=_("Alter bei Abschluss, %(year)s") % {"year": year},
            minimum=figures["threshold"],
        ),
        "deadlines": aggregates.deadlines_kept(municipality_id=municipality.pk, year=year),
        "network": aggregates.network_coverage(municipality_id=municipality.pk),
        "sections": report_sections.collect(municipality=municipality, year=year),
        "threshold": figures["threshold"],
        "can_edit": can_edit,
        "can_export": permissions.has_permission(
            request.user, permissions.EXPORT, permissions.ANALYTICS, municipality.pk
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def committee_report(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """Bericht an den Jugendhilfeausschuss: figures, comparison, the coordinator's texts."""
    context = _committee_context(request, slug, year)
    report = context["report"]
    initial = {
        "introduction": report.introduction,
        "assessment": report.assessment,
        "outlook": report.outlook,
    }
    form = CommitteeReportForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        forbidden_unless(context["can_edit"])
        if form.is_valid():
            try:
                services.committee_report_save(
                    municipality=context["municipality"],
                    year=year,
                    actor=request.user,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                from core.web import apply_errors

                apply_errors(form, exc)
            else:
                messages.success(request, _("Die Texte des Berichts wurden gespeichert."))
                return redirect("cases:committee_report", slug=slug, year=year)
        status = 422
    context["form"] = form
    return render(request, "cases/committee_report.html", context, status=status)


@login_required
def committee_report_pdf(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The same report as PDF (WeasyPrint, no network); the export is audited."""
    from core.pdf import html_to_pdf

    context = _committee_context(request, slug, year)
    forbidden_unless(context["can_export"])
    services.committee_report_export_record(
        actor=request.user, municipality=context["municipality"], year=year, fmt="pdf"
    )
    html = render_to_string("cases/committee_report.html", context | {"pdf": True}, request)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    name = f"bericht-jugendhilfeausschuss-{slug}-{year}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
