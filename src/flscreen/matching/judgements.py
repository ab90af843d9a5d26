"""Analysts' judgements on (party, list entry) pairs, kept in the store and applied on every run.

A judgement says "this party is (not) this list entry", with who and when. It
is stored under the party key (:func:`flscreen.matching.query.party_key`:
normalised core name + cleaned registration id) and the entry's list name and
entry id (stable across list versions), so the next screening of the same
party, spelled with another legal form or in the other script, honours it.
The latest judgement on a pair wins; older ones stay as history.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flscreen.errors import InvalidInput, Problem
from flscreen.matching.query import party_key

VERDICTS = ("match", "no_match")

metadata = sa.MetaData()

judgements_table = sa.Table(
    "match_judgements",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("party_key", sa.Text, nullable=False),
    sa.Column("query_name", sa.Text, nullable=False),
    sa.Column("registration_id", sa.Text, nullable=True),
    sa.Column("list_name", sa.Text, nullable=False),
    sa.Column("entry_id", sa.Text, nullable=False),
    sa.Column("verdict", sa.Text, nullable=False),
    sa.Column("decided_by", sa.Text, nullable=False),
    sa.Column("decided_at", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("algorithm", sa.Text, nullable=True),
    sa.Column("score", sa.Float, nullable=True),
    sa.Index("ix_match_judgements_party", "party_key"),
    sa.Index("ix_match_judgements_entry", "list_name", "entry_id"),
)


@dataclass(frozen=True, slots=True)
class Judgement:
    """One analyst decision on one (party, entry) pair."""

    party_key: str
    query_name: str
    list_name: str
    entry_id: str
    verdict: str
    decided_by: str
    decided_at: str
    reason: str | None = None
    registration_id: str | None = None
    algorithm: str | None = None
    score: float | None = None
    id: int | None = None

    def describe(self) -> str:
        what = "a match" if self.verdict == "match" else "not a match"
        text = f"marked {what} by {self.decided_by} on {self.decided_at}"
        return text + (f": {self.reason}" if self.reason else "")


class JudgementBook:
    """The latest judgement per (party key, list, entry), for lookups while matching."""

    def __init__(self, judgements: Iterable[Judgement] = ()) -> None:
        self._by_party: dict[str, dict[tuple[str, str], Judgement]] = {}
        for j in judgements:
            self.add(j)

    def add(self, j: Judgement) -> None:
        pairs = self._by_party.setdefault(j.party_key, {})
        old = pairs.get((j.list_name, j.entry_id))
        if old is None or (old.decided_at, old.id or 0) <= (j.decided_at, j.id or 0):
            pairs[(j.list_name, j.entry_id)] = j

    def for_party(self, key: str) -> dict[tuple[str, str], Judgement]:
        return self._by_party.get(key, {})

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_party.values())


def normalize_verdict(value: str) -> str | None:
    """'match' / 'no_match' from the spellings people type (no-match, nomatch, false...)."""
    v = value.strip().lower().replace("-", "_").replace(" ", "_")
    if v in {"match", "yes", "true", "same"}:
        return "match"
    if v in {"no_match", "nomatch", "not_match", "no", "false", "different"}:
        return "no_match"
    return None


def record_judgement(
    conn: Connection,
    *,
    query_name: str,
    list_name: str,
    entry_id: str,
    verdict: str,
    decided_by: str,
    reason: str | None = None,
    registration_id: str | None = None,
    algorithm: str | None = None,
    score: float | None = None,
    decided_at: str | None = None,
) -> Judgement:
    """Store a judgement (validated: every problem is reported at once) and return it."""
    problems: list[Problem] = []
    norm = normalize_verdict(verdict)
    if norm is None:
        problems.append(
            Problem("", f"verdict must be match or no-match, not {verdict!r}", field="verdict")
        )
    for field_name, value in (
        ("name", query_name),
        ("list", list_name),
        ("entry_id", entry_id),
        ("by", decided_by),
    ):
        if not value or not value.strip():
            problems.append(Problem("", "missing required value", field=field_name))
    if problems:
        raise InvalidInput(problems)
    assert norm is not None
    when = decided_at or datetime.now(UTC).replace(microsecond=0).isoformat()
    judgement = Judgement(
        party_key=party_key(query_name, registration_id),
        query_name=query_name.strip(),
        registration_id=registration_id,
        list_name=list_name.strip(),
        entry_id=entry_id.strip(),
        verdict=norm,
        decided_by=decided_by.strip(),
        decided_at=when,
        reason=reason,
        algorithm=algorithm,
        score=score,
    )
    values = {k: getattr(judgement, k) for k in _COLUMNS}
    result = conn.execute(judgements_table.insert().values(**values))
    pk = result.inserted_primary_key
    return replace(judgement, id=int(pk[0]) if pk else None)


_COLUMNS = (
    "party_key",
    "query_name",
    "registration_id",
    "list_name",
    "entry_id",
    "verdict",
    "decided_by",
    "decided_at",
    "reason",
    "algorithm",
    "score",
)


def iter_judgements(conn: Connection, party: str | None = None) -> Iterator[Judgement]:
    """Every stored judgement (oldest first), or those of one party key."""
    query = sa.select(judgements_table).order_by(judgements_table.c.id)
    if party is not None:
        query = query.where(judgements_table.c.party_key == party)
    for row in conn.execute(query).mappings():
        yield Judgement(**dict(row))


def load_judgements(conn: Connection) -> JudgementBook:
    """All judgements as a book the matcher applies (latest per pair wins)."""
    return JudgementBook(iter_judgements(conn))
