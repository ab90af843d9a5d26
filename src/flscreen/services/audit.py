"""The audit trail: is the chain intact (and every decision table and stored document
with it), and its newest records, as `flscreen audit verify --json` and `flscreen audit
log` print them."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from flscreen import audit


def verify_audit(conn: Connection, documents_dir: Path) -> dict[str, Any]:
    """``flscreen audit verify --json``: the chain, every decision table against it, and
    the stored documents rehashed (see ``audit.verify_store``)."""
    return audit.verify_store(conn, documents_dir)


def audit_records(
    conn: Connection, subject: str | None = None, kind: str | None = None, last: int = 100
) -> list[dict[str, Any]]:
    """The newest ``last`` audit records (about ``subject``, of ``kind``), newest first,
    as ``flscreen audit log`` prints them."""
    kept: deque[dict[str, Any]] = deque(maxlen=last)
    for rec in audit.iter_records(conn, subject=subject):
        if kind is not None and rec.kind != kind:
            continue
        kept.append(record_json(rec))
    return list(reversed(kept))


def record_json(rec: audit.AuditRecord) -> dict[str, Any]:
    """One audit record as `flscreen audit log` prints it and the API answers it."""
    return {
        "seq": rec.seq,
        "at": rec.at,
        "kind": rec.kind,
        "actor": rec.actor,
        "subject": rec.subject,
        "payload": rec.data,
        "hash": rec.hash,
    }
