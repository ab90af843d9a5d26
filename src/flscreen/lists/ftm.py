"""FollowTheMoney entities as JSON lines (how OpenSanctions publishes every dataset).

Party entities (Company, Organization, PublicBody, LegalEntity, Person, Vessel)
become entries. Other entities are folded into the entries they point at:
Ownership, Directorship, UnknownLink and the other interval links become
``EntryLink``s on both ends; Address entities become address strings; Sanction
entities give programmes, listing dates and reasons; Identification/Passport
give identifiers.

The file is read in up to three streaming passes so memory stays bounded by the
number of links and addresses, not by the number of entities: (1) collect the
folded entities, (2) collect the names of the entities links point at, (3) emit
entries. Pass 1 and 2 skip lines cheaply when they cannot matter.
"""

from __future__ import annotations

import re
from collections import ChainMap, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, cast

import orjson

from flscreen.lists.base import ParseContext, Parsed, clean_text, identifier, unique
from flscreen.model.lists import EntryLink, Identifier, ListEntry

PARTY_SCHEMATA = {
    "Person": "person",
    "Company": "company",
    "Organization": "organization",
    "PublicBody": "organization",
    "LegalEntity": "other",
    "Vessel": "vessel",
    "Airplane": "other",
}

# Link schema -> (source property, target property, relation seen from the
# source, relation seen from the target).
LINK_SCHEMATA: dict[str, tuple[str, str, str, str]] = {
    "Ownership": ("owner", "asset", "owns", "owned_by"),
    "Directorship": ("director", "organization", "director_of", "has_director"),
    "UnknownLink": ("subject", "object", "linked_to", "linked_to"),
    "Membership": ("member", "organization", "member_of", "has_member"),
    "Employment": ("employee", "employer", "employed_by", "employs"),
    "Representation": ("agent", "client", "represents", "represented_by"),
    "Family": ("person", "relative", "family_of", "family_of"),
    "Associate": ("person", "associate", "associate_of", "associate_of"),
}
SIDE_SCHEMATA = {"Address", "Sanction", "Identification", "Passport"}

# Identifier properties get short kinds; any other identifier-typed property keeps
# its FtM name as kind.
IDENTIFIER_KINDS = {
    "registrationNumber": "registration",
    "uscCode": "uscc",
    "innCode": "inn",
    "ogrnCode": "ogrn",
    "taxNumber": "tax",
    "vatCode": "vat",
    "leiCode": "lei",
    "dunsCode": "duns",
    "swiftBic": "bic",
    "imoNumber": "imo",
    "idNumber": "national_id",
    "passportNumber": "passport",
    "okpoCode": "okpo",
}
SKIP_IDENTIFIERS = {"wikidataId", "programId", "sayariId", "brightQueryId", "brightQueryOrgId"}
COUNTRY_PROPS = ("country", "jurisdiction", "mainCountry", "nationality", "citizenship")
_FOLDED_RE = re.compile(
    b'"(?:' + b"|".join(n.encode() for n in (*LINK_SCHEMATA, *SIDE_SCHEMATA)) + b')"'
)
"""Lines without a folded schema's name in quotes cannot be one: pass 1 skips them unparsed."""
_ID_RE = re.compile(rb'"id"\s*:\s*"([^"\\]+)"')


@cache
def _identifier_props(schema: str) -> tuple[tuple[str, str], ...]:
    """(property, kind) of identifier-typed properties of a schema, from the FtM model."""
    from followthemoney import model

    sch = model.get(schema)
    if sch is None:
        return ()
    out = []
    for name, prop in sch.properties.items():
        if prop.type.name == "identifier" and name not in SKIP_IDENTIFIERS:
            out.append((name, IDENTIFIER_KINDS.get(name, name)))
    return tuple(out)


@cache
def _known_schema(schema: str) -> bool:
    from followthemoney import model

    return model.get(schema) is not None


class _Side:
    """What the folded entities say about one party entity.

    Lists are created on first use: most parties have no links, and a million
    empty lists would cost more memory than the links themselves.
    """

    __slots__ = ("dates", "identifiers", "links", "notes", "programs", "sources")

    def __init__(self) -> None:
        self.links: list[EntryLink] = _EMPTY
        self.programs: list[str] = _EMPTY
        self.notes: list[str] = _EMPTY
        self.dates: list[str] = _EMPTY
        self.identifiers: list[Identifier] = _EMPTY
        self.sources: list[str] = _EMPTY

    def add(self, name: str, values: Iterable[Any]) -> None:
        items = list(values)
        if items:
            current = getattr(self, name)
            if current is _EMPTY:
                setattr(self, name, items)
            else:
                current.extend(items)


