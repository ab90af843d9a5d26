"""The UK sanctions lists as CSV, one row per name (and address) of a designation.

Two shapes are read, told apart by their header:

- The UK Sanctions List (FCDO, ``UK-Sanctions-List.csv``): a ``Report Date:``
  line, then ``Last Updated, Unique ID, OFSI Group ID, UN Reference Number,
  Name 6, Name 1..5, Name type, Alias strength, ..., Regime Name, Designation
  Type, ..., Date Designated, D.O.B, Nationality(/ies), ...``. Entries are keyed
  by ``Unique ID`` (e.g. ``CHN0001``).
- OFSI's consolidated list (``ConList.csv``): a ``Last Updated`` line, then
  ``Name 6, Name 1..5, Title, ..., Country, Other Information, Group Type,
  Alias Type, Alias Quality, Regime, Listed On, ..., Group ID``. Entries are
  keyed by ``Group ID``.

Name 6 is the surname (or the whole name of an entity); persons are written
given names first ("Mingguo CHEN"), as the list's own display does.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from flscreen.lists.base import (
    ParseContext,
    Parsed,
    clean_text,
    country_code,
    decoded_lines,
    identifier,
    iso_date,
    unique,
)
from flscreen.model.lists import EntryLink, Identifier, ListEntry

_COMPANY_WORDS = re.compile(
    r"\b(co|company|corp|corporation|ltd|limited|inc|llc|group|holdings?|jsc|ooo|pjsc|plc|"
    r"gmbh|trading|industr\w*|technolog\w*|enterprises?|factory)\b",
    re.I,
)
_UK_REF = re.compile(r"\(UK Sanctions List Ref\):\s*([A-Z]{3}\d{4})")
_ID_COLUMNS = {
    "national identifier number": "national_id",
    "national identification number": "national_id",
    "passport number": "passport",
    "business registration number (s)": "registration",
    "imo number": "imo",
    "ofsi group id": "ofsi_group",
    "un reference number": "un_reference",
}


@dataclass(slots=True)
class _Group:
    """Rows of one designation, folded together."""

    first_row: int
    kind: str = ""
    names: list[tuple[str, str, bool]] = field(default_factory=list)
    """(name, name type, strong)."""
    addresses: list[str | None] = field(default_factory=list)
    countries: list[str | None] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    programs: list[str | None] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    notes: list[str | None] = field(default_factory=list)
    links: list[EntryLink] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)


def _person_name(rec: dict[str, str]) -> str | None:
    given = [clean_text(rec.get(f"name {i}")) for i in range(1, 6)]
    family = clean_text(rec.get("name 6"))
    parts = [p for p in (*given, family) if p]
    return " ".join(parts) or None


def _is_primary(name_type: str) -> bool:
    low = name_type.lower()
    return low.startswith("primary name") and "variation" not in low


def _fold(group: _Group, rec: dict[str, str]) -> None:
    get = rec.get
    kind = clean_text(get("designation type") or get("group type") or get("type of entity"))
    if kind and not group.kind:
        group.kind = kind.lower()
    name = _person_name(rec)
    name_type = clean_text(get("name type") or get("alias type")) or ""
    strength = (clean_text(get("alias strength") or get("alias quality")) or "").lower()
    if name:
        group.names.append((name, name_type, "low" not in strength))
    if non_latin := clean_text(get("name non-latin script")):
        group.names.append((non_latin, "non-latin script", True))
    lines = [clean_text(get(f"address line {i}") or get(f"address {i}")) for i in range(1, 7)]
    lines.append(clean_text(get("address postal code") or get("post/zip code")))
    country = clean_text(get("address country") or get("country"))
    lines.append(country)
    address = ", ".join(p for p in lines if p)
    if address and address != country:
        group.addresses.append(address)
    group.countries.append(country_code(country))
    # Multiple values are numbered: "(1) China (2) Hong Kong".
    nationalities = get("nationality(/ies)") or get("nationality") or ""
    for nat in re.split(r"\(\d+\)|[,;]", nationalities):
        group.countries.append(country_code(nat))
    for column, kind_name in _ID_COLUMNS.items():
        for value in re.split(r"\(\d+\)|;", get(column) or ""):
            if text := clean_text(value):
                group.identifiers.append(identifier(kind_name, text))
    group.programs.append(clean_text(get("regime name") or get("regime")))
    for column in ("date designated", "uk sanctions list date designated", "listed on"):
        if date := iso_date(get(column)):
            group.dates.append(date)
    other = clean_text(get("other information"))
    if other and (ref := _UK_REF.search(other)):
        group.identifiers.append(Identifier("uk_sanctions_list", ref.group(1)))
    group.notes.extend([other, clean_text(get("uk statement of reasons"))])
    if dob := clean_text(get("d.o.b") or get("dob")):
        group.notes.append(f"DOB: {dob}")
    if position := clean_text(get("position")):
        group.notes.append(f"position: {position}")
    if parent := clean_text(get("parent company")):
        group.links.append(EntryLink("subsidiary_of", None, parent))
    for sub in re.split(r"[|;]|\(\d+\)", get("subsidiaries") or ""):
        if text := clean_text(sub):
            group.links.append(EntryLink("parent_of", None, text))
    group.rows.append({k: v for k, v in rec.items() if v})


def _entry(entry_id: str, group: _Group, ids_by_name: dict[str, str]) -> ListEntry | str:
    strong = [(n, t) for n, t, s in group.names if s]
    if not group.names:
        return f"designation {entry_id} has no name"
    primary = next((n for n, t in strong if _is_primary(t)), (strong or group.names)[0][0])
    kind = group.kind
    if kind.startswith("individual"):
        schema = "person"
    elif kind.startswith("ship"):
        schema = "vessel"
    else:
        schema = "company" if _COMPANY_WORDS.search(primary) else "organization"
    weak = [n for n, _t, s in group.names if not s]
    return ListEntry(
        entry_id=entry_id,
        schema=schema,
        name=primary,
        aliases=tuple(n for n in unique([n for n, _t in strong]) if n != primary),
        addresses=unique(group.addresses),
        countries=unique(group.countries),
        identifiers=tuple(dict.fromkeys(group.identifiers)),
        programs=unique(group.programs),
        listed_on=min(group.dates) if group.dates else None,
        links=tuple(
            dict.fromkeys(
                replace(link, target_id=ids_by_name.get((link.target_name or "").casefold()))
                for link in group.links
            )
        ),
        notes=unique([*group.notes, *(f"weak alias: {w}" for w in weak)]),
        raw={"rows": group.rows},
    )


def parse(path: Path, ctx: ParseContext) -> Iterator[Parsed]:
    """Entries of a UK Sanctions List or OFSI consolidated list CSV."""
    groups: dict[str, _Group] = {}
    with path.open("rb") as handle:
        lines = decoded_lines(handle, ctx)
        reader = csv.reader(lines)
        header: list[str] | None = None
        key_column = ""
        for cells in reader:
            row = reader.line_num
            if header is None:
                lowered = [c.strip().lower() for c in cells]
                if "name 6" in lowered:
                    header = lowered
                    key_column = "unique id" if "unique id" in header else "group id"
                    if key_column not in header:
                        ctx.problem("header has neither 'Unique ID' nor 'Group ID'", row=row)
                        return
                continue  # banner lines ("Report Date: ...", "Last Updated,...")
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                ctx.problem("more cells than header columns; row skipped", row=row)
                continue
            rec = dict(zip(header, cells, strict=False))
            key = clean_text(rec.get(key_column))
            if key is None:
                ctx.problem(f"no {key_column!r}; row skipped", row=row, field=key_column)
                continue
            group = groups.setdefault(key, _Group(first_row=row))
            _fold(group, rec)
        if header is None:
            ctx.problem("no header row with 'Name 6' found: not a UK sanctions list CSV")
            return
    # "Parent company"/"Subsidiaries" name other designations: resolve them to ids.
    ids_by_name = {n.casefold(): key for key, g in groups.items() for n, _t, _s in g.names}
    for key, group in groups.items():
        result = _entry(key, group, ids_by_name)
        if isinstance(result, str):
            ctx.problem(result, row=group.first_row)
            continue
        yield group.first_row, result
