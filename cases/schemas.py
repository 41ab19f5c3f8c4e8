"""ninja schemas of the cases API: no identifying data except in ``persons`` (case team)."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Field, Schema

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