_EMPTY: list[Any] = []  # shared, never mutated (``_Side.add`` replaces it first)


def _props(entity: dict[str, Any]) -> dict[str, list[Any]]:
    props = entity.get("properties")
    return props if isinstance(props, dict) else {}


def _first(props: dict[str, list[Any]], name: str) -> str | None:
    for value in props.get(name) or ():
        text = clean_text(value)
        if text:
            return text
    return None


def _values(props: dict[str, list[Any]], name: str) -> list[str | None]:
    return [clean_text(v) for v in props.get(name) or () if not isinstance(v, dict)]


def _ref_ids(props: dict[str, list[Any]], name: str) -> list[str]:
    """Entity references: plain ids, or nested entities as OpenSanctions' nested export has."""
    out = []
    for value in props.get(name) or ():
        if isinstance(value, dict):
            if isinstance(value.get("id"), str):
                out.append(value["id"])
        elif isinstance(value, str) and value:
            out.append(value)
    return out


def _address_text(props: dict[str, list[Any]]) -> str | None:
    full = _first(props, "full")
    if full:
        return full
    parts = [
        _first(props, key)
        for key in ("street", "street2", "city", "postalCode", "region", "state", "country")
    ]
    text = ", ".join(p for p in parts if p)
    return text or None


def _loads(line: bytes, number: int, ctx: ParseContext) -> dict[str, Any] | None:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as bad:
            ctx.problem(f"invalid UTF-8 at byte {bad.start} of the line", row=number)
            return None
        ctx.problem(f"not valid JSON ({exc})", row=number)
        return None
    if not isinstance(value, dict):
        ctx.problem("expected a JSON object (an FtM entity)", row=number)
        return None
    return value


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if line.strip():
                yield number, line


def _fold(
    entity: dict[str, Any], sides: dict[str, _Side], addresses: dict[str, str], wanted: set[str]
) -> None:
    """Fold one link/address/sanction/identification entity into the parties it names."""
    schema = entity.get("schema")
    props = _props(entity)
    if schema in LINK_SCHEMATA:
        src_prop, dst_prop, rel_out, rel_in = LINK_SCHEMATA[schema]
        share = _share(props)
        role = _first(props, "role") or _first(props, "relationship")
        for src in _ref_ids(props, src_prop):
            for dst in _ref_ids(props, dst_prop):
                sides[src].add("links", [EntryLink(rel_out, dst, None, share, role)])
                sides[dst].add("links", [EntryLink(rel_in, src, None, share, role)])
                wanted.add(src)
                wanted.add(dst)
    elif schema == "Address":
        text = _address_text(props)
        if text and isinstance(entity.get("id"), str):
            addresses[entity["id"]] = text
    elif schema == "Sanction":
        for target in _ref_ids(props, "entity"):
            side = sides[target]
            side.add("programs", (p for p in _values(props, "program") if p))
            side.add("programs", (p for p in _values(props, "programId") if p))
            side.add("sources", _datasets(entity))
            side.add("notes", (f"sanction reason: {r}" for r in _values(props, "reason") if r))
            side.add(
                "notes",
                (f"sanction provisions: {r}" for r in _values(props, "provisions") if r),
            )
            side.add(
                "dates",
                (
                    d
                    for key in ("listingDate", "startDate", "date")
                    for d in _values(props, key)
                    if d
                ),
            )
    elif schema in {"Identification", "Passport"}:
        number_text = _first(props, "number")
        if number_text:
            kind = "passport" if schema == "Passport" else (_first(props, "type") or "id")
            for holder in _ref_ids(props, "holder"):
                sides[holder].add("identifiers", [identifier(kind, number_text)])


def _collect_sides(path: Path) -> tuple[dict[str, _Side], dict[str, str], set[str]]:
    """Pass 1: folded entities. Returns sides by party id, address text by address
    id, and the ids of parties that links point at (their names are needed)."""
    sides: dict[str, _Side] = defaultdict(_Side)
    addresses: dict[str, str] = {}
    wanted: set[str] = set()
    quiet = ParseContext("")  # pass 3 reports bad lines once
    for number, line in _lines(path):
        if _FOLDED_RE.search(line) is None:
            continue
        entity = _loads(line, number, quiet)
        if entity is not None and entity.get("schema") not in PARTY_SCHEMATA:
            _fold(entity, sides, addresses, wanted)
    return sides, addresses, wanted


