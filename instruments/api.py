"""/api/v1/instruments: the commune's instruments (and the shipped examples), each with
its published ``versions``. A stable interface other tools rely on (DESIGN §7)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from core.api import token_auth
from instruments import selectors
from instruments.schemas import InstrumentOut, InstrumentVersionOut, VersionDetailOut

router = Router(tags=["Einschätzungsinstrumente"], auth=token_auth)


def _version_out(v) -> InstrumentVersionOut:
    sections = v.definition.get("sections", [])
    return InstrumentVersionOut(
        code=v.code,
        number=v.number,
        published_at=v.published_at,
        institution_types=v.institution_types or [],
        note=v.note,
        sections=len(sections),
        items=sum(len(s.get("items", [])) for s in sections),
    )


def _out(i) -> InstrumentOut:
    return InstrumentOut(
        code=i.code,
        key=i.key,
        title=i.title,
        municipality=i.municipality.slug if i.municipality_id else None,
        example=i.example,
        versions=[_version_out(v) for v in i.published_versions],
    )


def _user(request: HttpRequest):
    return request.user


@router.get("/instruments", response=list[InstrumentOut], summary="Instrumente mit ihren Versionen")
def list_instruments(request: HttpRequest):
    return [_out(i) for i in selectors.instruments_for_user(user=_user(request))]


@router.get("/instruments/{code}", response=InstrumentOut, summary="Ein Instrument")
def get_instrument(request: HttpRequest, code: str):
    return _out(selectors.instrument_get_for_user(user=_user(request), code=code))


@router.get(
    "/instruments/{code}/versions/{number}",
    response=VersionDetailOut,
    summary="Eine veröffentlichte Version mit ihrem Inhalt",
)
def get_version(request: HttpRequest, code: str, number: int):
    instrument = selectors.instrument_get_for_user(user=_user(request), code=code)
    version = next((v for v in instrument.published_versions if v.number == number), None)
    if version is None:
        from django.http import Http404

        raise Http404(selectors.NOT_FOUND)
    return VersionDetailOut(**_version_out(version).model_dump(), definition=version.definition)
