"""Matching's use cases: reading a party to screen, and judging a hit.

A party record (`PartyRecord`) is described once, for `flscreen match` (JSON lines
or CSV), `POST /match` and the batch page, so a line a user pipes to the CLI is a
valid record for the API too. A judgement (an analyst's decision that a party is,
or is not, a list entry) is recorded with the entry it names and logged in the
audit trail in one transaction; every later match honours it. Screening parties
(`match_queries`) reads the matcher from a `MatcherCache`, rebuilt only when a list
gets a new version or a judgement is recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from flscreen import audit
from flscreen.errors import InvalidInput, Problem
from flscreen.lists import store as lists_store
from flscreen.lists.store import get_entry
from flscreen.matching import ALGORITHM, Matcher
from flscreen.matching.judgements import (
    Judgement,
    judgements_table,
    normalize_verdict,
    record_judgement,
)
from flscreen.matching.persist import matcher_for
from flscreen.matching.query import Query
from flscreen.store import Store

from .locks import writing

ShortText = Annotated[str, Field(max_length=2000)]


def as_text(value: Any) -> Any:
    """Numbers are text in a supplier file (a postal code, an id); blanks are absent."""
    if isinstance(value, bool):
        return value  # let pydantic refuse it
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and not value.strip():
        return None
    return value


class PartyRecord(BaseModel):
    """One party to screen: {id, name, aliases?, country?, address?, registration_id?, schema?}."""

    model_config = ConfigDict(extra="ignore")

    id: ShortText | None = Field(
        default=None, description="Your id for the party (default: its position, from 1)."
    )
    name: ShortText = Field(min_length=1, description="The party's name, in any script.")
    aliases: list[ShortText] = Field(
        default_factory=list, max_length=100, description="Other names, or 'a|b' text."
    )
    country: ShortText | None = None
    address: ShortText | None = None
    registration_id: ShortText | None = Field(
        default=None, description="Registration id, e.g. a unified social credit code."
    )
    schema_: ShortText | None = Field(
        default=None, alias="schema", description="person, company or organization."
    )

    @field_validator("id", "country", "address", "registration_id", "schema_", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return as_text(value)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        value = as_text(value)
        if value is None:
            raise ValueError("missing required value")
        return value

    @field_validator("aliases", mode="before")
    @classmethod
    def _aliases(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [a.strip() for a in value.replace(";", "|").split("|") if a.strip()]
        return value

    def to_query(self, position: int) -> Query:
        """The matcher's query; a record without an id is known by its position (from 1)."""
        return Query(
            id=self.id if self.id is not None else str(position),
            name=self.name.strip(),
            aliases=tuple(self.aliases),
            country=self.country and self.country.strip(),
            address=self.address and self.address.strip(),
            registration_id=self.registration_id and self.registration_id.strip(),
            schema=self.schema_ and self.schema_.strip(),
        )


PLAIN_MESSAGES = {
    "string_type": "expected text",
    "list_type": "expected a list of names or 'a|b' text",
    "missing": "missing required value",
}
"""How a file's reader says pydantic's complaints (a person fixing a CSV reads these)."""


def read_party(source: str, row: int, record: Mapping[str, Any]) -> Query | list[Problem]:
    """The query of one record from a supplier file, or every problem with it."""
    try:
        return PartyRecord.model_validate(dict(record)).to_query(row)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = next((str(p) for p in err["loc"] if isinstance(p, str)), None)
            message = PLAIN_MESSAGES.get(err["type"], err["msg"].removeprefix("Value error, "))
            problems.append(Problem(source, message, row=row, field=field))
        return problems


@dataclass(frozen=True, slots=True)
class RecordedJudgement:
    """A judgement as stored, with the list version and entry name it was made against."""

    judgement: Judgement
    list_version: int
    entry_name: str


def judgement_json(j: Judgement) -> dict[str, Any]:
    """The one JSON shape of a judgement (`flscreen judgements`, the API, the pages)."""
    return {
        "id": j.id,
        "party_key": j.party_key,
        "query_name": j.query_name,
        "list": j.list_name,
        "entry_id": j.entry_id,
        "verdict": j.verdict,
        "by": j.decided_by,
        "at": j.decided_at,
        "reason": j.reason,
    }


def judge(
    store: Store,
    *,
    name: str,
    list_name: str,
    entry_id: str,
    verdict: str,
    by: str,
    reason: str | None = None,
    registration_id: str | None = None,
    fields: Mapping[str, str] | None = None,
) -> RecordedJudgement:
    """Record ``by``'s judgement on (party ``name``, list entry) and audit it.

    Every problem with the request is listed at once, each naming its field as the
    caller knows it (``fields`` maps name, list, entry_id, verdict and by to the
    caller's own names: the CLI's flags; the API's fields by default). ``by`` is the
    authenticated actor, never a value from a request body.
    """
    problems = judgement_problems(name, list_name, entry_id, verdict, by, fields or {})
    if problems:
        raise InvalidInput(problems)
    with store.begin() as conn:
        ref, entry = get_entry(conn, list_name.strip(), entry_id.strip())
        j = record_judgement(
            conn,
            query_name=name,
            list_name=ref.list_name,
            entry_id=entry.entry_id,
            verdict=verdict,
            decided_by=by,
            reason=reason,
            registration_id=registration_id,
            algorithm=ALGORITHM,
        )
        audit.append(conn, "judgement", j, j.decided_by, subject=j.party_key)
    return RecordedJudgement(j, ref.version, entry.name)