def _nested(
    entity_id: str,
    props: dict[str, list[Any]],
    side: _Side | None,
    addresses: Mapping[str, str],
    names: Mapping[str, str],
) -> tuple[_Side | None, Mapping[str, str], Mapping[str, str]]:
    """Fold entities nested inside a party's properties (OpenSanctions' nested
    export: ``sanctions``, ``addressEntity``, ``ownershipOwner``... hold whole
    entities) into its side data, addresses and the names of linked parties."""
    nested = [
        v
        for values in props.values()
        if values and type(values) is list and type(values[0]) is dict
        for v in values
        if type(v) is dict
    ]
    if not nested:
        return side, addresses, names
    local_sides: dict[str, _Side] = defaultdict(_Side)
    local_addresses: dict[str, str] = {}
    local_names: dict[str, str] = {}
    for inner in nested:
        inner_props = _props(inner)
        for values in inner_props.values():
            for v in values if isinstance(values, list) else ():
                is_party = isinstance(v, dict) and v.get("schema") in PARTY_SCHEMATA
                if is_party and v.get("id") and (caption := _caption(v, _props(v))):
                    local_names[str(v["id"])] = caption
        _fold(inner, local_sides, local_addresses, set())
    merged = _Side()
    for part in (side, local_sides.get(entity_id)):
        if part is not None:
            for name in _Side.__slots__:
                merged.add(name, getattr(part, name))
    # Overlays, not copies: the file-wide maps can hold millions of ids.
    return (
        merged,
        ChainMap(local_addresses, cast(dict[str, str], addresses)),
        ChainMap(local_names, cast(dict[str, str], names)),
    )


def _share(props: dict[str, list[Any]]) -> float | None:
    text = _first(props, "percentage") or _first(props, "sharesCount")
    if text is None:
        return None
    try:
        return float(text.rstrip("%").replace(",", "."))
    except ValueError:
        return None


def _collect_names(path: Path, wanted: set[str]) -> dict[str, str]:
    """Pass 2: captions of the entities that links point at."""
    names: dict[str, str] = {}
    if not wanted:
        return names
    for _number, line in _lines(path):
        # Only parse lines that mention a wanted id (ids are plain ASCII in practice).
        ids = _ID_RE.findall(line)
        if ids and not any(i.decode("utf-8", "replace") in wanted for i in ids):
            continue
        try:
            entity = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(entity, dict):
            continue
        entity_id = entity.get("id")
        if entity_id in wanted and entity.get("schema") in PARTY_SCHEMATA:
            name = _caption(entity, _props(entity))
            if name:
                names[entity_id] = name
    return names


def _caption(entity: dict[str, Any], props: dict[str, list[Any]]) -> str | None:
    caption = clean_text(entity.get("caption"))
    names = [n for n in _values(props, "name") if n]
    if caption and (caption in names or not names):
        return caption
    if names:
        return names[0]
    first, last = _first(props, "firstName"), _first(props, "lastName")
    joined = " ".join(p for p in (first, last) if p)
    return joined or None


def _datasets(entity: Mapping[str, Any]) -> list[str]:
    """The datasets an entity says it comes from (OpenSanctions' ``datasets``, e.g.
    'us_dhs_uflpa'). Topics ('sanction', 'export.control') are a classification,
    not a programme or a source, and stay in ``raw`` only."""
    value = entity.get("datasets")
    if not isinstance(value, list):
        return []
    return [t for v in value if isinstance(v, str) and (t := v.strip())]


def _listed_on(entity: dict[str, Any], dates: list[str]) -> str | None:
    """Earliest ISO date among sanction/listing dates, createdAt and first_seen."""
    first_seen = clean_text(entity.get("first_seen"))
    candidates = [*dates, first_seen] if first_seen else dates
    dated = [c[:10] for c in candidates if len(c) >= 10 and c[4] == "-"]
    return min(dated) if dated else None


_PROP_ROLES = {
    "name": "name",
    "alias": "alias",
    "previousName": "former",
    "address": "address",
    "addressEntity": "address_ref",
    "parent": "parent",
    "notes": "note",
    "summary": "note",
    "description": "note",
    "weakAlias": "weak",
    "program": "program",
    "createdAt": "date",
    **dict.fromkeys(COUNTRY_PROPS, "country"),
}


