"""A screening-list entry as flscreen keeps it, whatever format it came in."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMAS = ("company", "organization", "person", "vessel", "other")


@dataclass(frozen=True, slots=True)
class Identifier:
    """A registration or ID number: kind is e.g. 'uscc', 'ofac', 'passport', 'national_id'."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class EntryLink:
    """A relation named by the list: parent/subsidiary/owner with an optional share."""

    relation: str
    """'subsidiary_of', 'parent_of', 'owned_by', 'owns', 'linked_to', 'director_of',
    'has_director', 'member_of', 'has_member', 'employed_by', 'employs', 'represents',
    'represented_by', 'family_of', 'associate_of'."""
    target_id: str | None = None
    """The other entry's id in the same list, when the list names it."""
    target_name: str | None = None
    share: float | None = None
    """Ownership share in percent, when stated."""
    role: str | None = None
    """The list's own words for the relation (e.g. 'Chairman'), when it gives them."""


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One entry of one list version, with every name in every script as given.

    ``raw`` keeps the source record verbatim so any derived field can be checked.
    """

    entry_id: str
    schema: str
    name: str
    aliases: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    programs: tuple[str, ...] = ()
    """List section or sanctions programme, e.g. '2(d)(2)(B)(i)' or 'GLOMAG'."""
    listed_on: str | None = None
    """ISO date the entry took effect, when the list says."""
    links: tuple[EntryLink, ...] = ()
    notes: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    sources: tuple[str, ...] = ()
    """Datasets the source file says published the entry (an OpenSanctions FtM
    export names e.g. 'us_dhs_uflpa'): who listed it, whatever the list is called
    here, so a policy can recognise the listing by its origin."""

    @property
    def all_names(self) -> tuple[str, ...]:
        """Primary name first, then aliases and former names, without repeats."""
        seen: dict[str, None] = {}
        for n in (self.name, *self.aliases, *self.former_names):
            if n and n not in seen:
                seen[n] = None
        return tuple(seen)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListEntry:
        return cls(
            entry_id=data["entry_id"],
            schema=data["schema"],
            name=data["name"],
            aliases=tuple(data.get("aliases", ())),
            former_names=tuple(data.get("former_names", ())),
            addresses=tuple(data.get("addresses", ())),
            countries=tuple(data.get("countries", ())),
            identifiers=tuple(Identifier(**i) for i in data.get("identifiers", ())),
            programs=tuple(data.get("programs", ())),
            listed_on=data.get("listed_on"),
            links=tuple(EntryLink(**link) for link in data.get("links", ())),
            notes=tuple(data.get("notes", ())),
            raw=dict(data.get("raw") or {}),
            sources=tuple(data.get("sources", ())),
        )


@dataclass(frozen=True, slots=True)
class ListVersionRef:
    """Which version of which list an answer rests on: cite this, not 'the list'."""

    list_name: str
    version: int
    imported_at: str
    sha256: str
    source: str
    entry_count: int | None = None
    format: str | None = None
    """The format the version was read from (e.g. 'ftm', 'uflpa-html')."""
    retrieved_at: str | None = None
    """When the source was fetched (for URLs), else the import time."""
