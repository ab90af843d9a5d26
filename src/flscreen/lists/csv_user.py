"""A user's own list as plain CSV (or the first sheet of an .xlsx): one row per party.

Columns (header names are case-insensitive; only ``name`` is required):

- ``id``: the user's own id; when absent a stable id is derived from the name.
- ``name``; ``aliases`` and ``former_names`` (several values separated by ``|``
  or ``;``; an alias written "formerly known as: X" is a former name).
- ``country`` (names or ISO codes), ``address`` (several separated by ``|``).
- ``identifiers``: ``kind:value`` pairs separated by ``|`` (``uscc:9165...``);
  a bare value is kind ``id``, or ``uscc`` when it is a valid USCC.
- ``schema`` (company, organization, person...), ``programs``, ``listed_on``, ``notes``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from flscreen.errors import InvalidInput, Problem
from flscreen.lists.base import (
    ParseContext,
    Parsed,
    clean_text,
    country_code,
    decoded_lines,
    identifier,
    iso_date,
    slug_id,
    unique,
)
from flscreen.lists.uflpa_html import SECTION_RE
from flscreen.model.lists import SCHEMAS, Identifier, ListEntry

SYNONYMS = {
    "id": ("id", "entry_id", "entity_id", "ref", "reference"),
    "name": ("name", "entity_name", "primary_name", "entity", "company", "party", "full_name"),
    "aliases": ("aliases", "alias", "aka", "other_names", "aliases_as_stated", "aliases_aka"),
    "former_names": ("former_names", "former_name", "fka", "previous_names"),
    "country": ("country", "countries", "country_code", "jurisdiction", "nationality"),
    "address": ("address", "addresses"),
    "identifiers": (
        "identifiers",
        "identifier",
        "registration",
        "registration_number",
        "uscc",
        "ids",
    ),
    "schema": ("schema", "type", "entity_type", "kind"),
    "programs": (
        "programs",
        "program",
        "programme",
        "section",
        "list_section",
        "section_as_stated",
    ),
    "listed_on": ("listed_on", "listing_date", "effective_date", "date"),
    "notes": ("notes", "note", "remarks", "comment", "scope_note", "industry"),
}
_SCHEMA_WORDS = {
    "company": "company",
    "entity": "company",
    "business": "company",
    "organisation": "organization",
    "organization": "organization",
    "individual": "person",
    "person": "person",
    "vessel": "vessel",
    "ship": "vessel",
}


def _split(value: str | None) -> list[str | None]:
    if not value:
        return []
    return [clean_text(v) for v in re.split(r"\s*[|;]\s*", value)]


_FORMER = re.compile(r"^(?:formerly known as|f\.?k\.?a\.?)\s*:?\s*", re.I)
_ALSO = re.compile(r"^(?:also known as|a\.?k\.?a\.?)\s*:?\s*", re.I)


def _names(value: str | None) -> tuple[list[str], list[str]]:
    """(aliases, former names) from an alias cell; items may say 'formerly known as: X'."""
    aliases: list[str] = []
    former: list[str] = []
    for item in _split(value):
        if not item:
            continue
        if _FORMER.match(item):
            former.append(_FORMER.sub("", item))
        else:
            aliases.append(_ALSO.sub("", item))
    return aliases, former


def _programs(value: str | None) -> list[str | None]:
    """Programme cells; a UFLPA section is normalised ('2(d)(2)(B)(ii) (per FR...)')."""
    out: list[str | None] = []
    for item in _split(value):
        sections = [f"2(d)(2)(B)({m.group(1).lower()})" for m in SECTION_RE.finditer(item or "")]
        out.extend(sections or [item])
    return out


def _identifiers(value: str | None) -> list[Identifier]:
    out = []
    for item in _split(value):
        if not item:
            continue
        kind, sep, rest = item.partition(":")
        if sep and rest.strip() and re.fullmatch(r"[A-Za-z_ ]{2,30}", kind.strip()):
            out.append(identifier(kind.strip().lower().replace(" ", "_"), rest.strip()))
        else:
            out.append(identifier("id", item))
    return out


def _columns(fieldnames: list[str]) -> dict[str, str]:
    """Our field -> the file's column name."""
    lowered = {f.strip().lower().replace(" ", "_"): f for f in fieldnames}
    out = {}
    for field, names in SYNONYMS.items():
        for name in names:
            if name in lowered:
                out[field] = lowered[name]
                break
    return out


