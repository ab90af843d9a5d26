"""flscreen's store as FollowTheMoney entities, for Aleph-style tools and OpenSanctions'
pipelines.

What goes out, each as the FtM schema made for it:

* **lists**: every entry of the latest version of each list, its listing
  (Sanction, citing list version and sha256) and its links (Ownership...);
* **supply**: the parties (Company), their facilities (Address, linked from the
  operator), ownership (Ownership), purchases and shipments (EconomicActivity,
  FtM's customs-record schema);
* **verdicts**: each shipment's latest verdict (Risk, with the policy, the
  outcome and every reason) and the list hits it rests on (Similar: party,
  list entry, score, matcher).

Entities are built through ``followthemoney``'s model, so every value is
validated for its property; ids are stable (list entries by list and entry id,
supply records by their own ids) so a second export merges with the first.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from followthemoney import EntityProxy, model
from sqlalchemy.engine import Connection

from flscreen.lists import store as lists_store
from flscreen.model.supply import Annotation, SupplyPackage

from .ftm import entity_id, entry_entities

PARTS = ("lists", "supply", "verdicts")


def party_id(party: str) -> str:
    return f"party-{party}"


def list_entities(conn: Connection, lists: Sequence[str] | None = None) -> Iterator[EntityProxy]:
    """Every entry of the latest version of ``lists`` (all when None), with listing and links."""
    for ref, entry in lists_store.iter_entries(conn, list(lists) if lists else None):
        yield from entry_entities(ref, entry)


def supply_entities(pkg: SupplyPackage) -> Iterator[EntityProxy]:
    """The declared supply chain: parties, facilities, ownership, purchases, shipments."""
    facility_ids: dict[str, list[str]] = {}
    for f in pkg.facilities:
        address = model.make_entity("Address")
        address.id = f"facility-{f.facility_id}"
        address.add("full", f.address or f.name)
        address.add("summary", f"{f.kind} facility {f.name} ({f.facility_id})")
        address.add("country", f.country, quiet=True)
        address.add("postalCode", f.postal_code, quiet=True)
        facility_ids.setdefault(f.operator_id, []).append(address.id)
        yield address
    for p in pkg.parties:
        company = model.make_entity("Company")
        company.id = party_id(p.party_id)
        company.add("name", p.name)
        company.add("alias", list(p.aliases))
        company.add("country", p.country, quiet=True)
        company.add("address", p.address, quiet=True)
        company.add("registrationNumber", p.registration_id, quiet=True)
        company.add("phone", p.phone, quiet=True)
        company.add("addressEntity", facility_ids.get(p.party_id, []))
        yield company
    for o in pkg.ownership:
        own = model.make_entity("Ownership")
        own.id = f"ownership-{o.owner_id}-{o.owned_id}"
        own.add("owner", party_id(o.owner_id))
        own.add("asset", party_id(o.owned_id))
        if o.share is not None:
            own.add("percentage", f"{o.share:g}")
        if o.control:
            own.add("ownershipType", "control")
        yield own
    for t in pkg.transactions:
        sale = model.make_entity("EconomicActivity")
        sale.id = f"transaction-{t.transaction_id}"
        sale.add("sender", party_id(t.supplier_id))
        sale.add("receiver", party_id(t.buyer_id))
        sale.add("goodsDescription", t.material)
        sale.add("date", t.date, quiet=True)
        sale.add("summary", f"{t.quantity:g} {t.unit} of {t.material}")
        sale.add("recordId", t.transaction_id)
        yield sale
    for s in pkg.shipments:
        entry = model.make_entity("EconomicActivity")
        entry.id = f"shipment-{s.shipment_id}"
        entry.add("declarant", party_id(s.importer_id))
        entry.add("sender", party_id(s.exporter_id))
        entry.add("receiver", party_id(s.importer_id))
        entry.add("contractHolder", party_id(s.manufacturer_id))
        entry.add("goodsDescription", s.product)
        entry.add("vedCode", s.hs_code)
        entry.add("originCountry", s.declared_origin, quiet=True)
        entry.add("date", s.date, quiet=True)
        entry.add("summary", f"{s.quantity:g} {s.unit} of {s.product}")
        entry.add("recordId", s.shipment_id)
        if s.value is not None:
            entry.add("invoiceAmount", f"{s.value:g}")
        yield entry


def hit_entities(subject: str, annotation: Annotation) -> Iterator[EntityProxy]:
    """The list hits behind a verdict: Similar (party -> list entry) with score and matcher."""
    for hit in annotation.hits:
        similar = model.make_entity("Similar")
        similar.id = f"hit-{subject}-{hit.list_name}-{hit.entry_id}"
        similar.add("candidate", subject)
        similar.add("match", entity_id(hit.list_name, hit.entry_id))
        similar.add("confidenceScore", f"{hit.score:.4f}")
        similar.add(
            "criteria", f"{hit.status}: {hit.matched_name!r} on {hit.list_name} v{hit.list_version}"
        )
        similar.add("matcher", annotation.matcher or "flscreen")
        yield similar


def verdict_entities(conn: Connection) -> Iterator[EntityProxy]:
    """Each shipment's latest verdict as a Risk, and the list hits of the parties."""
    from flscreen.policy.records import latest_screenings
    from flscreen.supply.store import load_annotations

    for shipment, screening in sorted(latest_screenings(conn).items()):
        verdict = screening.verdict
        risk = model.make_entity("Risk")
        risk.id = f"verdict-{shipment}-{screening.id}"
        risk.add("entity", f"shipment-{shipment}")
        risk.add("status", verdict.outcome)
        risk.add("authority", f"{verdict.policy} {verdict.policy_version}")
        risk.add("topics", "forced.labor")
        risk.add("startDate", screening.screened_at, quiet=True)
        risk.add("reason", [f"{r.outcome}: {r.code}: {r.text}" for r in verdict.reasons])
        risk.add(
            "summary",
            "lists: "
            + ", ".join(
                f"{n} v{v.get('version')}" for n, v in sorted(verdict.list_versions.items())
            ),
        )
        risk.add("recordId", str(screening.id))
        yield risk
    found = load_annotations(conn)
    for pid, annotation in sorted(found.parties.items()):
        yield from hit_entities(party_id(pid), annotation)
    for fid, annotation in sorted(found.facilities.items()):
        yield from hit_entities(f"facility-{fid}", annotation)


def export_entities(
    conn: Connection, parts: Sequence[str] = PARTS, lists: Sequence[str] | None = None
) -> Iterator[EntityProxy]:
    """The chosen parts of the store as FtM entities, lists first."""
    if "lists" in parts:
        yield from list_entities(conn, lists)
    if "supply" in parts:
        from flscreen.supply.store import load_package

        yield from supply_entities(load_package(conn))
    if "verdicts" in parts:
        yield from verdict_entities(conn)
