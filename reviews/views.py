"""Pages of "Aus Fehlern lernen": reviews (login), near-miss form and library (public)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core import permissions
from core.charts import count_bars
from core.context import mark_untraced
from core.net import client_address
from core.pagecache import cache_public
from core.views import forbidden_unless
from core.web import apply_errors, error_text, render_partial_or_page
from registry.models import Cluster, Municipality
from reviews import antispam, detector, selectors, services
from reviews.choices import IncidentStatus, ReviewStatus
from reviews.forms import (
    CategoryForm,
    EpisodeForm,
    FindingForm,
    ImportForm,
    IncidentReportForm,
    LegalHoldForm,
    LibraryFilterForm,
    ModerationForm,
    PublishForm,
    ReceiptForm,
    RecommendationForm,
    ReviewForm,
)
from reviews.models import ErrorCategory


def _can(user: Any, action: str, municipality_id: int) -> bool:
    return permissions.has_permission(user, action, permissions.REVIEWS, municipality_id)


def _editable_municipalities(user: Any):
    allowed = permissions.municipality_ids_for(user, permissions.ADD, permissions.REVIEWS)
    if allowed == permissions.ALL:
        return Municipality.objects.order_by("name")
    return Municipality.objects.filter(pk__in=allowed).order_by("name")


# --- case reviews (login) ------------------------------------------------------------------


def _own_municipalities(user: Any) -> list[Municipality]:
    """The communes a member belongs to (for "my commune compared with the others")."""
    ids = permissions.municipality_ids_for(user, permissions.VIEW, permissions.REVIEWS)
    if ids == permissions.ALL:
        return []
    return list(Municipality.objects.filter(pk__in=ids).order_by("name"))


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ReviewStatus.values else ""
    reviews = selectors.review_list_for_user(user=request.user, status=status)
    page = Paginator(reviews, 50).get_page(request.GET.get("page"))
    can_moderate = bool(
        permissions.municipality_ids_for(request.user, permissions.CHANGE, permissions.REVIEWS)
    )
    return render(
        request,
        "reviews/review_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ReviewStatus.choices,
            "can_add": _editable_municipalities(request.user).exists(),
            "can_moderate": can_moderate,
            "can_edit_taxonomy": services.can_edit_taxonomy(request.user),
            "own_municipalities": _own_municipalities(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest) -> HttpResponse:
    municipalities = list(_editable_municipalities(request.user))
    forbidden_unless(bool(municipalities))
    municipality = municipalities[0]
    if len(municipalities) > 1 and request.GET.get("kommune"):
        municipality = next(
            (m for m in municipalities if m.slug == request.GET["kommune"]), municipality
        )
    form = ReviewForm(
        request.POST or None, municipality=municipality, initial={"status": ReviewStatus.PLANNED}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.review_create(
                municipality=municipality,
                actor=request.user,
                title=data["title"],
                trigger=data["trigger"],
                method=data["method"],
                status=data["status"],
                questions=data["questions"],
                summary=data["summary"],
                team=data["team"],
                started_on=data["started_on"],
                confirmed=data["confirmed"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Falluntersuchung wurde angelegt."))
            return redirect(review.get_absolute_url())
    return render(request, "reviews/review_form.html", {"form": form, "municipality": municipality})


@login_required
def review_detail(request: HttpRequest, code) -> HttpResponse:
    review = selectors.review_get_for_user(
        user=request.user, code=code, purpose="Falluntersuchung ansehen"
    )
    detail = selectors.review_detail(review=review)
    can_edit = _can(request.user, permissions.CHANGE, review.municipality_id)
    narratives = selectors.review_narratives_visible(
        user=request.user, municipality_id=review.municipality_id
    )
    context = {"review": review, "can_edit": can_edit, "narratives": narratives, **detail}
    if can_edit:
        context["hold_form"] = LegalHoldForm(prefix="hold", initial={"hold": not review.legal_hold})
        context["purge_after"] = services.review_purge_after(review)
        context.update(
            episode_form=EpisodeForm(prefix="episode"),
            finding_form=FindingForm(prefix="finding", episodes=detail["episodes"]),
            recommendation_form=RecommendationForm(
                prefix="recommendation", findings=detail["findings"]
            ),
        )
    # Only members of a case team can import; offer the form to those who document cases.
    if permissions.has_permission(
        request.user, permissions.VIEW, permissions.CASES, review.municipality_id
    ):
        context["import_form"] = ImportForm(prefix="import")
    return render(request, "reviews/review_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, code) -> HttpResponse:
    review = selectors.review_get_for_user(
        user=request.user, code=code, purpose="Falluntersuchung bearbeiten"
    )
    forbidden_unless(_can(request.user, permissions.CHANGE, review.municipality_id))
    initial = {
        "title": review.title,
        "trigger": review.trigger,
        "method": review.method,
        "status": review.status,
        "questions": review.questions,
        "summary": review.summary,
        "team": list(review.team.all()),
        "started_on": review.started_on,
    }
    form = ReviewForm(request.POST or None, municipality=review.municipality, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        team = data.pop("team")
        confirmed = data.pop("confirmed")
        try:
            services.review_update(
                review=review, actor=request.user, team=team, confirmed=confirmed, **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Falluntersuchung wurde gespeichert."))
            return redirect(review.get_absolute_url())
    return render(
        request,
        "reviews/review_form.html",
        {"form": form, "review": review, "municipality": review.municipality},
    )


def _review_for_change(request: HttpRequest, code) -> Any:
    review = selectors.review_get_for_user(
        user=request.user, code=code, purpose="Falluntersuchung ergänzen"
    )
    forbidden_unless(_can(request.user, permissions.CHANGE, review.municipality_id))
    return review


def _form_error_page(request: HttpRequest, review: Any, form: Any, title: str) -> HttpResponse:
    return render(
        request,
        "reviews/review_subform.html",
        {"review": review, "form": form, "title": title},
        status=422,
    )


@login_required
@require_POST
def episode_create(request: HttpRequest, code) -> HttpResponse:
    review = _review_for_change(request, code)
    form = EpisodeForm(request.POST, prefix="episode")
    if form.is_valid():
        try:
            services.episode_create(review=review, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Episode wurde ergänzt."))
            return redirect(review.get_absolute_url() + "#zeitleiste")
    return _form_error_page(request, review, form, _("Episode ergänzen"))


@login_required
@require_http_methods(["GET", "POST"])
def episode_edit(request: HttpRequest, code, pk: int) -> HttpResponse:
    """Complete an episode, e.g. an imported one: what was known then, why it made sense."""
    review = _review_for_change(request, code)
    episode = selectors.episode_get_for_user(user=request.user, review=review, pk=pk)
    initial = {
        name: getattr(episode, name)
        for name in (
            "title",
            "occurred_on",
            "institution_type",
            "institution_label",
            "what_happened",
            "known_then",
            "why_sensible",
        )
    }
    form = EpisodeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_update(episode=episode, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Episode wurde gespeichert."))
            return redirect(review.get_absolute_url() + "#zeitleiste")
    return render(
        request,
        "reviews/review_subform.html",
        {"review": review, "form": form, "title": _("Episode bearbeiten")},
        status=422 if form.is_bound else 200,
    )


@login_required
@require_POST
def episode_import(request: HttpRequest, code) -> HttpResponse:
    review = selectors.review_get_for_user(
        user=request.user, code=code, purpose="Zeitleiste aus Verfahren übernehmen"
    )
    form = ImportForm(request.POST, prefix="import")
    if form.is_valid():
        episodes = services.episodes_import_from_procedure(
            review=review, procedure_code=form.cleaned_data["procedure_code"], actor=request.user
        )
        messages.success(
            request,
            ngettext(
                "%(n)d Episode aus dem Verfahren übernommen.",
                "%(n)d Episoden aus dem Verfahren übernommen.",
                len(episodes),
            )
            % {"n": len(episodes)},
        )
        return redirect(review.get_absolute_url() + "#zeitleiste")
    return _form_error_page(request, review, form, _("Zeitleiste aus Verfahren übernehmen"))


@login_required
@require_POST
def finding_create(request: HttpRequest, code) -> HttpResponse:
    review = _review_for_change(request, code)
    episodes = list(review.episodes.all())
    form = FindingForm(request.POST, prefix="finding", episodes=episodes)
    if form.is_valid():
        data = form.cleaned_data
        episode = next((e for e in episodes if e.pk == data["episode"]), None)
        try:
            services.finding_create(
                review=review,
                actor=request.user,
                level=data["level"],
                context_factor=data["context_factor"],
                category=data["category"],
                valence=data["valence"],
                text=data["text"],
                episode=episode,
                confirmed=data["confirmed"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Der Befund wurde ergänzt."))
            return redirect(review.get_absolute_url() + "#befunde")
    return _form_error_page(request, review, form, _("Befund ergänzen"))


@login_required
@require_http_methods(["GET", "POST"])
def finding_publish(request: HttpRequest, code, pk: int) -> HttpResponse:
    review = _review_for_change(request, code)
    finding = selectors.finding_get_for_user(user=request.user, review=review, pk=pk)
    initial_text = finding.public_text or detector.redact(finding.text)
    form = PublishForm(request.POST or None, initial={"public_text": initial_text})
    if request.method == "POST":
        if request.POST.get("withdraw"):
            services.finding_unpublish(finding=finding, actor=request.user)
            messages.success(request, _("Der Befund wurde aus der Lernbibliothek genommen."))
            return redirect(review.get_absolute_url() + "#befunde")
        if form.is_valid():
            try:
                services.finding_publish(
                    finding=finding,
                    actor=request.user,
                    public_text=form.cleaned_data["public_text"],
                    confirmed=form.cleaned_data["confirmed"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Der Befund steht jetzt in der Lernbibliothek."))
                return redirect(review.get_absolute_url() + "#befunde")
    text = form.data.get("public_text", initial_text) if form.is_bound else initial_text
    return render(
        request,
        "reviews/finding_publish.html",
        {
            "review": review,
            "finding": finding,
            "form": form,
            "hits_original": detector.detect(finding.text),
            "hits": detector.detect(text),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
@require_POST
def recommendation_create(request: HttpRequest, code) -> HttpResponse:
    review = _review_for_change(request, code)
    findings = list(review.findings.select_related("category"))
    form = RecommendationForm(request.POST, prefix="recommendation", findings=findings)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.recommendation_create(
                review=review,
                actor=request.user,
                text=data["text"],
                rationale=data["rationale"],
                due_date=data["due_date"],
                finding=next((f for f in findings if f.pk == data["finding"]), None),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Empfehlung wurde ergänzt."))
            return redirect(review.get_absolute_url() + "#empfehlungen")
    return _form_error_page(request, review, form, _("Empfehlung ergänzen"))


@login_required
@require_POST
def recommendation_to_outcome(request: HttpRequest, code, pk: int) -> HttpResponse:
    review = _review_for_change(request, code)
    rec = selectors.recommendation_get_for_user(user=request.user, review=review, pk=pk)
    try:
        services.recommendation_to_outcome(recommendation=rec, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request, _("Die Empfehlung steht jetzt als geplante Maßnahme auf dem Werkstatt-Board.")
        )
    return redirect(review.get_absolute_url() + "#empfehlungen")


def _report_context(request: HttpRequest, code, purpose: str) -> dict[str, Any]:
    review = selectors.review_get_for_user(user=request.user, code=code, purpose=purpose)
    narratives = selectors.review_narratives_visible(
        user=request.user, municipality_id=review.municipality_id
    )
    return {"review": review, "narratives": narratives, **selectors.review_detail(review=review)}


@login_required
@require_POST
def review_legal_hold(request: HttpRequest, code) -> HttpResponse:
    """Set or lift the legal hold that stops the retention purge (reason required)."""
    review = _review_for_change(request, code)
    form = LegalHoldForm(request.POST, prefix="hold")
    if form.is_valid():
        try:
            services.review_legal_hold_set(
                review=review,
                actor=request.user,
                hold=form.cleaned_data["hold"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Die Löschsperre ist gesetzt.")
                if review.legal_hold
                else _("Die Löschsperre ist aufgehoben."),
            )
            return redirect(review.get_absolute_url() + "#aufbewahrung")
    return _form_error_page(request, review, form, _("Löschsperre"))


@login_required
def review_report(request: HttpRequest, code) -> HttpResponse:
    """The printable report (browser print or the PDF below)."""
    return render(
        request,
        "reviews/review_report.html",
        _report_context(request, code, "Bericht der Falluntersuchung ansehen"),
    )


@login_required
def review_report_pdf(request: HttpRequest, code) -> HttpResponse:
    """The same report as PDF, rendered by WeasyPrint without any network access."""
    from reviews.report import report_pdf

    context = _report_context(request, code, "Bericht der Falluntersuchung als PDF")
    html = render_to_string("reviews/review_report.html", context | {"pdf": True}, request)
    response = HttpResponse(report_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="fallanalyse-{context["review"].code}.pdf"'
    )
    return response


# --- near-miss reports: public form and receipt ----------------------------------------------


def _quiet(response: HttpResponse) -> HttpResponse:
    """Keep Django's request logger silent for this response (it would attach the request)."""
    response._has_been_logged = True  # noqa: SLF001 – the flag django.utils.log checks
    return response


