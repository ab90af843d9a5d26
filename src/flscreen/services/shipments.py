"""Shipments: list, trace, screen and read them, their verdicts and dossier; one shape for
the REST API and the shipments pages.

The supply graph is loaded once and reused, by tracing and screening alike, until a
package import, a re-annotation or a trade import or inference run changes the store
(the cache key is their newest ids), so tracing one shipment from a page costs
milliseconds. On
PostgreSQL an importer's transactions see only its tenant's shipments (row-level
security, identity_0004), so the graph is kept per row scope: officers share one,
each tenant has its own, built from what its own transaction could read.
"""

from __future__ import annotations

import functools
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flscreen.errors import InvalidInput, NotFound, Problem
from flscreen.identity.redact import redact_json, redact_screening
from flscreen.identity.scope import (
    OutOfScope,
    Scope,
    not_visible,
    require_shipment,
    row_scope_of,
)
from flscreen.model.supply import Shipment
from flscreen.policy import bundled_policies, load_policy
from flscreen.policy import cases as case_rules
from flscreen.policy.records import latest_screening, staleness
from flscreen.policy.tables import cases as cases_table
from flscreen.policy.tables import screenings
from flscreen.policy.verdict import Verdict
from flscreen.store import Store
from flscreen.supply import store as supply_store
from flscreen.trace import SupplyGraph, TraceConfig, load_config, load_graph, trace_shipment
from flscreen.trade import store as trade_store

from . import supply as supply_service
from .locks import writing

GraphKey = tuple[int, int, int, int, int]


