"""Cases: what people did about a review, detain or exclude verdict.

A case moves through the states below; every move records actor, time and
reason, and is logged in the audit trail. Documents (stored by sha256) and
rebuttals (documents plus a statement) attach to a case or to a transaction.

    open ──────────────> awaiting_importer <──> under_review ──> released
      │                        │                    │   │──────> excluded ──> under_review
      │                        └──> excluded        │   └──────> exception_granted
      └──> under_review, released, excluded

Goods held on a detain or exclude verdict leave detention only by a recorded
finding (:func:`record_finding`), never by a transition alone:

* ``released`` needs an **applicability** finding: the law does not apply to
  these goods (no input from the region or a listed entity), citing the case's
  documents that show it (when the policy requires documents);
* ``exception_granted`` needs an **exception** finding, citing documents, and
  under a policy that requires it (UFLPA section 3(b)) the officer's finding that
  the evidence is clear and convincing.

A finding counts only if it is newer than the case's last verdict change: a
re-screen that changes the verdict needs a fresh finding. A case on a review
verdict (goods not held) may be released with a reason; an exception always
needs its finding.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flscreen import audit
from flscreen.errors import InvalidInput, NotFound, Problem, Tampered
from flscreen.policy.tables import (
    ANCHORED,
    case_events,
    case_findings,
    cases,
    evidence_documents,
    inserted_id,
    rebuttals,
    screenings,
)

STATES = (
    "open",
    "awaiting_importer",
    "under_review",
    "released",
    "excluded",
    "exception_granted",
)
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"awaiting_importer", "under_review", "released", "excluded"}),
    "awaiting_importer": frozenset({"under_review", "excluded"}),
    "under_review": frozenset({"awaiting_importer", "released", "excluded", "exception_granted"}),
    # An exclusion can be protested: the case goes back under review.
    "excluded": frozenset({"under_review"}),
    "released": frozenset(),
    "exception_granted": frozenset(),
}
CLOSED = frozenset({"released", "exception_granted"})
HELD_VERDICTS = frozenset({"detain", "exclude"})
"""Verdicts under which the goods are held: leaving detention needs a finding."""
FINDING_KINDS = ("applicability", "exception")
FINDING_FOR: dict[str, str] = {"released": "applicability", "exception_granted": "exception"}
"""The finding a held case needs to reach each state."""

DOCUMENT_KINDS = (
    "invoice",
    "bill_of_lading",
    "packing_list",
    "purchase_order",
    "payment_record",
    "transport_record",
    "production_record",
    "mill_certificate",
    "certificate_of_origin",
    "audit",
    "isotope_test",
    "dna_trace_test",
    "affidavit",
    "supplier_declaration",
    "photo",
    "other",
)


@dataclass(frozen=True, slots=True)
class CaseSubject:
    """What a case opens on: a stored screening's shipment, policy and outcome."""

    shipment_id: str
    policy: str
    policy_version: str
    outcome: str


def _case_subject(conn: Connection, screening_id: int) -> CaseSubject:
    row = conn.execute(
        sa.select(
            screenings.c.shipment_id,
            screenings.c.policy,
            screenings.c.policy_version,
            screenings.c.outcome,
        ).where(screenings.c.id == screening_id)
    ).first()
    if row is None:
        raise NotFound(f"no screening {screening_id}")
    return CaseSubject(row.shipment_id, row.policy, row.policy_version, row.outcome)


@dataclass(frozen=True, slots=True)
class Case:
    pk: int
    case_id: str
    shipment_id: str
    screening_id: int
    policy: str
    policy_version: str
    verdict: str
    state: str
    opened_at: str
    updated_at: str
    exception_rule: dict[str, Any]
    """The policy's rules for leaving detention when the case opened (see
    ``Policy.case_rules``)."""
    assignee: str | None = None
    detained_at: str | None = None
    """When the goods were first held (a detain or exclude verdict), else None."""

    @property
    def held(self) -> bool:
        """The goods are (or were) held: leaving needs a recorded finding."""
        return self.detained_at is not None or self.verdict in HELD_VERDICTS

    def to_dict(self) -> dict[str, Any]:
        """The case as the CLI (``case list --json``) and the API show it."""
        return {
            "case": self.case_id,
            "shipment": self.shipment_id,
            "state": self.state,
            "verdict": self.verdict,
            "policy": self.policy,
            "policy_version": self.policy_version,
            "opened_at": self.opened_at,
            "updated_at": self.updated_at,
            "screening": self.screening_id,
            "assignee": self.assignee,
            "detained_at": self.detained_at,
        }


