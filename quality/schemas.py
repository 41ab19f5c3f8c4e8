"""ninja schemas of the quality API."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from core.api import LocalDateTime
from quality.choices import OutcomeScope, OutcomeStatus


class WorkshopOut(Schema):
    id: int
    title: str
    kind: str
    municipality: str = Field(description="Slug der ausrichtenden Kommune")
    cluster: int | None
    default_place: str
    capacity: int
    ical_url: str


class WorkshopIn(Schema):
    municipality: str = Field(description="Slug der ausrichtenden Kommune")
    title: str
    kind: str = "workshop"
    default_place: str = ""
    capacity: int = Field(30, ge=1, le=500)
    description: str = ""


class SessionOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    place: str
    status: str
    is_extra: bool
    capacity: int
    registered: int
    waiting: int
    agenda: list[str]


class SessionIn(Schema):
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    place: str = ""
    capacity: int | None = Field(None, ge=1, le=500)


class SeriesIn(Schema):
    first: date
    until: date
    start_time: str = Field("09:30", pattern=r"^\d{2}:\d{2}$")
    end_time: str = Field("13:00", pattern=r"^\d{2}:\d{2}$")
    interval_months: int = Field(2, ge=1, le=12)
    place: str = ""


class TransitionOut(Schema):
    from_status: str
    to_status: str
    at: datetime
    by: str
    note: str


class OutcomeOut(Schema):
    id: int
    municipality: str
    text: str
    scope: str
    status: str
    description: str
    owner_institution: str | None
    owner_name: str
    due_date: date | None
    overdue: bool
    origin: str
    origin_url: str
    decided_in: list[int]
    version: int
    transitions: list[TransitionOut] = []


class OutcomeIn(Schema):
    municipality: str = Field(description="Slug der Kommune")
    text: str = Field(min_length=1, max_length=2000)
    scope: str = "municipal"
    description: str = ""
    due_date: date | None = None
    origin: str = ""
    origin_url: str = ""


class OutcomePatchIn(Schema):
    version: int = Field(description="Die gelesene Version; bei Abweichung antwortet die API 409")
    text: str | None = None
    scope: str | None = None
    description: str | None = None
    owner_name: str | None = None
    due_date: date | None = None
    decided_in: list[int] | None = None


class TransitionIn(Schema):
    to_status: str
    version: int | None = Field(None, description="Optional: gelesene Version (409 bei Abweichung)")
    note: str = ""


class WorkshopFilters(Schema):
    municipality: str = ""
    cluster: int | None = None
    kind: str = ""


class OutcomeFilters(Schema):
    q: str = Field("", description="Volltextsuche mit deutscher Wortstammbildung")
    municipality: str = ""
    cluster: int | None = None
    state: str = ""
    status: OutcomeStatus | None = None
    scope: OutcomeScope | None = None
    overdue: bool | None = None
    limit: int = Field(500, ge=1, le=2000)
    offset: int = Field(0, ge=0, le=1_000_000)
