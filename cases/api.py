"""/api/v1/cases: § 8a procedures for machines, with the same rules as the pages.

Tokens are bound to a user; a procedure is only reachable through the chokepoint selector
(404 when out of scope, read log on every read). Identifying data appears only for the
responsible team (``view_identifying`` in the commune + team membership).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router

from cases import aggregates, selectors, services
from cases.choices import ActivityCode
from cases.schemas import (
    EventIn,
    EventOut,
    KeyFiguresOut,
    KeyFiguresQuery,
    ListFilters,
    PersonOut,
    ProcedureDetailOut,
    ProcedureIn,
    ProcedureOut,
    ProcedurePage,
    PublishedRowOut,
)
from core import permissions
from core.api import token_auth

router = Router(tags=["Verfahren nach § 8a SGB VIII"], auth=token_auth)

LABELS = dict(ActivityCode.choices)


def _local(value):
    """One time zone everywhere: API times carry the site's offset (Europe/Berlin)."""
    return timezone.localtime(value) if value is not None else None


def _out(p) -> ProcedureOut:
    return ProcedureOut(
        code=p.code,
        file_number=p.file_number,
        municipality=p.municipality.slug,
        team=p.team.name,
        received_at=_local(p.received_at),
        reporter_category=p.reporter_category,
        urgency=p.urgency,
        status=p.status,
        result=p.result,
        kinds=p.kinds,
        first_contact_due=_local(p.first_contact_due),
        first_contact_at=_local(p.first_contact_at),
        result_at=_local(p.result_at),
        closed_at=_local(p.closed_at),
    )


def _event_out(e) -> EventOut:
    return EventOut(
        activity_code=e.activity_code,
        activity=str(LABELS.get(e.activity_code, e.activity_code)),
        occurred_at=_local(e.occurred_at),
        institution=e.institution_name,
        actor=e.actor_name,
        note=e.note,
        details=e.details,
    )


def _require_case_role(user) -> None:
    if not permissions.municipality_ids_for(user, permissions.VIEW, permissions.CASES):
        raise Http404("Nicht gefunden.")


@router.get("/cases", response=ProcedurePage, summary="Verfahren der eigenen Teams")
def list_cases(request: HttpRequest, filters: Query[ListFilters]):
    qs = selectors.procedure_list(
        user=request.user,
        status=filters.status or "",
        due=filters.due or "",
        result=filters.result or "",
        year=filters.year,
    )
    page = Paginator(qs, 100).get_page(filters.page)
    return ProcedurePage(
        count=page.paginator.count, page=page.number, items=[_out(p) for p in page]
    )


def _detail(request: HttpRequest, procedure) -> ProcedureDetailOut:
    identifying = permissions.has_permission(
        request.user, permissions.VIEW_IDENTIFYING, permissions.CASES, procedure.municipality_id
    )
    child = procedure.child
    return ProcedureDetailOut(
        **_out(procedure).model_dump(),
        indications=procedure.indications if identifying else "",
        child={
            "sex": child.sex,
            "birth_year": child.birth_year,
            "birth_month": child.birth_month,
            "age_group": child.age_group,
            "living_situation": child.living_situation,
        },
        persons=(
            [
                PersonOut(
                    code=p.code,
                    role=p.role,
                    name=p.name,
                    birth_date=p.birth_date,
                    address=p.address,
                )
                for p in procedure.persons.all()
            ]
            if identifying
            else None
        ),
        events=[_event_out(e) for e in procedure.events.all()],
    )


@router.get(
    "/cases/{code}",
    response=ProcedureDetailOut,
    summary="Ein Verfahren (Lesezugriff wird protokolliert)",
)
def get_case(request: HttpRequest, code: str):
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="API: Verfahren abrufen"
    )
    return _detail(request, procedure)


@router.get("/cases/{code}/events", response=list[EventOut], summary="Verfahrensschritte")
def list_case_events(request: HttpRequest, code: str):
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="API: Verfahrensschritte abrufen"
    )
    return [_event_out(e) for e in procedure.events.all()]


@router.post("/cases", response={201: ProcedureOut}, summary="Meldung aufnehmen")
def create_case(request: HttpRequest, payload: ProcedureIn):
    _require_case_role(request.user)
    team = selectors.teams_for_user(user=request.user).filter(pk=payload.team_id).first()
    if team is None:
        raise Http404("Team nicht gefunden.")
    data = payload.model_dump()
    procedure = services.procedure_create(
        team=team,
        actor=request.user,
        received_at=data["received_at"],
        reporter_category=data["reporter_category"],
        channel=data["channel"],
        indications=data["indications"],
        urgency=data["urgency"],
        repeated_report=data["repeated_report"],
        child=data["child"],
        persons=data["persons"],
    )
    return 201, _out(procedure)


@router.post("/cases/{code}/events", response={201: EventOut}, summary="Schritt dokumentieren")
def create_case_event(request: HttpRequest, code: str, payload: EventIn):
    procedure = selectors.procedure_get_for_user(
        user=request.user, code=code, purpose="API: Schritt dokumentieren"
    )
    event = services.procedure_record_step(
        procedure=procedure,
        actor=request.user,
        activity_code=payload.activity_code,
        occurred_at=payload.occurred_at,
        institution_name=payload.institution_name,
        note=payload.note,
        details=payload.details,
    )
    return 201, _event_out(event)


# --- key figures (aggregates only) -----------------------------------------------------------


@router.get(
    "/statistics/key-figures",
    response=KeyFiguresOut,
    summary="Kennzahlen der § 8a-Statistik (aggregiert, geheim gehalten)",
    description=(
        "Für die Koordination (eigene Kommune, teilende Cluster) und das Projektteam (alle "
        "Kommunen und ihre Summe). Nur Aggregate; geheim gehaltene Zellen sind null."
    ),
)
def key_figures(request: HttpRequest, query: Query[KeyFiguresQuery]):
    scopes = aggregates.scopes_for_user(user=request.user)
    if not scopes:
        raise Http404("Nicht gefunden.")
    if query.scope:
        kind, _sep, key = query.scope.partition(":")
        scope = aggregates.scope_get_for_user(user=request.user, kind=kind, key=key)
        if scope is None:
            raise Http404("Bereich nicht gefunden.")
    else:
        scope = scopes[0]
    data = aggregates.scope_figures(scope=scope, year=query.year)

    def number(cell):
        return None if cell == "." else cell

    return KeyFiguresOut(
        scope=f"{scope.kind}:{scope.key}",
        label=scope.label,
        year=query.year,
        threshold=data["threshold"],
        figures=[c.current.as_dict() for c in data["comparisons"]],
        previous_year=[c.previous.as_dict() for c in data["comparisons"] if c.previous],
        table=[
            PublishedRowOut(
                municipality=row[0],
                feature=row[1],
                category=row[2],
                total=number(row[3]),
                acute=number(row[4]),
                latent=number(row[5]),
                need_of_help=number(row[6]),
                neither=number(row[7]),
            )
            for row in data["table"].table
        ],
    )