@dataclass(frozen=True, slots=True)
class CaseEvent:
    from_state: str | None
    to_state: str
    actor: str
    at: str
    reason: str
    clear_and_convincing: bool
    audit_seq: int


@dataclass(frozen=True, slots=True)
class Finding:
    """An officer's recorded finding on a case, with the documents it rests on."""

    id: int
    case_id: str
    kind: str
    statement: str
    document_ids: tuple[int, ...]
    clear_and_convincing: bool
    actor: str
    at: str
    audit_seq: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "case": self.case_id,
            "kind": self.kind,
            "statement": self.statement,
            "documents": list(self.document_ids),
            "clear_and_convincing": self.clear_and_convincing,
            "actor": self.actor,
            "at": self.at,
            "audit_seq": self.audit_seq,
        }


@dataclass(frozen=True, slots=True)
class StoredDocument:
    id: int
    sha256: str
    kind: str
    filename: str
    size: int
    supplied_by: str
    case_id: str | None
    transaction_id: str | None
    rebuttal_id: int | None
    added_at: str

    def to_dict(self) -> dict[str, Any]:
        """The document as the CLI, the API and the pages list it (by id, to download)."""
        return {
            "id": self.id,
            "sha256": self.sha256,
            "kind": self.kind,
            "filename": self.filename,
            "size": self.size,
            "supplied_by": self.supplied_by,
            "case": self.case_id,
            "transaction": self.transaction_id,
            "rebuttal": self.rebuttal_id,
            "added_at": self.added_at,
        }


@dataclass(frozen=True, slots=True)
class Rebuttal:
    id: int
    statement: str
    supplied_by: str
    submitted_at: str
    documents: tuple[StoredDocument, ...]


def _case(row: Any) -> Case:
    return Case(
        pk=row.id,
        case_id=row.case_id,
        shipment_id=row.shipment_id,
        screening_id=row.screening_id,
        policy=row.policy,
        policy_version=row.policy_version,
        verdict=row.verdict,
        state=row.state,
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        exception_rule=json.loads(row.exception_rule),
        assignee=row.assignee,
        detained_at=row.detained_at,
    )


def open_reason(verdict: str, policy: str, policy_version: str) -> str:
    """The reason a case-open event carries (also what ``audit verify`` expects)."""
    return f"{verdict} verdict under {policy} {policy_version}"


def verdict_reason(screening_id: int, to: str, was: str) -> str:
    """The reason of the event noting a changed verdict (also checked by verify)."""
    return f"re-screened (screening {screening_id}): verdict now {to}, was {was}"


def assign_reason(to: str | None, was: str | None, note: str) -> str:
    """The reason of an assignment event (also checked by verify)."""
    what = f"assigned to {to}" if to else "unassigned"
    if was:
        what += f" (was {was})"
    return f"{what}: {note}" if note.strip() else what


def get_case(conn: Connection, ref: str) -> Case:
    """A case by its id ('CASE-000007') or number ('7')."""
    ref = ref.strip()
    stmt = sa.select(cases)
    if ref.isdigit():
        stmt = stmt.where(cases.c.id == int(ref))
    else:
        stmt = stmt.where(cases.c.case_id == ref.upper())
    row = conn.execute(stmt).first()
    if row is None:
        raise NotFound(f"no case {ref!r} (see the case list: GET /cases, `flscreen case list`)")
    return _case(row)


