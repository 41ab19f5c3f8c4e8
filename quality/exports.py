"""CSV and Excel exports of outcomes and attendance (one table shape, two formats)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from core.exports import safe_cell, safe_row
from quality.models import Outcome, Registration, WorkshopSession

OUTCOME_HEADER = (
    "ID",
    "Kommune",
    "Ergebnis",
    "Reichweite",
    "Status",
    "Status seit",
    "Verantwortlich",
    "fällig bis",
    "überfällig",
    "Herkunft",
    "Version",
)
ATTENDANCE_HEADER = (
    "Termin",
    "Ort",
    "Name",
    "Einrichtung",
    "Art der Einrichtung",
    "Status",
    "teilgenommen",
)


def outcome_rows(outcomes: Iterable[Outcome]) -> list[tuple[Any, ...]]:
    rows = []
    for o in outcomes:
        changed = timezone.localtime(o.status_changed_at).date() if o.status_changed_at else None
        rows.append(
            (
                o.pk,
                o.municipality.name,
                o.text,
                o.get_scope_display(),
                o.get_status_display(),
                changed,
                o.owner_display,
                o.due_date,
                "ja" if o.is_overdue else "nein",
                o.origin,
                o.version,
            )
        )
    return rows


def attendance_rows(
    sessions: Iterable[WorkshopSession], registrations: Iterable[Registration]
) -> list[tuple[Any, ...]]:
    by_session: dict[int, list[Registration]] = {}
    for r in registrations:
        by_session.setdefault(r.session_id, []).append(r)
    rows = []
    for s in sessions:
        start = timezone.localtime(s.starts_at).replace(tzinfo=None)
        for r in by_session.get(s.pk, []):
            attended = {True: "ja", False: "nein", None: ""}[r.attended]
            institution = r.institution
            rows.append(
                (
                    start,
                    s.place,
                    r.name,
                    institution.name if institution else "",
                    institution.get_institution_type_display() if institution else "",
                    r.get_status_display(),
                    attended,
                )
            )
    return rows


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: Excel opens UTF-8 CSV correctly
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(
    filename: str, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(safe_row(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(safe_row(row))
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
