"""The DHS UFLPA Entity List as published: an HTML page of tables, one per section.

The page has no ids, addresses or structured aliases: each row is one cell of
prose plus an effective date, e.g.::

    Hoshine Silicon Industry (Shanshan) Co., Ltd (including one alias: Hesheng
    Silicon Industry (Shanshan) Co.) and subsidiaries

``parse_cell`` turns such a cell into a name, aliases, former names, named
subsidiaries and a scope note. Names may contain parentheses ("(Shanshan)"), so
the alias clause is found by its wording and closed by counting brackets, and a
stated alias count ("two aliases") decides how an ambiguous list splits.

Also read: a CSV with the raw cell text (``raw_cell_text`` plus ``section``
and ``effective_date`` columns), the shape researchers pass around.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flscreen.errors import InvalidInput, Problem
from flscreen.lists.base import (
    ParseContext,
    Parsed,
    clean_text,
    decoded_lines,
    iso_date,
    slug_id,
    unique,
)
from flscreen.model.lists import EntryLink, ListEntry

ID_PREFIX = "uflpa"
SECTION_RE = re.compile(
    r"2\s*\(\s*d\s*\)\s*\(\s*2\s*\)\s*\(\s*B\s*\)\s*\(\s*(i{1,3}|iv|v)\s*\)", re.I
)
LIST_SECTIONS = ("2(d)(2)(B)(i)", "2(d)(2)(B)(ii)", "2(d)(2)(B)(iv)", "2(d)(2)(B)(v)")
"""The four entity lists of UFLPA section 2(d)(2)(B), in the order the page shows them."""
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_NUMBERS |= {"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_ALIAS_OPEN = re.compile(
    r"\(\s*(?:(?:and|including)\s+(?P<count>\w+)\s+alias(?:es)?\s*:"
    r"|(?P<former>formerly\s+known\s+as)\s*:?"
    r"|(?:also\s+known\s+as|a\.k\.a\.|aka)\s*:?)\s*",
    re.I,
)
_SCOPE_SUBORDINATES = re.compile(
    r"^,?\s*and\s+(?:its\s+)?(?P<scope>subordinate\s+and\s+affiliated\s+entities|subordinates)\s*$",
    re.I,
)
_SCOPE_SUBSIDIARIES = re.compile(r"^,?\s*and\s+(?:its\s+)?subsidiaries\s*$", re.I)
_NAMED_SUBSIDIARIES = re.compile(
    r"^,?\s*and\s+its\s+(?:(?P<count>\w+)\s+)?(?:[\w-]+-based\s+)?subsidiar(?:y|ies)"
    r",?\s*(?:which\s+include|including|:)?\s*(?P<list>.+)$",
    re.I,
)
_COMPANY_WORDS = re.compile(
    r"\b(co\b|co\.|company|corp|corporation|ltd|limited|inc\b|inc\.|group|holdings?|llc|plc|gmbh)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Cell:
    """What one UFLPA name cell says."""

    name: str
    aliases: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    subsidiaries: tuple[str, ...] = ()
    scope_note: str | None = None
    warnings: tuple[str, ...] = field(default=())


def _close_paren(text: str, start: int) -> int:
    """Index of the ')' closing the '(' at ``start``, or -1."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _strip_item(item: str) -> str:
    item = item.strip().strip(",;").strip()
    return re.sub(r"^(?:and|or)\s+", "", item, flags=re.I).strip()


def split_names(text: str, expected: int | None = None) -> list[str]:
    """Split 'A; B; and C' (or 'A and B', 'A, B, and C') into names.

    Semicolons are the list's own separator; commas and a bare 'and' are tried
    only when a stated count says there must be more than one name, because
    names contain both ('Trade and Business Co., Ltd.').
    """
    text = text.strip()
    candidates: list[list[str]] = []
    if ";" in text:
        candidates.append([_strip_item(p) for p in text.split(";")])
    candidates.append([text])
    if expected and expected > 1:
        parts = re.split(r",\s+and\s+|,\s+(?=[A-Z0-9])|\s+and\s+(?=[A-Z0-9])", text)
        candidates.append([_strip_item(p) for p in parts])
        candidates.append([_strip_item(p) for p in re.split(r"\s+and\s+", text)])
    for names in candidates:
        names = [n for n in names if n]
        if expected is None or len(names) == expected:
            return names
    return [n for n in candidates[0] if n]


