"""Taint sources per party and facility, from annotations, ownership and XPCC names.

Pure over the graph: the annotation step (matching, region) ran before and
left its answers in ``graph.annotations``; nothing here calls a matcher.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from flscreen.model.supply import Annotation, Facility
from flscreen.model.trace import SourceKind, TaintSource
from flscreen.trace.config import TraceConfig
from flscreen.trace.graph import Flow, SupplyGraph

XPCC_NAME = re.compile(
    r"生产建设兵团|兵团|production\s+and\s+construction\s+corps?|\bxpcc\b|bingtuan", re.IGNORECASE
)
Confidence = Literal["confirmed", "possible"]


@dataclass(frozen=True, slots=True)
class TaintIndex:
    """What taints each party and each facility, plus the parties gaps care about."""

    party: dict[str, tuple[TaintSource, ...]]
    facility: dict[str, tuple[TaintSource, ...]]
    unknown: frozenset[str]
    """Parties that cannot be screened: 'unknown supplier' or no country/address/id."""
    raw_producers: frozenset[str]
    """Parties operating a farm, mine or other raw-material facility."""
    facilities_of: dict[str, tuple[Facility, ...]] = field(default_factory=dict)

    def for_supplier(self, party_id: str, facility_id: str | None) -> tuple[TaintSource, ...]:
        """Sources that taint goods sold by ``party_id`` from ``facility_id`` (None: unnamed).

        When the sale names no facility, a tainted facility of the seller counts
        too: 'confirmed' if it is the seller's only facility, else 'possible'.
        """
        found = list(self.party.get(party_id, ()))
        if facility_id is not None:
            return _prefer_facility(found, self.facility.get(facility_id, ()))
        own = self.facilities_of.get(party_id, ())
        extra: list[TaintSource] = []
        for facility in own:
            for src in self.facility.get(facility.facility_id, ()):
                if len(own) > 1 and src.confidence == "confirmed":
                    src = TaintSource(
                        kind=src.kind,
                        party_id=src.party_id,
                        facility_id=src.facility_id,
                        confidence="possible",
                        detail=src.detail + f" (the sale names no facility; the seller has "
                        f"{len(own)} facilities)",
                        evidence=src.evidence,
                    )
                extra.append(src)
        return _prefer_facility(found, extra)

    def for_flow(self, flow: Flow) -> tuple[TaintSource, ...]:
        return self.for_supplier(flow.txn.supplier_id, flow.txn.supplier_facility_id)

    def is_raw_producer(self, flow: Flow, config: TraceConfig) -> bool:
        facility_id = flow.txn.supplier_facility_id
        if facility_id is not None:
            for facility in self.facilities_of.get(flow.txn.supplier_id, ()):
                if facility.facility_id == facility_id:
                    return facility.kind in config.raw_producer_kinds
        return flow.txn.supplier_id in self.raw_producers


def _prefer_facility(
    party: list[TaintSource], facility: Sequence[TaintSource]
) -> tuple[TaintSource, ...]:
    """Party and facility sources without repeats: where both say 'in Xinjiang' (or
    'XPCC') with the same confidence, the facility's (more specific) answer stands."""
    covered = {(s.kind, s.confidence) for s in facility if s.kind in ("region", "xpcc")}
    kept = [s for s in party if (s.kind, s.confidence) not in covered]
    return (*kept, *facility)


def _list_sources(
    ann: Annotation, party_id: str, facility_id: str | None, label: str
) -> list[TaintSource]:
    out = []
    for hit in ann.hits:
        confidence: Confidence = "confirmed" if hit.status == "match" else "possible"
        verb = "matches" if hit.status == "match" else "possibly matches"
        out.append(
            TaintSource(
                kind="list",
                party_id=party_id,
                facility_id=facility_id,
                confidence=confidence,
                detail=f"{label} {verb} {hit.list_name} entry {hit.name!r} "
                f"(version {hit.list_version}, score {hit.score:.2f})",
                evidence={
                    "list": hit.list_name,
                    "list_version": hit.list_version,
                    "entry_id": hit.entry_id,
                    "name": hit.name,
                    "matched_name": hit.matched_name,
                    "score": hit.score,
                    "status": hit.status,
                    "programs": list(hit.programs),
                    "sources": list(hit.sources),
                    "listed_on": hit.listed_on,
                    "matcher": ann.matcher,
                    "list_versions": list(ann.list_versions),
                    "annotated_at": ann.annotated_at,
                },
            )
        )
    return out


def _location_sources(
    ann: Annotation, party_id: str, facility_id: str | None, label: str
) -> list[TaintSource]:
    loc = ann.location
    if loc is None:
        return []
    evidence: dict[str, Any] = {
        "status": loc.status,
        "division_code": loc.division_code,
        "division_name": loc.division_name,
        "xpcc": loc.xpcc,
        "confidence": loc.confidence,
        "signals": list(loc.signals),
        "gazetteer": ann.gazetteer,
        "annotated_at": ann.annotated_at,
    }
    out: list[TaintSource] = []
    where = loc.division_name or "Xinjiang"
    if loc.status == "xinjiang":
        out.append(
            TaintSource(
                "region", party_id, facility_id, "confirmed", f"{label} is in {where}", evidence
            )
        )
    elif loc.status == "conflict":
        out.append(
            TaintSource(
                "region",
                party_id,
                facility_id,
                "possible",
                f"{label}: location signals conflict, some point to Xinjiang",
                evidence,
            )
        )
    if loc.xpcc:
        out.append(
            TaintSource(
                "xpcc",
                party_id,
                facility_id,
                "confirmed" if loc.status == "xinjiang" else "possible",
                f"{label} is an XPCC (Bingtuan) unit or in an XPCC-administered place ({where})",
                {**evidence, "basis": "location"},
            )
        )
    return out


