"""Read trade records from CSV/TSV or Parquet into :class:`TradeRecord` s.

Headers are recognised through the layout's aliases (``resources/trade/
layouts.yml``); a column map (canonical field -> the file's header) covers any
other export. Every bad row is reported (file, row, field, what is wrong) and
nothing is returned while any is wrong: the import is all or nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from flscreen.errors import InvalidInput, Problem
from flscreen.trade.layout import (
    FieldSpec,
    TradeRecord,
    alias_index,
    fields,
    fold_header,
    weight_units,
)

MAX_PROBLEMS = 1000
"""Stop collecting after this many problems: a wrong file should not print a million lines."""

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%d %b %Y", "%d-%b-%Y", "%b %d, %Y")
_HS = re.compile(r"^\d{4,10}$")


def load_column_map(path: str) -> dict[str, str]:
    """A column map file: YAML or JSON mapping canonical field -> the file's header."""
    p = Path(path)
    if not p.is_file():
        raise InvalidInput(f"column map not found: {path}", source=path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"column map is not valid YAML/JSON: {exc}", source=path) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise InvalidInput(
            "a column map is a mapping of canonical field to the file's header, "
            "e.g. 'bill_number: BOL_NO'",
            source=path,
        )
    return dict(data)


def map_columns(
    headers: list[str], column_map: Mapping[str, str] | None, source: str
) -> dict[str, str]:
    """Canonical field -> header of the file; raises InvalidInput on an unusable header."""
    problems: list[Problem] = []
    known = {f.name: f for f in fields()}
    folded = {fold_header(h): h for h in reversed(headers)}  # first header of a name wins
    mapping: dict[str, str] = {}
    for canonical, header in (column_map or {}).items():
        if canonical not in known:
            problems.append(
                Problem(
                    source,
                    f"column map names unknown field {canonical!r} (fields: {', '.join(known)})",
                    row=1,
                )
            )
            continue
        found = folded.get(fold_header(header))
        if found is None:
            problems.append(
                Problem(
                    source,
                    f"column map says {canonical} is column {header!r}, which the file lacks "
                    f"(columns: {', '.join(headers)})",
                    row=1,
                )
            )
            continue
        mapping[canonical] = found
    taken = set(mapping.values())
    index = alias_index()
    for header in headers:
        found = _lookup(index, fold_header(header))
        if found is None or found in mapping or header in taken:
            continue
        mapping[found] = header
        taken.add(header)
    missing = [f.name for f in fields() if f.required and f.name not in mapping]
    if "arrival_date" not in mapping and "shipment_date" not in mapping:
        missing.append("arrival_date or shipment_date")
    if missing:
        problems.append(
            Problem(
                source,
                f"no column for {', '.join(missing)} (columns are: {', '.join(headers)}); "
                "name them with --column-map (see docs/trade.md)",
                row=1,
            )
        )
    if problems:
        raise InvalidInput(problems)
    return mapping


_UNIT_WORDS = frozenset({"kg", "kgs", "lb", "lbs", "t", "mt", "tonnes", "pounds"})


def _lookup(index: Mapping[str, str], folded: str) -> str | None:
    """The field a header names; 'Weight (lb)' is the weight column with its unit in the header."""
    found = index.get(folded)
    if found is None and " " in folded:
        head, last = folded.rsplit(" ", 1)
        if last in _UNIT_WORDS:
            found = index.get(head)
    return found


def parse_date(text: str) -> str | None:
    """An ISO date from the spellings exports use, or None (ambiguous 03/04/2026 is refused)."""
    text = text.strip()
    if len(text) >= 10 and text[4] == "-" and text[10:11] in ("", "T", " "):
        text = text[:10]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def parse_number(text: str) -> float | None:
    """'12,500.5' -> 12500.5; None when it is not a number."""
    cleaned = text.strip().replace(",", "").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def parse_hs(text: str) -> tuple[tuple[str, ...], str | None]:
    """('5205', '520512') from '5205.12; 6109.10' style cells, or an error message."""
    codes = []
    for part in re.split(r"[;,|\s]+", text.strip()):
        if not part:
            continue
        digits = part.replace(".", "")
        if not _HS.match(digits):
            return (), f"{part!r} is not an HS code (4 to 10 digits, dots allowed)"
        codes.append(digits)
    return tuple(dict.fromkeys(codes)), None


