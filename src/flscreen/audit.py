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
from pathlib import Path
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


# --- decision tables ------------------------------------------------------------
# The rows the app reads as decisions (cases, case events, findings, rebuttals,
# documents, judgements, screenings, list versions) are checked against the records
# that logged them: a row whose fields differ, a row no record logged, and a record
# whose row is gone are all named. Altering a row without its record is caught here;
# altering the record too breaks the chain, which :func:`verify` catches.


def verify_decision_tables(conn: Connection) -> list[str]:
    """Every difference between the decision tables and the audit log, in words.

    Cases are recomputed by replaying their records (open, transition, verdict,
    assign); every other row is compared field by field with the record it cites
    (or, for judgements and list versions, the record naming it). A list version's
    entry digest and count are also recomputed from its stored entries.
    """
    logged = _decision_records(conn)
    problems: list[str] = []
    problems += _check_screenings(conn, logged)
    problems += _check_cases(conn, logged)
    problems += _check_case_rows(conn, logged)
    problems += _check_judgements(conn, logged)
    problems += _check_list_versions(conn, logged)
    return problems


def verify_store(
    conn: Connection, documents_dir: Path, known_heads: Iterable[str] = ()
) -> dict[str, Any]:
    """What ``flscreen audit verify --json`` and ``GET /audit/verify`` answer: the chain
    (with the anchors the tables hold and any known heads), every decision table
    against it, and the stored document files rehashed. ``ok`` only if all hold."""
    from flscreen.policy.cases import audit_anchors, verify_documents

    report = verify(conn, audit_anchors(conn), known_heads)
    decisions = verify_decision_tables(conn)
    files = verify_documents(conn, documents_dir)
    broken = report.broken
    return {
        "ok": report.ok and not decisions and not files,
        "records": report.records,
        "head": report.head,
        "broken": None
        if broken is None
        else {"seq": broken.seq, "problem": broken.problem, "kind": broken.kind, "at": broken.at},
        "decisions": decisions,
        "documents": files,
    }


_DECISION_KINDS = (
    "screening",
    "case.open",
    "case.transition",
    "case.verdict",
    "case.assign",
    "case.finding",
    "rebuttal",
    "document",
    "judgement",
    "lists.import",
)


def _decision_records(conn: Connection) -> dict[int, AuditRecord]:
    rows = conn.execute(
        sa.select(audit_log)
        .where(audit_log.c.kind.in_(_DECISION_KINDS))
        .order_by(audit_log.c.seq)
        .execution_options(yield_per=5000)
    )
    return {int(r.seq): _row_record(r) for r in rows}