def incident_start(request: HttpRequest) -> HttpResponse:
    """Choose the commune whose network the report concerns."""
    municipalities = Municipality.objects.order_by("name").only("name", "slug")
    return render(request, "reviews/incident_start.html", {"municipalities": municipalities})


@never_cache
@require_http_methods(["GET", "POST"])
def incident_report_create(request: HttpRequest, slug: str) -> HttpResponse:
    """The public near-miss form of one commune (no login, nothing about the sender kept).

    The client address is used once, inside the rate limiter, as part of a salted hash
    that lives only as a short-lived cache key; it is never stored or logged, and the
    response is marked so that Django's request logger stays silent.
    """
    mark_untraced(request)
    municipality = selectors.municipality_for_reporting(slug=slug)
    scope = f"incident:{municipality.slug}"
    form = IncidentReportForm(request.POST or None, scope=scope)
    if request.method == "POST":
        if antispam.rate_limit_hit(client_address=client_address(request), scope=scope):
            return _quiet(
                render(
                    request,
                    "reviews/incident_limited.html",
                    {"municipality": municipality},
                    status=429,
                )
            )
        if form.is_bot:
            # Pretend success so that bots learn nothing; nothing is stored.
            return _quiet(
                render(
                    request,
                    "reviews/incident_receipt.html",
                    {"municipality": municipality, "receipt_code": services.receipt_code_new()},
                )
            )
        if form.is_valid():
            data = form.cleaned_data
            report = services.incident_report_submit(
                municipality=municipality,
                what_happened=data["what_happened"],
                what_could_have_happened=data["what_could_have_happened"],
                what_helped=data["what_helped"],
                what_should_change=data["what_should_change"],
                reporter_institution_type=data["reporter_institution_type"],
            )
            # The code is shown in this response only: no redirect, so it never appears in
            # a URL, a proxy log or the browser history.
            return _quiet(
                render(
                    request,
                    "reviews/incident_receipt.html",
                    {"municipality": municipality, "receipt_code": report.receipt_code},
                    status=201,
                )
            )
    response = render(
        request,
        "reviews/incident_form.html",
        {"municipality": municipality, "form": form},
        status=422 if form.is_bound else 200,
    )
    return _quiet(response)