def _country(text: str) -> str | None:
    from rigour.territories import lookup_territory

    territory = lookup_territory(text.strip())
    return territory.code.upper() if territory is not None else None


class _Rows:
    """Typed values of one row, with the problems found in it."""

    def __init__(self, source: str, mapping: Mapping[str, str], default_unit: str) -> None:
        self.source = source
        self.mapping = mapping
        self.specs: dict[str, FieldSpec] = {f.name: f for f in fields()}
        self.default_unit = default_unit
        self.problems: list[Problem] = []
        self._seen: dict[str, int] = {}

    def record(self, row: int, raw: Mapping[str, Any]) -> TradeRecord | None:
        values: dict[str, Any] = {}
        bad = False
        for name, header in self.mapping.items():
            cell = raw.get(header)
            text = "" if cell is None else str(cell).strip()
            if text == "":
                values[name] = None
                continue
            value, error = self._typed(self.specs[name], text)
            if error is not None:
                self.problems.append(Problem(self.source, error, row=row, field=header))
                bad = True
            values[name] = value
        for spec in self.specs.values():
            if spec.required and values.get(spec.name) is None and spec.name in self.mapping:
                self.problems.append(
                    Problem(
                        self.source, f"{spec.name} is empty", row=row, field=self.mapping[spec.name]
                    )
                )
                bad = True
        if values.get("arrival_date") is None and values.get("shipment_date") is None:
            self.problems.append(
                Problem(self.source, "no arrival_date or shipment_date in this row", row=row)
            )
            bad = True
        weight = values.get("gross_weight")
        unit = values.get("weight_unit") or (self.default_unit if weight is not None else None)
        factor = weight_units().get(unit.lower()) if unit else None
        if weight is not None and factor is None:
            self.problems.append(
                Problem(
                    self.source,
                    f"unknown weight unit {unit!r} (one of {', '.join(weight_units())})",
                    row=row,
                    field=self.mapping.get("weight_unit"),
                )
            )
            bad = True
        if bad:
            return None
        bill = str(values["bill_number"])
        n = self._seen.get(bill, 0) + 1
        self._seen[bill] = n
        return TradeRecord(
            record_id=f"{bill}#{n}",
            bill_number=bill,
            master_bill=values.get("master_bill"),
            arrival_date=values.get("arrival_date"),
            shipment_date=values.get("shipment_date"),
            shipper_name=values["shipper_name"],
            shipper_address=values.get("shipper_address"),
            shipper_country=values.get("shipper_country"),
            consignee_name=values["consignee_name"],
            consignee_address=values.get("consignee_address"),
            consignee_country=values.get("consignee_country"),
            notify_name=values.get("notify_name"),
            notify_address=values.get("notify_address"),
            carrier=values.get("carrier"),
            vessel=values.get("vessel"),
            port_of_lading=values.get("port_of_lading"),
            port_of_unlading=values.get("port_of_unlading"),
            place_of_receipt=values.get("place_of_receipt"),
            country_of_origin=values.get("country_of_origin"),
            container_count=values.get("container_count"),
            hs_codes=values.get("hs_codes") or (),
            goods_description=values.get("goods_description"),
            gross_weight=weight,
            weight_unit=unit,
            gross_weight_kg=None if weight is None or factor is None else weight * factor,
            quantity=values.get("quantity"),
            quantity_unit=values.get("quantity_unit"),
            source=self.source,
            row=row,
        )

    def _typed(self, spec: FieldSpec, text: str) -> tuple[Any, str | None]:
        kind = spec.type
        if kind == "text":
            return " ".join(text.split()), None
        if kind == "date":
            date = parse_date(text)
            if date is None:
                return None, f"{text!r} is not a date (use YYYY-MM-DD)"
            return date, None
        if kind == "country":
            code = _country(text)
            if code is None:
                return None, f"{text!r} is not a country name or ISO code"
            return code, None
        if kind == "hs":
            codes, error = parse_hs(text)
            return codes, error
        number = parse_number(text)
        if number is None or number < 0:
            return None, f"{text!r} is not a non-negative number"
        if kind == "int":
            if number != int(number):
                return None, f"{text!r} is not a whole number"
            return int(number), None
        return number, None


