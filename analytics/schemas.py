"""Ninja schemas of the analytics API (input and output shapes)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from cases.choices import Urgency


class AnalysisFilters(Schema):
    municipality: str = ""  # commune slug
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive
    urgency: Urgency | None = None
    log: str = ""  # code of an uploaded event log instead of the platform's procedures
    min_frequency: int = 1


class DeadlineQuery(Schema):
    start: str = ""  # with end and hours: one ad-hoc deadline instead of the commune rules
    end: str = ""
    hours: int | None = Field(None, ge=1, le=24 * 365)


class ComparisonFilters(Schema):
    cluster: int | None = None
    municipalities: str = ""  # comma-separated slugs
    period: str = Field(
        "",
        pattern=r"^(\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?)?$",
        description="ganzer Zeitraum: Jahr (2024), Quartal (2024-Q2) oder Monat (2024-05); "
        "leer: gesamter Zeitraum",
    )
    # Free date ranges are refused: differencing two of them recomputed suppressed cells.
    since: dt.date | None = Field(None, description="nicht erlaubt; period verwenden")
    until: dt.date | None = Field(None, description="nicht erlaubt; period verwenden")