def list_cases(
    conn: Connection, state: str | None = None, shipment_id: str | None = None
) -> list[Case]:
    if state is not None and state not in STATES:
        raise InvalidInput(f"unknown state {state!r}: one of {', '.join(STATES)}", source="--state")
    stmt = sa.select(cases).order_by(cases.c.id)
    if state is not None:
        stmt = stmt.where(cases.c.state == state)
    if shipment_id is not None:
        stmt = stmt.where(cases.c.shipment_id == shipment_id)
    return [_case(r) for r in conn.execute(stmt)]


def open_case_for(conn: Connection, shipment_id: str) -> Case | None:
    """The shipment's case still being worked on (not released or granted), if any."""
    row = conn.execute(
        sa.select(cases)
        .where(cases.c.shipment_id == shipment_id, cases.c.state.not_in(CLOSED))
        .order_by(cases.c.id.desc())
        .limit(1)
    ).first()
    return _case(row) if row else None


def open_cases_by_shipment(conn: Connection) -> dict[str, Case]:
    """Every shipment's case still being worked on (the newest, if several)."""
    rows = conn.execute(sa.select(cases).where(cases.c.state.not_in(CLOSED)).order_by(cases.c.id))
    return {r.shipment_id: _case(r) for r in rows}


def open_case(
    conn: Connection,
    screening_id: int,
    actor: str,
    exception_rule: dict[str, Any],
    at: str | None = None,
    screening: CaseSubject | None = None,
) -> Case:
    """Open a case on a stored screening (a review, detain or exclude verdict).

    ``screening`` (its shipment, policy and outcome) saves reading the screening back
    when the caller has just written it.
    """
    row = screening or _case_subject(conn, screening_id)
    when = at or audit.now_utc()
    detained_at = when if row.outcome in HELD_VERDICTS else None
    pk = inserted_id(
        conn.execute(
            cases.insert(),
            {
                "case_id": f"PENDING-{uuid.uuid4().hex}",
                "shipment_id": row.shipment_id,
                "screening_id": screening_id,
                "policy": row.policy,
                "policy_version": row.policy_version,
                "exception_rule": audit.canonical(exception_rule),
                "verdict": row.outcome,
                "state": "open",
                "opened_at": when,
                "updated_at": when,
                "detained_at": detained_at,
            },
        )
    )
    case_id = f"CASE-{pk:06d}"
    conn.execute(cases.update().where(cases.c.id == pk).values(case_id=case_id))
    reason = open_reason(row.outcome, row.policy, row.policy_version)
    rec = audit.append(
        conn,
        "case.open",
        {
            "case": case_id,
            "shipment": row.shipment_id,
            "screening": screening_id,
            "verdict": row.outcome,
            "policy": row.policy,
            "policy_version": row.policy_version,
            "exception_rule": exception_rule,
        },
        actor,
        subject=case_id,
        at=when,
    )
    conn.execute(
        case_events.insert(),
        {
            "case_pk": pk,
            "from_state": None,
            "to_state": "open",
            "actor": actor,
            "at": when,
            "reason": reason,
            "clear_and_convincing": False,
            "audit_seq": rec.seq,
            "audit_hash": rec.hash,
        },
    )
    return Case(
        pk=pk,
        case_id=case_id,
        shipment_id=row.shipment_id,
        screening_id=screening_id,
        policy=row.policy,
        policy_version=row.policy_version,
        verdict=row.outcome,
        state="open",
        opened_at=when,
        updated_at=when,
        exception_rule=dict(exception_rule),
        detained_at=detained_at,
    )


