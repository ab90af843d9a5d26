"""Supply-chain records as an importer keeps them (see docs/formats.md).

Plain slotted dataclasses: the tracing engines build millions of these.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class Party:
    party_id: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    address: str | None = None
    registration_id: str | None = None
    phone: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True, slots=True)
class Facility:
    facility_id: str
    operator_id: str
    name: str
    kind: str
    """farm, ginner, spinner, mill, cut-and-sew, polysilicon-plant, ..."""
    country: str | None = None
    address: str | None = None
    postal_code: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Ownership:
    owner_id: str
    owned_id: str
    share: float | None = None
    """Percent of equity, 0-100, when known."""
    control: bool = False
    """True when the owner controls the owned party whatever the share."""


@dataclass(frozen=True, slots=True)
class Transaction:
    transaction_id: str
    supplier_id: str
    buyer_id: str
    material: str
    quantity: float
    unit: str
    date: str
    """ISO date."""
    supplier_facility_id: str | None = None
    buyer_facility_id: str | None = None
    documents: tuple[str, ...] = ()
    kind: str = "documented"
    """The evidence the edge rests on: 'documented' (the importer's own records) or
    another kind such as 'inferred' (from bills of lading); tracing carries it to every
    step so a path says what it stands on."""
    provenance: str | None = None
    """Where a non-documented edge comes from (e.g. a bill-of-lading reference)."""


@dataclass(frozen=True, slots=True)
class BomLine:
    """One input of a product: one ``per`` of ``product`` takes ``quantity`` ``unit`` of
    ``material`` (e.g. one piece of t-shirt takes 0.2 kg of fabric).

    ``quantity`` is the gross input (losses included) unless ``yield_`` is given: then it
    is the net content and the gross input is ``quantity / yield_`` (a loss of 8% is a
    yield of 0.92). ``per`` defaults to the product's base unit (pcs, kg, ...).
    """

    product: str
    material: str
    quantity: float | None = None
    unit: str | None = None
    per: str | None = None
    yield_: float | None = None


@dataclass(frozen=True, slots=True)
class Shipment:
    shipment_id: str
    importer_id: str
    exporter_id: str
    manufacturer_id: str
    product: str
    hs_code: str
    quantity: float
    unit: str
    value: float | None
    declared_origin: str | None
    date: str
    documents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    document_id: str
    kind: str
    sha256: str | None = None
    path: str | None = None


@dataclass(slots=True)
class SupplyPackage:
    """Everything one import brings in, validated as a whole before it is written."""

    parties: list[Party] = field(default_factory=list)
    facilities: list[Facility] = field(default_factory=list)
    ownership: list[Ownership] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    bom: list[BomLine] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ListHitFact:
    """A list entry a party or facility matched, as stored at annotation time.

    ``status`` is 'match' (score at or above the matcher's threshold) or
    'possible' (in the review band): possible hits taint as 'possible', never dropped.
    """

    entry_id: str
    list_name: str
    list_version: int
    name: str
    matched_name: str
    score: float
    status: Literal["match", "possible"]
    programs: tuple[str, ...] = ()
    listed_on: str | None = None
    sources: tuple[str, ...] = ()
    """Datasets that published the entry, as the list file named them (see ListEntry)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class LocationFact:
    """Where region placed a party or facility (a summary of region's Location)."""

    status: Literal["xinjiang", "elsewhere", "unknown", "conflict"]
    xpcc: bool = False
    division_code: str | None = None
    division_name: str | None = None
    confidence: float = 0.0
    signals: tuple[str, ...] = ()
    """One readable sentence per signal, e.g. 'address: 阿克苏市 (Aksu, Xinjiang)'."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Annotation:
    """Taint facts about one party or facility, with the versions they rest on."""

    subject_kind: Literal["party", "facility"]
    subject_id: str
    hits: tuple[ListHitFact, ...] = ()
    location: LocationFact | None = None
    list_versions: tuple[str, ...] = ()
    """'list_name@version' of every list the matcher searched."""
    matcher: str | None = None
    """Matching algorithm name and version."""
    gazetteer: str | None = None
    """Region gazetteer/algorithm version."""
    annotated_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Annotation:
        loc = data.get("location")
        return cls(
            subject_kind=data["subject_kind"],
            subject_id=data["subject_id"],
            hits=tuple(
                ListHitFact(
                    **{
                        **h,
                        "programs": tuple(h.get("programs", ())),
                        "sources": tuple(h.get("sources", ())),
                    }
                )
                for h in data.get("hits", ())
            ),
            location=(
                LocationFact(**{**loc, "signals": tuple(loc.get("signals", ()))}) if loc else None
            ),
            list_versions=tuple(data.get("list_versions", ())),
            matcher=data.get("matcher"),
            gazetteer=data.get("gazetteer"),
            annotated_at=data.get("annotated_at"),
        )


@dataclass(slots=True)
class Annotations:
    """Annotations of a package's parties and facilities, keyed by their ids."""

    parties: dict[str, Annotation] = field(default_factory=dict)
    facilities: dict[str, Annotation] = field(default_factory=dict)
