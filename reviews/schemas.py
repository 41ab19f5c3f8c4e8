"""Ninja schemas of the reviews API (input and output shapes)."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Field, Schema

from reviews.choices import (
    ContextFactor,
    FindingLevel,
    LibraryKind,
    ReviewStatus,
    ReviewTrigger,
)


class ReviewOut(Schema):
    code: uuid.UUID
    municipality: str
    title: str
    trigger: str
    method: str
    status: str
    questions: str | None = Field(
        description="Nur für Mitglieder der Kommune (sonst null); verschlüsselt gespeichert."
    )
    summary: str | None = Field(
        description="Nur für Mitglieder der Kommune (sonst null); verschlüsselt gespeichert."
    )
    legal_hold: bool
    team: list[str]
    started_on: dt.date | None
    closed_on: dt.date | None
    findings: int
    recommendations: int
    url: str


class ReviewIn(Schema):
    municipality: str = Field(description="Kurzname (slug) der Kommune")
    title: str = Field(max_length=200)
    trigger: str
    method: str
    status: str = ReviewStatus.PLANNED
    questions: str = ""
    summary: str = ""
    team: list[int] = Field(default=[], description="IDs von Einrichtungen der Kommune")
    started_on: dt.date | None = None
    confirmed: bool = Field(
        default=False,
        description=(
            "Bestätigt, dass die vom Erkennungsprogramm markierten Stellen in Fragen und "
            "Zusammenfassung niemanden identifizieren (sonst 422 mit dem Feldnamen)."
        ),
    )


class FindingOut(Schema):
    id: int
    review: uuid.UUID
    municipality: str
    level: str | None = Field(description="eine der vier Ebenen; leer bei reinem Kontextfaktor")
    context_factor: str | None = Field(
        description="Kontextfaktor außerhalb der vier Ebenen (Recht, Politik, Gesellschaft)"
    )
    category: str
    category_label: str
    valence: str
    text: str | None = Field(description="Nur für Mitglieder der Kommune (sonst null).")
    is_published: bool


class IncidentIn(Schema):
    municipality: str = Field(description="Kurzname (slug) der Kommune")
    what_happened: str = Field(min_length=1, max_length=5000)
    what_could_have_happened: str = Field(default="", max_length=5000)
    what_helped: str = Field(default="", max_length=5000)
    what_should_change: str = Field(default="", max_length=5000)
    reporter_institution_type: str = ""
    website: str = Field(default="", description="Bitte leer lassen (Spamschutz).")
    form_token: str = Field(
        max_length=500,
        description=(
            "Aus GET /incident-reports/form-token?municipality=… (Spamschutz wie im Formular: "
            "frühestens nach einigen Sekunden, höchstens einige Stunden gültig)."
        ),
    )


class FormTokenOut(Schema):
    form_token: str
    min_seconds: int
    max_seconds: int


class ReceiptOut(Schema):
    receipt_code: str
    message: str


class AnswerOut(Schema):
    receipt_code: str
    municipality: str
    status: str
    status_label: str
    received_on: dt.date
    answer: str | None
    answered_on: dt.date | None


class LibraryItemOut(Schema):
    id: int
    kind: str
    municipality: str
    level: str | None
    context_factor: str | None
    category: str | None
    category_label: str | None
    valence: str | None
    trigger: str
    institution_types: list[str]
    title: str
    text: str
    answer: str | None
    published_on: dt.date


class LibraryFilters(Schema):
    q: str = ""
    kind: LibraryKind | None = None
    level: FindingLevel | None = None
    context_factor: ContextFactor | None = None
    category: str = ""
    trigger: ReviewTrigger | None = None
    institution_type: str = ""
    municipality: str = ""
