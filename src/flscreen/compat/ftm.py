"""List entries as FollowTheMoney entities: the shape yente answers in and Aleph reads.

Every entry becomes a party entity (Company, Organization, Person, Vessel or
LegalEntity) whose id is ``{list}-{entry_id}``, so one id names one entry of
one list in every answer; its listing becomes a Sanction entity citing the list
version, and the links the list names become Ownership, Directorship and the
other interval entities. Values go through ``followthemoney`` so a property
the schema does not know, or a country it cannot read, never reaches a client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from followthemoney import EntityProxy, model
from followthemoney.schema import Schema

from flscreen.model.lists import EntryLink, ListEntry, ListVersionRef

FTM_SCHEMA = {
    "company": "Company",
    "organization": "Organization",
    "person": "Person",
    "vessel": "Vessel",
    "other": "LegalEntity",
}
"""flscreen entry schema -> FtM schema."""

FLSCREEN_SCHEMA = {
    "Company": "company",
    "Organization": "organization",
    "PublicBody": "organization",
    "Person": "person",
    "Vessel": "vessel",
}
"""FtM schema of a query -> flscreen's; any other matchable schema is 'unknown' (None)."""

IDENTIFIER_PROPS = {
    "uscc": "registrationNumber",
    "registration": "registrationNumber",
    "passport": "passportNumber",
    "tax": "taxNumber",
    "inn": "innCode",
    "ogrn": "ogrnCode",
    "lei": "leiCode",
    "imo": "imoNumber",
}
"""Identifier kind -> FtM property; any other kind is an ``idNumber``."""

QUERY_ID_PROPS = (
    "registrationNumber",
    "taxNumber",
    "idNumber",
    "innCode",
    "ogrnCode",
    "leiCode",
    "uscCode",
    "passportNumber",
    "imoNumber",
)
QUERY_COUNTRY_PROPS = ("country", "jurisdiction", "mainCountry", "nationality", "citizenship")
QUERY_NAME_PROPS = ("name", "alias", "previousName", "weakAlias", "abbreviation")

# (FtM link schema, property naming this entry, property naming the other) by the
# relation as seen from this entry.
LINK_SHAPES: dict[str, tuple[str, str, str]] = {
    "owned_by": ("Ownership", "asset", "owner"),
    "subsidiary_of": ("Ownership", "asset", "owner"),
    "owns": ("Ownership", "owner", "asset"),
    "parent_of": ("Ownership", "owner", "asset"),
    "director_of": ("Directorship", "director", "organization"),
    "has_director": ("Directorship", "organization", "director"),
    "member_of": ("Membership", "member", "organization"),
    "has_member": ("Membership", "organization", "member"),
    "employed_by": ("Employment", "employee", "employer"),
    "employs": ("Employment", "employer", "employee"),
    "represents": ("Representation", "agent", "client"),
    "represented_by": ("Representation", "client", "agent"),
    "family_of": ("Family", "person", "relative"),
    "associate_of": ("Associate", "person", "associate"),
    "linked_to": ("UnknownLink", "subject", "object"),
}


def entity_id(list_name: str, entry_id: str) -> str:
    """The FtM id of an entry: list name and entry id, so ids never collide across lists."""
    return f"{list_name}-{entry_id}"


def split_entity_id(value: str, list_names: Iterable[str]) -> tuple[str, str] | None:
    """(list, entry id) of an id made by :func:`entity_id`; the longest list name wins
    (list names may contain '-')."""
    for name in sorted(list_names, key=len, reverse=True):
        if value.startswith(name + "-") and len(value) > len(name) + 1:
            return name, value[len(name) + 1 :]
    return None


def topics_of(ref: ListVersionRef, entry: ListEntry) -> tuple[str, ...]:
    """FtM topics of a listing: 'sanction' for every screening list, plus
    'forced.labor' for the UFLPA Entity List and withhold release orders."""
    raw_topics = entry.raw.get("properties", {}).get("topics") if entry.raw else None
    topics = {"sanction"}
    if isinstance(raw_topics, list):
        topics.update(t for t in raw_topics if isinstance(t, str))
    fmt = (ref.format or "").lower()
    if "uflpa" in fmt or "wro" in fmt or "uflpa" in ref.list_name.lower():
        topics.add("forced.labor")
    return tuple(sorted(topics))


def _schema(entry: ListEntry) -> Schema:
    schema = model.get(FTM_SCHEMA.get(entry.schema, "LegalEntity"))
    assert schema is not None
    return schema


def entry_entity(ref: ListVersionRef, entry: ListEntry) -> EntityProxy:
    """The party entity of a list entry: every name, address, country and identifier."""
    proxy = model.make_entity(_schema(entry))
    proxy.id = entity_id(ref.list_name, entry.entry_id)
    proxy.add("name", entry.name)
    proxy.add("alias", [a for a in entry.aliases if a != entry.name])
    proxy.add("previousName", list(entry.former_names))
    proxy.add("address", list(entry.addresses), quiet=True)
    proxy.add("country", list(entry.countries), quiet=True)
    for ident in entry.identifiers:
        prop = IDENTIFIER_PROPS.get(ident.kind, "idNumber")
        if not proxy.schema.get(prop):
            prop = "idNumber"
        proxy.add(prop, ident.value, quiet=True)
    proxy.add("program", list(entry.programs), quiet=True)
    proxy.add("notes", list(entry.notes), quiet=True)
    proxy.add("topics", list(topics_of(ref, entry)), quiet=True)
    if ref.source.startswith(("http://", "https://")):
        proxy.add("sourceUrl", ref.source, quiet=True)
    return proxy