def note_verdict(
    conn: Connection,
    case: Case,
    outcome: str,
    screening_id: int,
    actor: str,
    at: str | None = None,
) -> Case:
    """Record on an open case that a new screening changed the verdict (the state
    stays: a person decides what the new verdict means for the case)."""
    if outcome == case.verdict:
        return case
    when = at or audit.now_utc()
    reason = verdict_reason(screening_id, outcome, case.verdict)
    rec = audit.append(
        conn,
        "case.verdict",
        {"case": case.case_id, "screening": screening_id, "from": case.verdict, "to": outcome},
        actor,
        subject=case.case_id,
        at=when,
    )
    _event(conn, case, case.state, case.state, actor, when, reason, rec)
    values: dict[str, Any] = {"verdict": outcome, "updated_at": when}
    if case.detained_at is None and outcome in HELD_VERDICTS:
        values["detained_at"] = when
    conn.execute(cases.update().where(cases.c.id == case.pk).values(**values))
    return get_case(conn, case.case_id)


def history(conn: Connection, case: Case) -> list[CaseEvent]:
    rows = conn.execute(
        sa.select(case_events).where(case_events.c.case_pk == case.pk).order_by(case_events.c.id)
    )
    return [
        CaseEvent(
            r.from_state,
            r.to_state,
            r.actor,
            r.at,
            r.reason,
            bool(r.clear_and_convincing),
            r.audit_seq,
        )
        for r in rows
    ]


def transition(
    conn: Connection,
    ref: str,
    to_state: str,
    actor: str,
    reason: str,
    *,
    at: str | None = None,
) -> Case:
    """Move a case to ``to_state``; refuse (listing every problem) what the rules forbid.

    Held goods reach ``released`` only on a current applicability finding, and any
    case reaches ``exception_granted`` only on a current exception finding (see the
    module docstring); the event names the finding it rests on.
    """
    case = get_case(conn, ref)
    problems: list[Problem] = []
    src = "case " + case.case_id
    allowed = False
    if to_state not in STATES:
        problems.append(Problem(src, f"unknown state {to_state!r}: one of {', '.join(STATES)}"))
    elif to_state not in TRANSITIONS[case.state]:
        choices = ", ".join(sorted(TRANSITIONS[case.state])) or "none (the case is closed)"
        problems.append(
            Problem(src, f"cannot go from {case.state} to {to_state}; allowed: {choices}")
        )
    else:
        allowed = True
    if not actor.strip():
        problems.append(Problem(src, "say who acts", field="actor"))
    if not reason.strip():
        problems.append(Problem(src, "give the reason for the decision", field="reason"))
    finding = None
    needed = FINDING_FOR.get(to_state)
    if allowed and needed is not None and (needed == "exception" or case.held):
        finding = current_finding(conn, case, needed)
        if finding is None:
            why = (
                f"the goods are held (detained since {case.detained_at or case.opened_at}): "
                "they leave detention"
                if needed == "applicability"
                else "an exception is granted"
            )
            problems.append(
                Problem(
                    src,
                    f"{why} only on a recorded {needed} finding citing the evidence; "
                    "record that finding first",
                    field="finding",
                )
            )
    if problems:
        raise InvalidInput(problems)
    when = at or audit.now_utc()
    convincing = bool(finding and finding.clear_and_convincing)
    rec = audit.append(
        conn,
        "case.transition",
        {
            "case": case.case_id,
            "shipment": case.shipment_id,
            "from": case.state,
            "to": to_state,
            "reason": reason,
            "clear_and_convincing": convincing,
            "finding": finding.id if finding else None,
        },
        actor,
        subject=case.case_id,
        at=when,
    )
    _event(conn, case, case.state, to_state, actor, when, reason, rec, convincing)
    conn.execute(
        cases.update().where(cases.c.id == case.pk).values(state=to_state, updated_at=when)
    )
    return get_case(conn, case.case_id)


def _event(
    conn: Connection,
    case: Case,
    from_state: str | None,
    to_state: str,
    actor: str,
    at: str,
    reason: str,
    rec: audit.AuditRecord,
    clear_and_convincing: bool = False,
) -> None:
    conn.execute(
        case_events.insert(),
        {
            "case_pk": case.pk,
            "from_state": from_state,
            "to_state": to_state,
            "actor": actor,
            "at": at,
            "reason": reason,
            "clear_and_convincing": clear_and_convincing,
            "audit_seq": rec.seq,
            "audit_hash": rec.hash,
        },
    )


