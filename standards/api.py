"""/api/v1/standards and /api/v1/glossary: the library of local standards.

Public documents need no login; a token widens the view to the own commune's drafts and
the shared documents of its cluster — the same rules as the pages.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest
from ninja import Query, Router

from core import permissions
from core.api import optional_auth
from registry.models import Municipality
from standards import selectors
from standards.models import StandardDocument, StandardVersion
from standards.schemas import (
    DocumentDetailOut,
    DocumentFilters,
    DocumentOut,
    GlossaryTermOut,
    VersionOut,
)

router = Router(tags=["Standards"])


def _version_out(v: StandardVersion) -> VersionOut:
    return VersionOut(
        number=v.number,
        created_at=v.created_at,
        note=v.note,
        file_name=v.file_name,
        size=v.size,
        has_text=bool(v.text),
    )


def _document_fields(d: StandardDocument, *, own: bool) -> dict:
    return {
        "code": d.code,
        "municipality": d.municipality.slug,
        "title": d.title,
        "kind": d.kind,
        "kind_label": str(d.get_kind_display()),
        "status": d.status,
        "status_label": str(d.get_status_display()),
        "visibility": d.visibility,
        "owner": d.owner,
        "summary": d.summary,
        "decided_by": d.decided_by,
        "decided_on": d.decided_on,
        "next_review_on": d.next_review_on,
        "adopted_version": d.adopted_number,
        "versions": [_version_out(v) for v in d.versions_for(own=own)],
    }


@router.get(
    "/standards",
    response=list[DocumentOut],
    auth=optional_auth,
    summary="Standards der Kommunen (mit Versionen)",
)
def list_standards(request: HttpRequest, filters: Query[DocumentFilters]):
    municipality = None
    if filters.municipality:
        municipality = Municipality.objects.filter(slug=filters.municipality).first()
        if municipality is None:
            raise Http404("Kommune nicht gefunden")
    documents = selectors.document_list_for_user(
        user=request.user,
        query=filters.q,
        kind=filters.kind,
        municipality=municipality,
        others_only=filters.others_only,
    )
    own = permissions.municipality_ids_for(request.user, permissions.VIEW, permissions.QUALITY)
    return [
        DocumentOut(**_document_fields(d, own=own == permissions.ALL or d.municipality_id in own))
        for d in documents
    ]


@router.get(
    "/standards/{code}",
    response=DocumentDetailOut,
    auth=optional_auth,
    summary="Ein Standard mit dem Text der aktuellen Version",
)
def get_standard(request: HttpRequest, code: uuid.UUID):
    document = selectors.document_get_for_user(user=request.user, code=code)
    versions = selectors.versions_for_user(user=request.user, document=document)
    return DocumentDetailOut(
        **_document_fields(
            document,
            own=selectors.is_own(user=request.user, municipality_id=document.municipality_id),
        ),
        current_text=versions[0].text if versions else "",
        outcome_ids=[o.pk for o in document.outcomes.all()],
        workshop_ids=[w.pk for w in document.workshops.all()],
        agreement_ids=[a.pk for a in document.agreements.all()],
    )


@router.get(
    "/glossary",
    response=list[GlossaryTermOut],
    auth=optional_auth,
    summary="Glossar der Netzwerke",
)
def list_glossary(request: HttpRequest, municipality: str = ""):
    target = None
    if municipality:
        target = Municipality.objects.filter(slug=municipality).first()
        if target is None:
            raise Http404("Kommune nicht gefunden")
    return [
        GlossaryTermOut(
            id=t.pk,
            municipality=t.municipality.slug,
            term=t.term,
            definition=t.definition,
            source=t.source,
            professions=t.profession_list,
            agreed_on=t.agreed_on,
        )
        for t in selectors.glossary_for_user(user=request.user, municipality=target)
    ]
