"""/api/v1/ endpoints of the quality app: workshops, their sessions, outcomes.

Reads and writes need a personal token; what a token's owner sees and may change follows
the same role table as the UI (coordinator of the commune or project team may write).
"""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router

from core import permissions
from core.api import problem, token_auth
from quality import search, selectors, services
from quality.choices import OutcomeScope, OutcomeStatus, RegistrationStatus, WorkshopKind
from quality.models import Outcome, Workshop, WorkshopSession
from quality.schemas import (
    OutcomeFilters,
    OutcomeIn,
    OutcomeOut,
    OutcomePatchIn,
    SeriesIn,
    SessionIn,
    SessionOut,
    TransitionIn,
    TransitionOut,
    WorkshopFilters,
    WorkshopIn,
    WorkshopOut,
)
from registry.models import Municipality

router = Router(tags=["Qualitätsentwicklung"])


def _workshop_out(request: HttpRequest, w: Workshop) -> WorkshopOut:
    return WorkshopOut(
        id=w.pk,
        title=w.title,
        kind=w.kind,
        municipality=w.municipality.slug,
        cluster=w.cluster.number if w.cluster else None,
        default_place=w.default_place,
        capacity=w.capacity,
        ical_url=request.build_absolute_uri(reverse("quality:workshop_ical", args=[w.feed_token])),
    )


@router.get(
    "/workshops",
    response=list[WorkshopOut],
    auth=token_auth,
    summary="Werkstätten und Veranstaltungen (eigene Kommune, Cluster-Partner, Projektteam)",
)
def list_workshops(request: HttpRequest, filters: Query[WorkshopFilters]):
    qs = selectors.workshop_list_for_user(user=request.user, kind=filters.kind)
    if filters.municipality:
        qs = qs.filter(municipality__slug=filters.municipality)
    if filters.cluster is not None:
        qs = qs.filter(cluster__number=filters.cluster)
    return [_workshop_out(request, w) for w in qs]


def _municipality(slug: str) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise ValidationError({"municipality": f"Unbekannte Kommune „{slug}“"})
    return municipality


@router.post(
    "/workshops", response={201: WorkshopOut}, auth=token_auth, summary="Werkstatt anlegen"
)
def create_workshop(request: HttpRequest, payload: WorkshopIn):
    if payload.kind not in WorkshopKind.values:
        raise ValidationError({"kind": f"Unbekannte Art „{payload.kind}“"})
    data = payload.dict()
    municipality = _municipality(data.pop("municipality"))
    workshop = services.workshop_create(municipality=municipality, actor=request.user, **data)
    return 201, _workshop_out(request, workshop)


@router.get("/workshops/{workshop_id}", response=WorkshopOut, auth=token_auth)
def get_workshop(request: HttpRequest, workshop_id: int):
    return _workshop_out(
        request, selectors.workshop_get_for_user(user=request.user, pk=workshop_id)
    )


def _session_out(s: WorkshopSession) -> SessionOut:
    registered = getattr(s, "registered", None)
    waiting = getattr(s, "waiting", None)
    return SessionOut(
        id=s.pk,
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        place=s.place,
        status=s.status,
        is_extra=s.is_extra,
        capacity=s.effective_capacity,
        registered=registered
        if registered is not None
        else s.registrations.filter(status=RegistrationStatus.REGISTERED).count(),
        waiting=waiting
        if waiting is not None
        else s.registrations.filter(status=RegistrationStatus.WAITLISTED).count(),
        agenda=[a.title for a in s.agenda.all()],
    )


@router.get(
    "/workshops/{workshop_id}/sessions",
    response=list[SessionOut],
    auth=token_auth,
    summary="Termine einer Werkstatt",
)
def list_sessions(request: HttpRequest, workshop_id: int):
    workshop = selectors.workshop_get_for_user(user=request.user, pk=workshop_id)
    sessions = (
        workshop.sessions.select_related("workshop")
        .prefetch_related("agenda")
        .annotate(
            registered=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
            ),
            waiting=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
            ),
        )
        .order_by("starts_at")
    )
    return [_session_out(s) for s in sessions]


@router.post(
    "/workshops/{workshop_id}/sessions",
    response={201: SessionOut},
    auth=token_auth,
    summary="Zusatztermin anlegen",
)
def create_session(request: HttpRequest, workshop_id: int, payload: SessionIn):
    workshop = selectors.workshop_get_for_user(user=request.user, pk=workshop_id)
    session = services.session_add(workshop=workshop, actor=request.user, **payload.dict())
    return 201, _session_out(session)


@router.post(
    "/workshops/{workshop_id}/sessions/series",
    response={201: list[SessionOut]},
    auth=token_auth,
    summary="Terminreihe anlegen (standardmäßig alle zwei Monate)",
)
def create_series(request: HttpRequest, workshop_id: int, payload: SeriesIn):
    workshop = selectors.workshop_get_for_user(user=request.user, pk=workshop_id)
    # The role decides first: a reader sending "99:99" learns nothing but 403.
    permissions.require(
        request.user, permissions.ADD, permissions.QUALITY, workshop.municipality_id
    )
    data = payload.dict()
    times = {}
    for field in ("start_time", "end_time"):
        try:
            times[field] = time.fromisoformat(data[field])
        except ValueError as exc:
            raise ValidationError({field: f"Keine gültige Uhrzeit: „{data[field]}“"}) from exc
    created = services.workshop_schedule_series(
        workshop=workshop,
        actor=request.user,
        first=data["first"],
        until=data["until"],
        start_time=times["start_time"],
        end_time=times["end_time"],
        interval_months=data["interval_months"],
        place=data["place"],
    )
    return 201, [_session_out(s) for s in created]


# --- outcomes ---------------------------------------------------------------------------