def _differences(what: str, row: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """'field is X, the log says Y' for every field of ``row`` that differs."""
    out = []
    for key, want in expected.items():
        have = row.get(key)
        if isinstance(want, bool) or isinstance(have, bool):
            have, want = bool(have), bool(want)
        if have != want:
            out.append(f"{what}: {key} is {have!r}, the audit log says {want!r} (altered)")
    return out


def _cited(
    what: str, seq: int, kind: str | tuple[str, ...], logged: dict[int, AuditRecord]
) -> AuditRecord | str:
    rec = logged.get(seq)
    kinds = (kind,) if isinstance(kind, str) else kind
    if rec is None or rec.kind not in kinds:
        return f"{what}: the audit record it cites ({seq}) is not a {' or '.join(kinds)} record"
    return rec


def _unclaimed(
    kind: str, logged: dict[int, AuditRecord], claimed: set[int], what: str
) -> list[str]:
    return [
        f"audit record {seq} ({kind}, {rec.at}) logged {what} that is no longer stored (deleted)"
        for seq, rec in logged.items()
        if rec.kind == kind and seq not in claimed
    ]


def _check_screenings(conn: Connection, logged: dict[int, AuditRecord]) -> list[str]:
    from flscreen.policy.records import verify_screenings
    from flscreen.policy.tables import screenings

    problems = verify_screenings(conn)  # the stored verdict and trace against their digests
    claimed: set[int] = set()
    cols = [c for c in screenings.c if c.name not in ("verdict", "trace")]
    for row in conn.execute(sa.select(*cols).order_by(screenings.c.id)).mappings():
        what = f"screening {row['id']} of {row['shipment_id']}"
        rec = _cited(what, int(row["audit_seq"]), "screening", logged)
        if isinstance(rec, str):
            problems.append(rec)
            continue
        if rec.seq in claimed:
            problems.append(
                f"{what}: cites audit record {rec.seq}, which another screening "
                "cites (a copied row was inserted)"
            )
        claimed.add(rec.seq)
        data = rec.data
        problems += _differences(
            what,
            {**row, "list_versions": json.loads(row["list_versions"])},
            {
                "shipment_id": data.get("shipment"),
                "outcome": data.get("verdict"),
                "policy": data.get("policy"),
                "policy_version": data.get("policy_version"),
                "run_id": data.get("run"),
                "list_versions": data.get("list_versions"),
                "actor": rec.actor,
                "screened_at": rec.at,
            },
        )
    return problems + _unclaimed("screening", logged, claimed, "a screening")


def _replay_cases(logged: dict[int, AuditRecord]) -> dict[str, dict[str, Any]]:
    """Each case as its records say it is now."""
    from flscreen.policy.cases import HELD_VERDICTS

    state: dict[str, dict[str, Any]] = {}
    for rec in logged.values():
        if not rec.kind.startswith("case.") or rec.kind == "case.finding":
            continue
        data = rec.data
        case_id = data.get("case")
        if rec.kind == "case.open":
            state[case_id] = {
                "shipment_id": data.get("shipment"),
                "screening_id": data.get("screening"),
                "policy": data.get("policy"),
                "policy_version": data.get("policy_version"),
                "verdict": data.get("verdict"),
                "state": "open",
                "opened_at": rec.at,
                "updated_at": rec.at,
                "assignee": None,
                "detained_at": rec.at if data.get("verdict") in HELD_VERDICTS else None,
            }
            if "exception_rule" in data:
                state[case_id]["exception_rule"] = data["exception_rule"]
            continue
        case = state.get(case_id)
        if case is None:
            continue  # reported when the events are checked
        case["updated_at"] = rec.at
        if rec.kind == "case.transition":
            case["state"] = data.get("to")
        elif rec.kind == "case.verdict":
            case["verdict"] = data.get("to")
            if case["detained_at"] is None and data.get("to") in HELD_VERDICTS:
                case["detained_at"] = rec.at
        elif rec.kind == "case.assign":
            case["assignee"] = data.get("to")
    return state


def _check_cases(conn: Connection, logged: dict[int, AuditRecord]) -> list[str]:
    from flscreen.policy.tables import cases

    expected = _replay_cases(logged)
    problems: list[str] = []
    seen: set[str] = set()
    for row in conn.execute(sa.select(cases).order_by(cases.c.id)).mappings():
        case_id = row["case_id"]
        seen.add(case_id)
        want = expected.get(case_id)
        if want is None:
            problems.append(f"case {case_id}: no audit record opened it (inserted)")
            continue
        have = dict(row)
        if "exception_rule" in want:
            have["exception_rule"] = json.loads(row["exception_rule"])
        problems += _differences(f"case {case_id}", have, want)
    problems += [
        f"case {case_id}: opened in the audit log but no longer stored (deleted)"
        for case_id in expected
        if case_id not in seen
    ]
    return problems


def _check_case_rows(conn: Connection, logged: dict[int, AuditRecord]) -> list[str]:
    """Case events, findings, rebuttals and documents against the records they cite."""
    from flscreen.policy import cases as case_rules
    from flscreen.policy.tables import (
        case_events,
        case_findings,
        cases,
        evidence_documents,
        rebuttals,
    )

    ids = {int(pk): cid for pk, cid in conn.execute(sa.select(cases.c.id, cases.c.case_id))}
    problems: list[str] = []
    claimed: dict[str, set[int]] = {}

    def claim(rec: AuditRecord, what: str) -> None:
        seen = claimed.setdefault(rec.kind, set())
        if rec.seq in seen:
            problems.append(
                f"{what}: cites audit record {rec.seq}, which another row cites "
                "(a copied row was inserted)"
            )
        seen.add(rec.seq)

    for row in conn.execute(sa.select(case_events).order_by(case_events.c.id)).mappings():
        case_id = ids.get(int(row["case_pk"]), f"#{row['case_pk']}")
        what = f"case {case_id} event {row['id']}"
        rec = _cited(
            what,
            int(row["audit_seq"]),
            ("case.open", "case.transition", "case.verdict", "case.assign"),
            logged,
        )
        if isinstance(rec, str):
            problems.append(rec)
            continue
        claim(rec, what)
        data = rec.data
        want: dict[str, Any] = {"actor": rec.actor, "at": rec.at}
        if data.get("case") != case_id:
            problems.append(f"{what}: belongs to {data.get('case')} in the audit log (moved)")
        if rec.kind == "case.open":
            want |= {
                "from_state": None,
                "to_state": "open",
                "reason": case_rules.open_reason(
                    data.get("verdict"), data.get("policy"), data.get("policy_version")
                ),
                "clear_and_convincing": False,
            }
        elif rec.kind == "case.transition":
            want |= {
                "from_state": data.get("from"),
                "to_state": data.get("to"),
                "reason": data.get("reason"),
                "clear_and_convincing": bool(data.get("clear_and_convincing")),
            }
        elif rec.kind == "case.verdict":
            want |= {
                "reason": case_rules.verdict_reason(
                    data.get("screening"), data.get("to"), data.get("from")
                ),
                "clear_and_convincing": False,
            }
        else:
            want |= {
                "reason": case_rules.assign_reason(
                    data.get("to"), data.get("from"), data.get("note", "")
                ),
                "clear_and_convincing": False,
            }
        problems += _differences(what, dict(row), want)

    for row in conn.execute(sa.select(case_findings).order_by(case_findings.c.id)).mappings():
        case_id = ids.get(int(row["case_pk"]), f"#{row['case_pk']}")
        what = f"case {case_id} finding {row['id']}"
        rec = _cited(what, int(row["audit_seq"]), "case.finding", logged)
        if isinstance(rec, str):
            problems.append(rec)
            continue
        claim(rec, what)
        data = rec.data
        problems += _differences(
            what,
            {**row, "case": case_id, "document_ids": json.loads(row["document_ids"])},
            {
                "case": data.get("case"),
                "kind": data.get("kind"),
                "statement": data.get("statement"),
                "document_ids": [d.get("id") for d in data.get("documents", [])],
                "clear_and_convincing": data.get("clear_and_convincing"),
                "actor": rec.actor,
                "at": rec.at,
            },
        )

    for row in conn.execute(sa.select(rebuttals).order_by(rebuttals.c.id)).mappings():
        case_id = ids.get(int(row["case_pk"]), f"#{row['case_pk']}")
        what = f"case {case_id} rebuttal {row['id']}"
        rec = _cited(what, int(row["audit_seq"]), "rebuttal", logged)
        if isinstance(rec, str):
            problems.append(rec)
            continue
        claim(rec, what)
        data = rec.data
        problems += _differences(
            what,
            {**row, "case": case_id},
            {
                "case": data.get("case"),
                "statement": data.get("statement"),
                "supplied_by": data.get("supplied_by"),
                "submitted_at": rec.at,
            },
        )

    for row in conn.execute(
        sa.select(evidence_documents).order_by(evidence_documents.c.id)
    ).mappings():
        case_id = ids.get(int(row["case_pk"])) if row["case_pk"] is not None else None
        what = f"document {row['id']} ({row['filename']})"
        rec = _cited(what, int(row["audit_seq"]), "document", logged)
        if isinstance(rec, str):
            problems.append(rec)
            continue
        claim(rec, what)
        data = rec.data
        problems += _differences(
            what,
            {**row, "case": case_id, "size": int(row["size"])},
            {
                "sha256": data.get("sha256"),
                "kind": data.get("kind"),
                "filename": data.get("filename"),
                "size": data.get("size"),
                "case": data.get("case"),
                "transaction_id": data.get("transaction"),
                "rebuttal_id": data.get("rebuttal"),
                "supplied_by": rec.actor,
                "added_at": rec.at,
            },
        )

    for kind, what in (
        ("case.open", "a case's opening event"),
        ("case.transition", "a case transition"),
        ("case.verdict", "a case's verdict change"),
        ("case.assign", "a case assignment"),
        ("case.finding", "a finding"),
        ("rebuttal", "a rebuttal"),
        ("document", "a document"),
    ):
        problems += _unclaimed(kind, logged, claimed.get(kind, set()), what)
    return problems


def _check_judgements(conn: Connection, logged: dict[int, AuditRecord]) -> list[str]:
    from flscreen.matching.judgements import _COLUMNS, judgements_table

    by_id: dict[int, AuditRecord] = {}
    for rec in logged.values():
        if rec.kind == "judgement" and isinstance(rec.data.get("id"), int):
            by_id[int(rec.data["id"])] = rec
    problems: list[str] = []
    seen: set[int] = set()
    for row in conn.execute(sa.select(judgements_table).order_by(judgements_table.c.id)).mappings():
        pk = int(row["id"])
        seen.add(pk)
        what = f"judgement {pk} ({row['query_name']} ~ {row['list_name']}:{row['entry_id']})"
        found = by_id.get(pk)
        if found is None:
            problems.append(f"{what}: no audit record logged it (inserted)")
            continue
        data = found.data
        problems += _differences(what, dict(row), {k: data.get(k) for k in _COLUMNS})
    problems += [
        f"judgement {pk}: logged in audit record {rec.seq} but no longer stored (deleted)"
        for pk, rec in by_id.items()
        if pk not in seen
    ]
    return problems


def _check_list_versions(conn: Connection, logged: dict[int, AuditRecord]) -> list[str]:
    from flscreen.lists.store import (
        list_entry_bodies,
        list_version_entries,
        list_versions,
        lists_table,
    )

    by_key: dict[tuple[str, int], AuditRecord] = {}
    for rec in logged.values():
        if rec.kind == "lists.import":
            by_key[(rec.data.get("list"), int(rec.data.get("version", 0)))] = rec
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    stmt = (
        sa.select(list_versions, lists_table.c.name)
        .join(lists_table, lists_table.c.id == list_versions.c.list_id)
        .order_by(list_versions.c.id)
    )
    for row in conn.execute(stmt).mappings():
        key = (row["name"], int(row["version"]))
        seen.add(key)
        what = f"list {key[0]} version {key[1]}"
        found = by_key.get(key)
        if found is None:
            problems.append(
                f"{what}: no audit record logged its import (inserted, or imported "
                "before imports were audited: import it again)"
            )
            continue
        data = found.data
        problems += _differences(
            what,
            dict(row),
            {
                k: data.get(k)
                for k in (
                    "source", "format", "sha256", "entries_digest", "entry_count", "skipped",
                    "imported_at", "retrieved_at",
                )
            },
        )  # fmt: skip
        # The digest is the sum of the entries' content hashes mod 2**256 (VersionWriter).
        digest, count = 0, 0
        hashes = conn.execute(
            sa.select(list_version_entries.c.content_hash)
            .where(list_version_entries.c.version_id == row["id"])
            .execution_options(yield_per=20000)
        )
        for (content_hash,) in hashes:
            digest = (digest + int(content_hash, 16)) % (1 << 256)
            count += 1
        if count != data.get("entry_count") or f"{digest:064x}" != data.get("entries_digest"):
            problems.append(
                f"{what}: its stored entries ({count}) no longer add up to the digest the audit "
                "log recorded (entries added, removed or changed)"
            )
    bodies = conn.execute(
        sa.select(list_entry_bodies.c.content_hash, list_entry_bodies.c.body).execution_options(
            yield_per=20000
        )
    )
    altered = [h for h, body in bodies if hashlib.sha256(body.encode()).hexdigest() != h]
    if altered:
        problems.append(
            f"{len(altered)} list entry bod{'y' if len(altered) == 1 else 'ies'} no longer "
            f"match their content hash (altered), e.g. {altered[0][:16]}..."
        )
    problems += [
        f"list {name} version {version}: its import is in the audit log but the version is no "
        "longer stored (deleted)"
        for (name, version) in by_key
        if (name, version) not in seen
    ]
    return problems
