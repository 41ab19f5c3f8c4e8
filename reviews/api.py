"""/api/v1/ endpoints of the reviews app.

Reviews and findings need a token (scoped like the pages); the near-miss report is a
public POST without login, and the library is public.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view
from ninja.errors import HttpError

from core.api import token_auth
from core.context import mark_untraced
from core.net import client_address
from core.pagecache import cache_public
from registry.models import Institution
from reviews import antispam, selectors, services
from reviews.choices import (
    ContextFactor,
    FindingLevel,
    FindingValence,
    ReviewStatus,
)
from reviews.schemas import (
    AnswerOut,
    FindingOut,
    FormTokenOut,
    IncidentIn,
    LibraryFilters,
    LibraryItemOut,
    ReceiptOut,
    ReviewIn,
    ReviewOut,
)

router = Router(tags=["Aus Fehlern lernen"])


def _count(review, annotation: str, relation: str) -> int:
    """The annotated count of a list query, or one query for a single review."""
    value = getattr(review, annotation, None)
    return getattr(review, relation).count() if value is None else value


def _review_out(review, narratives: bool) -> ReviewOut:
    return ReviewOut(
        code=review.code,
        municipality=review.municipality.slug,
        title=review.title,
        trigger=review.trigger,
        method=review.method,
        status=review.status,
        questions=review.questions if narratives else None,
        summary=review.summary if narratives else None,
        legal_hold=review.legal_hold,
        team=[i.name for i in review.team.all()],
        started_on=review.started_on,
        closed_on=review.closed_on,
        findings=_count(review, "n_findings", "findings"),
        recommendations=_count(review, "n_recommendations", "recommendations"),
        url=review.get_absolute_url(),
    )


@router.get("/reviews", response=list[ReviewOut], auth=token_auth, summary="Falluntersuchungen")
def list_reviews(request: HttpRequest, status: ReviewStatus | None = None):
    reviews = list(
        selectors.review_list_for_user(user=request.user, status=status or "").prefetch_related(
            "team"
        )
    )
    visible = {
        r.pk
        for r in reviews
        if selectors.review_narratives_visible(user=request.user, municipality_id=r.municipality_id)
    }
    selectors.reviews_log_reads(
        user=request.user,
        reviews=[r for r in reviews if r.pk in visible],
        purpose="Falluntersuchungen über die API gelesen",
    )
    return [_review_out(r, r.pk in visible) for r in reviews]


@router.get("/reviews/{code}", response=ReviewOut, auth=token_auth)
def get_review(request: HttpRequest, code: uuid.UUID):
    review = selectors.review_get_for_user(
        user=request.user, code=code, purpose="Falluntersuchung über die API gelesen"
    )
    return _review_out(
        review,
        selectors.review_narratives_visible(
            user=request.user, municipality_id=review.municipality_id
        ),
    )


@router.post(
    "/reviews",
    response={201: ReviewOut},
    auth=token_auth,
    summary="Falluntersuchung anlegen (Koordination der Kommune)",
)
def create_review(request: HttpRequest, payload: ReviewIn):
    municipality = selectors.municipality_for_reporting(slug=payload.municipality)
    team = list(Institution.objects.filter(pk__in=payload.team))
    if len(team) != len(set(payload.team)):
        raise HttpError(422, "Unbekannte Einrichtung im Analyseteam.")
    review = services.review_create(
        municipality=municipality,
        actor=request.user,
        title=payload.title,
        trigger=payload.trigger,
        method=payload.method,
        status=payload.status,
        questions=payload.questions,
        summary=payload.summary,
        team=team,
        started_on=payload.started_on,
        confirmed=payload.confirmed,
    )
    return 201, _review_out(review, True)


@router.get("/findings", response=list[FindingOut], auth=token_auth, summary="Befunde")
def list_findings(
    request: HttpRequest,
    level: FindingLevel | None = None,
    category: str = "",
    valence: FindingValence | None = None,
    context_factor: ContextFactor | None = None,
):
    findings = list(
        selectors.finding_list_for_user(
            user=request.user,
            level=level or "",
            category=category,
            valence=valence or "",
            context_factor=context_factor or "",
        )
    )
    visible = {
        m
        for m in {f.review.municipality_id for f in findings}
        if selectors.review_narratives_visible(user=request.user, municipality_id=m)
    }
    read = {f.review_id: f.review for f in findings if f.review.municipality_id in visible}
    selectors.reviews_log_reads(
        user=request.user, reviews=list(read.values()), purpose="Befunde über die API gelesen"
    )
    return [
        FindingOut(
            id=f.pk,
            review=f.review.code,
            municipality=f.review.municipality.slug,
            level=f.level or None,
            context_factor=f.context_factor or None,
            category=f.category.code,
            category_label=f.category.label,
            valence=f.valence,
            text=f.text if f.review.municipality_id in visible else None,
            is_published=f.is_published,
        )
        for f in findings
    ]


@router.get(
    "/incident-reports/form-token",
    response=FormTokenOut,
    auth=None,
    summary="Spamschutz-Token für eine anonyme Meldung an eine Kommune",
    description=(
        "Dieselbe Schutzschicht wie das Web-Formular: das Token ist signiert, nennt die "
        "Kommune und den Zeitpunkt und wird beim Senden frühestens nach `min_seconds` "
        "angenommen. Es enthält nichts über die meldende Person."
    ),
)
def incident_form_token(request: HttpRequest, municipality: str):
    target = selectors.municipality_for_reporting(slug=municipality)
    return FormTokenOut(
        form_token=antispam.form_token(f"incident:{target.slug}"),
        min_seconds=antispam.min_fill_seconds(),
        max_seconds=antispam.max_form_age(),
    )


@router.post(
    "/incident-reports",
    response={201: ReceiptOut},
    auth=None,
    summary="Beinahe-Ereignis anonym melden (ohne Anmeldung)",
    description=(
        "Speichert nichts über die meldende Person (kein Konto, keine IP-Adresse, kein "
        "User-Agent, keine Uhrzeit). Antwortet mit dem Quittungscode, unter dem später die "
        "Antwort abrufbar ist."
    ),
)
def create_incident_report(request: HttpRequest, payload: IncidentIn):
    mark_untraced(request)
    municipality = selectors.municipality_for_reporting(slug=payload.municipality)
    scope = f"incident:{municipality.slug}"
    if antispam.rate_limit_hit(client_address=client_address(request), scope=scope):
        raise HttpError(429, "Zu viele Meldungen in kurzer Zeit. Bitte später erneut versuchen.")
    if payload.website:
        # Honeypot: answer like a success, store nothing.
        return 201, ReceiptOut(receipt_code=services.receipt_code_new(), message="Danke.")
    check = antispam.check_form_token(payload.form_token, scope)
    if not check.ok:
        # The same signed-timestamp rule as the web form (issue 14, finding 11).
        raise HttpError(
            422,
            {
                "too_fast": "Das ging zu schnell: form_token frühestens nach "
                f"{antispam.min_fill_seconds()} s verwenden.",
                "expired": "Das form_token ist abgelaufen; bitte ein neues holen.",
            }.get(check.reason, "form_token fehlt oder ist ungültig."),
        )
    report = services.incident_report_submit(
        municipality=municipality,
        what_happened=payload.what_happened,
        what_could_have_happened=payload.what_could_have_happened,
        what_helped=payload.what_helped,
        what_should_change=payload.what_should_change,
        reporter_institution_type=payload.reporter_institution_type,
    )
    return 201, ReceiptOut(
        receipt_code=report.receipt_code,
        message="Danke. Mit diesem Code können Sie die Antwort später abrufen.",
    )


@router.get(
    "/incident-reports/{receipt_code}",
    response=AnswerOut,
    auth=None,
    summary="Antwort auf ein Beinahe-Ereignis per Quittungscode",
)
def get_incident_answer(request: HttpRequest, receipt_code: str):
    mark_untraced(request)
    if antispam.rate_limit_hit(client_address=client_address(request), scope="incident-answer-api"):
        raise HttpError(429, "Zu viele Anfragen. Bitte später erneut versuchen.")
    answer = selectors.incident_answer_by_receipt(receipt_code=receipt_code)
    return AnswerOut(
        receipt_code=answer.receipt_code,
        municipality=answer.municipality,
        status=answer.status,
        status_label=answer.status_label,
        received_on=answer.received_on,
        answer=answer.answer or None,
        answered_on=answer.answered_on,
    )


@router.get(
    "/library",
    response=list[LibraryItemOut],
    auth=None,
    summary="Lernbibliothek: veröffentlichte, anonymisierte Einträge aller Kommunen",
)
@decorate_view(cache_public())  # anonymous reads from the shared cache
def list_library(request: HttpRequest, filters: Query[LibraryFilters], limit: int = 100):
    values = {k: v or "" for k, v in filters.dict().items()}
    items = selectors.library_list(**values)[: max(1, min(limit, 500))]
    return [
        LibraryItemOut(
            id=i.pk,
            kind=i.kind,
            municipality=i.municipality.slug,
            level=i.level or None,
            context_factor=i.context_factor or None,
            category=i.category.code if i.category else None,
            category_label=i.category.label if i.category else None,
            valence=i.valence or None,
            trigger=i.trigger,
            institution_types=[t for t in i.institution_types.split("|") if t],
            title=i.title,
            text=i.text,
            answer=i.answer or None,
            published_on=i.published_on,
        )
        for i in items
    ]
