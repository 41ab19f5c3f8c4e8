"""Evaluation pages: rounds, invitations, the public questionnaire, results, comparison."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core import permissions
from core.views import forbidden_unless
from core.web import apply_errors, error_text, render_partial_or_page
from evaluation import charts, selectors, services
from evaluation.choices import RoundStatus
from evaluation.forms import (
    AnswerForm,
    ComparisonForm,
    FollowUpForm,
    FrameworkForm,
    InvitationForm,
    RoundForm,
)
from evaluation.models import Round
from evaluation.services import Invitee, LinkProblem


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _global(user: Any) -> bool:
    return (
        permissions.municipality_ids_for(user, permissions.ADD, permissions.QUALITY)
        == permissions.ALL
    )


# --- rounds -------------------------------------------------------------------------


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = list(selectors.round_list(user=request.user))
    return render(
        request,
        "evaluation/round_list.html",
        {
            "rounds": rounds,
            "can_create": selectors.municipalities_for_new_round(user=request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    municipalities = selectors.municipalities_for_new_round(user=request.user)
    forbidden_unless(municipalities.exists())
    services.framework_ensure_builtin()
    form = RoundForm(
        request.POST or None,
        municipalities=municipalities.order_by("name"),
        frameworks=selectors.framework_list(user=request.user),
        external=_global(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_round = services.round_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Evaluationsrunde ist eröffnet."))
            return redirect(evaluation_round)
    return render(request, "evaluation/round_form.html", {"form": form})


@login_required
def round_detail(request: HttpRequest, code: Any) -> HttpResponse:
    evaluation_round = selectors.round_get(user=request.user, code=code)
    return _render_detail(request, evaluation_round)


def _render_detail(
    request: HttpRequest,
    evaluation_round: Round,
    *,
    invitation_form: InvitationForm | None = None,
    created: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = selectors.can_manage(user=request.user, evaluation_round=evaluation_round)
    context = {
        "round": evaluation_round,
        "progress": selectors.round_progress(evaluation_round=evaluation_round),
        "can_manage": can_manage,
        "is_open": evaluation_round.status == RoundStatus.OPEN,
        "invitation_form": invitation_form
        or (InvitationForm(evaluation_round=evaluation_round) if can_manage else None),
        "created": created or [],
        "invitations": evaluation_round.invitations.select_related("institution")
        if can_manage
        else [],
    }
    return render_partial_or_page(
        request, "evaluation/round_detail.html", "invitations", context, status=status
    )


@login_required
@require_POST
def invitation_add(request: HttpRequest, code: Any) -> HttpResponse:
    evaluation_round = selectors.round_get(user=request.user, code=code)
    forbidden_unless(selectors.can_manage(user=request.user, evaluation_round=evaluation_round))
    form = InvitationForm(request.POST, evaluation_round=evaluation_round)
    if not form.is_valid():
        return _render_detail(request, evaluation_round, invitation_form=form, status=422)
    data = form.cleaned_data
    invitees = [
        Invitee(
            email=email,
            institution=data.get("institution"),
            institution_type=data.get("institution_type") or "",
        )
        for email in data["email_list"]
    ]
    invitees += [
        Invitee(email=c.email, institution=c.institution) for c in data.get("contacts") or []
    ]
    try:
        created = services.invitation_create_many(
            evaluation_round=evaluation_round,
            invitees=invitees,
            actor=request.user,
            base_url=_base_url(request),
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render_detail(request, evaluation_round, invitation_form=form, status=422)
    messages.success(
        request,
        ngettext("%(n)s Einladung verschickt.", "%(n)s Einladungen verschickt.", len(created))
        % {"n": len(created)},
    )
    # The links are shown once, here, for invitees without e-mail access (paper hand-out).
    links = [
        (i, services.answer_url(base_url=_base_url(request), token=i.raw_token)) for i in created
    ]
    return _render_detail(request, evaluation_round, created=links)


@login_required
@require_POST
def round_remind(request: HttpRequest, code: Any) -> HttpResponse:
    evaluation_round = selectors.round_get(user=request.user, code=code)
    forbidden_unless(selectors.can_manage(user=request.user, evaluation_round=evaluation_round))
    count = services.invitation_remind(
        evaluation_round=evaluation_round, actor=request.user, base_url=_base_url(request)
    )
    if count:
        messages.success(
            request,
            ngettext("%(n)s Erinnerung verschickt.", "%(n)s Erinnerungen verschickt.", count)
            % {"n": count},
        )
    else:
        messages.info(
            request, _("Niemand zu erinnern (alle haben geantwortet oder die Runde läuft nicht).")
        )
    return redirect(evaluation_round)


@login_required
@require_POST
def round_close(request: HttpRequest, code: Any) -> HttpResponse:
    evaluation_round = selectors.round_get(user=request.user, code=code)
    forbidden_unless(selectors.can_manage(user=request.user, evaluation_round=evaluation_round))
    try:
        services.round_close(
            evaluation_round=evaluation_round,
            actor=request.user,
            reason=request.POST.get("reason", "")[:500],
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Die Runde ist abgeschlossen."))
    return redirect(evaluation_round)


# --- results ------------------------------------------------------------------------


def _results_context(request: HttpRequest, evaluation_round: Round) -> dict[str, Any]:
    results = selectors.round_results(evaluation_round=evaluation_round)
    definition = results["definition"]
    trend = selectors.round_trend(user=request.user, evaluation_round=evaluation_round)
    context: dict[str, Any] = {
        "round": evaluation_round,
        "results": results,
        "trend": trend,
        "trend_dimensions": [(d.key, d.title) for d in definition.dimensions],
        "progress": selectors.round_progress(evaluation_round=evaluation_round),
        "follow_ups": selectors.follow_ups_for(evaluation_round=evaluation_round),
        "can_follow_up": permissions.has_permission(
            request.user, permissions.ADD, permissions.QUALITY, evaluation_round.municipality_id
        ),
    }
    lo, hi = definition.scale_min, definition.scale_max
    if len(trend) > 1:
        context["trend_chart"] = charts.grouped_bars(
            [title for _key, title in context["trend_dimensions"]],
            [
                (
                    f"{t['round'].title} ({t['round'].opens_on:%m/%Y})",
                    [t["means"].get(key) for key, _title in context["trend_dimensions"]],
                )
                for t in trend[-4:]
            ],
            scale_min=lo,
            scale_max=hi,
            title=_("Mittelwerte je Dimension in den Runden mit diesem Fragebogen"),
        )
    if not results["suppressed"]:
        context["bar_chart"] = charts.bar_chart(
            [(d["title"], d["mean"], d["sd"]) for d in results["dimensions"]],
            scale_min=lo,
            scale_max=hi,
            title=_("Mittelwert je Dimension mit Streuung (± 1 Standardabweichung)"),
        )
        series = [(_("alle Antworten"), [d["mean"] for d in results["dimensions"]])]
        # The largest groups only: more than six outlines are unreadable, on paper too.
        largest = sorted(results["groups"], key=lambda g: -g["n_responses"])[:5]
        series += [
            (g["label"], [g["dimensions"][d["key"]] for d in results["dimensions"]])
            for g in largest
        ]
        context["radar_chart"] = charts.radar_chart(
            [d["title"] for d in results["dimensions"]],
            series[:6],
            scale_min=lo,
            scale_max=hi,
            title=_("Profil der Dimensionen nach Einrichtungsart"),
        )
    return context


@login_required
def round_results(request: HttpRequest, code: Any) -> HttpResponse:
    evaluation_round = selectors.round_get(user=request.user, code=code)
    context = _results_context(request, evaluation_round)
    context["follow_up_form"] = FollowUpForm()
    return render(request, "evaluation/round_results.html", context)


@login_required
def round_results_pdf(request: HttpRequest, code: Any) -> HttpResponse:
    """The same report as PDF (WeasyPrint), for committees that read on paper."""
    from weasyprint import HTML

    evaluation_round = selectors.round_get(user=request.user, code=code)
    context = _results_context(request, evaluation_round)
    context["pdf"] = True
    html = render_to_string("evaluation/round_results_pdf.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="evaluation-{evaluation_round.code}.pdf"'
    )
    return response


@login_required
@require_POST
def follow_up_create(request: HttpRequest, code: Any) -> HttpResponse:
    evaluation_round = selectors.round_get(user=request.user, code=code)
    forbidden_unless(
        permissions.has_permission(
            request.user, permissions.ADD, permissions.QUALITY, evaluation_round.municipality_id
        )
    )
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            follow_up = services.follow_up_create(
                evaluation_round=evaluation_round,
                actor=request.user,
                origin_url=reverse("evaluation:round_results", args=[evaluation_round.code]),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                _("„%(text)s“ wurde als %(kind)s übernommen.")
                % {"text": follow_up.text, "kind": follow_up.get_kind_display()},
            )
    else:
        messages.error(request, _("Bitte einen Text angeben."))
    return redirect(
        reverse("evaluation:round_results", args=[evaluation_round.code]) + "#folgearbeit"
    )


@login_required
def comparison(request: HttpRequest) -> HttpResponse:
    """Communes side by side per dimension (a cluster, or any selection)."""
    visible = selectors.round_list(user=request.user)
    keys = sorted({(r.framework.key, r.framework.title) for r in visible})
    municipalities = (
        selectors.Municipality.objects.filter(evaluation_rounds__in=visible.values("pk"))
        .distinct()
        .order_by("name")
    )
    form = ComparisonForm(request.GET or None, framework_keys=keys, municipalities=municipalities)
    data: dict[str, Any] = {"rounds": [], "dimensions": []}
    chart = None
    if form.is_valid():
        ids = {m.pk for m in form.cleaned_data["municipalities"]}
        if form.cleaned_data["cluster"] is not None:
            ids |= set(form.cleaned_data["cluster"].municipalities.values_list("pk", flat=True))
        data = selectors.comparison(
            user=request.user, framework_key=form.cleaned_data["framework"], municipality_ids=ids
        )
        if data["rounds"]:
            definition = data["rounds"][0]["round"].framework.parsed()
            chart = charts.grouped_bars(
                [d["title"] for d in data["dimensions"]],
                [
                    (
                        str(r["round"].municipality),
                        [r["means"].get(d["key"]) for d in data["dimensions"]],
                    )
                    for r in data["rounds"][:6]
                ],
                scale_min=definition.scale_min,
                scale_max=definition.scale_max,
                title=_("Kommunen im Vergleich: Mittelwert je Dimension"),
            )
    return render(
        request,
        "evaluation/comparison.html",
        {"form": form, "data": data, "chart": chart},
    )


# --- frameworks -----------------------------------------------------------------------


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "evaluation/framework_list.html",
        {
            "frameworks": selectors.framework_list(user=request.user),
            "can_add": selectors.municipalities_for_new_round(user=request.user).exists(),
        },
    )


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.framework_get(user=request.user, pk=pk)
    if request.GET.get("format") == "yaml":
        response = HttpResponse(framework.source, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{framework.key}-v{framework.version}.yaml"'
        )
        return response
    definition = framework.parsed()
    audiences = {
        s.key: ", ".join(sorted(selectors.type_label(code) for code in s.asked))
        for s in [*definition.statements(), *definition.free_text_questions()]
        if "all" not in s.asked
    }
    return render(
        request,
        "evaluation/framework_detail.html",
        {"framework": framework, "definition": definition, "audiences": audiences},
    )


@login_required
@require_http_methods(["GET", "POST"])
def framework_create(request: HttpRequest) -> HttpResponse:
    municipalities = selectors.municipalities_for_new_round(user=request.user)
    forbidden_unless(municipalities.exists())
    initial = {}
    base = request.GET.get("von")
    if base and base.isdigit():
        initial["source"] = selectors.framework_get(user=request.user, pk=int(base)).source
    form = FrameworkForm(request.POST or None, initial=initial, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        try:
            framework = services.framework_import(
                source=form.cleaned_data["source"],
                municipality=form.cleaned_data["municipality"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Der Fragebogen ist gespeichert."))
            return redirect("evaluation:framework_detail", pk=framework.pk)
    return render(request, "evaluation/framework_form.html", {"form": form})


# --- the public questionnaire -------------------------------------------------------


def _problem(request: HttpRequest, problem: LinkProblem) -> HttpResponse:
    return render(
        request, "evaluation/answer_message.html", {"problem": problem}, status=problem.status
    )


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire behind a personal link: no account, no identity stored."""
    try:
        invitation = services.invitation_for_token(token=token)
    except LinkProblem as problem:
        return _problem(request, problem)
    evaluation_round = invitation.round
    definition = evaluation_round.framework.parsed()
    status = 200
    saved = False
    if request.method == "POST":
        form = AnswerForm(
            request.POST, definition=definition, institution_type=invitation.institution_type
        )
        form.is_valid()  # shape only; the scale is checked by the service
        try:
            if request.POST.get("action") == "draft":
                services.response_save_draft(
                    token=token, answers=form.answers(), texts=form.texts()
                )
                saved = True
            else:
                services.response_submit(token=token, answers=form.answers(), texts=form.texts())
                return render(
                    request,
                    "evaluation/answer_message.html",
                    {"thanks": True, "round": evaluation_round},
                )
        except LinkProblem as problem:
            return _problem(request, problem)
        except ValidationError as exc:
            apply_errors(form, exc, prefix="s_")
            status = 422
    else:
        draft = invitation.draft or {}
        initial = {f"s_{k}": str(v) for k, v in draft.get("answers", {}).items()}
        initial |= {f"t_{k}": v for k, v in draft.get("texts", {}).items()}
        form = AnswerForm(
            initial=initial, definition=definition, institution_type=invitation.institution_type
        )
    return render(
        request,
        "evaluation/answer_form.html",
        {
            "form": form,
            "round": evaluation_round,
            "definition": definition,
            "saved": saved,
            "has_draft": bool(invitation.draft),
        },
        status=status,
    )
