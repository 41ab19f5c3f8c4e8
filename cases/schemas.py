"""ninja schemas of the cases API: no identifying data except in ``persons`` (case team)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from ninja import Field, Schema

from cases.choices import ProcedureStatus, StatisticResult
from core.api import LocalDateTime


class ProcedureOut(Schema):
    code: uuid.UUID
    file_number: str = Field(description="Aktenzeichen")
    municipality: str = Field(description="slug of the commune")
    team: str
    received_at: dt.datetime
    reporter_category: str
    urgency: str
    status: str
    result: str
    kinds: list[str]
    first_contact_due: dt.datetime
    first_contact_at: dt.datetime | None
    result_at: dt.datetime | None
    closed_at: dt.datetime | None


class ProcedurePage(Schema):
    count: int
    page: int
    items: list[ProcedureOut]


class PersonOut(Schema):
    code: uuid.UUID
    role: str
    name: str
    birth_date: str
    address: str


class EventOut(Schema):
    activity_code: str
    activity: str
    occurred_at: dt.datetime
    institution: str
    actor: str
    note: str
    details: dict


class ProcedureDetailOut(ProcedureOut):
    indications: str
    child: dict
    persons: list[PersonOut] | None = Field(
        None, description="identifying data; only for the responsible case team"
    )
    events: list[EventOut]


class ChildIn(Schema):
    sex: str
    birth_year: int
    birth_month: int = Field(ge=1, le=12)
    living_situation: str
    parent_age_group: str = "unknown"
    foreign_origin: bool | None = None
    german_family_language: bool | None = None
    integration_assistance: bool | None = None
    prior_help: bool | None = None


class PersonIn(Schema):
    role: str
    name: str = Field(min_length=1, max_length=200)
    birth_date: str = ""
    address: str = ""


class ProcedureIn(Schema):
    team_id: int
    received_at: LocalDateTime
    reporter_category: str
    channel: str
    indications: str
    urgency: str
    repeated_report: bool = False
    child: ChildIn
    persons: list[PersonIn] = []


class EventIn(Schema):
    activity_code: str
    occurred_at: LocalDateTime
    institution_name: str = ""
    note: str = ""
    details: dict = {}


class ListFilters(Schema):
    status: ProcedureStatus | None = None
    due: Literal["due", "overdue", "close"] | None = Field(
        None,
        description=(
            "due: fällig in den nächsten 3 Tagen; overdue: überfällig; "
            "close: Abschlussfrist überschritten"
        ),
    )
    result: StatisticResult | None = None
    # The statistic's years; a year like 14588 is no filter but a typo (and no date).
    year: int | None = Field(None, ge=1900, le=2200)
    page: int = Field(1, ge=1, le=1_000_000)


class KeyFiguresQuery(Schema):
    year: int = Field(..., ge=2012, le=2100, description="Berichtsjahr")
    scope: str = Field(
        "",
        description=(
            "commune:<Kurzname>, cluster:<Nummer> oder national:alle; leer: der erste "
            "Bereich des Nutzers"
        ),
    )


class PublishedRowOut(Schema):
    municipality: str
    feature: str
    category: str
    total: int | None = Field(description="null: geheim gehalten")
    acute: int | None
    latent: int | None
    need_of_help: int | None
    neither: int | None


class KeyFiguresOut(Schema):
    scope: str
    label: str
    year: int
    threshold: int = Field(description="Werte darunter (und rückrechenbare) sind null")
    figures: list[dict]
    previous_year: list[dict]
    table: list[PublishedRowOut]