def parse_cell(cell: str) -> Cell:
    """Name, aliases, former names, subsidiaries and scope of one UFLPA cell."""
    text = " ".join(cell.split())
    warnings: list[str] = []
    aliases: list[str] = []
    former: list[str] = []
    rest = ""
    match = _ALIAS_OPEN.search(text)
    end = _close_paren(text, match.start()) if match else -1
    if match and end > 0:
        name = text[: match.start()].strip().rstrip(",")
        inner = text[match.end() : end]
        rest = text[end + 1 :].strip()
        count_word = (match.group("count") or "").lower()
        expected = _NUMBERS.get(count_word)
        if count_word and expected is None and count_word.isdigit():
            expected = int(count_word)
        # "(also known as A; and formerly known as B)": split the former part off.
        parts = re.split(r";?\s*(?:and\s+)?formerly\s+known\s+as\s*:?\s*", inner, flags=re.I)
        first = split_names(parts[0], expected if len(parts) == 1 else None)
        later_former = [n for part in parts[1:] for n in split_names(part)]
        if match.group("former"):
            former.extend(first)
        else:
            aliases.extend(first)
        former.extend(later_former)
        if expected is not None and len(aliases) + len(former) != expected:
            warnings.append(
                f"the cell states {count_word} alias(es) but {len(aliases) + len(former)} were read"
            )
    else:
        name, rest = text, ""
        tail = re.search(
            r",?\s+and\s+(?:its\s+)?(?:\w+\s+)?(?:[\w-]+-based\s+)?(?:subsidiar|subordinate)",
            text,
            re.I,
        )
        if tail:
            name, rest = text[: tail.start()].strip(), text[tail.start() :].strip()
    subsidiaries: list[str] = []
    scope: str | None = None
    if rest:
        if _SCOPE_SUBSIDIARIES.match(rest):
            scope = "and subsidiaries"
        elif m := _SCOPE_SUBORDINATES.match(rest):
            scope = "and its " + " ".join(m.group("scope").lower().split())
        elif m := _NAMED_SUBSIDIARIES.match(rest):
            count = _NUMBERS.get((m.group("count") or "").lower())
            subsidiaries = split_names(m.group("list"), count)
            scope = "and named subsidiaries"
        else:
            warnings.append(f"text after the name not understood: {rest!r}")
    return Cell(
        name=name,
        aliases=unique(aliases),
        former_names=unique(former),
        subsidiaries=unique(subsidiaries),
        scope_note=scope,
        warnings=tuple(warnings),
    )


def _schema(name: str) -> str:
    return "company" if _COMPANY_WORDS.search(name) else "organization"


def section_of(text: str | None) -> str | None:
    """'2(d)(2)(B)(ii)' from any text mentioning the section."""
    if not text:
        return None
    m = SECTION_RE.search(text)
    return f"2(d)(2)(B)({m.group(1).lower()})" if m else None


def cell_entries(
    cell_text: str, section: str | None, effective: str | None, raw: dict[str, str]
) -> tuple[list[ListEntry], tuple[str, ...]]:
    """The entry for a cell and one per named subsidiary, with warnings."""
    cell = parse_cell(cell_text)
    if not cell.name:
        return [], ("no entity name in the cell",)
    programs = (section,) if section else ()
    notes = [f"scope: {cell.scope_note}"] if cell.scope_note else []
    main_id = slug_id(ID_PREFIX, cell.name)
    subs = [(slug_id(ID_PREFIX, s), s) for s in cell.subsidiaries]
    main = ListEntry(
        entry_id=main_id,
        schema=_schema(cell.name),
        name=cell.name,
        aliases=cell.aliases,
        former_names=cell.former_names,
        programs=programs,
        listed_on=effective,
        links=tuple(EntryLink("parent_of", sid, sname) for sid, sname in subs),
        notes=tuple(notes),
        raw=raw,
    )
    out = [main]
    for sid, sname in subs:
        out.append(
            ListEntry(
                entry_id=sid,
                schema=_schema(sname),
                name=sname,
                programs=programs,
                listed_on=effective,
                links=(EntryLink("subsidiary_of", main_id, cell.name),),
                notes=(f"listed as a subsidiary of {cell.name}",),
                raw=raw,
            )
        )
    return out, cell.warnings


def _merge(a: ListEntry, b: ListEntry) -> ListEntry:
    """One entity listed in two sections (the list does this) is one entry."""
    dates = sorted(d for d in (a.listed_on, b.listed_on) if d)
    raws = [*a.raw.get("rows", [a.raw]), b.raw]
    return replace(
        a,
        aliases=unique([*a.aliases, *b.aliases]),
        former_names=unique([*a.former_names, *b.former_names]),
        programs=unique([*a.programs, *b.programs]),
        listed_on=dates[0] if dates else None,
        links=tuple(dict.fromkeys([*a.links, *b.links])),
        notes=unique([*a.notes, *b.notes]),
        raw={"rows": raws},
    )