def assign(
    conn: Connection,
    ref: str,
    assignee: str | None,
    actor: str,
    note: str = "",
    *,
    at: str | None = None,
) -> Case:
    """Give a case to ``assignee`` (None or blank: nobody); logged as a case event."""
    case = get_case(conn, ref)
    to = (assignee or "").strip() or None
    src = "case " + case.case_id
    problems: list[Problem] = []
    if case.state in CLOSED:
        problems.append(Problem(src, f"the case is closed ({case.state}); nothing to assign"))
    if not actor.strip():
        problems.append(Problem(src, "say who assigns", field="actor"))
    if to == case.assignee:
        problems.append(
            Problem(src, f"already assigned to {to}" if to else "not assigned", field="assignee")
        )
    if problems:
        raise InvalidInput(problems)
    when = at or audit.now_utc()
    reason = assign_reason(to, case.assignee, note)
    rec = audit.append(
        conn,
        "case.assign",
        {"case": case.case_id, "from": case.assignee, "to": to, "note": note},
        actor,
        subject=case.case_id,
        at=when,
    )
    _event(conn, case, case.state, case.state, actor, when, reason, rec)
    conn.execute(cases.update().where(cases.c.id == case.pk).values(assignee=to, updated_at=when))
    return get_case(conn, case.case_id)


# --- findings -------------------------------------------------------------------


def _finding(row: Any, case_id: str) -> Finding:
    return Finding(
        id=int(row.id),
        case_id=case_id,
        kind=row.kind,
        statement=row.statement,
        document_ids=tuple(int(d) for d in json.loads(row.document_ids)),
        clear_and_convincing=bool(row.clear_and_convincing),
        actor=row.actor,
        at=row.at,
        audit_seq=int(row.audit_seq),
    )


def findings_of_case(conn: Connection, case: Case) -> list[Finding]:
    rows = conn.execute(
        sa.select(case_findings)
        .where(case_findings.c.case_pk == case.pk)
        .order_by(case_findings.c.id)
    )
    return [_finding(r, case.case_id) for r in rows]


def current_finding(conn: Connection, case: Case, kind: str) -> Finding | None:
    """The newest ``kind`` finding recorded after the case's last verdict change."""
    changed = conn.execute(
        sa.select(sa.func.max(audit.audit_log.c.seq)).where(
            audit.audit_log.c.subject == case.case_id, audit.audit_log.c.kind == "case.verdict"
        )
    ).scalar()
    row = conn.execute(
        sa.select(case_findings)
        .where(
            case_findings.c.case_pk == case.pk,
            case_findings.c.kind == kind,
            case_findings.c.audit_seq > int(changed or 0),
        )
        .order_by(case_findings.c.id.desc())
        .limit(1)
    ).first()
    return _finding(row, case.case_id) if row else None


