"""The OFAC SDN list as CSV: the official legacy trio, or a flattened export.

Official (``sdn.csv``, ``alt.csv``, ``add.csv``, optional ``sdn_comments.csv``):
no header rows, ``-0-`` for empty, joined on ``ent_num``. Give the folder or the
``sdn.csv`` path; the companions are looked up beside it.

Flattened (one header row: ``ent_num, sdn_name, sdn_type, programs, remarks,
aliases, addresses``...): aliases read ``aka:X | fka:Y``; a companion
``<stem>_aliases.csv`` (``ent_num, alias_type, alias_name``) beside the file is
merged in. The JSON array form (``ofac-json``) carries the same fields nested.

Person names stay as OFAC writes them ("CHEN, Quanguo"). Remarks are parsed
lightly for what screening uses (nationality, passport and national ID, USCC,
registration numbers, "Linked To:"); everything else stays in notes and raw.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from flscreen.lists.base import (
    ParseContext,
    Parsed,
    clean_text,
    country_code,
    decoded_lines,
    identifier,
    iso_date,
    known_country,
    unique,
)
from flscreen.model.lists import EntryLink, Identifier, ListEntry

SDN_COLUMNS = (
    "ent_num",
    "sdn_name",
    "sdn_type",
    "programs",
    "title",
    "call_sign",
    "vessel_type",
    "tonnage",
    "grt",
    "vessel_flag",
    "vessel_owner",
    "remarks",
)
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
ADD_COLUMNS = ("ent_num", "add_num", "address", "city_province_postal", "country", "add_remarks")

_COMPANY_WORDS = re.compile(
    r"\b(co|company|corp|corporation|ltd|limited|inc|llc|group|holdings?|gmbh|plc|s\.?a|"
    r"trading|industr\w*|technolog\w*|enterprises?|factory)\b",
    re.I,
)
_ID_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"^(?:unified|united) social credit code(?: certificate)? \(USCCC?\) (\S+)", re.I
        ),
        "uscc",
    ),
    (re.compile(r"^passport (\S+)", re.I), "passport"),
    (re.compile(r"^national id no\. (\S+)", re.I), "national_id"),
    (re.compile(r"^registration (?:number|id) (\S+)", re.I), "registration"),
    (re.compile(r"^tax id no\. (\S+)", re.I), "tax"),
    (re.compile(r"^(?:vessel registration identification )?IMO (\d{7})", re.I), "imo"),
    (re.compile(r"^SWIFT/BIC (\S+)", re.I), "bic"),
    (re.compile(r"^V\.A\.T\. Number (.+)$", re.I), "vat"),
    (re.compile(r"^US FEIN (\S+)", re.I), "us_fein"),
)


def schema_of(sdn_type: str | None, name: str) -> str:
    kind = (sdn_type or "").strip().lower()
    if kind == "individual":
        return "person"
    if kind == "vessel":
        return "vessel"
    if kind == "aircraft":
        return "other"
    return "company" if _COMPANY_WORDS.search(name) else "organization"


def split_programs(text: str | None) -> list[str]:
    """'SDGT] [IFSR' (legacy), 'NPWMD;IFSR' (flattened) -> ['SDGT', 'IFSR']."""
    if not text:
        return []
    parts = re.split(r"\]\s*\[|;|\|", text)
    return [p.strip(" []") for p in parts if clean_text(p.strip(" []"))]


def _remark_items(remarks: str) -> list[str]:
    """Split remarks on ';' outside parentheses."""
    items: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(remarks):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == ";" and depth == 0:
            items.append(remarks[start:i])
            start = i + 1
    items.append(remarks[start:])
    return [i.strip().rstrip(".").strip() for i in items if i.strip().rstrip(".").strip()]


def parse_remarks(remarks: str | None) -> dict[str, list[Any]]:
    """Identifiers, countries, links and notes from an SDN remarks field."""
    out: dict[str, list[Any]] = {"identifiers": [], "countries": [], "links": [], "notes": []}
    text = clean_text(remarks)
    if not text:
        return out
    for item in _remark_items(text):
        bare = re.sub(r"^alt\.\s+", "", item, flags=re.I)
        low = bare.lower()
        matched = False
        for pattern, kind in _ID_PATTERNS:
            if m := pattern.match(bare):
                out["identifiers"].append(identifier(kind, m.group(1).rstrip(",")))
                matched = True
                break
        if matched:
            continue
        if low.startswith(("nationality ", "citizen ")):
            out["countries"].append(bare.split(" ", 1)[1])
        elif low.startswith("linked to:"):
            out["links"].append(EntryLink("linked_to", None, bare.split(":", 1)[1].strip()))
        elif low.startswith("a.k.a. ") or low.startswith("f.k.a. "):
            out["notes"].append(f"weak alias: {bare[7:].strip(chr(39))}")
        elif low.startswith(("dob ", "pob ")):
            out["notes"].append(f"{bare[:3].upper()}: {bare[4:]}")
        else:
            out["notes"].append(item)
    return out


def _address_text(address: str | None, city: str | None, country: str | None) -> str | None:
    parts = [clean_text(address), clean_text(city), clean_text(country)]
    text = ", ".join(p for p in parts if p)
    return text or None


def build_entry(
    record: dict[str, Any],
    aliases: Iterable[tuple[str, str]],
    addresses: Iterable[tuple[str | None, str | None, str | None]],
    ids_by_name: Mapping[str, str] | None = None,
) -> ListEntry | str:
    """One SDN entry from its main record, (alias type, name) pairs and address parts.

    ``ids_by_name`` (case-folded SDN name -> ent_num) resolves "Linked To: NAME"
    remarks to the other entry's id, so the links form a graph.
    """
    ent_num = clean_text(record.get("ent_num"))
    name = clean_text(record.get("sdn_name"))
    if ent_num is None:
        return "missing ent_num"
    if name is None:
        return f"SDN {ent_num} has no name"
    remarks = parse_remarks(record.get("remarks"))
    alias_names: list[str | None] = []
    former: list[str | None] = []
    for kind, alias in aliases:
        alias_text = clean_text(alias)
        if kind.strip().lower().rstrip(".") in {"fka", "f.k.a"}:
            former.append(alias_text)
        else:  # aka, nka (now known as: the list still names the old one first)
            alias_names.append(alias_text)
    address_list: list[str | None] = []
    countries: list[str | None] = [country_code(c) for c in remarks["countries"]]
    for street, city, country in addresses:
        address_list.append(_address_text(street, city, country))
        countries.append(country_code(country))
    notes = list(remarks["notes"])
    if title := clean_text(record.get("title")):
        notes.insert(0, f"title: {title}")
    identifiers = [Identifier("ofac", ent_num), *remarks["identifiers"]]
    if record.get("designation_date_source"):
        notes.append(f"designation date source: {record['designation_date_source']}")
    programs = record.get("programs")
    program_list = programs if isinstance(programs, list) else split_programs(programs)
    return ListEntry(
        entry_id=ent_num,
        schema=schema_of(record.get("sdn_type"), name),
        name=name,
        aliases=tuple(a for a in unique(alias_names) if a != name),
        former_names=unique(former),
        addresses=unique(address_list),
        countries=unique(countries),
        identifiers=tuple(dict.fromkeys(identifiers)),
        programs=unique(program_list),
        listed_on=iso_date(record.get("designation_date")),
        links=tuple(
            dict.fromkeys(
                replace(
                    link, target_id=(ids_by_name or {}).get((link.target_name or "").casefold())
                )
                for link in remarks["links"]
            )
        ),
        notes=unique(notes),
        raw={k: v for k, v in record.items() if v not in (None, "", "-0-", [])},
    )


def _find(folder: Path, name: str) -> Path | None:
    for p in folder.iterdir():
        if p.name.lower() == name:
            return p
    return None


def _rows(
    path: Path, ctx: ParseContext, columns: tuple[str, ...], label: str | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """Header-less OFAC rows as dicts; '-0-' becomes ''. The trailing Ctrl-Z is ignored."""
    with path.open("rb") as handle:
        reader = csv.reader(decoded_lines(handle, ctx, label))
        for cells in reader:
            row = reader.line_num
            if not cells or all(not c.strip() or c.strip() == "\x1a" for c in cells):
                continue
            if len(cells) < 2:
                ctx.problem(
                    f"expected {len(columns)} columns, got {len(cells)}; row skipped",
                    row=row,
                    source=label,
                )
                continue
            values = [("" if c.strip() == "-0-" else c.strip()) for c in cells]
            yield row, dict(zip(columns, values, strict=False))


def parse_trio(sdn: Path, ctx: ParseContext) -> Iterator[Parsed]:
    """The official files: sdn.csv with alt.csv, add.csv and sdn_comments.csv beside it
    (each optional), joined on ent_num."""
    folder = sdn.parent
    aliases: dict[str, list[tuple[str, str]]] = defaultdict(list)
    addresses: dict[str, list[tuple[str | None, str | None, str | None]]] = defaultdict(list)
    comments: dict[str, str] = {}
    if alt := _find(folder, "alt.csv"):
        for _row, rec in _rows(alt, ctx, ALT_COLUMNS, str(alt)):
            aliases[rec["ent_num"]].append((rec.get("alt_type", ""), rec.get("alt_name", "")))
    if add := _find(folder, "add.csv"):
        for _row, rec in _rows(add, ctx, ADD_COLUMNS, str(add)):
            addresses[rec["ent_num"]].append(
                (rec.get("address"), rec.get("city_province_postal"), rec.get("country"))
            )
    ids_by_name = {
        rec["sdn_name"].casefold(): rec["ent_num"]
        for _row, rec in _rows(sdn, ParseContext(ctx.source), SDN_COLUMNS)
        if rec.get("sdn_name")
    }
    if com := _find(folder, "sdn_comments.csv"):
        for _row, rec in _rows(com, ctx, ("ent_num", "remarks_extended"), str(com)):
            comments[rec["ent_num"]] = rec.get("remarks_extended", "")
    for row, rec in _rows(sdn, ctx, SDN_COLUMNS):
        if not rec["ent_num"].isdigit():
            ctx.problem(f"ent_num {rec['ent_num']!r} is not a number; row skipped", row=row)
            continue
        if rec["ent_num"] in comments:
            rec["remarks"] = (rec.get("remarks") or "") + " " + comments[rec["ent_num"]]
        result = build_entry(
            rec, aliases.get(rec["ent_num"], ()), addresses.get(rec["ent_num"], ()), ids_by_name
        )
        if isinstance(result, str):
            ctx.problem(result, row=row)
            continue
        yield row, result


def _split_flat(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(" | ") if p.strip()]


def parse_flat(path: Path, ctx: ParseContext) -> Iterator[Parsed]:
    """A flattened SDN CSV with a header, plus ``<stem>_aliases.csv`` when present."""
    companion = path.with_name(path.stem + "_aliases.csv")
    extra: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if companion.exists() and companion != path:
        with companion.open("rb") as handle:
            for rec in csv.DictReader(decoded_lines(handle, ctx, str(companion))):
                extra[rec.get("ent_num", "")].append(
                    (rec.get("alias_type", "aka"), rec.get("alias_name", ""))
                )
    with path.open("rb") as handle:
        ids_by_name = {
            (rec.get("sdn_name") or "").casefold(): (rec.get("ent_num") or "").strip()
            for rec in csv.DictReader(decoded_lines(handle, ParseContext(ctx.source)))
        }
    with path.open("rb") as handle:
        reader = csv.DictReader(decoded_lines(handle, ctx))
        for rec in reader:
            row = reader.line_num
            if None in rec:
                ctx.problem("more cells than header columns; row skipped", row=row)
                continue
            if not (rec.get("ent_num") or "").strip().isdigit():
                ctx.problem(
                    f"ent_num {rec.get('ent_num')!r} is not a number; row skipped",
                    row=row,
                    field="ent_num",
                )
                continue
            pairs: list[tuple[str, str]] = []
            for item in _split_flat(rec.get("aliases")):
                kind, _, alias = item.partition(":")
                pairs.append((kind, alias) if alias else ("aka", kind))
            pairs.extend(extra.get(rec["ent_num"], ()))
            # Flattened addresses end with the country ("..., Urumqi, China").
            addresses = [
                (a, None, None)
                if known_country(a.rsplit(",", 1)[-1]) is None
                else (a.rsplit(",", 1)[0] if "," in a else None, None, a.rsplit(",", 1)[-1])
                for a in _split_flat(rec.get("addresses"))
            ]
            result = build_entry(dict(rec), pairs, addresses, ids_by_name)
            if isinstance(result, str):
                ctx.problem(result, row=row)
                continue
            yield row, result


def parse(path: Path, ctx: ParseContext) -> Iterator[Parsed]:
    """OFAC SDN CSV: a folder or sdn.csv (legacy trio), or a flattened header CSV."""
    if path.is_dir():
        sdn = _find(path, "sdn.csv")
        if sdn is None:
            ctx.problem("no sdn.csv in the folder")
            return
        yield from parse_trio(sdn, ctx)
        return
    with path.open("rb") as handle:
        first = handle.readline().decode("utf-8", errors="replace").lower()
    if "ent_num" in first and "sdn_name" in first:
        yield from parse_flat(path, ctx)
    else:
        yield from parse_trio(path, ctx)


def parse_json(path: Path, ctx: ParseContext) -> Iterator[Parsed]:
    """OFAC SDN records as a JSON array with nested aliases and addresses."""
    try:
        records = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        ctx.problem(f"not valid JSON ({exc})")
        return
    if not isinstance(records, list):
        ctx.problem("expected a JSON array of SDN records")
        return
    ids_by_name = {
        str(r.get("sdn_name") or "").casefold(): str(r.get("ent_num") or "")
        for r in records
        if isinstance(r, dict)
    }
    for number, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            ctx.problem("expected an object", row=number)
            continue
        pairs = [
            (str(a.get("type", "aka")), str(a.get("name", "")))
            for a in rec.get("aliases") or ()
            if isinstance(a, dict)
        ]
        addresses = [
            (a.get("address"), a.get("city_province_postal"), a.get("country"))
            for a in rec.get("addresses") or ()
            if isinstance(a, dict)
        ]
        result = build_entry(rec, pairs, addresses, ids_by_name)
        if isinstance(result, str):
            ctx.problem(result, row=number)
            continue
        yield number, result
