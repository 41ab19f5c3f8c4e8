"""Spreadsheet exports that open cleanly in German Excel and LibreOffice.

* CSV: ``;`` as separator (Excel in a German locale expects it, because "," is the
  decimal comma) and, as an option, a UTF-8 byte order mark: without it Excel reads the
  file as Windows-1252 and breaks every umlaut. The option exists because other programs
  (scripts, R, pandas) may not expect the BOM; ``?excel=1`` on an export asks for it.
* XLSX: bold header row, frozen below the header, columns as wide as their content
  (bounded), so a sheet is readable without resizing anything.

Cell values pass through :func:`cell_value` (or :func:`safe_cell`, :func:`csv_writer`,
:func:`safe_rows` for exports that write their own rows), so that one rule holds for
every CSV and XLSX export of the platform:

* **Formula injection** (OWASP "CSV injection"): text starting with ``= + - @``, a tab
  or a carriage return is prefixed with an apostrophe. Excel and LibreOffice then show it
  as text; a directory entry named ``=HYPERLINK("http://…")`` stays a name. Numbers are
  left alone (a negative count is a number, not a formula).
* **Control characters** that XML 1.0 cannot carry (``\\x00``–``\\x08``, ``\\x0b``,
  ``\\x0c``, ``\\x0e``–``\\x1f``) are removed: openpyxl refuses them, so one such character
  in a stored name made a commune's Excel export fail until someone edited the record.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

BOM = "\ufeff"
MIN_WIDTH = 8
MAX_WIDTH = 60
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value: Any) -> Any:
    """The value as an export cell: text defused (see module docstring), others unchanged."""
    if not isinstance(value, str):
        return value
    text = CONTROL_CHARACTERS.sub("", value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    """One row of cells through :func:`safe_cell` (``None`` stays ``None``)."""
    return [safe_cell(v) for v in values]


def safe_rows(rows: Iterable[Iterable[Any]]) -> Iterable[list[Any]]:
    """Rows of cells through :func:`safe_cell`, lazily."""
    return (safe_row(r) for r in rows)


class _SafeWriter:
    """A ``csv.writer`` whose every cell goes through :func:`safe_cell`."""

    def __init__(self, target: IO[str], **kwargs: Any) -> None:
        self._writer = csv.writer(target, **kwargs)

    def writerow(self, row: Sequence[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Sequence[Any]]) -> None:
        self._writer.writerows(safe_rows(rows))


def csv_writer(target: IO[str], **kwargs: Any) -> _SafeWriter:
    """Like ``csv.writer(target, **kwargs)``, with every cell made safe."""
    return _SafeWriter(target, **kwargs)


def cell_value(value: Any) -> Any:
    """A value as it is written into a CSV or XLSX cell (None → empty, text defused)."""
    return "" if value is None else safe_cell(value)


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
