"""/api/v1/directory/services: public read (HSDS 3.0 compiled services), token writes."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view

from core.api import optional_auth, token_auth
from core.pagecache import cache_public
from directory import hsds, selectors, services
from directory.schemas import ServiceIn, ServicePage, ServiceQuery
from registry.models import Municipality

router = Router(tags=["Frühe Hilfen"])


@router.get(
    "/directory/services",
    response=ServicePage,
    auth=optional_auth,
    summary="Frühe-Hilfen-Angebote als HSDS-3.0-Services (öffentlich)",
)
@decorate_view(cache_public())  # anonymous reads from the shared cache
def list_services(request: HttpRequest, query: Query[ServiceQuery]):
    filters = selectors.ServiceFilters(
        q=query.q,
        municipality=query.municipality,
        target_group=query.target_group,
        age=query.age,
        district=query.district,
        language=query.language,
        free=query.free,
        near=query.near,
        radius_km=query.radius_km,
    )
    qs = selectors.service_search(filters)
    page = hsds.hsds_queryset(qs)[query.offset : query.offset + query.limit]
    return {"count": qs.count(), "items": hsds.services_to_hsds(page)}


@router.get("/directory/services/{code}", auth=optional_auth, summary="Ein Angebot (HSDS 3.0)")
@decorate_view(cache_public())  # anonymous reads from the shared cache
def get_service(request: HttpRequest, code: str):
    try:
        uid = uuid.UUID(code)
    except ValueError as exc:
        raise Http404("Angebot nicht gefunden") from exc
    return hsds.service_to_hsds(selectors.service_get_public(code=uid))


@router.post("/directory/services", response={201: dict}, auth=token_auth)
def create_service(request: HttpRequest, payload: ServiceIn):
    municipality = Municipality.objects.filter(slug=payload.municipality).first()
    if municipality is None:
        raise Http404("Kommune nicht gefunden")
    values = payload.dict(exclude={"municipality", "target_groups"})
    if values["last_confirmed_on"] is None:
        values.pop("last_confirmed_on")
    terms = list(selectors.target_groups().filter(slug__in=payload.target_groups))
    if len(terms) != len(set(payload.target_groups)):
        raise ValidationError({"target_groups": "Unbekannte Zielgruppe"})
    service = services.service_create(
        municipality=municipality, actor=request.user, target_groups=terms, **values
    )
    return 201, hsds.service_to_hsds(service)
