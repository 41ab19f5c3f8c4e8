"""Analytics pages: process map, variants, compliance, hand-overs, comparison, uploads.

Every page needs a login and ANALYTICS/VIEW in some commune (coordination, team leads,
project team, administration); what it shows is narrowed by the selectors to the
communes the user may analyse.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from analytics import rendering, selectors, services
from analytics.forms import (
    AnalysisFilterForm,
    ComparisonForm,
    ComplianceRuleForm,
    EventLogUploadForm,
    LogDeadlineForm,
    TimeBetweenForm,
)
from core import permissions
from core.graphviz import GraphvizUnavailable
from core.views import forbidden_unless
from core.web import error_text, is_htmx, render_partial_or_page


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Full page, or only the result partial for htmx filter requests.

    Changing the data source reloads the whole main area (``HX-Target: main``), because
    the activity choices of the extra fields depend on the selected log.
    """
    partial = is_htmx(request) and request.htmx.target != "main"
    return render_partial_or_page(request, template, "result", context, partial=partial)


def _filter_form(request: HttpRequest) -> AnalysisFilterForm:
    forbidden_unless(selectors.can_analyse(request.user))
    form = AnalysisFilterForm(request.GET or None, user=request.user)
    if not request.GET:
        form = AnalysisFilterForm({"min_frequency": 1}, user=request.user)
    return form


def _svg_or_none(dot: str) -> tuple[str | None, str]:
    try:
        return rendering.svg_from_dot(dot), ""
    except GraphvizUnavailable as exc:
        return None, str(exc)


@login_required
def process_map(request: HttpRequest) -> HttpResponse:
    """The directly-follows graph as SVG (Graphviz) and as an interactive view."""
    form = _filter_form(request)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        log_filter = form.log_filter()
        result = selectors.process_map(user=request.user, log_filter=log_filter)
        metric = form.cleaned_data.get("metric") or "frequency"
        dot = rendering.process_map_dot(result, metric=metric)
        svg, graphviz_error = _svg_or_none(dot) if result.events else (None, "")
        context.update(
            result=result,
            metric=metric,
            svg=svg,
            graphviz_error=graphviz_error,
            map_data=result.as_json(detailed=True),
            map_labels=rendering.interactive_labels(),
            query=request.GET.urlencode(),
        )
    return _render(request, "analytics/process_map.html", context)


