"""The evidence dossier for one shipment, in the shape CBP asks for.

Executive summary (verdict and reasons), table of contents, a supply-chain flow
chart drawn from the trace (tainted paths in red), the parties with names in
their original script and their location and list evidence, each step's
transactions and documents, mass balance, gaps, the policy and list versions,
and the case history. :func:`render_html` is pure; :func:`render_pdf` runs
WeasyPrint over the same HTML.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import jinja2

from flscreen.model.supply import Shipment
from flscreen.policy.cases import Case, CaseEvent, Rebuttal, StoredDocument
from flscreen.policy.records import StoredScreening
from flscreen.reports.flowchart import Chart, Edge, render_svg


@dataclass(frozen=True, slots=True)
class PartyView:
    """A party as the dossier shows it: names as written, where it is, what lists say."""

    party_id: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    address: str | None = None
    registration_id: str | None = None
    location: Mapping[str, Any] | None = None
    """status, division, xpcc, signals (sentences)."""
    hits: tuple[Mapping[str, Any], ...] = ()
    """list_name, list_version, entry_id, name, score, status, programs."""
    facilities: tuple[Mapping[str, Any], ...] = ()


@dataclass
class DossierData:
    shipment: Shipment
    screening: StoredScreening
    parties: dict[str, PartyView] = field(default_factory=dict)
    chain: Sequence[Mapping[str, Any]] = field(default_factory=list)
    """Every documented upstream transaction (step dicts), tainted or not."""
    documents: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    """Package document id -> {kind, sha256, path}."""
    attached: dict[str, list[StoredDocument]] = field(default_factory=dict)
    """Transaction id -> documents attached later (through cases)."""
    case: Case | None = None
    events: list[CaseEvent] = field(default_factory=list)
    rebuttals: list[Rebuttal] = field(default_factory=list)
    case_documents: list[StoredDocument] = field(default_factory=list)
    policy_title: str | None = None
    generated_at: str = ""
    stale: list[dict[str, Any]] = field(default_factory=list)
    """Lists changed since the verdict (``policy.records.stale_lists``)."""

    @property
    def stale_note(self) -> str | None:
        from flscreen.policy.records import stale_note

        return stale_note(self.stale)


def _steps_of(trace: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    found: list[tuple[str, Mapping[str, Any]]] = []
    for p in trace.get("paths", ()):
        found.extend(("taint", s) for s in p.get("steps", ()))
    for g in trace.get("gaps", ()):
        found.extend(("gap", s) for s in g.get("steps", ()))
    return found


def name_of(data: DossierData, party_id: str) -> str:
    party = data.parties.get(party_id)
    return party.name if party else party_id


def _inferred(path: Mapping[str, Any]) -> bool:
    """A path resting on trade records rather than the declaration (an inferred step)."""
    return path.get("evidence") == "inferred" or any(
        s.get("kind") == "inferred" for s in path.get("steps", ())
    )


def build_chart(data: DossierData) -> str:
    """The dossier's flow chart: the screened trace over the whole documented chain."""
    names = {pid: p.name for pid, p in data.parties.items()}
    return chart_svg(data.shipment, data.screening.trace, data.chain, names)


