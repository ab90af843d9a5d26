"""The EU consolidated financial sanctions list (FSF) as XML (schema 1.1).

``<export>`` holds one ``<sanctionEntity logicalId=... euReferenceNumber=...>``
per designation, with ``<nameAlias wholeName=... strong=...>``,
``<subjectType code="person|enterprise">``, ``<regulation programme=...
entryIntoForceDate=...>``, ``<citizenship countryIso2Code=...>``,
``<identification identificationTypeCode=... number=...>``, ``<address ...>``,
``<birthdate ...>`` and ``<remark>``. Entities are read one at a time with
``iterparse`` and cleared, so memory does not grow with the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flscreen.errors import InvalidInput, Problem
from flscreen.lists.base import (
    ParseContext,
    Parsed,
    clean_text,
    country_code,
    identifier,
    iso_date,
    unique,
)
from flscreen.model.lists import Identifier, ListEntry

_COMPANY_WORDS = re.compile(
    r"\b(co|company|corp|corporation|ltd|limited|inc|llc|group|holdings?|jsc|ooo|pjsc|plc|"
    r"gmbh|trading|industr\w*|technolog\w*|enterprises?|factory)\b",
    re.I,
)
_ID_KINDS = {
    "passport": "passport",
    "id": "national_id",
    "regnumber": "registration",
    "tax": "tax",
    "fiscalcode": "tax",
    "imo": "imo",
    "swiftbic": "bic",
    "other": "other",
}


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _attr(el: Any, name: str) -> str | None:
    return clean_text(el.get(name))


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c.tag) == name]


def _name(alias: Any) -> str | None:
    whole = _attr(alias, "wholeName")
    if whole:
        return whole
    parts = [_attr(alias, k) for k in ("firstName", "middleName", "lastName")]
    return " ".join(p for p in parts if p) or None


def _address(el: Any) -> tuple[str | None, str | None]:
    parts = [
        _attr(el, k)
        for k in ("street", "poBox", "place", "city", "zipCode", "region", "countryDescription")
    ]
    text = ", ".join(p for p in parts if p and p.upper() != "UNKNOWN")
    return (text or None), _iso2(_attr(el, "countryIso2Code"))


def _iso2(code: str | None) -> str | None:
    if not code or code == "00":
        return None
    return country_code(code)


def to_entry(el: Any) -> ListEntry | str:
    """An entry from one ``sanctionEntity`` element, or why it cannot be one."""
    from lxml import etree

    entity_id = _attr(el, "logicalId") or _attr(el, "euReferenceNumber")
    if entity_id is None:
        return "sanctionEntity without logicalId"
    strong: list[str | None] = []
    weak: list[str | None] = []
    for alias in _children(el, "nameAlias"):
        (weak if (alias.get("strong") or "true").lower() == "false" else strong).append(
            _name(alias)
        )
    names = unique([*strong, *weak])
    if not names:
        return f"sanctionEntity {entity_id} has no nameAlias"
    primary = (unique(strong) or names)[0]
    subject = next(iter(_children(el, "subjectType")), None)
    code = (subject.get("code") if subject is not None else "") or ""
    if code == "person":
        schema = "person"
    else:
        schema = "company" if _COMPANY_WORDS.search(primary) else "organization"
    programs: list[str | None] = []
    dates: list[str] = []
    for reg in _children(el, "regulation"):
        programs.append(_attr(reg, "programme"))
        for key in ("entryIntoForceDate", "publicationDate"):
            if date := iso_date(reg.get(key)):
                dates.append(date)
                break
    if designated := iso_date(el.get("designationDate")):
        dates.append(designated)
    addresses: list[str | None] = []
    countries: list[str | None] = []
    for address in _children(el, "address"):
        text, country = _address(address)
        addresses.append(text)
        countries.append(country)
    for citizen in _children(el, "citizenship"):
        countries.append(_iso2(_attr(citizen, "countryIso2Code")))
    identifiers = (
        [Identifier("eu_reference", ref)] if (ref := _attr(el, "euReferenceNumber")) else []
    )
    if un_id := _attr(el, "unitedNationId"):
        identifiers.append(Identifier("un_reference", un_id))
    for ident in _children(el, "identification"):
        number = _attr(ident, "number")
        if number:
            code = (ident.get("identificationTypeCode") or "other").lower()
            identifiers.append(identifier(_ID_KINDS.get(code, code), number))
    notes: list[str | None] = [clean_text(r.text) for r in _children(el, "remark")]
    for birth in _children(el, "birthdate"):
        when = _attr(birth, "birthdate") or _attr(birth, "year")
        where = ", ".join(
            p for p in (_attr(birth, "city"), _attr(birth, "countryDescription")) if p
        )
        if when:
            notes.append(f"DOB: {when}")
        if where:
            notes.append(f"POB: {where}")
    notes.extend(f"weak alias: {w}" for w in unique(weak) if w not in strong)
    return ListEntry(
        entry_id=entity_id,
        schema=schema,
        name=primary,
        aliases=tuple(n for n in unique(strong) if n != primary),
        addresses=unique(addresses),
        countries=unique(countries),
        identifiers=tuple(dict.fromkeys(identifiers)),
        programs=unique(programs),
        listed_on=min(dates) if dates else None,
        notes=unique(notes),
        raw={"xml": etree.tostring(el, encoding="unicode")},
    )


def parse(path: Path, ctx: ParseContext) -> Iterator[Parsed]:
    """Stream entries from the EU FSF XML."""
    from lxml import etree

    count = 0
    try:
        for _event, el in etree.iterparse(str(path), events=("end",), huge_tree=True):
            if _local(el.tag) != "sanctionEntity":
                continue
            count += 1
            line = el.sourceline if isinstance(el.sourceline, int) else count
            result = to_entry(el)
            if isinstance(result, str):
                ctx.problem(result, row=line)
            else:
                yield line, result
            el.clear()
            while el.getprevious() is not None:
                parent = el.getparent()
                if parent is None:
                    break
                del parent[0]
    except etree.XMLSyntaxError as exc:
        # A truncated or corrupt file must not become a version missing entries.
        raise InvalidInput(
            [
                Problem(
                    ctx.source, f"XML is not well-formed ({exc.msg}); nothing imported", exc.lineno
                )
            ]
        ) from None
    if count == 0:
        ctx.problem("no <sanctionEntity> elements: not an EU consolidated list XML")
