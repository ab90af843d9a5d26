"""Screen shipments in the store end to end: trace, decide, record, open cases.

And re-screen after a list update: re-annotate parties (the supply domain's
``reannotate``), trace and decide again, and report (and log) every shipment
whose verdict changed and every party whose list hits changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from flscreen import audit
from flscreen.errors import InvalidInput, NotFound
from flscreen.model.lists import ListVersionRef
from flscreen.model.supply import Annotations
from flscreen.model.trace import TraceResult
from flscreen.policy.cases import open_cases_by_shipment
from flscreen.policy.decide import decide
from flscreen.policy.loader import bundled_policies, load_policy
from flscreen.policy.records import latest_screenings, record_screening
from flscreen.policy.schema import Policy
from flscreen.policy.verdict import Verdict
from flscreen.store import Store
from flscreen.trace.config import TraceConfig, load_config
from flscreen.trace.graph import SupplyGraph
from flscreen.trace.memory import trace_shipment

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Screened:
    shipment_id: str
    verdict: Verdict
    trace: TraceResult
    screening_id: int | None = None
    case_id: str | None = None


def list_versions_now(conn: Connection) -> dict[str, ListVersionRef]:
    from flscreen.lists.store import latest_versions

    return latest_versions(conn)


def version_dates(conn: Connection) -> dict[tuple[str, int], str]:
    """(list, version) -> import date of every stored list version."""
    from flscreen.lists.store import list_versions_of

    return {(r.list_name, r.version): r.imported_at for r in list_versions_of(conn)}


def load_graph(conn: Connection) -> SupplyGraph:
    from flscreen.trace import load_graph as load

    return load(conn)


def evaluate(
    graph: SupplyGraph,
    policy: Policy,
    versions: Mapping[str, ListVersionRef],
    shipment_ids: Iterable[str],
    config: TraceConfig,
    progress: Progress | None = None,
    dates: Mapping[tuple[str, int], str] | None = None,
) -> list[Screened]:
    """Trace and decide each shipment in memory (no store writes)."""
    names = {pid: p.name for pid, p in graph.parties.items()}
    out = []
    for i, sid in enumerate(shipment_ids, start=1):
        t = trace_shipment(graph, sid, config)
        v = decide(
            t,
            graph.shipment(sid),
            policy,
            list_versions=versions,
            party_names=names,
            version_dates=dates,
        )
        out.append(Screened(sid, v, t))
        if progress is not None:
            progress(i)
    return out


def evaluate_batch(
    graph: SupplyGraph,
    policy: Policy,
    versions: Mapping[str, ListVersionRef],
    shipment_ids: Iterable[str],
    config: TraceConfig,
    engine: str,
    progress: Progress | None = None,
    dates: Mapping[tuple[str, int], str] | None = None,
) -> list[Screened]:
    """Trace every shipment as SQL on ``engine`` (duckdb, spark), then decide the wanted ones."""
    from flscreen.batch import run_batch_on_graph

    wanted = set(shipment_ids)
    names = {pid: p.name for pid, p in graph.parties.items()}
    out = []
    for t in run_batch_on_graph(graph, config, engine):
        if t.shipment not in wanted:
            continue
        v = decide(
            t,
            graph.shipment(t.shipment),
            policy,
            list_versions=versions,
            party_names=names,
            version_dates=dates,
        )
        out.append(Screened(t.shipment, v, t))
        if progress is not None:
            progress(len(out))
    return sorted(out, key=lambda r: r.shipment_id)


ENGINES = ("memory", "duckdb", "spark")
BATCH_FROM = 2000
"""From this many shipments a re-screen traces as SQL on DuckDB rather than one by one."""


def screen_store(
    store: Store,
    policy: Policy,
    *,
    actor: str,
    shipment_ids: Iterable[str] | None = None,
    config: TraceConfig | None = None,
    progress: Progress | None = None,
    engine: str = "memory",
    graph: SupplyGraph | None = None,
) -> list[Screened]:
    """Screen shipments (all when ``shipment_ids`` is None), record verdicts, open cases.

    ``engine`` traces in memory (default) or as SQL on DuckDB or Spark for large
    stores. ``graph`` is the supply graph as the caller's transactions read it now (a
    cache's, kept per row scope), loaded from the store when None. The records of one
    run are written in one transaction: all or nothing.
    """
    if engine not in ENGINES:
        raise InvalidInput(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")
    config = config or load_config()
    with store.connect() as conn:
        if graph is None:
            graph = load_graph(conn)
        versions = list_versions_now(conn)
        dates = version_dates(conn)
    if not graph.shipments:
        raise InvalidInput(
            "no shipments in the store: import a supply package first "
            "(POST /shipments/import; flscreen screen PACKAGE or flscreen supply import PACKAGE)"
        )
    if shipment_ids is None:
        ids = sorted(graph.shipments)
    else:
        ids = list(dict.fromkeys(shipment_ids))
        unknown = [s for s in ids if s not in graph.shipments]
        if unknown:
            raise NotFound(f"no shipment {', '.join(map(repr, unknown[:5]))} in the store")
    if engine == "memory":
        results = evaluate(graph, policy, versions, ids, config, progress, dates)
    else:
        results = evaluate_batch(graph, policy, versions, ids, config, engine, progress, dates)
    run_id = uuid.uuid4().hex[:12]
    recorded = []
    with store.begin() as conn:
        open_cases = open_cases_by_shipment(conn)
        for r in results:
            sid, case = record_screening(
                conn, r.verdict, r.trace, policy, actor=actor, run_id=run_id, open_cases=open_cases
            )
            if case is not None:
                open_cases[r.shipment_id] = case
            recorded.append(
                Screened(r.shipment_id, r.verdict, r.trace, sid, case.case_id if case else None)
            )
    return recorded


# --- re-screening after a list update ----------------------------------------------


def hit_keys(annotations: Annotations) -> dict[str, set[tuple[str, str, str]]]:
    """party/facility id -> {(list, entry id, status)} of its current list hits."""
    out: dict[str, set[tuple[str, str, str]]] = {}
    for bucket in (annotations.parties, annotations.facilities):
        for sid, ann in bucket.items():
            out[sid] = {(h.list_name, h.entry_id, h.status) for h in ann.hits}
    return out


def signature(verdict: Verdict) -> tuple[str, tuple[tuple[str, str, str, str], ...]]:
    """What a verdict says, without the list version numbers every update bumps."""
    keys = set()
    for r in verdict.reasons:
        ev = r.evidence
        src = ev.get("source", {}) if isinstance(ev.get("source"), dict) else {}
        lst = ev.get("list", {}) if isinstance(ev.get("list"), dict) else {}
        keys.add((r.code, r.outcome, str(src.get("party_id", "")), str(lst.get("entry_id", ""))))
    return verdict.outcome, tuple(sorted(keys))


def _has_supply_data(conn: Connection) -> bool:
    import sqlalchemy as sa

    from flscreen.supply.store import facilities, parties

    for table in (parties, facilities):
        if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            return True
    return False


@dataclass
class RescreenReport:
    parties: list[dict[str, Any]] = field(default_factory=list)
    """Parties and facilities whose hits changed: id, name, added, removed."""
    shipments: list[dict[str, Any]] = field(default_factory=list)
    """Shipments whose verdict changed: shipment, policy, before, after, case."""
    screened: int = 0
    trigger: dict[str, Any] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.parties or self.shipments)

    def to_dict(self) -> dict[str, Any]:
        return {
            "trigger": self.trigger,
            "screened": self.screened,
            "parties": self.parties,
            "shipments": self.shipments,
        }


def _policy_for(name: str, given: Mapping[str, Policy]) -> Policy | None:
    if name in given:
        return given[name]
    if name in bundled_policies():
        return load_policy(name)
    return None


def rescreen(
    store: Store,
    *,
    policies: Iterable[Policy] = (),
    actor: str = "flscreen",
    trigger: Mapping[str, Any] | None = None,
    reannotate: Callable[[Store], Annotations] | None = None,
    config: TraceConfig | None = None,
    engine: str = "auto",
) -> RescreenReport:
    """Re-annotate, re-screen every screened shipment under the policy it was last
    screened with, and record what changed.

    Shipments screened under a custom policy file are re-screened only when that
    policy is passed in ``policies``. A new screening is recorded (and a case
    opened if needed) only for shipments whose verdict changed. ``engine`` 'auto'
    traces in memory up to ``BATCH_FROM`` shipments and on DuckDB beyond.
    """
    from flscreen.supply import store as supply_store
    from flscreen.supply.annotate import reannotate as supply_reannotate

    report = RescreenReport(trigger=dict(trigger or {}))
    with store.connect() as conn:
        if not _has_supply_data(conn):
            # Nothing to re-annotate or re-screen: a list import stays cheap.
            return report
    config = config or load_config()
    with store.connect() as conn:
        before = hit_keys(supply_store.load_annotations(conn))
        previous = latest_screenings(conn)
    after_ann = (reannotate or supply_reannotate)(store)
    after = hit_keys(after_ann)
    with store.connect() as conn:
        graph = load_graph(conn)
        versions = list_versions_now(conn)
        dates = version_dates(conn)
    for subject in sorted(set(before) | set(after)):
        old, new = before.get(subject, set()), after.get(subject, set())
        if old != new:
            party = graph.parties.get(subject)
            report.parties.append(
                {
                    "id": subject,
                    "name": party.name if party else None,
                    "added": [list(k) for k in sorted(new - old)],
                    "removed": [list(k) for k in sorted(old - new)],
                }
            )
    given = {p.name: p for p in policies}
    by_policy: dict[str, list[str]] = {}
    for sid, stored in previous.items():
        if sid in graph.shipments:
            by_policy.setdefault(stored.verdict.policy, []).append(sid)
    changed: list[tuple[Screened, Policy]] = []
    for name, ids in sorted(by_policy.items()):
        policy = _policy_for(name, given)
        if policy is None:
            continue
        chosen = engine
        if chosen == "auto":
            chosen = "duckdb" if len(ids) >= BATCH_FROM else "memory"
        if chosen == "memory":
            results = evaluate(graph, policy, versions, sorted(ids), config, dates=dates)
        else:
            results = evaluate_batch(graph, policy, versions, ids, config, chosen, dates=dates)
        for r in results:
            report.screened += 1
            old_v = previous[r.shipment_id].verdict
            if signature(old_v) != signature(r.verdict):
                changed.append((r, policy))
    run_id = "rescreen-" + uuid.uuid4().hex[:8]
    with store.begin() as conn:
        for r, policy in changed:
            _, case = record_screening(conn, r.verdict, r.trace, policy, actor=actor, run_id=run_id)
            old_v = previous[r.shipment_id].verdict
            report.shipments.append(
                {
                    "shipment": r.shipment_id,
                    "policy": policy.name,
                    "before": old_v.outcome,
                    "after": r.verdict.outcome,
                    "reasons": [x.code for x in r.verdict.reasons if x.outcome != "clear"],
                    "case": case.case_id if case else None,
                }
            )
        if report.changed:
            audit.append(conn, "rescreen", report.to_dict(), actor, subject=run_id)
    return report