class _Collector:
    """Entries by id in first-seen order; the whole list is a few hundred rows."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[int | None, ListEntry]] = {}

    def add(self, row: int | None, entry: ListEntry) -> None:
        if entry.entry_id in self.entries:
            first_row, existing = self.entries[entry.entry_id]
            self.entries[entry.entry_id] = (first_row, _merge(existing, entry))
        else:
            self.entries[entry.entry_id] = (row, entry)


def _row_entries(
    collector: _Collector,
    ctx: ParseContext,
    row: int | None,
    cell_text: str,
    section: str | None,
    date_text: str | None,
    raw: dict[str, str],
) -> None:
    effective = iso_date(date_text)
    if date_text and effective is None:
        ctx.warn(
            f"effective date {date_text!r} is not a date; the entry was kept without one",
            row=row,
            field="effective_date",
        )
    entries, warnings = cell_entries(cell_text, section, effective, raw)
    if not entries:
        ctx.problem("no entity name in the cell", row=row)
        return
    for warning in warnings:
        ctx.warn(f"{warning} (the entry was kept)", row=row)
    for entry in entries:
        collector.add(row, entry)


def parse(path: Path, ctx: ParseContext) -> Iterator[Parsed]:
    """Entries from the UFLPA Entity List page (every table with an entity column)."""
    import lxml.etree
    import lxml.html

    raw_bytes = path.read_bytes()  # the page is a few hundred kB
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Saved from a browser in a legacy encoding: read it, but say so.
        line = raw_bytes[: exc.start].count(b"\n") + 1
        ctx.warn("not UTF-8; read as Windows-1252 (check non-ASCII names)", row=line)
        text = raw_bytes.decode("cp1252", errors="replace")
    try:
        doc = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise InvalidInput([Problem(ctx.source, f"not readable as HTML ({exc})")]) from None
    collector = _Collector()
    record = 0
    tables = [t for t in doc.iter("table") if _is_entity_table(t)]
    sections = [_table_section(t) for t in tables]
    by_order = not any(sections) and len(tables) == len(LIST_SECTIONS)
    if by_order:
        # The page's four tables are the four lists, in the statute's order; with
        # no heading text to read (a trimmed copy), the order says which is which.
        sections = list(LIST_SECTIONS)
        ctx.warn("no section headings found; sections assigned by table order (i, ii, iv, v)")
    for table, section in zip(tables, sections, strict=True):
        header: list[str] | None = None
        for tr in table.iter("tr"):
            # Cells in document order; a row may head itself with <th scope="row">.
            cells = [c for c in tr if c.tag in ("th", "td")]
            texts = [" ".join(c.text_content().split()) for c in cells]
            if header is None:
                header = [t.lower() for t in texts]
                if not any("entity" in h or "name" in h for h in header):
                    break  # not an entity table
                continue
            if not any(texts):
                continue
            record += 1
            data = dict(zip(header, texts, strict=False))
            name_col = next((h for h in header if "entity" in h or "name" in h), header[0])
            date_col = next((h for h in header if "date" in h), None)
            row_section = section_of(" ".join(texts)) or section
            raw = {"cell": data.get(name_col, ""), "section": row_section or "", **data}
            line = tr.sourceline if isinstance(tr.sourceline, int) else record
            _row_entries(
                collector,
                ctx,
                line,
                data.get(name_col, ""),
                row_section,
                data.get(date_col) if date_col else None,
                raw,
            )
    if not collector.entries:
        ctx.problem("no UFLPA entity table found (expected a table with an entity name column)")
    yield from collector.entries.values()


def _is_entity_table(table: Any) -> bool:
    """A table whose first row names an entity column."""
    for tr in table.iter("tr"):
        heads = [" ".join(c.text_content().split()).lower() for c in tr if c.tag in ("th", "td")]
        return any("entity" in h or "name" in h for h in heads)
    return False


def _table_section(table: object) -> str | None:
    """The section a table lists, from its caption or the nearest text before it."""
    from lxml.html import HtmlElement

    assert isinstance(table, HtmlElement)
    caption = table.find("caption")
    if caption is not None and (found := section_of(caption.text_content())):
        return found
    node = table.getprevious()
    steps = 0
    parent = table.getparent()
    while steps < 6:
        if node is None:
            if parent is None:
                return None
            node, parent = parent.getprevious(), parent.getparent()
        else:
            if found := section_of(node.text_content()):
                return found
            node = node.getprevious()
        steps += 1
    return None


def parse_csv(path: Path, ctx: ParseContext) -> Iterator[Parsed]:
    """Entries from a CSV with ``raw_cell_text``, ``section`` and ``effective_date``."""
    collector = _Collector()
    with path.open("rb") as handle:
        reader = csv.DictReader(decoded_lines(handle, ctx))
        if reader.fieldnames is None:
            return
        reader.fieldnames = [f.strip().lower() for f in reader.fieldnames]
        for record in reader:
            row = reader.line_num
            if None in record:
                ctx.problem("more cells than header columns; row skipped", row=row)
                continue
            cell = clean_text(record.get("raw_cell_text"))
            if cell is None:
                ctx.problem("raw_cell_text is empty; row skipped", row=row, field="raw_cell_text")
                continue
            section = section_of(record.get("section")) or clean_text(record.get("section"))
            date_text = clean_text(record.get("effective_date") or record.get("effective_date_raw"))
            raw = {k: v for k, v in record.items() if v}
            _row_entries(collector, ctx, row, cell, section, date_text, raw)
    yield from collector.entries.values()
