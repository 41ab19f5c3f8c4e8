"""/api/v1/ endpoints of the commune profiles: public reads, token-authenticated writes.

Paths and operation ids are a stable interface: they did not change when the endpoints
moved here from the registry.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view

from core.api import token_auth
from core.pagecache import cache_public
from profiles import selectors
from profiles.schemas import (
    ClusterDetailOut,
    ClusterMember,
    ClusterOut,
    MunicipalityFilters,
    MunicipalityOut,
    MunicipalityPatchIn,
    MunicipalityProfileOut,
    StateOut,
)
from registry import selectors as registry_selectors
from registry import services as registry_services
from registry.choices import BodyKind
from registry.models import Municipality, State

router = Router(tags=["Register"])


def _member(m: Municipality) -> ClusterMember:
    return ClusterMember(
        name=m.name,
        slug=m.slug,
        role=m.project_role or None,
        state=m.state.name if m.state else None,
    )


@router.get(
    "/states",
    operation_id="registry_api_list_states",
    response=list[StateOut],
    auth=None,
    summary="Die 16 Bundesländer",
)
@decorate_view(cache_public())  # anonymous reads from the shared cache
def list_states(request: HttpRequest):
    return [
        StateOut(code=s.code, name=s.name, municipalities=s.n)
        for s in State.objects.annotate(n=Count("municipalities"))
    ]


@router.get(
    "/clusters",
    operation_id="registry_api_list_clusters",
    response=list[ClusterOut],
    auth=None,
    summary="Kinderschutzcluster",
)
@decorate_view(cache_public())  # anonymous reads from the shared cache
def list_clusters(request: HttpRequest):
    return [
        ClusterOut(
            number=c.number,
            model_municipality=c.model_municipality.name if c.model_municipality else None,
            members=c.member_count,
        )
        for c in registry_selectors.cluster_list()
    ]


@router.get(
    "/clusters/{number}",
    operation_id="registry_api_get_cluster",
    response=ClusterDetailOut,
    auth=None,
)
@decorate_view(cache_public())  # anonymous reads from the shared cache
def get_cluster(request: HttpRequest, number: int):
    cluster = registry_selectors.cluster_get(number=number)
    members = selectors.cluster_members(cluster=cluster)
    model = next((m for m in members if m.pk == cluster.model_municipality_id), None)
    return ClusterDetailOut(
        number=cluster.number,
        model_municipality=_member(model) if model else None,
        partners=[_member(m) for m in members if m is not model],
    )


@router.get(
    "/municipalities",
    operation_id="registry_api_list_municipalities",
    response=list[MunicipalityOut],
    auth=None,
)
@decorate_view(cache_public())  # anonymous reads from the shared cache
def list_municipalities(request: HttpRequest, filters: Query[MunicipalityFilters]):
    return [
        MunicipalityOut(
            name=m.name,
            slug=m.slug,
            body_kind=m.body_kind,
            state=m.state.name if m.state else None,
            cluster=m.cluster.number if m.cluster else None,
            role=m.project_role or None,
            website=m.website or None,
        )
        for m in registry_selectors.municipality_list(
            **{**filters.dict(), "role": filters.role or ""}
        )
    ]


@router.get(
    "/municipalities/{slug}",
    operation_id="registry_api_get_municipality",
    response=MunicipalityProfileOut,
    auth=None,
)
@decorate_view(cache_public())  # anonymous reads from the shared cache
def get_municipality(request: HttpRequest, slug: str):
    municipality = registry_selectors.municipality_get_public(slug=slug)
    return selectors.municipality_profile_json(municipality=municipality)


@router.patch(
    "/municipalities/{slug}",
    operation_id="registry_api_patch_municipality",
    response=MunicipalityProfileOut,
    auth=token_auth,
    summary="Stammdaten einer Kommune ändern (Koordination dieser Kommune oder Projektteam)",
)
def patch_municipality(request: HttpRequest, slug: str, payload: MunicipalityPatchIn):
    municipality = registry_selectors.municipality_get_public(slug=slug)
    values = payload.dict(exclude_unset=True)
    reason = values.pop("reason", "")
    if "state" in values and values["state"] is not None:
        ref = values["state"]
        state = (
            State.objects.filter(code__iexact=ref).first()
            or State.objects.filter(name__iexact=ref).first()
        )
        if state is None:
            raise ValidationError({"state": f"Unbekanntes Bundesland „{ref}“"})
        values["state"] = state
    if "body_kind" in values and values["body_kind"] not in BodyKind.values:
        raise ValidationError({"body_kind": f"Unbekannte Körperschaft „{values['body_kind']}“"})
    values = {k: ("" if v is None and k != "state" else v) for k, v in values.items()}
    registry_services.municipality_update(
        municipality=municipality, actor=request.user, reason=reason, **values
    )
    return selectors.municipality_profile_json(municipality=municipality)
