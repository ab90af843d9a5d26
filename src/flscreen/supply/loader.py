"""Read a supply package (CSV folder, XLSX workbook or JSON) and validate it whole.

Every problem in every file is collected, with file, row and field, before
anything is returned: a package is either wholly valid or rejected with the
full list (``InvalidInput``). Nothing here writes to the store.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flscreen.errors import InvalidInput, Problem
from flscreen.model.supply import (
    SupplyPackage,
)
from flscreen.supply.tables import TABLES, Row, TableSpec, record_from_values
from flscreen.supply.validate import validate_rows

MAX_PROBLEMS = 10_000


RawTables = dict[str, list[Row]]


def _split_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    text = str(value).replace(";", "|")
    return [part.strip() for part in text.split("|") if part.strip()]


def _clean_cell(value: Any) -> Any:
    """Empty strings become None; strings are trimmed; spreadsheet dates become ISO text."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _read_csv_folder(folder: Path) -> tuple[RawTables, list[Problem]]:
    tables: RawTables = {}
    problems: list[Problem] = []
    for name in TABLES:
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        source = path.name
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            problems.append(Problem(source, f"invalid UTF-8 at byte {exc.start}; save as UTF-8"))
            continue
        reader = csv.reader(io.StringIO(text, newline=""))
        header: list[str] | None = None
        rows: list[Row] = []
        for cells in reader:
            line = reader.line_num
            if header is None:
                header = [h.strip() for h in cells]
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                problems.append(Problem(source, "more cells than header columns", row=line))
                continue
            rows.append(
                Row(source, line, {h: _clean_cell(c) for h, c in zip(header, cells, strict=False)})
            )
        if header is None:
            problems.append(Problem(source, "empty file: expected a CSV header"))
            continue
        problems.extend(_header_problems(TABLES[name], header, source))
        tables[name] = rows
    unknown = sorted(
        p.name for p in folder.glob("*.csv") if p.stem not in TABLES and not p.name.startswith(".")
    )
    for name in unknown:
        problems.append(
            Problem(name, f"unknown table {Path(name).stem!r}; expected one of {', '.join(TABLES)}")
        )
    return tables, problems


def _header_problems(spec: TableSpec, header: Sequence[str], source: str) -> list[Problem]:
    missing = [c.name for c in spec.columns if c.required and c.name not in header]
    return [Problem(source, "required column missing from the header", field=m) for m in missing]


def _read_xlsx(path: Path) -> tuple[RawTables, list[Problem]]:
    import openpyxl

    tables: RawTables = {}
    problems: list[Problem] = []
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InvalidInput(f"cannot read workbook {path.name}: {exc}", source=path.name) from None
    for sheet in workbook.worksheets:
        name = sheet.title.strip().lower()
        source = f"{path.name}[{sheet.title}]"
        if name not in TABLES:
            problems.append(
                Problem(
                    source, f"unknown sheet {sheet.title!r}; expected one of {', '.join(TABLES)}"
                )
            )
            continue
        header: list[str] | None = None
        rows: list[Row] = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                header = [str(c).strip() if c is not None else "" for c in cells]
                continue
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            values = {h: _clean_cell(c) for h, c in zip(header, cells, strict=False) if h}
            rows.append(Row(source, number, values))
        if header is None:
            problems.append(Problem(source, "empty sheet: expected a header row"))
            continue
        problems.extend(_header_problems(TABLES[name], header, source))
        tables[name] = rows
    workbook.close()
    return tables, problems


def _read_json(path: Path) -> tuple[RawTables, list[Problem]]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            f"{path.name} is not valid UTF-8 JSON: {exc}", source=path.name
        ) from None
    return tables_from_mapping(data, path.name)


def tables_from_mapping(data: Any, source: str) -> tuple[RawTables, list[Problem]]:
    """Rows from a JSON-like object ``{"parties": [{...}], ...}``; row = 1-based index."""
    if not isinstance(data, Mapping):
        raise InvalidInput("expected a JSON object with one array per table", source=source)
    tables: RawTables = {}
    problems: list[Problem] = []
    for name, records in data.items():
        where = f"{source}:{name}"
        if name in ("format_version", "$schema", "description"):
            continue
        if name not in TABLES:
            problems.append(
                Problem(source, f"unknown table {name!r}; expected one of {', '.join(TABLES)}")
            )
            continue
        if not isinstance(records, list):
            problems.append(Problem(where, "expected an array of objects"))
            continue
        rows: list[Row] = []
        for number, record in enumerate(records, start=1):
            if not isinstance(record, Mapping):
                problems.append(Problem(where, "expected an object", row=number))
                continue
            rows.append(Row(where, number, {str(k): _clean_cell(v) for k, v in record.items()}))
        tables[name] = rows
    return tables, problems