def _ownership_sources(
    graph: SupplyGraph,
    roots: dict[str, Confidence],
    threshold: float,
    kind: SourceKind,
    root_reason: dict[str, str],
) -> dict[str, TaintSource]:
    """Parties owned (summed shares >= threshold) or controlled by roots, transitively.

    Shares of several tainted owners add up (OFAC's aggregation under the 50% rule).
    """
    owners: dict[str, list[Any]] = defaultdict(list)
    for link in graph.ownership:
        owners[link.owned_id].append(link)
    status: dict[str, Confidence] = dict(roots)
    via: dict[str, list[dict[str, Any]]] = {}
    changed = True
    while changed:
        changed = False
        for owned, links in owners.items():
            if roots.get(owned) == "confirmed":
                continue
            tainted = [link for link in links if link.owner_id in status]
            if not tainted:
                continue
            confirmed = [link for link in tainted if status[link.owner_id] == "confirmed"]

            def reaches(group: list[Any]) -> bool:
                total = sum(link.share or 0.0 for link in group)
                return any(link.control for link in group) or total >= threshold

            if reaches(confirmed):
                level: Confidence = "confirmed"
            elif reaches(tainted):
                level = "possible"
            else:
                continue
            if status.get(owned) == level or status.get(owned) == "confirmed":
                continue
            status[owned] = level
            via[owned] = [
                {
                    "owner": link.owner_id,
                    "owner_name": graph.party_name(link.owner_id),
                    "owned": owned,
                    "share": link.share,
                    "control": link.control,
                    "owner_confidence": status[link.owner_id],
                }
                for link in tainted
            ]
            changed = True
    out: dict[str, TaintSource] = {}
    for owned, hops in via.items():
        chain = _chain(owned, via)
        root = chain[0]["owner"] if chain else hops[0]["owner"]
        total = sum(h["share"] or 0.0 for h in hops)
        control = any(h["control"] for h in hops)
        how = "controlled" if control and total < threshold else f"{total:g}% owned"
        label = "XPCC" if kind == "xpcc" else "listed"
        if roots.get(root) == "possible":
            label = "possibly " + label
        out[owned] = TaintSource(
            kind=kind,
            party_id=owned,
            facility_id=None,
            confidence=status[owned],
            detail=f"{graph.party_name(owned)} is {how} by {label} "
            f"{graph.party_name(root)}"
            + (f" through {len(chain) - 1} intermediate owner(s)" if len(chain) > 1 else ""),
            evidence={
                "owners": hops,
                "aggregate_share": total,
                "threshold": threshold,
                "chain": chain,
                "root": root,
                "root_reason": root_reason.get(root, ""),
                "basis": "owned_by",
            },
        )
    return out


def _chain(party: str, via: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One ownership chain from a root down to ``party`` (largest share at each hop)."""
    chain: list[dict[str, Any]] = []
    seen = {party}
    while party in via:
        hop = max(via[party], key=lambda h: (h["control"], h["share"] or 0.0))
        chain.append(hop)
        party = hop["owner"]
        if party in seen:
            break
        seen.add(party)
    chain.reverse()
    return chain


def build_taint_index(graph: SupplyGraph, config: TraceConfig) -> TaintIndex:
    """Every taint source per party and facility under ``config``."""
    party: dict[str, list[TaintSource]] = defaultdict(list)
    facility: dict[str, list[TaintSource]] = defaultdict(list)
    for pid, p in graph.parties.items():
        ann = graph.annotations.parties.get(pid)
        label = p.name
        if ann is not None:
            party[pid].extend(_list_sources(ann, pid, None, label))
            party[pid].extend(_location_sources(ann, pid, None, label))
        names = (p.name, *p.aliases)
        if not any(s.kind == "xpcc" for s in party[pid]) and any(
            XPCC_NAME.search(n) for n in names
        ):
            party[pid].append(
                TaintSource(
                    "xpcc",
                    pid,
                    None,
                    "confirmed",
                    f"{label} is named as an XPCC (Bingtuan) unit",
                    {"basis": "name", "names": list(names)},
                )
            )
    for fid, f in graph.facilities.items():
        ann = graph.annotations.facilities.get(fid)
        label = f"facility {f.name} of {graph.party_name(f.operator_id)}"
        if ann is not None:
            facility[fid].extend(_list_sources(ann, f.operator_id, fid, label))
            facility[fid].extend(_location_sources(ann, f.operator_id, fid, label))
    listed: dict[str, Confidence] = {}
    xpcc: dict[str, Confidence] = {}
    reasons: dict[str, str] = {}
    for pid, sources in party.items():
        for src in sources:
            bucket = listed if src.kind == "list" else xpcc if src.kind == "xpcc" else None
            if bucket is None:
                continue
            if bucket.get(pid) != "confirmed":
                bucket[pid] = src.confidence
            reasons.setdefault(pid, src.detail)
    for kind, roots in (("ownership", listed), ("xpcc", xpcc)):
        found = _ownership_sources(graph, roots, config.ownership_threshold, kind, reasons)  # type: ignore[arg-type]
        for pid, src in found.items():
            party[pid].append(src)
    unknown = frozenset(
        pid
        for pid, p in graph.parties.items()
        if config.is_unknown_name(p.name) or not (p.country or p.address or p.registration_id)
    )
    raw = frozenset(
        f.operator_id for f in graph.facilities.values() if f.kind in config.raw_producer_kinds
    )
    return TaintIndex(
        party={k: tuple(v) for k, v in party.items() if v},
        facility={k: tuple(v) for k, v in facility.items() if v},
        unknown=unknown,
        raw_producers=raw,
        facilities_of={k: tuple(v) for k, v in graph.facilities_of.items()},
    )
