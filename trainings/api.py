"""/api/v1/trainings: the network's trainings and their coverage (token needed).

Participants' names are staff data and stay on the pages; the API gives counts.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Query, Router

from core import permissions
from core.api import token_auth
from registry.models import Municipality
from trainings import selectors
from trainings.choices import TrainingTopic
from trainings.schemas import CoverageOut, TrainingFilters, TrainingOut

router = Router(tags=["Fortbildungen"])


def _municipality(request: HttpRequest, slug: str) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None or not permissions.has_permission(
        request.user, permissions.VIEW, permissions.QUALITY, municipality.pk
    ):
        raise Http404("Kommune nicht gefunden")
    return municipality


@router.get("/trainings", response=list[TrainingOut], auth=token_auth, summary="Fortbildungen")
def list_trainings(request: HttpRequest, filters: Query[TrainingFilters]):
    municipality = _municipality(request, filters.municipality) if filters.municipality else None
    if filters.topic and filters.topic not in TrainingTopic.values:
        raise Http404("Unbekanntes Thema")
    return [
        TrainingOut(
            code=t.code,
            municipality=t.municipality.slug,
            title=t.title,
            topic=t.topic,
            topic_label=str(t.get_topic_display()),
            origin=t.origin,
            workshop_id=t.workshop_id,
            provider=t.provider,
            held_on=t.held_on,
            hours=t.hours,
            target_groups=list(t.target_groups or []),
            covers_instrument=t.covers_instrument,
            participants=t.participants,
        )
        for t in selectors.training_list_for_user(
            user=request.user, municipality=municipality, topic=filters.topic
        )
    ]


@router.get(
    "/trainings/coverage/{municipality}",
    response=list[CoverageOut],
    auth=token_auth,
    summary="Fortbildungsabdeckung nach Art der Einrichtung",
)
def training_coverage(request: HttpRequest, municipality: str):
    target = _municipality(request, municipality)
    return [
        CoverageOut(
            institution_type=r.institution_type,
            label=r.label,
            institutions=r.institutions,
            trained=r.trained,
            instrument=r.instrument,
            persons=r.persons,
        )
        for r in selectors.coverage(municipality=target)
    ]