@never_cache
@require_http_methods(["GET", "POST"])
def incident_answer(request: HttpRequest) -> HttpResponse:
    """Read the answer under a receipt code (sent by POST, so it stays out of URLs)."""
    mark_untraced(request)
    form = ReceiptForm(request.POST or None)
    answer = None
    not_found = False
    if request.method == "POST" and form.is_valid():
        scope = "incident-answer"
        if antispam.rate_limit_hit(client_address=client_address(request), scope=scope):
            return _quiet(
                render(request, "reviews/incident_limited.html", {"municipality": None}, status=429)
            )
        try:
            answer = selectors.incident_answer_by_receipt(
                receipt_code=form.cleaned_data["receipt_code"]
            )
        except Http404:
            not_found = True
    return _quiet(
        render(
            request,
            "reviews/incident_answer.html",
            {"form": form, "answer": answer, "not_found": not_found},
            status=404 if not_found else 200,
        )
    )


# --- moderation (coordination) -----------------------------------------------------------------


@login_required
def incident_queue(request: HttpRequest) -> HttpResponse:
    forbidden_unless(
        bool(
            permissions.municipality_ids_for(request.user, permissions.CHANGE, permissions.REVIEWS)
        )
    )
    # Finished days' anonymous arrivals enter the audit trail now (date only, see service).
    services.incident_arrivals_audit()
    status = request.GET.get("status", IncidentStatus.RECEIVED)
    status = status if status in IncidentStatus.values or status == "" else IncidentStatus.RECEIVED
    reports = selectors.incident_queue_for_user(user=request.user, status=status)
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    # The list shows an excerpt of the raw text where no public title exists yet.
    selectors.incidents_log_reads(
        user=request.user,
        reports=[r for r in page if not r.public_title],
        purpose="Eingangsliste Beinahe-Ereignisse (Auszug)",
    )
    return render(
        request,
        "reviews/incident_queue.html",
        {"page": page, "status": status, "statuses": IncidentStatus.choices},
    )


