"""Ninja schemas of the evaluation API (input and output shapes)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Schema

from evaluation.choices import RoundKind


class FrameworkOut(Schema):
    id: int
    key: str
    version: int
    title: str
    is_example: bool
    municipality: str | None


class FrameworkDetailOut(FrameworkOut):
    definition: dict[str, Any]


class RoundOut(Schema):
    code: str
    municipality: str
    framework_key: str
    framework_version: int
    kind: str
    title: str
    opens_on: date
    closes_on: date
    status: str
    min_group_size: int
    invited: int
    answered: int


class RoundIn(Schema):
    municipality: str
    framework_id: int
    title: str
    opens_on: date
    closes_on: date
    kind: str = RoundKind.SELF
    min_group_size: int = 5


class AnswerIn(Schema):
    answers: dict[str, int | str | None] = {}
    texts: dict[str, str] = {}


class Message(Schema):
    detail: str


class ComparisonQuery(Schema):
    framework: str
    municipality: list[str] = []
    cluster: int | None = None