def judgement_problems(
    name: str, list_name: str, entry_id: str, verdict: str, by: str, fields: Mapping[str, str]
) -> list[Problem]:
    """What is wrong with a judgement request, one Problem per field (none when valid)."""
    problems: list[Problem] = []
    for field_name, value in (("name", name), ("list", list_name), ("entry_id", entry_id)):
        if not value.strip():
            problems.append(
                Problem("", "missing required value", field=fields.get(field_name, field_name))
            )
    if normalize_verdict(verdict) is None:
        problems.append(
            Problem("", "expected match or no-match", field=fields.get("verdict", "verdict"))
        )
    if not by.strip():
        problems.append(Problem("", "say who decides", field=fields.get("by", "by")))
    return problems


def check_ids(ids: Sequence[str], source: str = "body") -> None:
    """Refuse repeated record ids (every repeat listed), as the CLI does for a file."""
    seen: dict[str, int] = {}
    problems = []
    for row, rid in enumerate(ids, start=1):
        if rid in seen:
            problems.append(
                Problem(source, f"duplicate id {rid!r} (first on record {seen[rid]})", row=row)
            )
        seen.setdefault(rid, row)
    if problems:
        raise InvalidInput(problems)


def match_queries(
    store: Store,
    matchers: MatcherCache,
    queries: Sequence[Query],
    lists: Sequence[str] | None,
    threshold: float | None,
    limit: int,
) -> dict[str, Any]:
    """Screen parties against the latest lists: one ``flscreen match`` JSON line each."""
    check_ids([q.id for q in queries])
    matcher = matchers.get(store, lists)
    results = [matcher.match(q, threshold=threshold, limit=limit).to_dict() for q in queries]
    return {
        "results": results,
        "matched": sum(1 for r in results if r["match"]),
        "entries": len(matcher),
        "lists": [
            {"list": ref.list_name, "version": ref.version, "sha256": ref.sha256}
            for ref in matcher.refs
        ],
        "algorithm": matcher.algorithm.name,
    }


def judge_json(
    store: Store,
    name: str,
    list_name: str,
    entry_id: str,
    verdict: str,
    by: str,
    reason: str | None,
    registration_id: str | None,
) -> dict[str, Any]:
    """The judgement (flscreen.services.matching.judge) as the API answers it: the stored
    judgement with the list version and entry name it was made against."""
    with writing(store):
        done = judge(
            store,
            name=name,
            list_name=list_name,
            entry_id=entry_id,
            verdict=verdict,
            by=by,
            reason=reason,
            registration_id=registration_id,
        )
    answer = judgement_json(done.judgement)
    return {
        **answer,
        "list_version": done.list_version,
        "entry_name": done.entry_name,
    }


MatcherKey = tuple[tuple[tuple[str, int, str], ...], int, int]


@dataclass
class MatcherCache:
    """Matchers by the lists they cover, rebuilt when a list or the judgements change."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _built: dict[tuple[str, ...], tuple[MatcherKey, Matcher]] = field(default_factory=dict)
    builds: int = 0
    """How many matchers were built (the tests check reuse with it)."""
    keep: int = 3
    """Matchers kept at once (one per distinct ``lists`` selection, least recent dropped):
    each holds a whole index, so clients cannot fill memory by varying ``lists``."""
    index_dir: Path | None = None
    """Where saved indexes live (FLSCREEN_HOME/index, shared with the CLI); None: build
    in memory, never save."""

    def get(self, store: Store, lists: Sequence[str] | None) -> Matcher:
        """The matcher over the latest version of ``lists`` (all when empty) and every judgement."""
        wanted = tuple(sorted(set(lists or ())))
        with store.connect() as conn:
            latest = lists_store.latest_versions(conn)
            if wanted:
                for name in wanted:
                    lists_store.resolve_version(conn, name)  # NotFound for an unknown list
            names = wanted or tuple(sorted(latest))
            count, newest = conn.execute(
                sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(judgements_table.c.id), 0))
            ).one()
            key: MatcherKey = (
                tuple((n, latest[n].version, latest[n].sha256) for n in names if n in latest),
                int(count),
                int(newest),
            )
        with self._lock:
            cached = self._built.pop(wanted, None)
            if cached is not None and cached[0] == key:
                self._built[wanted] = cached  # most recently used last
                return cached[1]
            cached = None  # let a stale index go before building its successor
            # the saved index for exactly these versions (mapped, not rebuilt), else
            # built and saved; judgements are read fresh either way
            matcher = matcher_for(store, list(names), self.index_dir)
            self.builds += 1
            self._built[wanted] = (key, matcher)
            while len(self._built) > self.keep:
                del self._built[next(iter(self._built))]
        if not len(matcher):
            raise InvalidInput(
                "no list entries to match against: import a list first "
                "(POST /lists/{name}/import or `flscreen lists import FILE --list NAME`)"
            )
        return matcher
