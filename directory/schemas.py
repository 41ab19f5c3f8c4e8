"""Ninja schemas of the directory API (input and output shapes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from directory.constants import DEFAULT_RADIUS_KM


class ServiceQuery(Schema):
    q: str = ""
    municipality: str = ""
    target_group: str = ""
    age: int | None = Field(None, ge=0, le=120)
    district: str = ""
    language: str = ""
    free: bool = False
    near: str = Field("", max_length=200, description="PLZ, Adresse mit PLZ oder Stadtteil")
    radius_km: int = Field(DEFAULT_RADIUS_KM, ge=1, le=50)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class ServicePage(Schema):
    count: int
    items: list[dict[str, Any]]


class ServiceIn(Schema):
    municipality: str
    name: str = Field(..., min_length=1, max_length=300)
    provider_name: str = ""
    description: str = ""
    target_groups: list[str] = []
    min_age: int | None = None
    max_age: int | None = None
    languages: list[str] = ["de"]
    is_free: bool = True
    fees_description: str = ""
    opening_hours: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    district: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    last_confirmed_on: dt.date | None = None
