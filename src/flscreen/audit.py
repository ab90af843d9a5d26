"""The append-only audit log: every screening, verdict, case transition, judgement
and document, each record carrying the hash of the one before it.

A record's hash is the sha256 of the canonical JSON of its sequence number,
time, kind, actor, subject and the previous hash, followed by its payload.
Altering a row changes its hash; deleting or reordering rows breaks the sequence or the link;
:func:`verify` recomputes the chain and names the first broken record.
Deleting the newest rows leaves a shorter valid chain, so other tables keep
*anchors* (sequence number and hash of the record that logged them) and
:func:`verify` checks those too.

Any domain may log through :func:`append` (``flscreen.audit.append(conn, kind,
payload, actor)``) inside its own transaction: the record commits or rolls back
with the change it describes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flscreen.errors import StoreError

GENESIS = "0" * 64
# A fixed key for PostgreSQL's advisory lock: appends from concurrent
# transactions queue instead of forking the chain.
_PG_LOCK_KEY = 0x464C_4155  # "FLAU"

metadata = sa.MetaData()

audit_log = sa.Table(
    "audit_log",
    metadata,
    # Assigned by append (last + 1), not by the database: a deleted row leaves a gap.
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("subject", sa.String(255), nullable=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("hash", sa.String(64), nullable=False, unique=True),
    sa.Index("ix_audit_log_subject", "subject"),
)


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 characters kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def record_hash(
    seq: int, at: str, kind: str, actor: str, subject: str | None, payload: str, prev_hash: str
) -> str:
    """sha256 over the canonical JSON of the record's fields and the previous hash, a
    newline, then the payload text as stored (JSON escapes newlines, so the split is
    unambiguous and a large payload is not encoded a second time)."""
    head = canonical(
        {
            "seq": seq,
            "at": at,
            "kind": kind,
            "actor": actor,
            "subject": subject,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(f"{head}\n{payload}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditRecord:
    seq: int
    at: str
    kind: str
    actor: str
    subject: str | None
    payload: str
    """Canonical JSON text, exactly as hashed."""
    prev_hash: str
    hash: str

    @property
    def data(self) -> Any:
        return json.loads(self.payload)

    @property
    def anchor(self) -> tuple[int, str]:
        """What another table keeps to prove this record existed."""
        return (self.seq, self.hash)


def _head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(
        sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    return (int(row.seq), str(row.hash)) if row else (0, GENESIS)


def append(
    conn: Connection,
    kind: str,
    payload: Any,
    actor: str,
    *,
    subject: str | None = None,
    at: str | None = None,
) -> AuditRecord:
    """Log one event inside the caller's transaction and return the record.

    ``kind`` names the event ('screening', 'case.transition', 'judgement',
    'document', ...); ``payload`` is any JSON value or a dataclass; ``subject`` (a shipment,
    case or party id) makes the history of one thing easy to find.
    """
    if not kind or not actor:
        raise ValueError("an audit record needs a kind and an actor")
    if dataclasses.is_dataclass(payload) and not isinstance(payload, type):
        payload = dataclasses.asdict(payload)
    # The head is read once per transaction: after the first append this transaction
    # holds the write lock (SQLite) or the advisory lock (PostgreSQL) until it ends,
    # so nobody else can have moved it. A screen of many shipments saves a query each.
    txn = conn.get_transaction()
    cached = conn.info.get("flscreen_audit_head")
    if cached is not None and txn is not None and cached[0] is txn:
        seq, prev = cached[1], cached[2]
    else:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        seq, prev = _head(conn)
    seq += 1
    text = canonical(payload)
    when = at or now_utc()
    digest = record_hash(seq, when, kind, actor, subject, text, prev)
    try:
        # Parameters apart from the statement: SQLAlchemy compiles it once and reuses it.
        conn.execute(
            audit_log.insert(),
            {
                "seq": seq,
                "at": when,
                "kind": kind,
                "actor": actor,
                "subject": subject,
                "payload": text,
                "prev_hash": prev,
                "hash": digest,
            },
        )
    except sa.exc.IntegrityError as exc:
        raise StoreError(
            "another process appended to the audit log at the same time; retry"
        ) from exc
    except sa.exc.OperationalError as exc:
        # SQLite refuses a write whose read snapshot is stale (another writer won).
        raise StoreError(f"the store is busy with another writer; retry ({exc.orig})") from exc
    conn.info["flscreen_audit_head"] = (txn, seq, digest)
    return AuditRecord(seq, when, kind, actor, subject, text, prev, digest)


def _row_record(row: Any) -> AuditRecord:
    return AuditRecord(
        int(row.seq),
        row.at,
        row.kind,
        row.actor,
        row.subject,
        row.payload,
        row.prev_hash,
        row.hash,
    )


def iter_records(
    conn: Connection, subject: str | None = None, batch: int = 5000
) -> Iterator[AuditRecord]:
    """Records in sequence order (all, or those about ``subject``), read in pages."""
    last = 0
    while True:
        stmt = sa.select(audit_log).where(audit_log.c.seq > last)
        if subject is not None:
            stmt = stmt.where(audit_log.c.subject == subject)
        rows = conn.execute(stmt.order_by(audit_log.c.seq).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield _row_record(row)
        last = int(rows[-1].seq)


@dataclass(frozen=True, slots=True)
class Broken:
    seq: int
    """The first record that does not verify (or the anchor's sequence number)."""
    problem: str
    kind: str | None = None
    at: str | None = None


@dataclass(frozen=True, slots=True)
class VerifyReport:
    records: int
    head: str
    broken: Broken | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(
    conn: Connection,
    anchors: Iterable[tuple[int, str, str]] = (),
    known_heads: Iterable[str] = (),
) -> VerifyReport:
    """Recompute the chain; report the first record that breaks it.

    ``anchors`` are (seq, hash, where) triples other tables hold for the records
    that logged them; a missing or different record means rows were removed from
    the end or rewritten wholesale. ``known_heads`` are head hashes noted
    earlier (printed by ``flscreen audit verify``, kept outside the database):
    each must still be in the chain, which catches a truncation that also
    removed the rows citing the lost records.
    """
    heads = {h.strip().lower() for h in known_heads if h.strip()}
    wanted: dict[int, tuple[str, str]] = {}
    for seq, digest, where in anchors:
        wanted.setdefault(seq, (digest, where))
    expected_seq, prev, count = 1, GENESIS, 0
    for rec in iter_records(conn):
        count += 1
        problem = None
        if rec.seq != expected_seq:
            missing = f"record {expected_seq}" + (
                f" to {rec.seq - 1}" if rec.seq - 1 > expected_seq else ""
            )
            problem = (
                f"{missing} missing before this one (deleted)"
                if rec.seq > expected_seq
                else f"sequence number {rec.seq} out of order"
            )
        elif rec.prev_hash != prev:
            problem = "does not link to the record before it (rows deleted, inserted or reordered)"
        elif (
            record_hash(rec.seq, rec.at, rec.kind, rec.actor, rec.subject, rec.payload, prev)
            != rec.hash
        ):
            problem = "content altered: its hash no longer matches its fields"
        elif rec.seq in wanted and wanted[rec.seq][0] != rec.hash:
            problem = f"differs from the hash {wanted[rec.seq][1]} holds (log rewritten)"
        if problem is not None:
            return VerifyReport(count, prev, Broken(rec.seq, problem, rec.kind, rec.at))
        prev = rec.hash
        heads.discard(rec.hash)
        expected_seq = rec.seq + 1
    if heads:
        lost = sorted(heads)[0]
        return VerifyReport(
            count,
            prev,
            Broken(
                expected_seq,
                f"the record with hash {lost[:16]}..., a head noted earlier, is no longer in "
                "the chain (log truncated or rewritten)",
            ),
        )
    beyond = sorted(seq for seq in wanted if seq >= expected_seq)
    if beyond:
        seq = beyond[0]
        where = wanted[seq][1]
        return VerifyReport(
            count,
            prev,
            Broken(seq, f"record {seq}, which {where} cites, is missing (log truncated)"),
        )
    return VerifyReport(count, prev, None)
