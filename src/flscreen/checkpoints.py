"""Signed checkpoints of the audit log: tamper evidence that survives database access.

The hash chain (:mod:`flscreen.audit`) finds an edited row, but someone who can write
the database can rewrite every row from the edit onward with consistent hashes. A
checkpoint defeats that: an Ed25519 signature over the RFC 6962 Merkle tree head of
the first ``tree_size`` records, written to a file kept outside the database (and
the signing key too). Later, :func:`verify_checkpoint` recomputes the tree head of
the log's first ``tree_size`` records; a rewritten, truncated or reordered prefix
gives another head and fails, however consistent its own hashes are. Inclusion
proofs (RFC 6962 section 2.1.1) show one record is in a checkpointed tree without
the rest of the log.

Leaves are the records' chain hashes (each commits to the record's fields, payload
and predecessor), hashed as RFC 6962 leaves: ``SHA-256(0x00 || leaf)``; inner nodes
are ``SHA-256(0x01 || left || right)``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.engine import Connection

from flscreen import audit
from flscreen.errors import InvalidInput

FORMAT = "flscreen-audit-checkpoint/1"
ORIGIN = "flscreen audit log"


# --- RFC 6962 Merkle tree -------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def tree_head(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over already-hashed leaves; the empty tree is SHA-256 of nothing."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = list(leaves)
    # Bottom-up with RFC 6962's shape: pairing left to right and carrying an odd last
    # node up unchanged gives the same head as the recursive split definition.
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 2.1.1: the sibling hashes from leaf ``index`` up."""
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError(f"leaf {index} is not in a tree of {n}")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(leaves[:k], index), tree_head(leaves[k:])]
    return [*inclusion_proof(leaves[k:], index - k), tree_head(leaves[:k])]


def verify_inclusion(
    leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: does ``proof`` put hashed ``leaf`` at ``index`` under ``root``?"""
    if not 0 <= index < tree_size:
        return False
    fn, sn, r = index, tree_size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


# --- the log as leaves -------------------------------------------------------------------


def log_leaves(conn: Connection, limit: int | None = None) -> tuple[list[bytes], list[int]]:
    """(hashed leaves, sequence numbers) of the log's records in order, the first
    ``limit`` of them when given."""
    leaves: list[bytes] = []
    seqs: list[int] = []
    for rec in audit.iter_records(conn):
        if limit is not None and len(leaves) >= limit:
            break
        leaves.append(leaf_hash(bytes.fromhex(rec.hash)))
        seqs.append(rec.seq)
    return leaves, seqs


# --- keys and checkpoints --------------------------------------------------------------


def new_key(path: Path) -> Ed25519PrivateKey:
    """Create an Ed25519 signing key at ``path`` (mode 600) and its ``.pub`` beside it."""
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.touch(mode=0o600)
    path.write_bytes(pem)
    public_path(path).write_bytes(public_pem(key.public_key()))
    return key


def public_path(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".pub")


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"{path}: not an Ed25519 private key")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path}: cannot read an Ed25519 public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput(f"{path}: not an Ed25519 public key")
    return key


def key_id(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signed_text(tree_size: int, root: bytes, head_seq: int, head_hash: str, at: str) -> bytes:
    """What is signed: a C2SP-style note naming the log, its size, head and time."""
    b64 = base64.b64encode(root).decode()
    return f"{ORIGIN}\n{tree_size}\n{b64}\n{head_seq} {head_hash}\n{at}\n".encode()


@dataclass(frozen=True, slots=True)
class Checkpoint:
    tree_size: int
    root_hash: str
    head_seq: int
    head_hash: str
    at: str
    key_id: str
    signature: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "origin": ORIGIN,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "at": self.at,
            "key_id": self.key_id,
            "signature": self.signature,
        }


def make_checkpoint(conn: Connection, key: Ed25519PrivateKey) -> Checkpoint:
    """Sign the tree head of the whole log as it stands."""
    leaves: list[bytes] = []
    head_seq, head_hash = 0, audit.GENESIS
    for rec in audit.iter_records(conn):
        leaves.append(leaf_hash(bytes.fromhex(rec.hash)))
        head_seq, head_hash = rec.seq, rec.hash
    root = tree_head(leaves)
    at = audit.now_utc()
    sig = key.sign(signed_text(len(leaves), root, head_seq, head_hash, at))
    return Checkpoint(
        len(leaves),
        root.hex(),
        head_seq,
        head_hash,
        at,
        key_id(key.public_key()),
        base64.b64encode(sig).decode(),
    )


def read_checkpoint(path: Path) -> Checkpoint:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise InvalidInput(f"{path}: not a {FORMAT} file")
        return Checkpoint(
            int(data["tree_size"]),
            str(data["root_hash"]),
            int(data["head_seq"]),
            str(data["head_hash"]),
            str(data["at"]),
            str(data["key_id"]),
            str(data["signature"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"{path}: not a readable checkpoint ({exc})") from None


@dataclass(frozen=True, slots=True)
class CheckpointReport:
    ok: bool
    problem: str | None
    tree_size: int
    records: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problem": self.problem,
            "tree_size": self.tree_size,
            "records": self.records,
        }


def verify_checkpoint(
    conn: Connection, checkpoint: Checkpoint, public: Ed25519PublicKey
) -> CheckpointReport:
    """Check the signature with the trusted ``public`` key, then that the log's first
    ``tree_size`` records still have the checkpoint's tree head (the log extends it)."""
    leaves, _ = log_leaves(conn)
    n = checkpoint.tree_size

    def fail(problem: str) -> CheckpointReport:
        return CheckpointReport(False, problem, n, len(leaves))

    if checkpoint.key_id != key_id(public):
        return fail(
            f"the checkpoint was signed by key {checkpoint.key_id}, not the trusted key "
            f"{key_id(public)}"
        )
    try:
        root = bytes.fromhex(checkpoint.root_hash)
        public.verify(
            base64.b64decode(checkpoint.signature),
            signed_text(n, root, checkpoint.head_seq, checkpoint.head_hash, checkpoint.at),
        )
    except (InvalidSignature, ValueError):
        return fail("the checkpoint's signature does not verify: the file was altered")
    if len(leaves) < n:
        return fail(
            f"the log holds {len(leaves)} record(s), fewer than the {n} the checkpoint "
            "signed: records were deleted"
        )
    if tree_head(leaves[:n]) != root:
        return fail(
            f"the first {n} record(s) no longer have the signed tree head: the log was "
            "rewritten before record " + str(checkpoint.head_seq + 1)
        )
    return CheckpointReport(True, None, n, len(leaves))


def record_proof(conn: Connection, checkpoint: Checkpoint, seq: int) -> dict[str, Any]:
    """An inclusion proof of record ``seq`` in the checkpoint's tree, checkable offline
    with :func:`verify_inclusion` (leaf = SHA-256(0x00 || chain hash))."""
    leaves, seqs = log_leaves(conn, checkpoint.tree_size)
    if seq not in seqs:
        raise InvalidInput(f"record {seq} is not among the checkpoint's {checkpoint.tree_size}")
    index = seqs.index(seq)
    proof = inclusion_proof(leaves, index)
    return {
        "seq": seq,
        "index": index,
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash,
        "leaf_hash": leaves[index].hex(),
        "proof": [p.hex() for p in proof],
        "verified": verify_inclusion(
            leaves[index], index, checkpoint.tree_size, proof, bytes.fromhex(checkpoint.root_hash)
        ),
    }