def record_finding(
    conn: Connection,
    ref: str,
    kind: str,
    statement: str,
    document_ids: Sequence[int],
    actor: str,
    *,
    clear_and_convincing: bool = False,
    at: str | None = None,
) -> Finding:
    """Record an applicability or exception finding resting on the case's documents.

    Refuses (listing every problem) a finding on a closed case, one citing documents
    that are not the case's, one without the documents the policy requires, and an
    exception without the clear-and-convincing finding a policy requires.
    """
    case = get_case(conn, ref)
    src = "case " + case.case_id
    rule = case.exception_rule
    problems: list[Problem] = []
    if case.state in CLOSED:
        problems.append(Problem(src, f"the case is closed ({case.state})"))
    if kind not in FINDING_KINDS:
        problems.append(
            Problem(
                src, f"unknown finding {kind!r}: one of {', '.join(FINDING_KINDS)}", field="kind"
            )
        )
    if not statement.strip():
        problems.append(Problem(src, "say what the evidence shows", field="statement"))
    if not actor.strip():
        problems.append(Problem(src, "say who finds", field="actor"))
    docs = {d.id: d for d in documents_of_case(conn, case)}
    cited = list(dict.fromkeys(int(d) for d in document_ids))
    foreign = [d for d in cited if d not in docs]
    if foreign:
        problems.append(
            Problem(
                src,
                f"document(s) {', '.join(map(str, foreign))} are not attached to this case"
                + (f" (its documents: {', '.join(map(str, docs))})" if docs else ""),
                field="documents",
            )
        )
    needs_docs = (
        rule.get("requires_documents", True)
        if kind == "exception"
        else rule.get("applicability_requires_documents", True)
    )
    if needs_docs and not cited:
        problems.append(
            Problem(
                src,
                f"an {kind} finding under {case.policy} must cite the documents that show it: "
                "attach them to the case, then name them",
                field="documents",
            )
        )
    if clear_and_convincing and kind != "exception":
        problems.append(
            Problem(src, "the clear-and-convincing finding belongs to an exception only")
        )
    if (
        kind == "exception"
        and rule.get("requires_clear_and_convincing")
        and not clear_and_convincing
    ):
        problems.append(
            Problem(
                src,
                f"an exception under {case.policy} needs the officer's finding that the "
                "evidence is clear and convincing",
                field="clear_and_convincing",
            )
        )
    if problems:
        raise InvalidInput(problems)
    when = at or audit.now_utc()
    rec = audit.append(
        conn,
        "case.finding",
        {
            "case": case.case_id,
            "kind": kind,
            "statement": statement,
            "documents": [{"id": d, "sha256": docs[d].sha256} for d in cited],
            "clear_and_convincing": clear_and_convincing,
        },
        actor,
        subject=case.case_id,
        at=when,
    )
    pk = inserted_id(
        conn.execute(
            case_findings.insert(),
            {
                "case_pk": case.pk,
                "kind": kind,
                "statement": statement,
                "document_ids": audit.canonical(cited),
                "clear_and_convincing": clear_and_convincing,
                "actor": actor,
                "at": when,
                "audit_seq": rec.seq,
                "audit_hash": rec.hash,
            },
        )
    )
    return Finding(
        pk, case.case_id, kind, statement, tuple(cited), clear_and_convincing, actor, when, rec.seq
    )


# --- documents ------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_files(files: Sequence[Path], kind: str, supplied_by: str) -> list[Problem]:
    problems = []
    if not files:
        problems.append(Problem("", "give at least one file to attach"))
    for f in files:
        if not f.is_file():
            problems.append(Problem(str(f), "file not found"))
    if kind not in DOCUMENT_KINDS:
        problems.append(
            Problem("", f"unknown kind {kind!r}: one of {', '.join(DOCUMENT_KINDS)}", field="kind")
        )
    if not supplied_by.strip():
        problems.append(Problem("", "say who supplied the documents", field="supplied_by"))
    return problems


def _transaction_known(conn: Connection, transaction_id: str) -> bool:
    from flscreen.supply.store import transactions

    found = conn.execute(
        sa.select(transactions.c.transaction_id).where(
            transactions.c.transaction_id == transaction_id
        )
    ).first()
    return found is not None


def _store_file(path: Path, documents_dir: Path) -> tuple[str, int]:
    """Copy ``path`` into the content-addressed folder; return (sha256, size)."""
    sha = file_sha256(path)
    documents_dir.mkdir(parents=True, exist_ok=True)
    target = documents_dir / sha
    if not target.exists():
        tmp = documents_dir / f".{sha}.part"
        shutil.copyfile(path, tmp)
        tmp.replace(target)
    return sha, path.stat().st_size


