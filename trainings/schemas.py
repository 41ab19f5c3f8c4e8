"""API shapes of the training records."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from ninja import Schema


class TrainingOut(Schema):
    code: uuid.UUID
    municipality: str
    title: str
    topic: str
    topic_label: str
    origin: str
    workshop_id: int | None
    provider: str
    held_on: dt.date
    hours: Decimal
    target_groups: list[str]
    covers_instrument: bool
    participants: int


class TrainingFilters(Schema):
    municipality: str = ""
    topic: str = ""


class CoverageOut(Schema):
    institution_type: str
    label: str
    institutions: int
    trained: int
    instrument: int
    persons: int