def _outcome_out(o: Outcome, *, with_transitions: bool = False) -> OutcomeOut:
    return OutcomeOut(
        id=o.pk,
        municipality=o.municipality.slug,
        text=o.text,
        scope=o.scope,
        status=o.status,
        description=o.description,
        owner_institution=o.owner_institution.name if o.owner_institution_id else None,
        owner_name=o.owner_name,
        due_date=o.due_date,
        overdue=o.is_overdue,
        origin=o.origin,
        origin_url=o.origin_url,
        decided_in=[s.pk for s in o.decided_in.all()],
        version=o.version,
        transitions=[
            TransitionOut(
                from_status=t.from_status,
                to_status=t.to_status,
                at=t.at,
                by=t.actor_name,
                note=t.note,
            )
            for t in o.transitions.all()
        ]
        if with_transitions
        else [],
    )


@router.get(
    "/outcomes",
    response=list[OutcomeOut],
    auth=token_auth,
    summary="Ergebnisse/Maßnahmen mit Filtern (Kommune, Cluster, Land, Status, Reichweite)",
)
def list_outcomes(request: HttpRequest, filters: Query[OutcomeFilters]):
    qs = selectors.outcome_list_for_user(
        user=request.user, status=filters.status or "", scope=filters.scope or ""
    ).prefetch_related("decided_in")
    if filters.municipality:
        qs = qs.filter(municipality__slug=filters.municipality)
    if filters.cluster is not None:
        qs = qs.filter(municipality__cluster__number=filters.cluster)
    if filters.state:
        qs = qs.filter(municipality__state__code__iexact=filters.state)
    if filters.q.strip():
        hits = search.search(query=filters.q, kinds=["outcome"], limit=2000)
        order = {h.object_id: rank for rank, h in enumerate(hits)}
        rows = sorted(qs.filter(pk__in=list(order)), key=lambda o: order[o.pk])
        return [_outcome_out(o) for o in rows[filters.offset : filters.offset + filters.limit]]
    rows = list(qs[filters.offset : filters.offset + max(1, min(filters.limit, 2000))])
    if filters.overdue is not None:
        rows = [o for o in rows if o.is_overdue == filters.overdue]
    return [_outcome_out(o) for o in rows]


@router.get("/outcomes/{outcome_id}", response=OutcomeOut, auth=token_auth)
def get_outcome(request: HttpRequest, outcome_id: int):
    outcome = selectors.outcome_get_for_user(user=request.user, pk=outcome_id)
    return _outcome_out(outcome, with_transitions=True)


@router.post(
    "/outcomes",
    response={201: OutcomeOut},
    auth=token_auth,
    summary="Ergebnis anlegen (Koordination der Kommune oder Projektteam)",
)
def create_outcome(request: HttpRequest, payload: OutcomeIn):
    data = payload.dict()
    if data["scope"] not in OutcomeScope.values:
        raise ValidationError({"scope": f"Unbekannte Reichweite „{data['scope']}“"})
    municipality = _municipality(data.pop("municipality"))
    outcome = services.outcome_create(municipality=municipality, actor=request.user, **data)
    return 201, _outcome_out(outcome)


def _conflict(exc: services.OutcomeConflict) -> HttpResponse:
    return problem(
        409,
        "Bearbeitungskonflikt",
        str(exc),
        current_version=exc.current_version,
        expected_version=exc.expected_version,
    )


@router.patch(
    "/outcomes/{outcome_id}",
    response={200: OutcomeOut, 409: dict},
    auth=token_auth,
    summary="Ergebnis ändern; 409 (problem+json), wenn die Version nicht mehr stimmt",
)
def patch_outcome(request: HttpRequest, outcome_id: int, payload: OutcomePatchIn):
    outcome = selectors.outcome_get_for_user(user=request.user, pk=outcome_id)
    values = payload.dict(exclude_unset=True)
    version = values.pop("version")
    decided_ids = values.pop("decided_in", None)
    decided = None
    if decided_ids is not None:
        decided = list(
            WorkshopSession.objects.filter(pk__in=decided_ids).select_related("workshop")
        )
        if len(decided) != len(set(decided_ids)):
            raise ValidationError({"decided_in": "Unbekannter Termin."})
    if "scope" in values and values["scope"] not in OutcomeScope.values:
        raise ValidationError({"scope": f"Unbekannte Reichweite „{values['scope']}“"})
    values = {k: ("" if v is None and k != "due_date" else v) for k, v in values.items()}
    try:
        outcome = services.outcome_update(
            outcome=outcome,
            actor=request.user,
            expected_version=version,
            decided_in=decided,
            **values,
        )
    except services.OutcomeConflict as exc:
        return _conflict(exc)
    return 200, _outcome_out(outcome)


@router.post(
    "/outcomes/{outcome_id}/transitions",
    response={200: OutcomeOut, 409: dict},
    auth=token_auth,
    summary="Status wechseln (in Planung → in Umsetzung → erreicht, oder verworfen)",
)
def transition_outcome(request: HttpRequest, outcome_id: int, payload: TransitionIn):
    outcome = selectors.outcome_get_for_user(user=request.user, pk=outcome_id)
    if payload.to_status not in OutcomeStatus.values:
        raise ValidationError({"to_status": f"Unbekannter Status „{payload.to_status}“"})
    try:
        outcome = services.outcome_transition(
            outcome=outcome,
            to_status=payload.to_status,
            expected_version=payload.version,
            note=payload.note,
            actor=request.user,
        )
    except services.OutcomeConflict as exc:
        return _conflict(exc)
    outcome = Outcome.objects.select_related("municipality", "owner_institution").get(pk=outcome.pk)
    return 200, _outcome_out(outcome, with_transitions=True)