def attach(
    conn: Connection,
    documents_dir: Path,
    files: Sequence[Path],
    kind: str,
    supplied_by: str,
    *,
    case_ref: str | None = None,
    transaction_id: str | None = None,
    statement: str | None = None,
    at: str | None = None,
) -> list[StoredDocument]:
    """Store ``files`` by sha256 and attach them to a case and/or a transaction.

    With a ``statement`` (case only) the files and statement form one rebuttal.
    """
    problems = _check_files(files, kind, supplied_by)
    case = get_case(conn, case_ref) if case_ref else None
    if case is None and transaction_id is None:
        problems.append(Problem("", "attach to a case or a transaction"))
    if transaction_id is not None and not _transaction_known(conn, transaction_id):
        problems.append(
            Problem(
                "", f"no transaction {transaction_id!r} in the supply store", field="transaction"
            )
        )
    if statement is not None and case is None:
        problems.append(Problem("", "a rebuttal statement belongs to a case", field="statement"))
    if statement is not None and not statement.strip():
        problems.append(Problem("", "the rebuttal statement is empty", field="statement"))
    if problems:
        raise InvalidInput(problems)
    when = at or audit.now_utc()
    subject = case.case_id if case else transaction_id
    rebuttal_id = None
    if statement is not None and case is not None:
        rec = audit.append(
            conn,
            "rebuttal",
            {"case": case.case_id, "statement": statement, "supplied_by": supplied_by},
            supplied_by,
            subject=subject,
            at=when,
        )
        rebuttal_id = inserted_id(
            conn.execute(
                rebuttals.insert(),
                {
                    "case_pk": case.pk,
                    "statement": statement,
                    "supplied_by": supplied_by,
                    "submitted_at": when,
                    "audit_seq": rec.seq,
                    "audit_hash": rec.hash,
                },
            )
        )
    stored: list[StoredDocument] = []
    for path in files:
        sha, size = _store_file(path, documents_dir)
        rec = audit.append(
            conn,
            "document",
            {
                "sha256": sha,
                "kind": kind,
                "filename": path.name,
                "size": size,
                "case": case.case_id if case else None,
                "transaction": transaction_id,
                "rebuttal": rebuttal_id,
            },
            supplied_by,
            subject=subject,
            at=when,
        )
        pk = inserted_id(
            conn.execute(
                evidence_documents.insert(),
                {
                    "sha256": sha,
                    "kind": kind,
                    "filename": path.name,
                    "size": size,
                    "supplied_by": supplied_by,
                    "case_pk": case.pk if case else None,
                    "transaction_id": transaction_id,
                    "rebuttal_id": rebuttal_id,
                    "added_at": when,
                    "audit_seq": rec.seq,
                    "audit_hash": rec.hash,
                },
            )
        )
        stored.append(
            StoredDocument(
                pk,
                sha,
                kind,
                path.name,
                size,
                supplied_by,
                case.case_id if case else None,
                transaction_id,
                rebuttal_id,
                when,
            )
        )
    return stored


def _doc(row: Any, case_id: str | None) -> StoredDocument:
    return StoredDocument(
        row.id,
        row.sha256,
        row.kind,
        row.filename,
        int(row.size),
        row.supplied_by,
        case_id,
        row.transaction_id,
        row.rebuttal_id,
        row.added_at,
    )


def documents_of_case(conn: Connection, case: Case) -> list[StoredDocument]:
    rows = conn.execute(
        sa.select(evidence_documents)
        .where(evidence_documents.c.case_pk == case.pk)
        .order_by(evidence_documents.c.id)
    )
    return [_doc(r, case.case_id) for r in rows]


def documents_of_transactions(
    conn: Connection, transaction_ids: Sequence[str]
) -> dict[str, list[StoredDocument]]:
    """Documents attached to each of ``transaction_ids`` (by any case or directly)."""
    if not transaction_ids:
        return {}
    rows = conn.execute(
        sa.select(evidence_documents)
        .where(evidence_documents.c.transaction_id.in_(list(set(transaction_ids))))
        .order_by(evidence_documents.c.id)
    )
    found: dict[str, list[StoredDocument]] = {}
    for r in rows:
        found.setdefault(r.transaction_id, []).append(_doc(r, None))
    return found


def rebuttals_of_case(conn: Connection, case: Case) -> list[Rebuttal]:
    docs = documents_of_case(conn, case)
    rows = conn.execute(
        sa.select(rebuttals).where(rebuttals.c.case_pk == case.pk).order_by(rebuttals.c.id)
    )
    return [
        Rebuttal(
            r.id,
            r.statement,
            r.supplied_by,
            r.submitted_at,
            tuple(d for d in docs if d.rebuttal_id == r.id),
        )
        for r in rows
    ]


