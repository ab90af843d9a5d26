"""Stored screenings: each verdict with the trace it rests on, logged in the audit trail."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flscreen import audit
from flscreen.errors import NotFound
from flscreen.model.lists import ListVersionRef
from flscreen.model.trace import Step, TraceResult
from flscreen.policy.cases import (
    Case,
    CaseSubject,
    note_verdict,
    open_case,
    open_case_for,
)
from flscreen.policy.schema import Policy
from flscreen.policy.tables import inserted_id, screenings
from flscreen.policy.verdict import Verdict


def _step(s: Step) -> dict[str, Any]:
    return {
        "transaction_id": s.transaction_id,
        "supplier_id": s.supplier_id,
        "buyer_id": s.buyer_id,
        "material": s.material,
        "quantity": s.quantity,
        "unit": s.unit,
        "date": s.date,
        "documents": list(s.documents),
        "supplier_name": s.supplier_name,
        "buyer_name": s.buyer_name,
        "supplier_facility_id": s.supplier_facility_id,
        "share_of_input": s.share_of_input,
        "kind": s.kind,
        "provenance": s.provenance,
    }


def trace_to_dict(trace: TraceResult) -> dict[str, Any]:
    """The trace as JSON-ready dicts (what ``TraceResult.to_dict`` gives, without the
    deep copy that made it the slowest part of storing a screening)."""
    return {
        "shipment": trace.shipment,
        "tainted": trace.tainted,
        "paths": [
            {
                "source": {
                    "kind": p.source.kind,
                    "party_id": p.source.party_id,
                    "facility_id": p.source.facility_id,
                    "confidence": p.source.confidence,
                    "detail": p.source.detail,
                    "evidence": p.source.evidence,
                },
                "steps": [_step(s) for s in p.steps],
                "share": p.share,
                "evidence": p.evidence,
            }
            for p in trace.paths
        ],
        "gaps": [
            {
                **{f.name: getattr(g, f.name) for f in fields(g)},
                "steps": [_step(s) for s in g.steps],
            }
            for g in trace.gaps
        ],
        "mass_balance": [
            {
                **{f.name: getattr(m, f.name) for f in fields(m)},
                "transactions": list(m.transactions),
            }
            for m in trace.mass_balance
        ],
        "unlisted_paths": trace.unlisted_paths,
    }


@dataclass(frozen=True, slots=True)
class StoredScreening:
    id: int
    run_id: str
    shipment_id: str
    verdict: Verdict
    trace: dict[str, Any]
    screened_at: str
    actor: str
    audit_seq: int


def record_screening(
    conn: Connection,
    verdict: Verdict,
    trace: TraceResult,
    policy: Policy,
    *,
    actor: str,
    run_id: str,
    at: str | None = None,
    open_cases: Mapping[str, Case] | None = None,
) -> tuple[int, Case | None]:
    """Store and log a verdict; open a case when it needs a person and none is open.

    Returns the screening id and the case (new or already open) it belongs to.
    ``open_cases`` (shipment -> open case, from :func:`open_cases_by_shipment`)
    saves a query per shipment when a run records many.
    """
    when = at or audit.now_utc()
    data = verdict.to_dict()
    verdict_text = audit.canonical(data)
    trace_text = audit.canonical(trace_to_dict(trace))
    # The log holds what was decided and the digests of the full verdict and trace
    # stored beside it, so altering either row is caught by `flscreen audit verify`.
    rec = audit.append(
        conn,
        "screening",
        {
            "run": run_id,
            "shipment": verdict.shipment,
            "verdict": verdict.outcome,
            "policy": verdict.policy,
            "policy_version": verdict.policy_version,
            "list_versions": verdict.list_versions,
            "reasons": sorted({r.code for r in verdict.reasons if r.outcome != "clear"}),
            "verdict_sha256": _sha256(verdict_text),
            "trace_sha256": _sha256(trace_text),
        },
        actor,
        subject=verdict.shipment,
        at=when,
    )
    sid = inserted_id(
        conn.execute(
            screenings.insert(),
            {
                "run_id": run_id,
                "shipment_id": verdict.shipment,
                "policy": verdict.policy,
                "policy_version": verdict.policy_version,
                "outcome": verdict.outcome,
                "verdict": verdict_text,
                "trace": trace_text,
                "list_versions": audit.canonical(verdict.list_versions),
                "screened_at": when,
                "actor": actor,
                "audit_seq": rec.seq,
                "audit_hash": rec.hash,
            },
        )
    )
    if open_cases is None:
        existing = open_case_for(conn, verdict.shipment)
    else:
        existing = open_cases.get(verdict.shipment)
    if existing is not None:
        # A case being worked on keeps going; its history notes a changed verdict.
        return int(sid), note_verdict(conn, existing, verdict.outcome, sid, actor, at=when)
    if not verdict.opens_case:
        return int(sid), None
    opened = CaseSubject(verdict.shipment, verdict.policy, verdict.policy_version, verdict.outcome)
    case = open_case(conn, int(sid), actor, policy.case_rules(), at=when, screening=opened)
    return int(sid), case


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify_screenings(conn: Connection) -> list[str]:
    """Stored verdicts and traces whose digest differs from the audit record that
    logged them (the audit chain itself is checked by ``audit.verify``)."""
    problems = []
    rows = conn.execute(
        sa.select(
            screenings.c.id,
            screenings.c.shipment_id,
            screenings.c.verdict,
            screenings.c.trace,
            audit.audit_log.c.payload,
        )
        .select_from(
            screenings.outerjoin(audit.audit_log, audit.audit_log.c.seq == screenings.c.audit_seq)
        )
        .order_by(screenings.c.id)
    )
    for sid, shipment, verdict_text, trace_text, payload in rows:
        if payload is None:
            continue  # a missing record is reported by the anchor check
        logged = json.loads(payload)
        for what, text in (("verdict", verdict_text), ("trace", trace_text)):
            digest = logged.get(f"{what}_sha256")
            if digest is not None and digest != _sha256(text):
                problems.append(
                    f"screening {sid} of {shipment}: the stored {what} differs from the one "
                    "the audit log recorded (altered)"
                )
    return problems


def _stored(row: Any) -> StoredScreening:
    return StoredScreening(
        id=row.id,
        run_id=row.run_id,
        shipment_id=row.shipment_id,
        verdict=Verdict.from_dict(json.loads(row.verdict)),
        trace=json.loads(row.trace),
        screened_at=row.screened_at,
        actor=row.actor,
        audit_seq=row.audit_seq,
    )


def latest_screening(
    conn: Connection, shipment_id: str, policy: str | None = None
) -> StoredScreening:
    stmt = sa.select(screenings).where(screenings.c.shipment_id == shipment_id)
    if policy is not None:
        stmt = stmt.where(screenings.c.policy == policy)
    row = conn.execute(stmt.order_by(screenings.c.id.desc()).limit(1)).first()
    if row is None:
        raise NotFound(
            f"shipment {shipment_id!r} has not been screened"
            + (f" under {policy}" if policy else "")
            + " (run `flscreen screen` first)"
        )
    return _stored(row)


def get_screening(conn: Connection, screening_id: int) -> StoredScreening:
    row = conn.execute(sa.select(screenings).where(screenings.c.id == screening_id)).first()
    if row is None:
        raise NotFound(f"no screening {screening_id}")
    return _stored(row)


def latest_screenings(conn: Connection, policy: str | None = None) -> dict[str, StoredScreening]:
    """The newest screening of every shipment (under ``policy`` when given)."""
    latest = sa.select(sa.func.max(screenings.c.id).label("id")).group_by(screenings.c.shipment_id)
    if policy is not None:
        latest = latest.where(screenings.c.policy == policy)
    rows = conn.execute(sa.select(screenings).where(screenings.c.id.in_(latest.scalar_subquery())))
    return {r.shipment_id: _stored(r) for r in rows}


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def stale_lists(
    cited: Mapping[str, Mapping[str, Any]],
    screened_at: str,
    latest: Mapping[str, ListVersionRef],
) -> list[dict[str, Any]]:
    """The lists that changed since a verdict: a cited list with a newer version, or a
    list imported after the screening that it could not consult. Empty: not stale.

    ``cited`` is the verdict's ``list_versions``; ``latest`` what
    ``lists.store.latest_versions`` gives now.
    """
    screened = _when(screened_at)
    out = []
    for name, ref in sorted(latest.items()):
        was = cited.get(name)
        if was is not None:
            if int(was.get("version") or 0) < ref.version:
                out.append(
                    {"list": name, "cited": was.get("version"), "latest": ref.version,
                     "imported_at": ref.imported_at}
                )  # fmt: skip
            continue
        imported = _when(ref.imported_at)
        if screened is not None and imported is not None and imported > screened:
            out.append(
                {"list": name, "cited": None, "latest": ref.version, "imported_at": ref.imported_at}
            )
    return out


def stale_note(stale: Sequence[Mapping[str, Any]]) -> str | None:
    """One sentence for pages and the dossier saying why a verdict is out of date."""
    if not stale:
        return None
    parts = [
        f"{s['list']} v{s['cited']} -> v{s['latest']}"
        if s["cited"] is not None
        else f"{s['list']} v{s['latest']} (new since)"
        for s in stale
    ]
    return (
        "Stale: the lists changed after this verdict (" + ", ".join(parts) + "); screen again "
        "to decide on the newest versions."
    )


def staleness(
    conn: Connection, cited: dict[str, dict[str, Any]], screened_at: str
) -> dict[str, Any]:
    """``stale`` (the lists changed since: list, cited and latest version) and a note."""
    from flscreen.lists.store import latest_versions

    stale = stale_lists(cited, screened_at, latest_versions(conn))
    return {"stale": stale, "stale_note": stale_note(stale)}