@dataclass
class GraphCache:
    """The supply graph (and its shipments newest first), rebuilt when a package or an
    annotation is written; and each policy's latest outcomes, re-read only after a new
    screening (screening ids only grow).

    Both are kept per row scope (:func:`row_scope_of`: what PostgreSQL's row-level
    security lets the transaction that read them see), so a graph an importer's request
    built from its tenant's rows never serves an officer, nor the officers' graph an
    importer. Off PostgreSQL, and for every role but importers, the scope is "" (every
    row) and the query layer is the only wall."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _built: dict[str, tuple[GraphKey, SupplyGraph, list[Shipment]]] = field(default_factory=dict)
    _outcomes: dict[tuple[str, str | None], tuple[tuple[int, int], dict[str, tuple[int, str]]]] = (
        field(default_factory=dict)
    )
    _grouped: tuple[tuple[int, int], dict[str, list[Shipment]], object, object] | None = None
    builds: int = 0
    keep: int = 8
    """Graphs kept at once (the officers' and the most recent tenants'; least recent
    dropped): each holds the whole shared supply graph."""

    def get(self, store: Store) -> SupplyGraph:
        return self.ordered(store)[0]

    def ordered(self, store: Store) -> tuple[SupplyGraph, list[Shipment]]:
        """The graph and its shipments by date, newest first, as this request's
        transactions see them."""
        with store.connect() as conn:
            rows = row_scope_of(conn)
            key = _graph_key(conn)
            with self._lock:
                cached = self._built.pop(rows, None)
                if cached is not None and cached[0] == key:
                    self._built[rows] = cached  # most recently used last
                    return cached[1], cached[2]
                cached = None  # let a stale graph go before loading its successor
                graph = load_graph(conn)
                ordered = sorted(
                    graph.shipments.values(), key=lambda s: (s.date, s.shipment_id), reverse=True
                )
                self.builds += 1
                self._built[rows] = (key, graph, ordered)
                while len(self._built) > self.keep:
                    del self._built[next(iter(self._built))]
                return graph, ordered

    def outcomes(self, conn: Connection, policy: str | None) -> dict[str, tuple[int, str]]:
        """shipment id -> (screening id, outcome) of its newest screening under ``policy``."""
        newest, count = conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(screenings.c.id), 0), sa.func.count())
        ).one()
        key = (int(newest), int(count))
        which = (row_scope_of(conn), policy)
        with self._lock:
            cached = self._outcomes.get(which)
            if cached is not None and cached[0] == key:
                return cached[1]
        found = _latest_outcomes(conn, policy)
        with self._lock:
            if len(self._outcomes) > 4 * self.keep:  # a client cannot grow this
                self._outcomes.clear()
            self._outcomes[which] = (key, found)
        return found

    def grouped(
        self, ordered: list[Shipment], outcomes: dict[str, tuple[int, str]]
    ) -> dict[str, list[Shipment]]:
        """The shipments (newest first) under each latest outcome, and under "" all of them;
        kept while the graph and the outcomes are the same objects."""
        key = (id(ordered), id(outcomes))
        with self._lock:
            if self._grouped is not None and self._grouped[0] == key:
                return self._grouped[1]
        groups: dict[str, list[Shipment]] = {"": ordered}
        for s in ordered:
            outcome = outcomes.get(s.shipment_id, (0, "unscreened"))[1]
            groups.setdefault(outcome, []).append(s)
        with self._lock:
            self._grouped = (key, groups, ordered, outcomes)  # the objects stay alive with it
        return groups


def _graph_key(conn: Connection) -> GraphKey:
    """What the graph is built from, as ids that grow with every write: the newest
    package import, the annotations (count and newest: a re-annotation marks rows not
    current and adds new ones), and the newest trade import and inference run (the
    inferred edges and their bills of lading, :func:`flscreen.trade.graph.with_trade`)."""
    imports = supply_store.imports
    notes = supply_store.annotation_rows
    newest_import = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(imports.c.import_id), 0))
    ).scalar_one()
    count, newest_note = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(notes.c.annotation_id), 0))
    ).one()
    trade_import, trade_run = 0, 0
    if trade_store.has_tables(conn):
        trade_import, trade_run = conn.execute(
            sa.select(
                sa.select(
                    sa.func.coalesce(sa.func.max(trade_store.imports.c.import_id), 0)
                ).scalar_subquery(),
                sa.select(
                    sa.func.coalesce(sa.func.max(trade_store.runs.c.run_id), 0)
                ).scalar_subquery(),
            )
        ).one()
    return int(newest_import), int(count), int(newest_note), int(trade_import), int(trade_run)


def shipment_json(s: Shipment, graph: SupplyGraph) -> dict[str, Any]:
    return {
        "shipment": s.shipment_id,
        "date": s.date,
        "product": s.product,
        "hs_code": s.hs_code,
        "quantity": s.quantity,
        "unit": s.unit,
        "value": s.value,
        "declared_origin": s.declared_origin,
        "importer": {"id": s.importer_id, "name": graph.party_name(s.importer_id)},
        "exporter": {"id": s.exporter_id, "name": graph.party_name(s.exporter_id)},
        "manufacturer": {"id": s.manufacturer_id, "name": graph.party_name(s.manufacturer_id)},
        "documents": list(s.documents),
    }


def _latest_outcomes(conn: Connection, policy: str | None) -> dict[str, tuple[int, str]]:
    """shipment id -> (screening id, outcome) of its newest screening (under ``policy``):
    one grouped query over small columns, no verdict JSON read."""
    newest = sa.select(sa.func.max(screenings.c.id)).group_by(screenings.c.shipment_id)
    if policy is not None:
        newest = newest.where(screenings.c.policy == policy)
    rows = conn.execute(
        sa.select(screenings.c.id, screenings.c.shipment_id, screenings.c.outcome).where(
            screenings.c.id.in_(newest.scalar_subquery())
        )
    )
    return {shipment: (int(sid), outcome) for sid, shipment, outcome in rows}


_SUMMARIES: dict[tuple[str, int], dict[str, Any]] = {}
_SUMMARIES_LOCK = threading.Lock()
SUMMARIES_KEPT = 20_000
"""Screenings are never rewritten, so their summaries can be kept (bounded) across requests."""


def _summaries(conn: Connection, screening_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Verdict summaries of the given screenings (one page's worth)."""
    db = conn.engine.url.render_as_string(hide_password=True)  # ids repeat across stores
    with _SUMMARIES_LOCK:
        found = {i: _SUMMARIES[db, i] for i in screening_ids if (db, i) in _SUMMARIES}
    missing = [i for i in screening_ids if i not in found]
    fresh = _read_summaries(conn, missing)
    with _SUMMARIES_LOCK:
        if len(_SUMMARIES) + len(fresh) > SUMMARIES_KEPT:
            _SUMMARIES.clear()
        _SUMMARIES.update({(db, i): v for i, v in fresh.items()})
    return {**found, **fresh}


