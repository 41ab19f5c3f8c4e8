"""/api/v1/ endpoints of the network app.

Institutions are public registry data; contacts are public only where marked (members of
the commune see all of theirs); agreements and the network analysis need a token.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Query, Router

from core import permissions
from core.api import optional_auth, token_auth
from network import selectors, services
from network.models import Agreement, Contact
from network.schemas import (
    AgreementIn,
    AgreementOut,
    ContactFilters,
    ContactIn,
    ContactOut,
    InstitutionFilters,
    InstitutionOut,
)
from registry.models import Institution, Municipality

router = Router(tags=["Netzwerk"])


def _institution_out(i: Institution) -> InstitutionOut:
    return InstitutionOut(
        id=i.pk,
        municipality=i.municipality.slug,
        name=i.name,
        institution_type=i.institution_type,
        parent_id=i.parent_id,
        street=i.street,
        postcode=i.postcode,
        city=i.city,
        district=i.district,
        phone=i.phone,
        email=i.email,
        website=i.website,
        workshop_participant=i.workshop_participant,
    )


@router.get("/institutions", response=list[InstitutionOut], auth=None, summary="Einrichtungen")
def list_institutions(request: HttpRequest, filters: Query[InstitutionFilters]):
    qs = Institution.objects.filter(is_public=True).select_related("municipality")
    if filters.municipality:
        qs = qs.filter(municipality__slug=filters.municipality)
    if filters.type:
        qs = qs.filter(institution_type=filters.type)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    return [_institution_out(i) for i in qs.order_by("municipality__name", "position", "name")]


def _contact_out(c: Contact) -> ContactOut:
    return ContactOut(
        id=c.pk,
        municipality=c.municipality.slug,
        institution_id=c.institution_id,
        institution=c.institution.name,
        name=c.name,
        function=c.function,
        phone=c.phone,
        email=c.email,
        responsibilities=c.responsibilities,
        is_insofa=c.is_insofa,
        insofa_specialism=c.insofa_specialism,
        is_public=c.is_public,
    )


@router.get(
    "/contacts",
    response=list[ContactOut],
    auth=optional_auth,
    summary="Ansprechpersonen (ohne Token nur die öffentlich freigegebenen)",
)
def list_contacts(request: HttpRequest, filters: Query[ContactFilters]):
    municipality = None
    if filters.municipality:
        municipality = Municipality.objects.filter(slug=filters.municipality).first()
        if municipality is None:
            raise Http404("Kommune nicht gefunden")
    qs = selectors.contact_list_for_user(
        user=request.user, municipality=municipality, insofa=filters.insofa
    )
    return [_contact_out(c) for c in qs]


@router.post("/contacts", response={201: ContactOut}, auth=token_auth)
def create_contact(request: HttpRequest, payload: ContactIn):
    institution = Institution.objects.filter(pk=payload.institution_id).first()
    if institution is None or not permissions.has_permission(
        request.user, permissions.VIEW, permissions.NETWORK, institution.municipality_id
    ):
        raise Http404("Einrichtung nicht gefunden")
    values = payload.dict(exclude={"institution_id"})
    contact = services.contact_create(institution=institution, actor=request.user, **values)
    return 201, _contact_out(contact)


def _agreement_out(a: Agreement) -> AgreementOut:
    return AgreementOut(
        id=a.pk,
        municipality=a.municipality.slug,
        title=a.title,
        kind=a.kind,
        kind_label=str(a.get_kind_display()),
        institutions=sorted(i.pk for i in a.institutions.all()),
        partner_municipalities=sorted(m.slug for m in a.partner_municipalities.all()),
        signed_on=a.signed_on,
        valid_from=a.valid_from,
        valid_until=a.valid_until,
        next_review_on=a.next_review_on,
        has_document=bool(a.document),
    )


@router.get("/agreements", response=list[AgreementOut], auth=token_auth)
def list_agreements(request: HttpRequest, municipality: str = ""):
    target = None
    if municipality:
        target = selectors.municipality_get_for_network(user=request.user, slug=municipality)
    return [
        _agreement_out(a)
        for a in selectors.agreement_list_for_user(user=request.user, municipality=target)
    ]


@router.post("/agreements", response={201: AgreementOut}, auth=token_auth)
def create_agreement(request: HttpRequest, payload: AgreementIn):
    municipality = selectors.municipality_get_for_network(
        user=request.user, slug=payload.municipality
    )
    institutions = list(Institution.objects.filter(pk__in=payload.institutions))
    if len(institutions) != len(set(payload.institutions)):
        raise Http404("Einrichtung nicht gefunden")
    partners = list(Municipality.objects.filter(slug__in=payload.partner_municipalities))
    values = payload.dict(exclude={"municipality", "institutions", "partner_municipalities"})
    values["kind"] = str(payload.kind.value)
    agreement = services.agreement_create(
        municipality=municipality,
        actor=request.user,
        institutions=institutions,
        partner_municipalities=partners,
        **values,
    )
    return 201, _agreement_out(agreement)


@router.get(
    "/network/{municipality}",
    auth=token_auth,
    summary="Netzwerk einer Kommune: Knoten, Kanten, Kennzahlen, Lücken nach § 3 Abs. 2 KKG",
)
def get_network(request: HttpRequest, municipality: str):
    target = selectors.municipality_get_for_network(user=request.user, slug=municipality)
    return selectors.network_json(municipality=target)