@login_required
def process_map_dot(request: HttpRequest) -> HttpResponse:
    """The DOT source of the map (for Graphviz elsewhere, or when dot isn't installed)."""
    form = _filter_form(request)
    if not form.is_valid():
        return HttpResponse(status=400)
    result = selectors.process_map(user=request.user, log_filter=form.log_filter())
    dot = rendering.process_map_dot(result, metric=form.cleaned_data.get("metric") or "frequency")
    response = HttpResponse(dot, content_type="text/vnd.graphviz; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="prozesslandkarte.dot"'
    return response


@login_required
def variant_list(request: HttpRequest) -> HttpResponse:
    """Variants with count and share, throughput times and time between two activities."""
    form = _filter_form(request)
    context: dict[str, Any] = {"form": form}
    between_form = TimeBetweenForm(request.GET if "source" in request.GET else None)
    if form.is_valid():
        log_filter = form.log_filter()
        activities = selectors.log_activities(user=request.user, log_filter=log_filter)
        between_form = TimeBetweenForm(
            request.GET if "source" in request.GET else None, activities=activities
        )
        between = None
        if between_form.is_valid():
            between = (between_form.cleaned_data["source"], between_form.cleaned_data["target"])
        report = selectors.variant_report(user=request.user, log_filter=log_filter, between=between)
        context.update(report=report, between=report.get("between"))
    context["between_form"] = between_form
    return _render(request, "analytics/variant_list.html", context)


@login_required
def compliance_dashboard(request: HttpRequest) -> HttpResponse:
    """Share of deadlines met per rule, the cases that missed, and the monthly trend."""
    form = _filter_form(request)
    del form.fields["min_frequency"]
    context: dict[str, Any] = {
        "form": form,
        "can_edit_rules": bool(
            permissions.municipality_ids_for(request.user, permissions.ADD, permissions.QUALITY)
        ),
    }
    if form.is_valid():
        log_filter = form.log_filter()
        activities = selectors.log_activities(user=request.user, log_filter=log_filter)
        if activities is None:
            # Commune rules name the platform's event codes: they apply to its procedures.
            context["results"] = selectors.compliance_report(
                user=request.user, log_filter=log_filter, now=timezone.now()
            )
        else:
            deadline_form = LogDeadlineForm(
                request.GET if "source" in request.GET else None, activities=activities
            )
            context["deadline_form"] = deadline_form
            if deadline_form.is_valid():
                context["results"] = [
                    selectors.log_deadline_report(
                        user=request.user,
                        log_filter=log_filter,
                        start=deadline_form.cleaned_data["source"],
                        end=deadline_form.cleaned_data["target"],
                        deadline_hours=deadline_form.cleaned_data["deadline_hours"],
                        now=timezone.now(),
                    )
                ]
    return _render(request, "analytics/compliance_dashboard.html", context)


@login_required
def compliance_rule_list(request: HttpRequest) -> HttpResponse:
    rules = selectors.compliance_rule_list_for_user(user=request.user)
    forbidden_unless(
        bool(
            permissions.municipality_ids_for(request.user, permissions.CHANGE, permissions.QUALITY)
        )
    )
    return render(request, "analytics/compliancerule_list.html", {"rules": rules})


@login_required
@require_http_methods(["GET", "POST"])
def compliance_rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None) or change a deadline rule."""
    forbidden_unless(
        bool(permissions.municipality_ids_for(request.user, permissions.ADD, permissions.QUALITY))
    )
    rule = selectors.compliance_rule_get_for_user(user=request.user, pk=pk) if pk else None
    form = ComplianceRuleForm(request.POST or None, instance=rule, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "municipality"}
        try:
            if rule is None:
                services.compliance_rule_create(
                    municipality=form.cleaned_data["municipality"], actor=request.user, **data
                )
            else:
                # The form has already written the values onto the instance; reload it so
                # the service sees the stored state for its audit snapshot.
                rule.refresh_from_db()
                services.compliance_rule_update(rule=rule, actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Die Fristregel wurde gespeichert."))
            return redirect("analytics:compliance_rule_list")
    return render(request, "analytics/compliancerule_form.html", {"form": form, "rule": rule})


@login_required
@require_POST
def compliance_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.compliance_rule_get_for_user(user=request.user, pk=pk)
    services.compliance_rule_delete(rule=rule, actor=request.user)
    messages.success(request, _("Die Fristregel wurde gelöscht."))
    return redirect("analytics:compliance_rule_list")


@login_required
def handover_matrix(request: HttpRequest) -> HttpResponse:
    """Who passes cases to whom, how often, and how long each waits: matrix and graph."""
    form = _filter_form(request)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        column = "institution_type" if request.GET.get("by") == "type" else "institution"
        report = selectors.handover_report(
            user=request.user, log_filter=form.log_filter(), column=column
        )
        svg, graphviz_error = (
            _svg_or_none(rendering.handover_dot(report["rows"])) if report["rows"] else (None, "")
        )
        context.update(report=report, svg=svg, graphviz_error=graphviz_error, by=column)
    return _render(request, "analytics/handover_matrix.html", context)


@login_required
def comparison(request: HttpRequest) -> HttpResponse:
    """Indicators side by side for a cluster or a selection, with small-count suppression."""
    forbidden_unless(selectors.can_analyse(request.user))
    form = ComparisonForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        selection = form.selection()
        if selection:
            context["rows"] = selectors.comparison_report(
                user=request.user,
                municipalities=selection,
                period=form.cleaned_data["period"],
            )
    from analytics.constants import SUPPRESSION_THRESHOLD

    context["threshold"] = SUPPRESSION_THRESHOLD
    return _render(request, "analytics/comparison.html", context)


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered event log as XES, CSV or Parquet download."""
    form = _filter_form(request)
    forbidden_unless(
        bool(
            permissions.municipality_ids_for(
                request.user, permissions.EXPORT, permissions.ANALYTICS
            )
        )
    )
    if not form.is_valid() or fmt not in services.EXPORT_TYPES:
        return HttpResponse(status=400)
    data, content_type, filename = services.event_log_export(
        user=request.user, log_filter=form.log_filter(), fmt=fmt
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def upload_list(request: HttpRequest) -> HttpResponse:
    """Uploaded logs and the upload form (processing runs in the background)."""
    forbidden_unless(selectors.can_analyse(request.user))
    can_upload = bool(
        permissions.municipality_ids_for(request.user, permissions.ADD, permissions.QUALITY)
    )
    form = EventLogUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        forbidden_unless(can_upload)
        if form.is_valid():
            try:
                upload = services.event_log_upload_create(
                    municipality=form.cleaned_data["municipality"],
                    name=form.cleaned_data["name"],
                    uploaded_file=form.cleaned_data["source_file"],
                    log_format=form.cleaned_data["log_format"],
                    column_mapping=form.mapping(),
                    timestamp_format=form.cleaned_data["timestamp_format"],
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error("source_file", exc)
            else:
                return redirect("analytics:upload_detail", code=upload.code)
    services.event_log_uploads_fail_interrupted()
    uploads = selectors.event_log_upload_list_for_user(user=request.user)[:100]
    return render(
        request,
        "analytics/eventlogupload_list.html",
        {"form": form, "uploads": uploads, "can_upload": can_upload},
    )


@login_required
def upload_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One upload; its status panel is polled by htmx while processing runs."""
    services.event_log_uploads_fail_interrupted()
    upload = selectors.event_log_upload_get_for_user(user=request.user, code=code)
    can_delete = permissions.has_permission(
        request.user, permissions.DELETE, permissions.QUALITY, upload.municipality_id
    )
    context = {"upload": upload, "can_delete": can_delete}
    return render_partial_or_page(
        request, "analytics/eventlogupload_detail.html", "status-panel", context
    )


@login_required
@require_POST
def upload_delete(request: HttpRequest, code: str) -> HttpResponse:
    """Delete an uploaded log and its files (only once its processing has ended)."""
    upload = selectors.event_log_upload_get_for_user(user=request.user, code=code)
    try:
        services.event_log_upload_delete(upload=upload, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("analytics:upload_detail", code=upload.code)
    messages.success(request, _("Das Protokoll und seine Dateien wurden gelöscht."))
    return redirect("analytics:upload_list")
