"""Spreadsheet exports that open cleanly in German Excel and LibreOffice.

* CSV: ``;`` as separator (Excel in a German locale expects it, because "," is the
  decimal comma) and, as an option, a UTF-8 byte order mark: without it Excel reads the
  file as Windows-1252 and breaks every umlaut. The option exists because other programs
  (scripts, R, pandas) may not expect the BOM; ``?excel=1`` on an export asks for it.
* XLSX: bold header row, frozen below the header, columns as wide as their content
  (bounded), so a sheet is readable without resizing anything.

Cell values pass through :func:`cell_value`, the one place where all exports can get the
same treatment of values (e.g. formula escaping).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

BOM = "\ufeff"
MIN_WIDTH = 8
MAX_WIDTH = 60


def cell_value(value: Any) -> Any:
    """A value as it is written into a CSV or XLSX cell (None → empty)."""
    return "" if value is None else value


def wants_excel(query: Any) -> bool:
    """Whether a request's query (``request.GET``) asks for the Excel flavour of CSV."""
    return str(query.get("excel", "")).lower() in {"1", "ja", "true", "yes"}


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *, excel: bool = False) -> str:
    """CSV with ``;``; with ``excel`` a BOM first, so German Excel reads UTF-8."""
    buffer = io.StringIO()
    if excel:
        buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows([cell_value(v) for v in row] for row in rows)
    return buffer.getvalue()


def style_sheet(sheet: Any, *, header_row: int = 1) -> None:
    """Bold header, frozen panes below it and column widths fitted to the content."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            longest = max(len(line) for line in str(cell.value).splitlines() or [""])
            widths[cell.column] = max(widths.get(cell.column, 0), longest)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH
        )


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One styled sheet (title cut to Excel's 31 characters) as XLSX bytes."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append([cell_value(v) for v in row])
    style_sheet(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
