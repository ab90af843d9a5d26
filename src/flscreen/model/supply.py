"""Supply-chain records as an importer keeps them (see docs/formats.md).

Plain slotted dataclasses: the tracing engines build millions of these.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass(frozen=True, slots=True)
class BomLine:
    """One input of a product: making 1 unit of ``product`` uses ``quantity`` of ``material``."""

    product: str
    material: str
    quantity: float | None = None
    unit: str | None = None


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
