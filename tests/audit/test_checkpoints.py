"""Signed Merkle checkpoints: a log rewritten with consistent hashes still fails."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from flscreen import audit, checkpoints
from flscreen.checkpoints import (
    inclusion_proof,
    leaf_hash,
    node_hash,
    tree_head,
    verify_inclusion,
)
from flscreen.cli.main import app
from flscreen.store import Store, open_store


def reference_head(leaves: list[bytes]) -> bytes:
    """RFC 6962 2.1's recursive definition, written out as the RFC states it."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(reference_head(leaves[:k]), reference_head(leaves[k:]))


@pytest.mark.parametrize("n", range(0, 34))
def test_tree_head_and_inclusion_proofs(n: int) -> None:
    leaves = [leaf_hash(str(i).encode()) for i in range(n)]
    root = tree_head(leaves)
    assert root == reference_head(leaves)
    for i in range(n):
        proof = inclusion_proof(leaves, i)
        assert verify_inclusion(leaves[i], i, n, proof, root)
        assert not verify_inclusion(leaf_hash(b"forged"), i, n, proof, root)
        if proof:
            bad = [*proof[:-1], hashlib.sha256(proof[-1]).digest()]
            assert not verify_inclusion(leaves[i], i, n, bad, root)
        assert not verify_inclusion(leaves[i], (i + 1) % max(n, 1) if n > 1 else 5, n, proof, root)


def test_known_rfc6962_vector() -> None:
    # The empty tree and a one-leaf tree of the empty string (RFC 6962 / CT test data).
    assert tree_head([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert tree_head([leaf_hash(b"")]).hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )


def _log(store: Store, n: int, start: int = 0) -> None:
    with store.begin() as conn:
        for i in range(start, start + n):
            audit.append(
                conn,
                "note",
                {"text": f"observation {i}"},
                "officer.li",
                subject=f"CASE-{i}",
            )


def _rewrite_consistently(store: Store, from_seq: int) -> None:
    """What an insider with write access does: change one record and recompute every
    hash after it, so the chain verifies again."""
    with store.begin() as conn:
        rows = conn.execute(
            sa.select(audit.audit_log)
            .where(audit.audit_log.c.seq >= from_seq)
            .order_by(audit.audit_log.c.seq)
        ).all()
        prev = conn.execute(
            sa.select(audit.audit_log.c.hash).where(audit.audit_log.c.seq == from_seq - 1)
        ).scalar_one()
        conn.execute(audit.audit_log.delete().where(audit.audit_log.c.seq >= from_seq))
        for r in rows:
            payload = r.payload
            actor = "someone else" if r.seq == from_seq else r.actor
            digest = audit.record_hash(r.seq, r.at, r.kind, actor, r.subject, payload, prev)
            conn.execute(
                audit.audit_log.insert().values(
                    seq=r.seq,
                    at=r.at,
                    kind=r.kind,
                    actor=actor,
                    subject=r.subject,
                    payload=payload,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest


def test_checkpoint_catches_a_consistent_rewrite(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url)
    _log(store, 9)
    key = checkpoints.new_key(tmp_path / "keys" / "cp.key")
    public = checkpoints.load_public(tmp_path / "keys" / "cp.key.pub")
    with store.connect() as conn:
        cp = checkpoints.make_checkpoint(conn, key)
    assert (cp.tree_size, cp.head_seq) == (9, 9)
    _log(store, 4, start=9)  # the log grows: it still extends the checkpoint
    with store.connect() as conn:
        assert checkpoints.verify_checkpoint(conn, cp, public).ok
        proof = checkpoints.record_proof(conn, cp, 5)
    assert proof["verified"] and proof["tree_size"] == 9

    _rewrite_consistently(store, 4)
    with store.connect() as conn:
        assert audit.verify(conn).ok  # the chain alone cannot tell
        report = checkpoints.verify_checkpoint(conn, cp, public)
    assert not report.ok and "rewritten" in (report.problem or "")
    store.dispose()


def test_checkpoint_refuses_truncation_forgery_and_other_keys(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url)
    _log(store, 6)
    key = checkpoints.new_key(tmp_path / "cp.key")
    public = key.public_key()
    with store.connect() as conn:
        cp = checkpoints.make_checkpoint(conn, key)
    other = checkpoints.new_key(tmp_path / "other.key").public_key()
    with store.connect() as conn:
        wrong = checkpoints.verify_checkpoint(conn, cp, other)
        assert not wrong.ok and "not the trusted key" in (wrong.problem or "")
        # A checkpoint edited to match a rewritten log no longer carries a valid signature.
        forged = replace(cp, root_hash="00" * 32)
        bad = checkpoints.verify_checkpoint(conn, forged, public)
        assert not bad.ok and "signature" in (bad.problem or "")
    with store.begin() as conn:
        conn.execute(audit.audit_log.delete().where(audit.audit_log.c.seq >= 5))
    with store.connect() as conn:
        assert audit.verify(conn).ok  # a shorter chain is still a chain
        cut = checkpoints.verify_checkpoint(conn, cp, public)
    assert not cut.ok and "deleted" in (cut.problem or "")
    store.dispose()


def test_cli_checkpoint_and_verify(cli_env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    store = open_store(cli_env["FLSCREEN_DB_URL"])
    _log(store, 5)
    cp = tmp_path / "checkpoint.json"
    done = runner.invoke(app, ["audit", "checkpoint", "--output", str(cp)])
    assert done.exit_code == 0, done.output
    assert json.loads(cp.read_text())["tree_size"] == 5
    ok = runner.invoke(app, ["audit", "verify", "--checkpoint", str(cp)])
    assert ok.exit_code == 0 and "extends the checkpoint of 5" in ok.output, ok.output
    proof = runner.invoke(app, ["audit", "proof", "3", "--checkpoint", str(cp)])
    assert proof.exit_code == 0 and json.loads(proof.output)["verified"] is True
    _rewrite_consistently(store, 2)
    plain = runner.invoke(app, ["audit", "verify"])
    assert plain.exit_code == 0  # without the checkpoint the rewrite passes
    caught = runner.invoke(app, ["audit", "verify", "--checkpoint", str(cp), "--json"])
    assert caught.exit_code == 1
    out = json.loads(caught.output)
    assert out["ok"] is False and "rewritten" in out["checkpoint"]["problem"]
    store.dispose()