def _default_unit(mapping: Mapping[str, str]) -> str:
    """kg unless the weight column's header says pounds ('Weight (lb)')."""
    header = fold_header(mapping.get("gross_weight", ""))
    words = set(header.split())
    return "lb" if words & {"lb", "lbs", "pounds"} else "kg"


def _csv_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    source = str(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            [Problem(source, f"invalid UTF-8 at byte {exc.start} (save the file as UTF-8)", line)]
        ) from None
    head = text[:4096]
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    if path.suffix.lower() != ".tsv":
        first = head.splitlines()[0] if head else ""
        counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        raise InvalidInput("empty file: no header row", source=source) from None
    headers = [h.strip() for h in headers]

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) > len(headers):
                    yield reader.line_num, {"\0extra": str(len(cells) - len(headers))}
                    continue
                yield reader.line_num, dict(zip(headers, cells, strict=False))
        except csv.Error as exc:
            raise InvalidInput(
                [Problem(source, f"broken CSV: {exc}", row=reader.line_num)]
            ) from None

    return headers, rows()


def _parquet_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    import duckdb

    source = str(path)
    con = duckdb.connect()
    try:
        cursor = con.execute("SELECT * FROM read_parquet(?)", [source])
    except duckdb.Error as exc:
        con.close()
        raise InvalidInput(f"not a readable Parquet file: {exc}", source=source) from None
    headers = [d[0] for d in cursor.description or ()]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        n = 0
        try:
            while batch := cursor.fetchmany(10_000):
                for values in batch:
                    n += 1
                    yield (
                        n,
                        {
                            h: (v.isoformat() if isinstance(v, dt.date) else v)
                            for h, v in zip(headers, values, strict=True)
                        },
                    )
        finally:
            con.close()

    return headers, rows()


def read_trade_file(path: str, column_map: Mapping[str, str] | None = None) -> list[TradeRecord]:
    """Every record of a CSV/TSV or Parquet file; InvalidInput lists every bad row.

    Parquet rows are numbered from 1 (there is no header line).
    """
    p = Path(path)
    if not p.exists():
        raise InvalidInput(f"file not found: {path}", source=path)
    if p.is_dir():
        raise InvalidInput(f"expected a file, got a folder: {path}", source=path)
    suffix = p.suffix.lower()
    if suffix == ".parquet":
        headers, rows = _parquet_rows(p)
    elif suffix in (".csv", ".tsv", ".txt"):
        headers, rows = _csv_rows(p)
    else:
        raise InvalidInput(
            f"unsupported file type {suffix or '(none)'!r}: give a .csv, .tsv or .parquet file",
            source=path,
        )
    mapping = map_columns(headers, column_map, path)
    parser = _Rows(path, mapping, _default_unit(mapping))
    out: list[TradeRecord] = []
    for row, raw in rows:
        if "\0extra" in raw:
            extra = raw["\0extra"]
            parser.problems.append(
                Problem(path, f"{extra} more cell(s) than header columns", row=row)
            )
            continue
        record = parser.record(row, raw)
        if record is not None:
            out.append(record)
        if len(parser.problems) >= MAX_PROBLEMS:
            parser.problems.append(Problem(path, "too many problems; stopped reading", row=row))
            break
    if parser.problems:
        raise InvalidInput(parser.problems)
    if not out:
        raise InvalidInput("no trade records in the file (only a header)", source=path)
    return out