@cache
def _roles(schema: str) -> dict[str, str]:
    """Property -> role for a schema: the fixed roles plus 'id:<kind>' for identifiers."""
    roles = dict(_PROP_ROLES)
    for prop, kind in _identifier_props(schema):
        roles[prop] = f"id:{kind}"
    return roles


def to_entry(
    entity: dict[str, Any],
    side: _Side | None,
    addresses: Mapping[str, str],
    names: Mapping[str, str],
) -> ListEntry | str:
    """The entry for a party entity, or the reason it cannot be one."""
    entity_id = entity.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        return "entity has no 'id'"
    schema = entity["schema"]
    props = _props(entity)
    # One pass over the properties the entity has (a handful), not over every
    # property its schema could have (dozens): this is the import's hot loop.
    side, addresses, names = _nested(entity_id, props, side, addresses, names)
    roles = _roles(schema)
    found: dict[str, list[str]] = {}
    identifiers: list[Identifier] = []
    for prop, values in props.items():
        role = roles.get(prop)
        if role is None or not isinstance(values, list):
            continue
        if role == "address_ref" or role == "parent":
            cleaned = _ref_ids(props, prop)
        else:
            # Whitespace collapsed inline (no function call per value: hot loop).
            cleaned = [c for v in values if type(v) is str and (c := " ".join(v.split()))]
            if role[:3] == "id:":
                identifiers.extend([identifier(role[3:], v) for v in cleaned])
                continue
        if role in found:
            found[role].extend(cleaned)
        else:
            found[role] = cleaned
    name = _caption(entity, props)
    if name is None:
        return f"{schema} {entity_id!r} has no name"
    get = found.get
    none: list[str] = []
    aliases = tuple(a for a in unique([*get("name", none), *get("alias", none)]) if a != name)
    address_list: list[str | None] = list(get("address", none))
    if "address_ref" in found:
        address_list += [addresses.get(ref) for ref in found["address_ref"]]
    links = [EntryLink("subsidiary_of", p, names.get(p)) for p in get("parent", none)]
    notes = get("note", none) + [f"weak alias: {w}" for w in get("weak", none)]
    programs = get("program", none)
    dates = get("date", none)
    sources = _datasets(entity)
    if side is not None:
        identifiers += side.identifiers
        programs = programs + side.programs
        sources = sources + side.sources
        notes = notes + side.notes
        dates = dates + side.dates
        links += [
            EntryLink(
                link.relation,
                link.target_id,
                names.get(link.target_id or ""),
                link.share,
                link.role,
            )
            for link in side.links
        ]
    return ListEntry(
        entry_id=entity_id,
        schema=PARTY_SCHEMATA[schema],
        name=name,
        aliases=aliases,
        former_names=unique(get("former", none)),
        addresses=unique(address_list),
        countries=unique([c.lower() for c in get("country", none)]),
        identifiers=tuple(dict.fromkeys(identifiers)) if identifiers else (),
        programs=unique(programs),
        listed_on=_listed_on(entity, dates),
        links=tuple(dict.fromkeys(links)) if links else (),
        notes=unique(notes),
        raw=entity,
        sources=unique(sources),
    )


def parse(path: Path, ctx: ParseContext) -> Iterator[Parsed]:
    """Stream entries from an FtM JSON-lines file (see the module docstring)."""
    sides, addresses, wanted = _collect_sides(path)
    names = _collect_names(path, wanted)
    wanted.clear()
    for number, line in _lines(path):
        entity = _loads(line, number, ctx)
        if entity is None:
            continue
        schema = entity.get("schema")
        if not isinstance(schema, str):
            ctx.problem("entity has no 'schema'", row=number, field="schema")
            continue
        if schema not in PARTY_SCHEMATA:
            if schema in LINK_SCHEMATA or schema in SIDE_SCHEMATA or _known_schema(schema):
                continue  # folded into parties, or not a party (e.g. a Document)
            ctx.problem(f"unknown FtM schema {schema!r}", row=number, field="schema")
            continue
        entity_id = entity.get("id")
        result = to_entry(
            entity, sides.get(entity_id) if isinstance(entity_id, str) else None, addresses, names
        )
        if isinstance(result, str):
            ctx.problem(result, row=number)
            continue
        yield number, result
