"""API shapes of the standards library."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema


class VersionOut(Schema):
    number: int
    created_at: dt.datetime
    note: str
    file_name: str
    size: int
    has_text: bool


class DocumentOut(Schema):
    code: uuid.UUID
    municipality: str
    title: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    visibility: str
    owner: str
    summary: str
    decided_by: str
    decided_on: dt.date | None
    next_review_on: dt.date | None
    adopted_version: int | None
    versions: list[VersionOut]


class VersionTextOut(VersionOut):
    text: str


class DocumentDetailOut(DocumentOut):
    current_text: str
    outcome_ids: list[int]
    workshop_ids: list[int]
    agreement_ids: list[int]


class DocumentFilters(Schema):
    q: str = ""
    kind: str = ""
    municipality: str = ""
    others_only: bool = False


class GlossaryTermOut(Schema):
    id: int
    municipality: str
    term: str
    definition: str
    source: str
    professions: list[str]
    agreed_on: dt.date | None
