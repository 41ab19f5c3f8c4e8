"""/api/v1/directory/services: public read (HSDS 3.0 compiled services), token writes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view

from core.api import optional_auth, token_auth
from core.pagecache import cache_public
from directory import hsds, selectors, services
from directory.constants import DEFAULT_RADIUS_KM
from registry.models import Municipality

router = Router(tags=["Frühe Hilfen"])


class ServiceQuery(Schema):
    q: str = ""
    municipality: str = ""
    target_group: str = ""
    age: int | None = Field(None, ge=0, le=120)
    district: str = ""
    language: str = ""
    free: bool = False
    near: str = Field("", max_length=200, description="PLZ, Adresse mit PLZ oder Stadtteil")
    radius_km: int = Field(DEFAULT_RADIUS_KM, ge=1, le=50)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class ServicePage(Schema):
    count: int
    items: list[dict[str, Any]]


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


class ServiceIn(Schema):
    municipality: str
    name: str = Field(..., min_length=1, max_length=300)
    provider_name: str = ""
    description: str = ""
    target_groups: list[str] = []
    min_age: int | None = None
    max_age: int | None = None
    languages: list[str] = ["de"]
    is_free: bool = True
    fees_description: str = ""
    opening_hours: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    district: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    last_confirmed_on: dt.date | None = None


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
