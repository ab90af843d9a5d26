"""Rows -> CSV and XLSX bytes, safe to open in a spreadsheet.

Every list the tool shows (match batches, shipments, cases, the audit trail, match
and screen results) is exported through here, so the one rule that matters for
spreadsheets is kept in one place: a cell whose text starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is read by Excel, LibreOffice and Google
Sheets as a formula (CSV injection, OWASP "CSV Injection"). Supplier names come
from importers' files and list entries from the web, so such text is neutralised
by a leading apostrophe, which spreadsheets show as a plain-text marker. Numbers
stay numbers: ``-12.5`` given as a float is not text and is not touched.

XLSX is written with openpyxl (already a runtime dependency for reading
workbooks) in write-only mode, so a large export streams rows instead of
building the whole sheet in memory; strings are stored as inline text, never as
formulas.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
"""First characters a spreadsheet treats as the start of a formula."""

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
MEDIA_TYPES: dict[Format, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Characters XML 1.0 cannot hold; openpyxl refuses them, so they are dropped
# (they are never meaningful in names or addresses).
_ILLEGAL_XML = {c: None for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)}
# Excel's limit on a cell's text.
_MAX_CELL = 32767


def neutralise(text: str) -> str:
    """Text a spreadsheet will show as written: a formula-leading value gets a ``'``."""
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def cell_value(value: Any) -> str | int | float | bool | None:
    """One value as a cell: numbers and booleans kept, everything else as safe text.

    Lists and mappings (aliases, reasons) become JSON text so nothing is lost.
    """
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime | date):
        text = value.isoformat()
    elif isinstance(value, str):
        text = value
    elif isinstance(value, Mapping | list | tuple):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = str(value)
    return neutralise(text)


def _prepare(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None
) -> tuple[list[str], Iterable[Mapping[str, Any]]]:
    """The header and the rows: given columns stream the rows; otherwise every key
    seen, in first-seen order (which needs the rows in memory)."""
    if columns is not None:
        return list(columns), rows
    held = list(rows)
    seen: dict[str, None] = {}
    for row in held:
        for key in row:
            seen.setdefault(key, None)
    return list(seen), held


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None) -> bytes:
    """UTF-8 CSV with a BOM (so Excel reads Chinese names right) and a header row.

    Without ``columns`` the header is every key seen, in first-seen order.
    """
    cols, materialised = _prepare(rows, columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in cols])
    for row in materialised:
        cells = []
        for col in cols:
            value = cell_value(row.get(col))
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    *,
    sheet: str = "export",
) -> bytes:
    """An XLSX workbook with one sheet: a bold header row, then one row per mapping."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cols, materialised = _prepare(rows, columns)
    book = Workbook(write_only=True)
    ws = book.create_sheet(title=_sheet_title(sheet))
    header = []
    for col in cols:
        cell = WriteOnlyCell(ws, value=_xlsx_text(neutralise(col)))
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in materialised:
        values: list[Any] = []
        for col in cols:
            value = cell_value(row.get(col))
            if isinstance(value, str):
                # data_type "s": stored as a string even if it still looked like a formula.
                cell = WriteOnlyCell(ws, value=_xlsx_text(value))
                cell.data_type = "s"
                values.append(cell)
            else:
                values.append(value)
        ws.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(
    rows: Iterable[Mapping[str, Any]],
    fmt: str,
    columns: Sequence[str] | None = None,
    *,
    sheet: str = "export",
) -> tuple[bytes, str]:
    """``(body, media type)`` for ``fmt`` ('csv' or 'xlsx'); ValueError names the choices."""
    if fmt == "csv":
        return to_csv(rows, columns), MEDIA_TYPES["csv"]
    if fmt == "xlsx":
        return to_xlsx(rows, columns, sheet=sheet), MEDIA_TYPES["xlsx"]
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def _xlsx_text(text: str) -> str:
    return text.translate(_ILLEGAL_XML)[:_MAX_CELL]


def _sheet_title(name: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\ .
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name).strip("'") or "export"
    return cleaned[:31]