def _texts(report: Any) -> list[tuple[str, str, list]]:
    rows = [
        (_("Was ist passiert?"), report.what_happened),
        (_("Was hätte passieren können?"), report.what_could_have_happened),
        (_("Was hat geholfen?"), report.what_helped),
        (_("Was sollte sich ändern?"), report.what_should_change),
    ]
    return [(label, text, detector.detect(text)) for label, text in rows if text]


@login_required
@require_http_methods(["GET", "POST"])
def incident_moderate(request: HttpRequest, code) -> HttpResponse:
    report = selectors.incident_get_for_moderation(user=request.user, code=code)
    texts = _texts(report)
    suggestion = "\n\n".join(detector.redact(text) for _label, text, _hits in texts)
    initial = {
        "public_title": report.public_title,
        "public_text": report.public_text or suggestion,
        "level": report.level,
        "context_factor": report.context_factor,
        "category": report.category,
        "answer": report.answer,
        "publish": True,
    }
    form = ModerationForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if request.POST.get("reject"):
            try:
                services.incident_report_reject(
                    report=report, actor=request.user, answer=request.POST.get("answer", "")
                )
            except ValidationError as exc:
                form.is_valid()
                apply_errors(form, exc)
            else:
                messages.success(request, _("Die Meldung wurde verworfen."))
                return redirect("reviews:incident_queue")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.incident_report_moderate(
                    report=report,
                    actor=request.user,
                    answer=data["answer"],
                    public_title=data["public_title"],
                    public_text=data["public_text"],
                    level=data["level"],
                    context_factor=data["context_factor"],
                    category=data["category"],
                    publish=data["publish"],
                    confirmed=data["confirmed"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Die Antwort ist unter dem Quittungscode abrufbar."))
                return redirect("reviews:incident_queue")
    public_now = form.data.get("public_text", "") if form.is_bound else initial["public_text"]
    return render(
        request,
        "reviews/incident_moderate.html",
        {
            "report": report,
            "texts": texts,
            "form": form,
            "public_hits": detector.detect(public_now),
        },
        status=422 if form.is_bound else 200,
    )


# --- learning library and frequencies (public) -------------------------------------------------


@cache_public()
def library(request: HttpRequest) -> HttpResponse:
    facets = selectors.library_facets()
    form = LibraryFilterForm(request.GET or None, institution_types=facets["institution_types"])
    filters: dict[str, str] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    page = Paginator(selectors.library_list(**filters), 25).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    return render_partial_or_page(request, "reviews/library_list.html", "results", context)


def _chart_rows(rows) -> list[tuple[str, int | None]]:
    return [(label, cell.value) for _code, label, cell in rows]


FREQUENCY_CACHE_SECONDS = 300


def _cached_scopes(*, municipality: Municipality | None, cluster: Cluster | None) -> dict:
    """The aggregates change slowly and the page is public: five minutes of cache keep a
    burst of visitors from re-counting every finding (0.4 s for 50,000 on SQLite)."""
    key = "reviews:frequencies:{}:{}:{}".format(
        municipality.pk if municipality else "-",
        cluster.pk if cluster else "-",
        selectors.min_published_count(),
    )
    data = cache.get(key)
    if data is None:
        data = selectors.frequency_scopes(municipality=municipality, cluster=cluster)
        cache.set(key, data, FREQUENCY_CACHE_SECONDS)
    return data


@cache_public()
def frequencies(request: HttpRequest) -> HttpResponse:
    """Die häufigsten Kinderschutzfehler: nationally, and one commune or cluster vs. the rest."""
    municipality = cluster = None
    slug = request.GET.get("kommune", "")
    number = request.GET.get("cluster", "")
    if slug:
        municipality = Municipality.objects.filter(slug=slug).first()
    elif number.isdigit():
        cluster = Cluster.objects.filter(number=int(number)).first()
    data = _cached_scopes(municipality=municipality, cluster=cluster)
    national = data["national"]
    minimum = selectors.min_published_count()

    def bar_chart(rows, *, title):  # noqa: ANN001, ANN202 – local shorthand
        return count_bars(rows, title=title, minimum=minimum)

    charts = {
        "level": bar_chart(
            _chart_rows(national.by_level), title=_("Befunde nach Ebene (bundesweit)")
        ),
        "category": bar_chart(
            _chart_rows(national.by_category[:12]),
            title=_("Häufigste Kategorien (bundesweit)"),
        ),
        "year": bar_chart(
            [(str(year), cell.value) for year, cell in national.by_year],
            title=_("Befunde nach Jahr (bundesweit)"),
        ),
    }
    if data["scope"] is not None:
        charts["scope_level"] = bar_chart(
            _chart_rows(data["scope"].by_level),
            title=_("Befunde nach Ebene: %(scope)s") % {"scope": data["scope"].label},
        )
    return render(
        request,
        "reviews/frequencies.html",
        data
        | {
            "charts": charts,
            "minimum": minimum,
            "municipality": municipality,
            "cluster": cluster,
            "municipalities": Municipality.objects.order_by("name").only("name", "slug"),
            "clusters": Cluster.objects.order_by("number"),
        },
    )


def frequencies_csv(request: HttpRequest) -> HttpResponse:
    """The same published figures as CSV (suppressed cells stay suppressed)."""
    from core.exports import csv_writer

    municipality = Municipality.objects.filter(slug=request.GET.get("kommune", "")).first()
    data = _cached_scopes(municipality=municipality, cluster=None)
    minimum = selectors.min_published_count()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="haeufigste-fehler.csv"'
    writer = csv_writer(response)
    writer.writerow(["bereich", "dimension", "schluessel", "bezeichnung", "anzahl"])
    for scope in (data["national"], data["scope"], data["others"]):
        if scope is None:
            continue
        rows = [("gesamt", "", "", scope.total)]
        rows += [("ebene", code, label, cell) for code, label, cell in scope.by_level]
        rows += [("kontext", code, label, cell) for code, label, cell in scope.by_context]
        rows += [("kategorie", code, label, cell) for code, label, cell in scope.by_category]
        rows += [("jahr", str(year), str(year), cell) for year, cell in scope.by_year]
        for dimension, key, label, cell in rows:
            value = f"<{minimum}" if cell.value is None else cell.value
            writer.writerow([scope.label, dimension, key, label, value])
    return response


# --- taxonomy (project team) -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def category_list(request: HttpRequest) -> HttpResponse:
    """The error taxonomy: everybody logged in reads it, the project team edits it."""
    can_edit = services.can_edit_taxonomy(request.user)
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        forbidden_unless(can_edit)
        if form.is_valid():
            data = form.cleaned_data
            existing = ErrorCategory.objects.filter(code=data["code"]).first()
            try:
                services.error_category_save(actor=request.user, category=existing, **data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Die Kategorie wurde gespeichert."))
                return redirect("reviews:category_list")
    return render(
        request,
        "reviews/category_list.html",
        {
            "categories": ErrorCategory.objects.order_by("kind", "position", "label"),
            "form": form if can_edit else None,
        },
        status=422 if form.is_bound and form.errors else 200,
    )
