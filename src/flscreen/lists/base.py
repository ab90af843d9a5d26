"""What every list-format parser shares: the parse context, ids, text helpers.

A parser is ``parse(path, ctx) -> Iterator[tuple[row, ListEntry]]``. It yields
entries as it reads (streaming) and reports a bad record with
``ctx.problem(...)`` and moves on; whether problems abort the import is the
service's decision (``--strict``), not the parser's.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from operator import mul
from pathlib import Path
from typing import IO

from flscreen.errors import Problem
from flscreen.model.lists import Identifier, ListEntry

Parsed = tuple[int | None, ListEntry]
"""(1-based row or record number in the source, entry)."""


@dataclass(slots=True)
class ParseContext:
    """Where the parser reports skipped records; ``source`` names the input in messages."""

    source: str
    problems: list[Problem] = field(default_factory=list)
    """Records skipped (bad row, duplicate id...): ``--strict`` refuses the file for these."""
    max_problems: int = 10_000
    problem_count: int = 0
    warnings: list[Problem] = field(default_factory=list)
    """Records kept with a caveat (a date that is not a date, a guessed section)."""

    def warn(
        self,
        message: str,
        row: int | None = None,
        field: str | None = None,
        source: str | None = None,
    ) -> None:
        """Record a caveat about a record that was kept."""
        if len(self.warnings) < self.max_problems:
            self.warnings.append(Problem(source or self.source, message, row=row, field=field))

    def problem(
        self,
        message: str,
        row: int | None = None,
        field: str | None = None,
        source: str | None = None,
    ) -> None:
        """Record a skipped record; ``source`` names a companion file when not the main one."""
        # Keep a bounded sample so a 1 GB file of garbage cannot exhaust memory.
        self.problem_count += 1
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(source or self.source, message, row=row, field=field))


Parser = Callable[[Path, ParseContext], Iterator[Parsed]]


def clean_text(value: object) -> str | None:
    """Trimmed text with inner whitespace collapsed; None for empty or placeholders."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    if not text or text in {"-0-", "-", "N/A", "n/a", "None", "null"}:
        return None
    return text


def unique(values: Iterable[str | None]) -> tuple[str, ...]:
    """Values in order without repeats or blanks."""
    seen: dict[str, None] = {}
    for v in values:
        if v:
            seen.setdefault(v, None)
    return tuple(seen)


_SLUG_RE = re.compile(r"[^0-9a-z]+")


def slug_id(prefix: str, name: str) -> str:
    """A stable readable id from a name, for lists that publish no ids of their own.

    'Hoshine Silicon Industry (Shanshan) Co., Ltd' -> 'uflpa-hoshine-silicon-industry-
    shanshan-co-ltd'. Accents fold to ASCII; a name with no Latin letters (e.g. only
    Chinese) gets a hash so ids stay ASCII and stable.
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = _SLUG_RE.sub("-", folded).strip("-")
    digest = hashlib.sha1(name.strip().casefold().encode()).hexdigest()[:10]
    if not slug:
        slug = digest
    elif len(slug) > 80:
        slug = slug[:80].rstrip("-") + "-" + digest
    return f"{prefix}-{slug}" if prefix else slug


@cache
def _country_cleaner() -> Callable[[str], str | None]:
    from followthemoney.types import registry

    def clean(value: str) -> str | None:
        result = registry.country.clean(value)
        return str(result) if result else None

    return clean


def country_code(value: str | None) -> str | None:
    """ISO 3166 alpha-2 (lower case, e.g. 'cn', 'hk') for a country name or code.

    Unknown text is kept as given (a list may name a region no code covers).
    """
    text = clean_text(value)
    if text is None:
        return None
    return _country_cleaner()(text) or text


def known_country(value: str | None) -> str | None:
    """ISO code of a recognised country name or code, else None (unlike country_code)."""
    text = clean_text(value)
    return _country_cleaner()(text) if text else None


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_VALUES = {c: i for i, c in enumerate(_USCC_ALPHABET)}


def is_uscc(value: str) -> bool:
    """True for a valid 18-character unified social credit code (check character included).

    A quick GB 32100-2015 check character test first (most non-codes fail it),
    then rigour's full validation (which also checks the embedded organisation code).
    """
    if len(value) != 18:
        return False
    try:
        total = sum(map(mul, map(_USCC_VALUES.__getitem__, value[:17]), _USCC_WEIGHTS))
        if _USCC_ALPHABET[(31 - total % 31) % 31] != value[17]:
            return False
    except KeyError:
        return False
    from rigour.ids import USCC

    return bool(USCC.is_valid(value))


_USCC_KINDS = {"registration", "tax", "id", "national_id", "other", "uscc"}


def identifier(kind: str, value: str) -> Identifier:
    """An Identifier; a registration/tax/id value that is a valid USCC gets kind 'uscc'.

    The 18-character unified social credit code carries the registering authority's
    division code (Xinjiang: 65...), so naming it lets region detection use it.
    """
    if kind in _USCC_KINDS and len(value) == 18 and is_uscc(value.upper()):
        return Identifier("uscc", value.upper())
    return Identifier(kind, value)


def iso_date(value: str | None) -> str | None:
    """'2022-06-21' from ISO text, 'June 21, 2022', '21/06/2022' or '21 Jun 2022'."""
    from datetime import datetime

    text = clean_text(value)
    if text is None:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", text):
        return text[:10]
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%d/%m/%Y", "%d %b %Y", "%d %B %Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


_CJK = re.compile(r"[\u3400-\u9fff]")


def decode_legacy(raw: bytes) -> tuple[str, str]:
    """Text of bytes that are not UTF-8, and the encoding used: GB18030 when that
    reads cleanly as Chinese (spreadsheets saved on Chinese Windows), else
    Windows-1252 (saved on Western Windows)."""
    try:
        text = raw.decode("gb18030")
        if _CJK.search(text):
            return text, "GB18030"
    except UnicodeDecodeError:
        pass
    return raw.decode("cp1252", errors="replace"), "Windows-1252"


def decoded_lines(handle: IO[bytes], ctx: ParseContext, source: str | None = None) -> Iterator[str]:
    """Lines of a binary stream as text. A line that is not UTF-8 is read as
    GB18030 or Windows-1252 (see ``decode_legacy``) and noted, so a record of a
    sanctioned party is not lost to a spreadsheet's encoding; ``--strict``
    refuses such a file."""
    first = True
    for number, raw in enumerate(handle, start=1):
        if first:
            first = False
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            text, encoding = decode_legacy(raw)
            ctx.warn(
                f"invalid UTF-8 at byte {exc.start} of the line; read as {encoding} "
                "(check the names; save the file as UTF-8)",
                row=number,
                source=source,
            )
            yield text