def _read_summaries(conn: Connection, screening_ids: list[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(screening_ids), 500):
        chunk = screening_ids[start : start + 500]
        rows = conn.execute(
            sa.select(screenings.c.id, screenings.c.verdict, screenings.c.screened_at).where(
                screenings.c.id.in_(chunk)
            )
        )
        for row in rows:
            verdict = Verdict.from_dict(json.loads(row.verdict))
            found[int(row.id)] = verdict_summary(verdict, int(row.id), row.screened_at)
    return found


def verdict_summary(verdict: Verdict, screening_id: int, screened_at: str) -> dict[str, Any]:
    main = next((r for r in verdict.reasons if r.outcome == verdict.outcome), None)
    main = main or (verdict.reasons[0] if verdict.reasons else None)
    return {
        "verdict": verdict.outcome,
        "policy": verdict.policy,
        "policy_version": verdict.policy_version,
        "screening": screening_id,
        "screened_at": screened_at,
        "reasons": len(verdict.reasons),
        # Code and text only: the evidence is in GET /shipments/{id}/verdict.
        "main_reason": {"code": main.code, "outcome": main.outcome, "text": main.text}
        if main
        else None,
    }


def list_shipments(
    store: Store,
    graphs: GraphCache,
    *,
    policy: str | None = None,
    verdict: str | None = None,
    limit: int = 100,
    offset: int = 0,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Stored shipments (by date, newest first) with their latest verdict and open case,
    those of ``scope``'s tenant only when it is restricted.

    The tally by verdict covers every shipment in the scope; verdict JSON is read for the
    page only.
    """
    graph, ordered = graphs.ordered(store)
    with store.connect() as conn:
        outcomes = graphs.outcomes(conn, policy)
        if scope is None or scope.unrestricted:
            groups = graphs.grouped(ordered, outcomes)
        else:
            groups = _group([s for s in ordered if scope.sees_importer(s.importer_id)], outcomes)
        tally = {k: len(v) for k, v in sorted(groups.items()) if k}
        kept = groups.get(verdict or "", [])
        page = kept[offset : offset + limit]
        ids = [outcomes[s.shipment_id][0] for s in page if s.shipment_id in outcomes]
        summaries = _summaries(conn, ids)
        open_cases = _open_cases(conn, [s.shipment_id for s in page])
    rows = []
    for s in page:
        found = outcomes.get(s.shipment_id)
        latest = summaries.get(found[0]) if found else None
        rows.append(
            {**shipment_json(s, graph), "latest": latest, "case": open_cases.get(s.shipment_id)}
        )
    return {
        "total": len(kept),
        "offset": offset,
        "limit": limit,
        "by_verdict": tally,
        "shipments": rows,
    }


def _group(
    ordered: list[Shipment], outcomes: dict[str, tuple[int, str]]
) -> dict[str, list[Shipment]]:
    groups: dict[str, list[Shipment]] = {"": ordered}
    for s in ordered:
        groups.setdefault(outcomes.get(s.shipment_id, (0, "unscreened"))[1], []).append(s)
    return groups


def _shipment_in_scope(graph: SupplyGraph, shipment_id: str, scope: Scope | None) -> Shipment:
    """The shipment, or NotFound, also (with the same message) for another tenant's."""
    message = f"no shipment {shipment_id!r} in the supply data"
    s = graph.shipments.get(shipment_id)
    if s is None:  # unknown, or (an importer's graph under row-level security) hidden
        raise not_visible(scope or Scope.everything(), f"shipment {shipment_id}", message)
    if scope is not None and not scope.sees_importer(s.importer_id):
        raise OutOfScope(
            message, f"shipment {shipment_id} belongs to another tenant (importer {s.importer_id})"
        )
    return s


def _open_cases(conn: Connection, shipment_ids: list[str]) -> dict[str, str]:
    """shipment id -> the id of its case still being worked on, for one page of shipments."""
    if not shipment_ids:
        return {}
    rows = conn.execute(
        sa.select(cases_table.c.shipment_id, cases_table.c.case_id)
        .where(
            cases_table.c.shipment_id.in_(shipment_ids),
            cases_table.c.state.not_in(case_rules.CLOSED),
        )
        .order_by(cases_table.c.id)
    )
    return {r.shipment_id: r.case_id for r in rows}


@functools.lru_cache(maxsize=16)
def trace_config(
    lookback_days: int | None = None, ownership_threshold: float | None = None
) -> TraceConfig:
    """One config object per set of options: the tracer caches its taint index and mass
    balance per (graph, config) object, so a fresh config per request would redo both."""
    return load_config(lookback_days=lookback_days, ownership_threshold=ownership_threshold)


def trace_one(
    store: Store,
    graphs: GraphCache,
    shipment_id: str,
    lookback_days: int | None = None,
    ownership_threshold: float | None = None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """``flscreen trace SHIPMENT --json``: every path to a taint source, gaps, mass balance."""
    graph = graphs.get(store)
    _shipment_in_scope(graph, shipment_id, scope)
    config = trace_config(lookback_days, ownership_threshold)
    trace = trace_shipment(graph, shipment_id, config).to_dict()
    if scope is None or scope.unrestricted:
        return trace
    with store.connect() as conn:  # other tenants' shipments out of its mass balance
        return redact_json(conn, scope, trace)


def stored_verdict(
    conn: Connection, shipment_id: str, policy: str | None, scope: Scope | None = None
) -> dict[str, Any]:
    """The latest recorded verdict (``flscreen screen`` JSON line) and its case, as
    ``scope`` may read it (other tenants' shipment ids redacted)."""
    if scope is not None:
        require_shipment(conn, scope, shipment_id, f"shipment {shipment_id!r} was never screened")
    s = redact_screening(conn, scope, latest_screening(conn, shipment_id, policy))
    case = case_rules.open_case_for(conn, shipment_id)
    if case is None:
        found = case_rules.list_cases(conn, shipment_id=shipment_id)
        case = found[-1] if found else None
    return {
        **s.verdict.to_dict(),
        "screening": s.id,
        "screened_at": s.screened_at,
        "actor": s.actor,
        "run": s.run_id,
        "audit_seq": s.audit_seq,
        "case": case.case_id if case else None,
        "case_state": case.state if case else None,
        **staleness(conn, s.verdict.list_versions, s.screened_at),
    }


def shipment_detail(
    store: Store,
    graphs: GraphCache,
    shipment_id: str,
    policy: str | None = None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """One shipment: its facts, its trace now, and its latest verdict (if screened)."""
    graph = graphs.get(store)
    s = _shipment_in_scope(graph, shipment_id, scope)
    trace = trace_shipment(graph, shipment_id, trace_config()).to_dict()
    with store.connect() as conn:
        trace = redact_json(conn, scope, trace)
        try:
            verdict: dict[str, Any] | None = stored_verdict(conn, shipment_id, policy, scope)
        except NotFound:
            verdict = None
        history = [
            {**verdict_summary(v, sid, at), "run": run}
            for sid, at, run, v in _screenings_of(conn, shipment_id)
        ]
        evidence = shipment_documents(conn, shipment_id, trace)
    return {
        **shipment_json(s, graph),
        "verdict": verdict,
        "trace": trace,
        "screenings": history,
        "documents_attached": evidence,
        "policies": bundled_policies(),
    }


def shipment_documents(
    conn: Connection, shipment_id: str, trace: dict[str, Any]
) -> list[dict[str, Any]]:
    """Documents attached to the shipment's cases and to the transactions on its traced
    paths and gaps, once each, oldest first (each downloadable by id)."""
    found: dict[int, case_rules.StoredDocument] = {}
    for case in case_rules.list_cases(conn, shipment_id=shipment_id):
        found.update((d.id, d) for d in case_rules.documents_of_case(conn, case))
    tx_ids = [
        str(step["transaction_id"])
        for group in ("paths", "gaps")
        for item in trace.get(group, ())
        for step in item.get("steps", ())
        if step.get("transaction_id")
    ]
    for docs in case_rules.documents_of_transactions(conn, tx_ids).values():
        found.update((d.id, d) for d in docs if d.id not in found)
    return [found[k].to_dict() for k in sorted(found)]


def _screenings_of(conn: Connection, shipment_id: str) -> list[tuple[int, str, str, Verdict]]:
    rows = conn.execute(
        sa.select(
            screenings.c.id, screenings.c.screened_at, screenings.c.run_id, screenings.c.verdict
        )
        .where(screenings.c.shipment_id == shipment_id)
        .order_by(screenings.c.id.desc())
        .limit(50)
    )
    return [(r.id, r.screened_at, r.run_id, Verdict.from_dict(json.loads(r.verdict))) for r in rows]


def check_policy(name: str) -> None:
    """Only the bundled policies by name: the API never reads a path a client names."""
    known = bundled_policies()
    if name not in known:
        raise InvalidInput(
            [Problem("policy", f"unknown policy {name!r}: one of {', '.join(known)}")]
        )


def screen(
    store: Store,
    policy_name: str,
    shipment_ids: list[str] | None,
    actor: str,
    graphs: GraphCache | None = None,
) -> dict[str, Any]:
    """``flscreen screen``: trace and decide shipments, record verdicts, open cases.

    With ``graphs`` (the app's cache), the supply graph is the one this request's
    transactions see (:meth:`GraphCache.get`: per row scope, rebuilt when the store's
    supply, annotations or trade inference changed) and is traced under the pages'
    config, so its taint index is built once for screening and tracing alike."""
    from flscreen.policy.screening import screen_store

    check_policy(policy_name)
    policy = load_policy(policy_name)
    with writing(store):
        graph = graphs.get(store) if graphs is not None else None
        results = screen_store(
            store,
            policy,
            actor=actor,
            shipment_ids=shipment_ids,
            config=trace_config(),
            graph=graph,
        )
    tally: dict[str, int] = {}
    for r in results:
        tally[r.verdict.outcome] = tally.get(r.verdict.outcome, 0) + 1
    return {
        "policy": policy.name,
        "policy_version": policy.version,
        "screened": len(results),
        "by_verdict": tally,
        "results": [
            {**r.verdict.to_dict(), "screening": r.screening_id, "case": r.case_id} for r in results
        ],
    }


def dossier(
    conn: Connection, shipment_id: str, policy: str | None, fmt: str, scope: Scope | None = None
) -> bytes | str:
    """The evidence dossier of a screened shipment as HTML text or PDF bytes."""
    from flscreen.reports.build import load_dossier
    from flscreen.reports.dossier import render_html, render_pdf

    if scope is not None:
        require_shipment(conn, scope, shipment_id, f"shipment {shipment_id!r} was never screened")

    if fmt not in ("html", "pdf"):
        raise InvalidInput([Problem("format", f"unknown format {fmt!r}: use html or pdf")])
    html = render_html(load_dossier(conn, shipment_id, policy, scope))
    return render_pdf(html) if fmt == "pdf" else html


def import_supply(
    store: Store,
    path: Path,
    label: str,
    scope: Scope | None = None,
    screen_policy: str | None = None,
    actor: str = "api",
    graphs: GraphCache | None = None,
) -> dict[str, Any]:
    """The package import (flscreen.services.supply) as the API answers it: the import id,
    its source (the uploaded file names), the count per table and the shipment ids; with
    ``screen_policy``, its shipments screened at once (``screened``, by ``actor``,
    through ``graphs`` as :func:`screen`)."""
    with writing(store):
        done = supply_service.import_package(store, path, source=label, scope=scope)
    out: dict[str, Any] = {
        "import": done.import_id,
        "source": done.source,
        **done.counts,
        "shipment_ids": list(done.shipment_ids),
    }
    if screen_policy is not None:
        out["screened"] = screen(store, screen_policy, out["shipment_ids"], actor, graphs)
    return out
