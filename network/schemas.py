"""Ninja schemas of the network API (input and output shapes)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from network.choices import AgreementKind


class InstitutionOut(Schema):
    id: int
    municipality: str
    name: str
    institution_type: str
    parent_id: int | None
    street: str
    postcode: str
    city: str
    district: str
    phone: str
    email: str
    website: str
    workshop_participant: bool


class InstitutionFilters(Schema):
    municipality: str = ""
    type: str = ""
    q: str = ""


class ContactOut(Schema):
    id: int
    municipality: str
    institution_id: int
    institution: str
    name: str
    function: str
    phone: str
    email: str
    responsibilities: str
    is_insofa: bool
    insofa_specialism: str
    is_public: bool


class ContactIn(Schema):
    institution_id: int
    name: str = Field(..., min_length=1, max_length=150)
    function: str = ""
    phone: str = ""
    email: str = ""
    responsibilities: str = ""
    is_insofa: bool = False
    insofa_specialism: str = ""
    is_public: bool = False


class ContactFilters(Schema):
    municipality: str = ""
    insofa: bool | None = None


class AgreementOut(Schema):
    id: int
    municipality: str
    title: str
    kind: str
    kind_label: str
    institutions: list[int]
    partner_municipalities: list[str]
    signed_on: dt.date | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    next_review_on: dt.date | None
    has_document: bool


class AgreementIn(Schema):
    municipality: str
    title: str = Field(..., min_length=1, max_length=250)
    kind: AgreementKind
    institutions: list[int] = []
    partner_municipalities: list[str] = []
    signed_on: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    next_review_on: dt.date | None = None
    notes: str = ""
