"""/api/v1/partners: the partner side of the chain for machines, same rules as the pages.

Every object comes through the chokepoint selectors (404 when out of scope, read log on
every read). A caller without the role an area needs gets 404 as well, so the API tells
nobody whether the other side's data exists.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from ninja import Query, Router

from cases.selectors import teams_for_user
from core import permissions
from core.api import token_auth
from partners import selectors, services
from partners.schemas import (
    AcknowledgeIn,
    AnswerIn,
    ConsultationIn,
    ConsultationOut,
    FeedbackIn,
    FeedbackOut,
    InsofaConsultationOut,
    IntakeOut,
    IntakePage,
    IntakeQuery,
    InvolvementIn,
    MessageIn,
    MessageReceiptOut,
    NetworkOut,
    PageQuery,
    PoolMemberOut,
    ReactionTimeOut,
    RecordDetailOut,
    RecordIn,
    RecordOut,
    RecordPage,
    RecordUpdateIn,
    ResultIn,
)

router = Router(tags=["Einrichtungen: Dokumentation, Beratung, Mitteilung"], auth=token_auth)


def _record_out(r) -> RecordOut:
    return RecordOut(
        code=r.code,
        institution=r.institution.name,
        child_code=r.child_code,
        age_band=r.age_band,
        noticed_on=r.noticed_on,
        status=r.status,
        decision=r.decision,
        review_on=r.review_on,
        instrument_key=r.instrument_key,
        instrument_version=r.instrument_version,
    )


def _consultation_out(c) -> ConsultationOut:
    return ConsultationOut(
        code=c.code,
        insofa=c.insofa.name,
        requested_at=c.requested_at,
        status=c.status,
        decline_reason=c.decline_reason,
        consulted_at=c.consulted_at,
        outcome=c.outcome,
        result=c.result,
    )


def _receipt_out(m) -> MessageReceiptOut:
    feedback = None
    if m.feedback_at:
        feedback = FeedbackOut(
            given_at=m.feedback_at,
            legal_basis=m.feedback_legal_basis,
            indications_seen=m.feedback_indications_seen,
            active=m.feedback_active,
            text=m.feedback_text,
        )
    return MessageReceiptOut(
        code=m.code,
        receipt=m.receipt,
        sent_at=m.sent_at,
        status=m.status,
        acknowledged_at=m.acknowledged_at,
        feedback=feedback,
    )


def _detail(r) -> RecordDetailOut:
    message = selectors.record_message(r)
    return RecordDetailOut(
        **_record_out(r).model_dump(),
        indications=r.indications,
        assessment_summary=r.assessment_summary,
        parents_talk=r.parents_talk,
        child_talk=r.child_talk,
        talk_omitted_reason=r.talk_omitted_reason,
        help_towards=r.help_towards,
        answers=r.answers,
        consultations=[
            _consultation_out(c) for c in r.consultations.select_related("insofa").all()
        ],
        message=_receipt_out(message) if message else None,
    )


def _binding(request: HttpRequest):
    binding = selectors.binding_for(user=request.user)
    if binding is None:
        raise Http404(selectors.NOT_FOUND)
    return binding


# --- the institution's side -------------------------------------------------------------------


@router.get(
    "/partners/records", response=RecordPage, summary="Dokumentationen der eigenen Einrichtung"
)
def list_records(request: HttpRequest, filters: Query[PageQuery]):
    _binding(request)
    qs = selectors.record_list(user=request.user, status=filters.status)
    page = Paginator(qs, 100).get_page(filters.page)
    return RecordPage(
        count=page.paginator.count, page=page.number, items=[_record_out(r) for r in page]
    )


@router.post("/partners/records", response={201: RecordDetailOut}, summary="Dokumentation anlegen")
def create_record(request: HttpRequest, payload: RecordIn):
    binding = _binding(request)
    record = services.record_create(
        institution=binding.institution, actor=request.user, **payload.model_dump()
    )
    return 201, _detail(record)


@router.get("/partners/records/{code}", response=RecordDetailOut, summary="Eine Dokumentation")
def get_record(request: HttpRequest, code: str):
    record = selectors.record_get_for_user(
        user=request.user, code=code, purpose="API: Dokumentation abrufen"
    )
    return _detail(record)


@router.patch("/partners/records/{code}", response=RecordDetailOut, summary="Entwurf bearbeiten")
def update_record(request: HttpRequest, code: str, payload: RecordUpdateIn):
    record = selectors.record_get_for_user(
        user=request.user, code=code, purpose="API: Dokumentation bearbeiten"
    )
    changes = payload.model_dump(exclude_unset=True)
    record = services.record_update(record=record, actor=request.user, **changes)
    return _detail(record)


@router.post(
    "/partners/records/{code}/sign-off",
    response=RecordDetailOut,
    summary="Abzeichnen (zweite Person)",
)
def sign_record(request: HttpRequest, code: str):
    record = selectors.record_get_for_user(
        user=request.user, code=code, purpose="API: Dokumentation abzeichnen"
    )
    return _detail(services.record_sign_off(record=record, actor=request.user))


@router.get(
    "/partners/pool", response=list[PoolMemberOut], summary="Pool insoweit erfahrener Fachkräfte"
)
def list_pool(request: HttpRequest, specialism: str = "", language: str = ""):
    binding = _binding(request)
    members = selectors.pool_search(
        municipality=binding.municipality, specialism=specialism, language=language
    )
    return [
        PoolMemberOut(
            code=m.code,
            name=m.name,
            municipality=m.municipality.slug,
            qualification=m.qualification,
            specialisms=m.specialisms,
            languages=m.languages,
            available=m.available,
            availability_note=m.availability_note,
        )
        for m in members
    ]


@router.post(
    "/partners/records/{code}/consultations",
    response={201: ConsultationOut},
    summary="Beratung anfragen",
)
def request_consultation(request: HttpRequest, code: str, payload: ConsultationIn):
    record = selectors.record_get_for_user(
        user=request.user, code=code, purpose="API: Beratung anfragen"
    )
    member = (
        selectors.pool_for_municipality(municipality=record.municipality)
        .filter(code=payload.insofa)
        .first()
    )
    if member is None:
        raise Http404("Fachkraft nicht im Pool.")
    consultation = services.consultation_request(
        record=record,
        insofa=member,
        question=payload.question,
        actor=request.user,
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    return 201, _consultation_out(consultation)


@router.post(
    "/partners/records/{code}/message",
    response={201: MessageReceiptOut},
    summary="Mitteilung an das Jugendamt (Antwort: Eingangsnummer)",
)
def send_message(request: HttpRequest, code: str, payload: MessageIn):
    record = selectors.record_get_for_user(
        user=request.user, code=code, purpose="API: Mitteilung an das Jugendamt"
    )
    message = services.message_send(record=record, actor=request.user, **payload.model_dump())
    return 201, _receipt_out(message)


# --- the insoFa's side --------------------------------------------------------------------------


def _insofa_out(c) -> InsofaConsultationOut:
    return InsofaConsultationOut(
        code=c.code,
        institution=c.record.institution.name,
        child_code=c.record.child_code,
        age_band=c.record.age_band,
        question=c.question,
        indications=c.record.indications,
        requested_at=c.requested_at,
        status=c.status,
        outcome=c.outcome,
        result=c.result,
    )


@router.get(
    "/partners/consultations",
    response=list[InsofaConsultationOut],
    summary="Beratungsanfragen an mich (insoweit erfahrene Fachkraft)",
)
def list_consultations(request: HttpRequest):
    if not permissions.municipality_ids_for(
        request.user, permissions.VIEW, permissions.CONSULTATIONS
    ):
        raise Http404(selectors.NOT_FOUND)
    qs = selectors.consultations_for_insofa(user=request.user).order_by("-requested_at")[:500]
    return [_insofa_out(c) for c in qs]


@router.post(
    "/partners/consultations/{code}/answer",
    response=InsofaConsultationOut,
    summary="Anfrage annehmen oder ablehnen",
)
def answer_consultation(request: HttpRequest, code: str, payload: AnswerIn):
    consultation = selectors.consultation_get_for_insofa(
        user=request.user, code=code, purpose="API: Anfrage beantworten"
    )
    consultation = services.consultation_respond(
        consultation=consultation, actor=request.user, accept=payload.accept, reason=payload.reason
    )
    return _insofa_out(consultation)


@router.post(
    "/partners/consultations/{code}/result",
    response=InsofaConsultationOut,
    summary="Ergebnis der Beratung dokumentieren",
)
def complete_consultation(request: HttpRequest, code: str, payload: ResultIn):
    consultation = selectors.consultation_get_for_insofa(
        user=request.user, code=code, purpose="API: Ergebnis dokumentieren"
    )
    consultation = services.consultation_complete(
        consultation=consultation, actor=request.user, **payload.model_dump()
    )
    return _insofa_out(consultation)


# --- the Jugendamt's intake ---------------------------------------------------------------------


def _intake_out(m) -> IntakeOut:
    return IntakeOut(
        code=m.code,
        receipt=m.receipt,
        municipality=m.municipality.slug,
        institution=m.institution.name,
        institution_type=m.institution.institution_type,
        reporter_category=m.reporter_category,
        reporter_category_label=str(m.get_reporter_category_display()),
        sent_at=m.sent_at,
        status=m.status,
        procedure=m.procedure.code if m.procedure_id else None,
        feedback_due=m.feedback_due,
        feedback_at=m.feedback_at,
    )


def _require_intake(request: HttpRequest) -> None:
    if not permissions.municipality_ids_for(request.user, permissions.ADD, permissions.CASES):
        raise Http404(selectors.NOT_FOUND)


@router.get(
    "/partners/intake",
    response=IntakePage,
    summary="Eingang des Jugendamts: Mitteilungen (state: new, feedback_open, feedback_overdue)",
)
def list_intake(request: HttpRequest, filters: Query[IntakeQuery]):
    _require_intake(request)
    qs = selectors.intake_list(user=request.user, state=filters.state).select_related("procedure")
    page = Paginator(qs, 100).get_page(filters.page)
    return IntakePage(
        count=page.paginator.count, page=page.number, items=[_intake_out(m) for m in page]
    )


@router.post(
    "/partners/intake/{code}/acknowledge",
    response=IntakeOut,
    summary="Eingang bestätigen: Verfahren nach § 8a anlegen",
)
def acknowledge(request: HttpRequest, code: str, payload: AcknowledgeIn):
    _require_intake(request)
    message = selectors.message_get_for_jugendamt(
        user=request.user, code=code, purpose="API: Eingang bestätigen"
    )
    team = teams_for_user(user=request.user).filter(pk=payload.team_id).first()
    if team is None:
        raise Http404("Team nicht gefunden.")
    message = services.message_acknowledge(
        message=message,
        team=team,
        actor=request.user,
        urgency=payload.urgency,
        living_situation=payload.living_situation,
    )
    return _intake_out(message)


@router.post(
    "/partners/intake/{code}/involvement",
    response=IntakeOut,
    summary="Einbeziehung der meldenden Fachkraft (§ 8a Abs. 1 S. 2 Nr. 2, § 4 Abs. 3 KKG)",
)
def involvement(request: HttpRequest, code: str, payload: InvolvementIn):
    _require_intake(request)
    message = selectors.message_get_for_jugendamt(
        user=request.user, code=code, purpose="API: Einbeziehung dokumentieren"
    )
    message = services.message_record_involvement(
        message=message,
        actor=request.user,
        involvement=payload.involvement,
        kind=payload.kind,
        occurred_at=payload.occurred_at,
        note=payload.note,
    )
    return _intake_out(message)


@router.post(
    "/partners/intake/{code}/feedback", response=IntakeOut, summary="Rückmeldung an die Einrichtung"
)
def feedback(request: HttpRequest, code: str, payload: FeedbackIn):
    _require_intake(request)
    message = selectors.message_get_for_jugendamt(
        user=request.user, code=code, purpose="API: Rückmeldung geben"
    )
    message = services.message_feedback_send(
        message=message,
        actor=request.user,
        base_url=request.build_absolute_uri("/").rstrip("/"),
        **payload.model_dump(),
    )
    return _intake_out(message)


# --- the coordination's aggregates --------------------------------------------------------------


@router.get(
    "/partners/analysis/reaction-times",
    response=list[ReactionTimeOut],
    summary="Zuerst bemerkt → Eingang beim Jugendamt → Erstkontakt, je Art der Einrichtung",
)
def reaction_times(request: HttpRequest, municipality: str = "", year: int | None = None):
    if not permissions.municipality_ids_for(request.user, permissions.VIEW, permissions.ANALYTICS):
        raise Http404(selectors.NOT_FOUND)
    ids = None
    if municipality:
        from registry.models import Municipality

        found = Municipality.objects.filter(slug=municipality).first()
        if found is None:
            raise Http404("Kommune nicht gefunden.")
        ids = [found.pk]
    return selectors.reaction_times(user=request.user, municipality_ids=ids, year=year)


@router.get(
    "/partners/network/{municipality}",
    response=NetworkOut,
    summary="Einrichtungen im Netzwerk: Dokumentationen, Beratungen, Mitteilungen je Art und Jahr",
)
def network(request: HttpRequest, municipality: str, year: int):
    from registry.models import Municipality

    found = Municipality.objects.filter(slug=municipality).first()
    if found is None:
        raise Http404("Kommune nicht gefunden.")
    data = selectors.network_overview(user=request.user, municipality=found, year=year)
    return NetworkOut(
        municipality=found.slug,
        year=year,
        rows=data["rows"],
        never_documented=[i.name for i in data["never_documented"]],
        never_consulted=[i.name for i in data["never_consulted"]],
        never_reported=[i.name for i in data["never_reported"]],
    )
