"""Ninja schemas of the instruments API (input and output shapes)."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema


class InstrumentVersionOut(Schema):
    code: uuid.UUID
    number: int
    published_at: dt.datetime | None
    institution_types: list[str]
    note: str
    sections: int
    items: int


class InstrumentOut(Schema):
    code: uuid.UUID
    key: str
    title: str
    municipality: str | None
    example: bool
    versions: list[InstrumentVersionOut]


class VersionDetailOut(InstrumentVersionOut):
    definition: dict