def parse(path: Path, ctx: ParseContext) -> Iterator[Parsed]:
    """Entries of a user CSV (or .xlsx workbook), one per row (see the module docstring)."""
    with path.open("rb") as handle:
        is_zip = handle.read(4) == b"PK\x03\x04"
    if is_zip:
        yield from parse_xlsx(path, ctx)
        return
    with path.open("rb") as handle:
        reader = csv.DictReader(decoded_lines(handle, ctx))
        if not reader.fieldnames:
            ctx.problem("no CSV header row")
            return

        def rows() -> Iterator[tuple[int, dict[str, str]]]:
            for record in reader:
                if None in record:
                    ctx.problem("more cells than header columns; row skipped", row=reader.line_num)
                    continue
                yield reader.line_num, record

        yield from _entries(list(reader.fieldnames), rows(), ctx)


def parse_xlsx(path: Path, ctx: ParseContext) -> Iterator[Parsed]:
    """The same columns from the first sheet of an Excel workbook (header in row 1)."""
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(
            [Problem(ctx.source, f"not a readable .xlsx workbook ({exc})")]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        first = next(values, None)
        if first is None:
            ctx.problem("the first sheet is empty")
            return
        header = [_cell_text(c) for c in first]

        def rows() -> Iterator[tuple[int, dict[str, str]]]:
            for number, cells in enumerate(values, start=2):
                yield number, {h: _cell_text(c) for h, c in zip(header, cells, strict=False) if h}

        yield from _entries(header, rows(), ctx)
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A spreadsheet cell as text: dates as ISO, whole numbers without '.0'."""
    from datetime import date, datetime

    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _entries(
    fieldnames: list[str], rows: Iterator[tuple[int, dict[str, str]]], ctx: ParseContext
) -> Iterator[Parsed]:
    columns = _columns(fieldnames)
    if "name" not in columns:
        ctx.problem(f"no 'name' column (columns are: {', '.join(fieldnames)})", row=1)
        return
    for row, record in rows:

        def get(field: str, rec: dict[str, str] = record) -> str | None:
            column = columns.get(field)
            return clean_text(rec.get(column)) if column else None

        name = get("name")
        if name is None:
            if any(v and v.strip() for v in record.values()):
                ctx.problem("name is empty; row skipped", row=row, field=columns["name"])
            continue
        schema_text = (get("schema") or "company").lower()
        schema = _SCHEMA_WORDS.get(schema_text, schema_text)
        extra_notes: list[str] = []
        if schema not in SCHEMAS and columns.get("schema", "").strip().lower() == "type":
            # A loose "type" column (e.g. CBP's "WRO"/"Finding") is not a schema.
            extra_notes.append(f"type: {get('schema')}")
            schema = "company"
        if schema not in SCHEMAS:
            ctx.problem(
                f"unknown schema {schema_text!r} (use one of {', '.join(SCHEMAS)}); row skipped",
                row=row,
                field=columns.get("schema"),
            )
            continue
        listed_text = get("listed_on")
        listed_on = iso_date(listed_text)
        if listed_text and listed_on is None:
            ctx.problem(
                f"{listed_text!r} is not a date (use YYYY-MM-DD); row skipped",
                row=row,
                field=columns.get("listed_on"),
            )
            continue
        alias_list, former = _names(get("aliases"))
        aliases = tuple(a for a in unique(alias_list) if a != name)
        yield (
            row,
            ListEntry(
                entry_id=get("id") or slug_id("", name),
                schema=schema,
                name=name,
                aliases=aliases,
                former_names=unique([*former, *_split(get("former_names"))]),
                addresses=unique(_split(get("address"))),
                countries=unique([country_code(c) for c in _split(get("country"))]),
                identifiers=tuple(dict.fromkeys(_identifiers(get("identifiers")))),
                programs=unique(_programs(get("programs"))),
                listed_on=listed_on,
                notes=unique([get("notes"), *extra_notes]),
                raw={k: v for k, v in record.items() if k and v},
            ),
        )