def read_tables(path: Path) -> tuple[RawTables, list[Problem]]:
    """Raw rows of every table in a folder of CSVs, an .xlsx workbook or a .json file."""
    if not path.exists():
        raise InvalidInput(f"no such file or folder: {path}", source=str(path))
    if path.is_dir():
        tables, problems = _read_csv_folder(path)
        if not tables and not problems:
            raise InvalidInput(
                f"{path} holds none of the package tables "
                f"({', '.join(f'{t}.csv' for t in TABLES)})",
                source=str(path),
            )
        return tables, problems
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".json":
        return _read_json(path)
    raise InvalidInput(
        f"unsupported package {path.name}: give a folder of CSV files, an .xlsx workbook "
        "or a .json file",
        source=str(path),
    )


# -- typing ---------------------------------------------------------------------------------


def _parse_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    try:
        number = float(str(value).replace(",", "").replace("_", "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "x", "是"):
        return True
    if text in ("0", "false", "no", "n", "否"):
        return False
    return None


def _parse_date(value: Any) -> str | None:
    try:
        return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError:
        return None


TypedTables = dict[str, list[tuple[Row, dict[str, Any]]]]


def type_rows(tables: RawTables) -> tuple[TypedTables, list[Problem]]:
    """Coerce each cell to its column's type; report every cell that does not parse."""
    typed: TypedTables = {name: [] for name in TABLES}
    problems: list[Problem] = []
    for name, rows in tables.items():
        spec = TABLES[name]
        for row in rows:
            out: dict[str, Any] = {}
            for col in spec.columns:
                raw = row.values.get(col.name)
                if col.kind == "list":
                    out[col.name] = tuple(_split_list(raw))
                    continue
                if raw is None:
                    if col.required:
                        problems.append(
                            Problem(row.source, "missing required value", row.row, col.name)
                        )
                    out[col.name] = None
                    continue
                if col.kind == "float":
                    number = _parse_float(raw)
                    if number is None:
                        problems.append(
                            Problem(row.source, f"not a number: {raw!r}", row.row, col.name)
                        )
                    out[col.name] = number
                elif col.kind == "date":
                    date = _parse_date(raw)
                    if date is None:
                        problems.append(
                            Problem(
                                row.source,
                                f"not a date: {raw!r} (use YYYY-MM-DD)",
                                row.row,
                                col.name,
                            )
                        )
                    out[col.name] = date
                elif col.kind == "bool":
                    flag = _parse_bool(raw)
                    if flag is None:
                        problems.append(
                            Problem(row.source, f"not yes/no: {raw!r}", row.row, col.name)
                        )
                    out[col.name] = flag
                else:
                    text = (
                        str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)
                    )
                    out[col.name] = text.strip()
            typed[name].append((row, out))
    return typed, problems


def build_package(typed: Mapping[str, list[tuple[Row, dict[str, Any]]]]) -> SupplyPackage:
    """Model objects from typed rows that passed validation."""
    pkg = SupplyPackage()
    for name, spec in TABLES.items():
        records = getattr(pkg, name)
        for _, values in typed.get(name, []):
            if name == "bom" and values["yield"] is None and values["loss"] is not None:
                # A loss is the other way to write a yield: 5% loss is a 0.95 yield.
                values = {**values, "yield": 1.0 - values["loss"]}
            records.append(record_from_values(spec, values))
    return pkg


def package_from_tables(
    tables: RawTables,
    problems: list[Problem] | None = None,
    today: dt.date | None = None,
    base_dir: Path | None = None,
) -> SupplyPackage:
    """Type, validate and build; raise InvalidInput listing every problem found."""
    found = list(problems or [])
    if "parties" not in tables:
        found.append(Problem("", "the package has no parties table"))
    typed, type_problems = type_rows(tables)
    found.extend(type_problems)
    found.extend(validate_rows(typed, today=today or dt.date.today(), base_dir=base_dir))
    if found:
        raise InvalidInput(found[:MAX_PROBLEMS])
    return build_package(typed)


def load_package(path: str | Path, today: dt.date | None = None) -> SupplyPackage:
    """Read and validate the package at ``path``; InvalidInput lists every problem."""
    path = Path(path)
    tables, problems = read_tables(path)
    base_dir = path if path.is_dir() else path.parent
    return package_from_tables(tables, problems, today=today, base_dir=base_dir)


def package_from_dict(data: Mapping[str, Any], today: dt.date | None = None) -> SupplyPackage:
    """Validate a JSON-like package already in memory (tests, API bodies)."""
    tables, problems = tables_from_mapping(data, "<package>")
    return package_from_tables(tables, problems, today=today)