def _fmt_qty(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _edge_details(
    chain: Sequence[Mapping[str, Any]], trace: Mapping[str, Any]
) -> dict[tuple[str, str, str], str]:
    """(supplier, buyer, material) -> "120,000 kg · 60%": the quantity sold (each
    transaction once) and its share of the buyer's usable inputs, where known."""
    counted: set[str] = set()
    shared: set[str] = set()
    qty: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
    share: dict[tuple[str, str, str], float] = defaultdict(float)
    # The chain has every sale once; traced steps repeat them, with their shares.
    for s in [*chain, *(s for _, s in _steps_of(trace))]:
        tx = s.get("transaction_id")
        if not tx:
            continue
        key = (s["supplier_id"], s["buyer_id"], s["material"])
        if tx not in counted and isinstance(s.get("quantity"), int | float):
            counted.add(tx)
            unit = str(s.get("unit") or "")
            qty[key][unit] = qty[key].get(unit, 0.0) + float(s["quantity"])
        if tx not in shared and isinstance(s.get("share_of_input"), int | float):
            shared.add(tx)
            share[key] += float(s["share_of_input"])
    out: dict[tuple[str, str, str], str] = {}
    for key in {*qty, *share}:
        parts = [f"{_fmt_qty(v)} {u}".strip() for u, v in sorted(qty.get(key, {}).items())]
        if key in share:
            parts.append(f"{min(share[key], 1.0):.0%}")
        out[key] = " · ".join(parts)
    return out


def chart_svg(
    ship: Shipment,
    trace: Mapping[str, Any],
    chain: Sequence[Mapping[str, Any]],
    names: Mapping[str, str],
) -> str:
    """The flow chart SVG of ``trace`` over the documented ``chain``: hops on a path to a
    confirmed source red, to a possible source (or through an inferred trade edge:
    never proof) amber, undocumented inputs dashed; each sale labelled with its
    material, quantity and share of the buyer's inputs."""
    confirmed_tx: set[tuple[str, str, str]] = set()
    possible_tx: set[tuple[str, str, str]] = set()
    sources: set[str] = set()
    possible_sources: set[str] = set()
    for p in trace.get("paths", ()):
        # an inferred path (trade records, not declared) is never drawn as proof
        confirmed = p["source"].get("confidence") != "possible" and not _inferred(p)
        (sources if confirmed else possible_sources).add(p["source"]["party_id"])
        for s in p.get("steps", ()):
            key = (s["supplier_id"], s["buyer_id"], s["material"])
            (confirmed_tx if confirmed else possible_tx).add(key)
    details = _edge_details(chain, trace)
    edges: dict[tuple[str, str, str], Edge] = {}
    owner_names: dict[str, str] = {}

    def add(s: Mapping[str, Any], gap: bool = False) -> None:
        key = (s["supplier_id"], s["buyer_id"], s["material"])
        old = edges.get(key)
        edges[key] = Edge(
            key[0],
            key[1],
            key[2],
            key in confirmed_tx,
            gap or bool(old and old.gap),
            key in possible_tx and key not in confirmed_tx,
            detail=details.get(key, ""),
        )

    for s in chain:
        add(s)
    for kind, s in _steps_of(trace):
        add(s, gap=kind == "gap")
    for p in trace.get("paths", ()):
        src = p["source"]
        if src["kind"] not in ("ownership", "xpcc") or not isinstance(src.get("evidence"), dict):
            continue
        confirmed = src.get("confidence") != "possible" and not _inferred(p)
        for hop in src["evidence"].get("chain") or src["evidence"].get("owners") or ():
            if not isinstance(hop, dict) or not hop.get("owner") or not hop.get("owned"):
                continue
            share = hop.get("share")
            label = "controls" if hop.get("control") else f"owns {share:g}%" if share else "owns"
            key = (str(hop["owner"]), str(hop["owned"]), label)
            edges[key] = Edge(*key, confirmed, False, not confirmed, True)
            if hop.get("owner_name"):
                owner_names[str(hop["owner"])] = str(hop["owner_name"])
    gap_parties = {g["party_id"] for g in trace.get("gaps", ())}
    for g in trace.get("gaps", ()):
        add(
            {"supplier_id": f"? {g['material']}", "buyer_id": g["party_id"], "material": "?"},
            gap=True,
        )
    product = ship.product
    if ship.manufacturer_id != ship.exporter_id:
        add(
            {"supplier_id": ship.manufacturer_id, "buyer_id": ship.exporter_id, "material": product}
        )
    add({"supplier_id": ship.exporter_id, "buyer_id": ship.importer_id, "material": product})
    # The shipped goods carry the taint from the manufacturer onwards.
    shipped = f"{_fmt_qty(ship.quantity)} {ship.unit or ''}".strip() if ship.quantity else ""
    if sources or possible_sources:
        for key in list(edges):
            if key[2] == product:
                old = edges[key]
                edges[key] = Edge(
                    *key, bool(sources), False, not sources, detail=old.detail or shipped
                )
    elif shipped:
        key = (ship.exporter_id, ship.importer_id, product)
        edges[key] = replace(edges[key], detail=edges[key].detail or shipped)
    all_names = {**owner_names, **names}
    for g in trace.get("gaps", ()):
        all_names[f"? {g['material']}"] = f"undocumented {g['material']}"
    roles = {
        ship.importer_id: "importer",
        ship.exporter_id: "exporter",
        ship.manufacturer_id: "manufacturer",
    }
    if ship.exporter_id == ship.manufacturer_id:
        roles[ship.exporter_id] = "manufacturer, exporter"
    chart = Chart(
        all_names,
        list(edges.values()),
        sources=sources,
        possible_sources=possible_sources,
        gap_parties=gap_parties,
        roles=roles,
    )
    return render_svg(chart, ship.importer_id)


def _involved(data: DossierData) -> list[str]:
    ship = data.shipment
    ids = [ship.importer_id, ship.exporter_id, ship.manufacturer_id]
    for s in data.chain:
        ids.extend((s["buyer_id"], s["supplier_id"]))
    for _, s in _steps_of(data.screening.trace):
        ids.extend((s["buyer_id"], s["supplier_id"]))
    for p in data.screening.trace.get("paths", ()):
        ids.append(p["source"]["party_id"])
        evidence = p["source"].get("evidence")
        if isinstance(evidence, dict):
            for hop in evidence.get("chain") or evidence.get("owners") or ():
                if isinstance(hop, dict) and hop.get("owner"):
                    ids.append(str(hop["owner"]))
    return list(dict.fromkeys(ids))


def _steps_table(data: DossierData) -> list[dict[str, Any]]:
    """Every transaction once, with its documents (package and attached) and taint marks."""
    trace = data.screening.trace
    marks: dict[str, set[str]] = {}
    for i, p in enumerate(trace.get("paths", ()), start=1):
        for s in p.get("steps", ()):
            if s.get("transaction_id"):
                marks.setdefault(s["transaction_id"], set()).add(f"path {i}")
    rows: dict[str, dict[str, Any]] = {}
    for _, s in [("chain", s) for s in data.chain] + _steps_of(trace):
        tx = s.get("transaction_id") or f"{s['supplier_id']}->{s['buyer_id']}:{s['material']}"
        if tx in rows:
            continue
        docs = []
        for doc_id in s.get("documents", ()):
            meta = data.documents.get(doc_id, {})
            docs.append(
                {
                    "id": doc_id,
                    "kind": meta.get("kind"),
                    "sha256": meta.get("sha256"),
                    "supplied_by": None,
                }
            )
        for d in data.attached.get(tx, ()):
            docs.append(
                {"id": d.filename, "kind": d.kind, "sha256": d.sha256, "supplied_by": d.supplied_by}
            )
        rows[tx] = {
            "transaction_id": tx,
            "supplier": name_of(data, s["supplier_id"]),
            "supplier_id": s["supplier_id"],
            "buyer": name_of(data, s["buyer_id"]),
            "buyer_id": s["buyer_id"],
            "material": s["material"],
            "quantity": s.get("quantity"),
            "unit": s.get("unit"),
            "date": s.get("date"),
            "documents": docs,
            "tainted": sorted(marks.get(tx, ())),
        }
    return sorted(rows.values(), key=lambda r: (r["date"] or "", r["transaction_id"]), reverse=True)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("flscreen.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["qty"] = lambda v: "" if v is None else f"{float(v):,.2f}".rstrip("0").rstrip(".")
    env.filters["pct"] = lambda v: "unknown" if v is None else f"{float(v):.1%}"
    return env


def summary_sentence(trace: Mapping[str, Any]) -> str:
    """One sentence a reader can take away: what the trace found, counted."""
    paths = trace.get("paths", ())
    inferred = [p for p in paths if _inferred(p)]
    confirmed = [
        p for p in paths if p["source"].get("confidence") != "possible" and not _inferred(p)
    ]
    possible = [
        p for p in paths if p["source"].get("confidence") == "possible" and not _inferred(p)
    ]
    kinds = sorted({p["source"]["kind"] for p in confirmed})
    label = {"region": "Xinjiang", "list": "listed", "ownership": "owned", "xpcc": "XPCC"}
    bits = []
    if confirmed:
        sources = len({p["source"]["party_id"] for p in confirmed})
        bits.append(
            f"{len(confirmed)} path(s) to {sources} confirmed source(s) "
            f"({', '.join(label[k] for k in kinds)})"
        )
    if possible:
        bits.append(f"{len(possible)} path(s) to possible sources needing review")
    if inferred:
        bills = sorted(
            {
                d
                for p in inferred
                for s in p.get("steps", ())
                if s.get("kind") == "inferred"
                for d in s["documents"]
            }
        )
        bits.append(
            f"{len(inferred)} path(s) through supply inferred from trade records, not declared "
            f"({len(bills)} bill(s) of lading), needing review"
        )
    gaps = trace.get("gaps", ())
    if gaps:
        bits.append(f"{len(gaps)} undocumented input(s)")
    short = [m for m in trace.get("mass_balance", ()) if m.get("shortfall", 0) > 0]
    if short:
        bits.append(f"{len(short)} mass-balance shortfall(s)")
    if not bits:
        return "The documented chain reaches no Xinjiang, XPCC or listed source and has no gap."
    return "The trace found " + "; ".join(bits) + "."


def context(data: DossierData) -> dict[str, Any]:
    verdict = data.screening.verdict
    trace = data.screening.trace
    paths = []
    for i, p in enumerate(trace.get("paths", ()), start=1):
        paths.append({"n": i, **p, "source_name": name_of(data, p["source"]["party_id"])})
    parties = [
        data.parties.get(pid) or PartyView(pid, pid)
        for pid in _involved(data)
        if not pid.startswith("?")
    ]
    return {
        "d": data,
        "ship": data.shipment,
        "verdict": verdict,
        "raised": [r for r in verdict.reasons if r.outcome != "clear"],
        "notes": [r for r in verdict.reasons if r.outcome == "clear"],
        "paths": paths,
        "gaps": trace.get("gaps", ()),
        "mass_balance": trace.get("mass_balance", ()),
        "parties": parties,
        "steps": _steps_table(data),
        "chart": build_chart(data),
        "finding": summary_sentence(trace),
        "name_of": lambda pid: name_of(data, pid),
    }


def render_html(data: DossierData) -> str:
    """The dossier as one self-contained HTML page (inline SVG and CSS)."""
    return _environment().get_template("dossier.html.j2").render(**context(data))


def render_pdf(html: str) -> bytes:
    """The same page as PDF (WeasyPrint; CJK names need a CJK font such as WenQuanYi)."""
    from weasyprint import HTML  # imported here: slow to load and only the PDF needs it

    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def document_rows(docs: Sequence[StoredDocument]) -> list[dict[str, Any]]:
    return [
        {
            "filename": d.filename,
            "kind": d.kind,
            "sha256": d.sha256,
            "supplied_by": d.supplied_by,
            "added_at": d.added_at,
        }
        for d in docs
    ]
