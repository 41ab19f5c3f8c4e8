"""API schemas of the registry."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field

from registry.choices import ProjectRole


class StateOut(Schema):
    code: str
    name: str
    municipalities: int = 0


class ClusterMember(Schema):
    name: str
    slug: str
    role: str | None
    state: str | None


class ClusterOut(Schema):
    number: int
    model_municipality: str | None
    members: int


class ClusterDetailOut(Schema):
    number: int
    model_municipality: ClusterMember | None
    partners: list[ClusterMember]


class MunicipalityOut(Schema):
    name: str
    slug: str
    body_kind: str
    state: str | None
    cluster: int | None
    role: str | None
    website: str | None


class ProfileItemOut(Schema):
    text: str
    children: list[ProfileItemOut] = []


class OutcomeGroupOut(Schema):
    achieved: list[ProfileItemOut]
    planned: list[ProfileItemOut]


class OutcomesOut(Schema):
    municipal: OutcomeGroupOut
    cross_cluster: OutcomeGroupOut


class MunicipalityProfileOut(Schema):
    kind: str | None = Field(description="model or partner")
    name: str
    slug: str
    body_kind: str
    website: str | None
    state: str | None
    cluster: int | None
    model_municipality: str | None
    partners: list[str]
    interests: list[ProfileItemOut]
    participants: list[ProfileItemOut]
    topics: list[ProfileItemOut]
    outcomes: OutcomesOut
    highlights: str | None
    notes: list[str]


class MunicipalityPatchIn(Schema):
    website: str | None = Field(default=None, max_length=200)
    highlights: str | None = None
    body_kind: str | None = None
    state: str | None = Field(default=None, description="Name or two-letter code of the Land")
    reason: str = Field(default="", max_length=200)


class MunicipalityFilters(Schema):
    q: str = ""
    state: str = ""
    cluster: int | None = None
    role: ProjectRole | None = None