def get_document(conn: Connection, document_id: int) -> StoredDocument:
    """A stored document by its id (as listed on a case or a transaction)."""
    row = conn.execute(
        sa.select(evidence_documents, cases.c.case_id)
        .select_from(
            evidence_documents.outerjoin(cases, cases.c.id == evidence_documents.c.case_pk)
        )
        .where(evidence_documents.c.id == document_id)
    ).first()
    if row is None:
        raise NotFound(f"no document {document_id}")
    return _doc(row, row.case_id)


def read_document(
    conn: Connection, documents_dir: Path, document_id: int, case_ref: str | None = None
) -> tuple[StoredDocument, bytes]:
    """The document and its bytes, checked against the sha256 it was recorded with.

    With ``case_ref`` the document must belong to that case. A missing file is
    NotFound; a file whose hash differs raises Tampered and nothing is served.
    """
    doc = get_document(conn, document_id)
    if case_ref is not None:
        case = get_case(conn, case_ref)
        if doc.case_id != case.case_id:
            raise NotFound(f"case {case.case_id} has no document {document_id}")
    path = documents_dir / doc.sha256
    try:
        body = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(
            f"document {document_id} ({doc.filename}) is recorded but its file is missing"
        ) from None
    if hashlib.sha256(body).hexdigest() != doc.sha256:
        raise Tampered(
            f"document {document_id} ({doc.filename}) was altered after it was attached: its "
            "sha256 no longer matches the recorded one, so it is not served"
        )
    return doc, body


def verify_documents(conn: Connection, documents_dir: Path) -> list[str]:
    """Rehash every stored document file; say which are missing or altered."""
    problems = []
    seen: set[str] = set()
    rows = conn.execute(
        sa.select(evidence_documents.c.sha256, evidence_documents.c.filename).order_by(
            evidence_documents.c.id
        )
    )
    for sha, filename in rows:
        if sha in seen:
            continue
        seen.add(sha)
        path = documents_dir / sha
        if not path.is_file():
            problems.append(f"document {filename} ({sha[:16]}...) is missing from {documents_dir}")
        elif file_sha256(path) != sha:
            problems.append(f"document {filename} ({sha[:16]}...) was altered: its hash differs")
    return problems


def audit_anchors(conn: Connection) -> list[tuple[int, str, str]]:
    """(seq, hash, where) of every audit record these tables cite, for audit.verify."""
    found: list[tuple[int, str, str]] = []
    for table in ANCHORED:
        rows = conn.execute(sa.select(table.c.id, table.c.audit_seq, table.c.audit_hash))
        found.extend((r.audit_seq, r.audit_hash, f"{table.name} row {r.id}") for r in rows)
    return found


# --- the work queue -------------------------------------------------------------


def _days_since(stamp: str | None, now: datetime) -> float | None:
    if not stamp:
        return None
    when = datetime.fromisoformat(stamp)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return round((now - when).total_seconds() / 86400, 1)


def work_queue(conn: Connection, now: datetime | None = None) -> list[dict[str, Any]]:
    """Open cases with their detention clock (days held against the policy's limit),
    overdue first, then the longest held, then the oldest."""
    now = now or datetime.now(UTC)
    rows = []
    for case in list_cases(conn):
        if case.state in CLOSED:
            continue
        held = _days_since(case.detained_at, now)
        limit = case.exception_rule.get("detention_limit_days")
        rows.append(
            {
                **case.to_dict(),
                "age_days": _days_since(case.opened_at, now),
                "detained_days": held,
                "limit_days": limit,
                "overdue": held is not None and limit is not None and held > float(limit),
            }
        )
    rows.sort(key=lambda r: (not r["overdue"], -(r["detained_days"] or -1), -(r["age_days"] or 0)))
    return rows