def sanction_entity(ref: ListVersionRef, entry: ListEntry) -> EntityProxy:
    """The listing itself: which list, which version (by its sha256), since when."""
    proxy = model.make_entity("Sanction")
    proxy.id = f"{entity_id(ref.list_name, entry.entry_id)}-listing"
    proxy.add("entity", entity_id(ref.list_name, entry.entry_id))
    proxy.add("authority", ref.list_name)
    proxy.add("program", list(entry.programs), quiet=True)
    proxy.add("listingDate", entry.listed_on, quiet=True)
    proxy.add("recordId", entry.entry_id)
    proxy.add("retrievedAt", ref.retrieved_at or ref.imported_at, quiet=True)
    proxy.add("summary", f"{ref.list_name} version {ref.version} (sha256 {ref.sha256})")
    if ref.source.startswith(("http://", "https://")):
        proxy.add("sourceUrl", ref.source, quiet=True)
    return proxy


@dataclass(frozen=True, slots=True)
class LinkEntity:
    """A link entity and the id of the entry it points at (None when the list names the
    other side only by name, which becomes a stub party)."""

    proxy: EntityProxy
    other_id: str | None
    stub: EntityProxy | None


def link_entities(ref: ListVersionRef, entry: ListEntry) -> list[LinkEntity]:
    """The entry's links as FtM interval entities; a side named only by name becomes
    a LegalEntity stub so no link points nowhere."""
    own_id = entity_id(ref.list_name, entry.entry_id)
    out = []
    for n, link in enumerate(entry.links):
        shape = LINK_SHAPES.get(link.relation, LINK_SHAPES["linked_to"])
        schema, own_prop, other_prop = shape
        proxy = model.make_entity(schema)
        proxy.id = f"{own_id}-link-{n}"
        other_id, stub = _link_target(ref, link, proxy.id)
        if other_id is None:
            continue
        proxy.add(own_prop, own_id)
        proxy.add(other_prop, other_id)
        if link.share is not None and schema == "Ownership":
            proxy.add("percentage", f"{link.share:g}")
        if link.role:
            proxy.add("role", link.role, quiet=True)
        out.append(LinkEntity(proxy, other_id, stub))
    return out


def _link_target(
    ref: ListVersionRef, link: EntryLink, link_id: str
) -> tuple[str | None, EntityProxy | None]:
    if link.target_id:
        return entity_id(ref.list_name, link.target_id), None
    if not link.target_name:
        return None, None
    stub = model.make_entity("LegalEntity")
    stub.id = f"{link_id}-party"
    stub.add("name", link.target_name)
    return stub.id, stub


def entry_entities(ref: ListVersionRef, entry: ListEntry) -> list[EntityProxy]:
    """Everything one entry says, as FtM entities: the party, its listing, its links."""
    out = [entry_entity(ref, entry), sanction_entity(ref, entry)]
    for link in link_entities(ref, entry):
        out.append(link.proxy)
        if link.stub is not None:
            out.append(link.stub)
    return out


# --- queries ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExampleQuery:
    """What flscreen screens, read from an FtM-shaped example (yente's query body)."""

    schema: Schema
    names: tuple[str, ...]
    country: str | None
    address: str | None
    registration_id: str | None

    @property
    def flscreen_schema(self) -> str | None:
        return FLSCREEN_SCHEMA.get(self.schema.name)


class ExampleError(ValueError):
    """An example the FtM model cannot read: unknown schema or property."""


def read_example(schema_name: str, properties: Mapping[str, Any]) -> ExampleQuery:
    """Parse an example entity as yente does: the schema must be matchable and every
    property must belong to it; values are cleaned by FtM (countries to codes)."""
    schema = model.get(schema_name)
    if schema is None:
        raise ExampleError(f"unknown schema {schema_name!r}")
    if not schema.matchable:
        raise ExampleError(f"schema {schema_name!r} cannot be matched")
    proxy = model.make_entity(schema)
    for prop_name, values in properties.items():
        if schema.get(prop_name) is None:
            raise ExampleError(f"schema {schema.name} has no property {prop_name!r}")
        items = values if isinstance(values, list) else [values]
        for value in items:
            if value is not None and not isinstance(value, (str, int, float)):
                raise ExampleError(f"property {prop_name!r}: expected text, got {value!r}")
            if value is not None:
                proxy.add(prop_name, str(value), quiet=True)
    names = [*_person_names(proxy)]
    for prop in QUERY_NAME_PROPS:
        if schema.get(prop) is not None:
            names.extend(proxy.get(prop, quiet=True))
    unique_names = tuple(dict.fromkeys(n for n in names if n.strip()))
    if not unique_names:
        raise ExampleError("the example has no name (properties.name)")
    return ExampleQuery(
        schema=schema,
        names=unique_names,
        country=_first(proxy, QUERY_COUNTRY_PROPS),
        address=_first(proxy, ("address",)),
        registration_id=_first(proxy, QUERY_ID_PROPS),
    )


def _person_names(proxy: EntityProxy) -> list[str]:
    if not proxy.schema.is_a("Person"):
        return []
    first = proxy.first("firstName", quiet=True)
    last = proxy.first("lastName", quiet=True)
    return [" ".join(p for p in (first, last) if p)] if first or last else []


def _first(proxy: EntityProxy, props: Iterable[str]) -> str | None:
    for prop in props:
        if proxy.schema.get(prop) is not None:
            value = proxy.first(prop, quiet=True)
            if value:
                return value
    return None
