"""Guess a list file's format from its first bytes, and refuse the wrong one.

``sniff`` names what a file looks like, including formats flscreen cannot read
(an OFAC XML, a spreadsheet, OFAC's alt.csv on its own), so a refusal can say
"this looks like X" rather than fail on line 1 with a parse error.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from flscreen.errors import InvalidInput

FORMATS: dict[str, str] = {
    "ftm": "FollowTheMoney entities as JSON lines",
    "uflpa-html": "the DHS UFLPA Entity List web page (HTML table)",
    "uflpa-csv": "a UFLPA Entity List CSV with a raw_cell_text column",
    "ofac-csv": "the OFAC SDN CSV (sdn.csv with alt.csv/add.csv, or a flattened SDN CSV)",
    "ofac-json": "OFAC SDN records as a JSON array",
    "uk-csv": "the UK Sanctions List / OFSI consolidated list CSV",
    "eu-xml": "the EU consolidated financial sanctions list XML",
    "csv": "a plain CSV list, or an .xlsx workbook (name, aliases, country, address, identifiers)",
}
"""Formats flscreen reads, with the words used in messages."""

LOOKALIKES: dict[str, str] = {
    "ofac-alt": "OFAC's alt.csv (aliases only): import the folder or the sdn.csv beside it",
    "ofac-add": "OFAC's add.csv (addresses only): import the folder or the sdn.csv beside it",
    "ofac-aliases": "an OFAC alias table: import the SDN CSV it belongs to, next to it",
    "ofac-xml": "the OFAC SDN XML, which flscreen does not read: use the CSV files "
    "(sdn.csv, alt.csv, add.csv) from the same OFAC page",
    "uk-xml": "the UK sanctions list XML, which flscreen does not read: use the CSV",
    "zip": "a ZIP archive (or an old .xls workbook): unpack it or save it as .xlsx or CSV",
    "pdf": "a PDF document",
    "json-lines": "JSON lines that are not FollowTheMoney entities (no 'schema' key)",
    "json": "a JSON document that flscreen has no reader for",
    "xml": "an XML document that flscreen has no reader for",
    "csv-unknown": "a CSV file without a 'name' column",
    "blank": "a file with nothing but blank space",
}

_HEAD_BYTES = 65536


def describe(fmt: str) -> str:
    return FORMATS.get(fmt) or LOOKALIKES.get(fmt) or fmt


def _head(path: Path) -> str:
    with path.open("rb") as handle:
        raw = handle.read(_HEAD_BYTES)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith(b"PK\x03\x04"):
        # An Excel workbook carries the plain list's columns: the csv reader reads it.
        return "\x00csv" if b"xl/" in raw or b"[Content_Types].xml" in raw else "\x00zip"
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return "\x00zip"
    if raw.startswith(b"%PDF"):
        return "\x00pdf"
    return raw.decode("utf-8", errors="replace")


def _first_rows(text: str, count: int = 3) -> list[list[str]]:
    lines = text.splitlines()[: count + 1]
    try:
        return list(csv.reader(io.StringIO("\n".join(lines))))[:count]
    except csv.Error:
        return []


def sniff(path: Path) -> str | None:
    """The format ``path`` looks like (a FORMATS or LOOKALIKES key), or None."""
    if path.is_dir():
        names = {p.name.lower() for p in path.iterdir()}
        return "ofac-csv" if "sdn.csv" in names else None
    head = _head(path)
    if head.startswith("\x00"):
        return head[1:]
    text = head.lstrip()
    if not text:
        return "blank" if path.stat().st_size <= _HEAD_BYTES else None
    lower = text[:4000].lower()
    if text.startswith("{"):
        return "ftm" if '"schema"' in text.splitlines()[0] else "json-lines"
    if text.startswith("["):
        return "ofac-json" if '"ent_num"' in lower and '"sdn_name"' in lower else "json"
    if text.startswith("<"):
        return _sniff_markup(lower)
    rows = _first_rows(text)
    return _sniff_rows(rows) if rows else None


XML_SIGNS: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    ("ofac-xml", (("<sdnlist",),)),
    ("eu-xml", (("sanctionentity",), ("<export", "fsd"))),
    ("uk-xml", (("financialsanctionstarget",), ("<designations",))),
    ("uflpa-html", (("<html",), ("<table",), ("<!doctype html",))),
)
"""Markup formats by the words their first 4,000 characters carry: any one group
(all of its words) names the format; the first format that matches wins."""


def _sniff_markup(lower: str) -> str:
    for fmt, groups in XML_SIGNS:
        if any(all(word in lower for word in group) for group in groups):
            return fmt
    return "xml"


OFAC_LEGACY_WIDTHS = {5: "ofac-alt", 6: "ofac-add"}
"""OFAC's legacy files have no header and fixed widths: sdn.csv 12 columns (11 or
more accepted), alt.csv 5, add.csv 6."""


def _sniff_rows(rows: list[list[str]]) -> str:
    """The format of a CSV file from its first rows."""
    if rows[0] and re.fullmatch(r"\d+", rows[0][0].strip()):
        width = len(rows[0])
        return "ofac-csv" if width >= 11 else OFAC_LEGACY_WIDTHS.get(width, "csv-unknown")
    header = [c.strip().lower() for c in rows[0]]
    for fmt, test in HEADER_SIGNS:
        if test(header):
            return fmt
    from flscreen.lists.csv_user import SYNONYMS

    if {h.replace(" ", "_") for h in header} & set(SYNONYMS["name"]):
        return "csv"
    return "csv-unknown"


HEADER_SIGNS: tuple[tuple[str, Callable[[list[str]], bool]], ...] = (
    ("uk-csv", lambda h: bool(h) and (h[0].startswith("report date") or h[0] == "last updated")),
    ("uflpa-csv", lambda h: "raw_cell_text" in h),
    ("ofac-aliases", lambda h: "alias_name" in h and "aliases" not in h and "programs" not in h),
    ("ofac-csv", lambda h: "ent_num" in h and "sdn_name" in h),
    ("uk-csv", lambda h: "unique id" in h and ("name 6" in h or "name type" in h)),
    ("uk-csv", lambda h: "name 6" in h and "group id" in h),
)
"""CSV formats by their header (lower-cased cells), tried in order."""


def detect_format(path: Path, source: str, given: str | None = None) -> str:
    """The format to read ``path`` with: ``given`` if the file does not clearly
    look like another format, else the sniffed one. Raises InvalidInput naming
    what the file looks like when flscreen cannot read it as asked."""
    if given is not None and given not in FORMATS:
        raise InvalidInput(
            f"unknown format {given!r}; choose one of: {', '.join(FORMATS)}", source=source
        )
    looks = sniff(path)
    if given is None:
        if looks in FORMATS:
            return looks
        what = describe(looks) if looks else "no format flscreen knows"
        raise InvalidInput(
            f"cannot tell the list format: it looks like {what}. "
            f"Give --format ({', '.join(FORMATS)}).",
            source=source,
        )
    if looks is None or looks == given:
        return given
    if {given, looks} <= {"csv", "csv-unknown"}:
        return given
    raise InvalidInput(
        f"this looks like {describe(looks)}, not {describe(given)}"
        + (f"; use --format {looks} or leave --format out" if looks in FORMATS else ""),
        source=source,
    )
