"""Judgements are stored (SQLite and PostgreSQL) and honoured by every later match."""

from __future__ import annotations

import pytest

from flscreen.errors import InvalidInput
from flscreen.matching import Matcher, Query, party_key
from flscreen.matching.judgements import (
    iter_judgements,
    load_judgements,
    record_judgement,
)
from flscreen.store import Store
from tests.matching.conftest import ENTRIES


def test_party_key_ignores_legal_form_and_script() -> None:
    # one party however it is written: the judgement follows it
    assert party_key("Zhongtai Securities Co., Ltd.") == party_key(
        "ZHONGTAI SECURITIES COMPANY LIMITED"
    )
    assert party_key("新疆中泰化学股份有限公司") == party_key(
        "Xinjiang Zhongtai Chemical Co., Ltd."
    )
    # a registration id keeps namesakes apart
    assert party_key("Camel Trading", "9165-0000-2286") != party_key("Camel Trading")
    assert party_key("Camel Trading", "9165 0000 2286") == party_key(
        "Camel Trading", "916500002286"
    )


def test_no_match_is_suppressed_next_run(store: Store) -> None:
    query = Query(id="s1", name="Xinjiang Zhongtai Group Co., Ltd.")
    before = Matcher.build(ENTRIES).match(query)
    assert "zhongtai" in {h.entry_id for h in before.hits}  # parent vs subsidiary: in review
    with store.begin() as conn:
        j = record_judgement(
            conn,
            query_name="XINJIANG ZHONGTAI GROUP COMPANY LIMITED",  # another spelling, same party
            list_name="uflpa",
            entry_id="zhongtai",
            verdict="no-match",
            decided_by="analyst@example.com",
            reason="group company, separately listed",
        )
    assert j.id is not None and j.verdict == "no_match"
    with store.connect() as conn:
        book = load_judgements(conn)
    after = Matcher.build(ENTRIES, judgements=book).match(query)
    assert "zhongtai" not in {h.entry_id for h in after.hits}
    (gone,) = [h for h in after.suppressed if h.entry_id == "zhongtai"]
    assert gone.judgement == "no_match" and gone.score == 0.0
    reason = gone.features[0]
    assert reason.name == "judgement"
    assert "analyst@example.com" in reason.detail and "separately listed" in reason.detail
    assert after.to_dict()["suppressed"][0]["entry_id"] == "zhongtai"


def test_match_pins_a_hit_the_scores_would_miss(store: Store) -> None:
    query = Query(id="s2", name="XJ ZT Chem Trading")
    assert not Matcher.build(ENTRIES).match(query).match
    with store.begin() as conn:
        record_judgement(
            conn,
            query_name="XJ ZT Chem Trading",
            list_name="uflpa",
            entry_id="zhongtai",
            verdict="match",
            decided_by="officer-7",
        )
    with store.connect() as conn:
        result = Matcher.build(ENTRIES, judgements=load_judgements(conn)).match(query)
    assert result.match
    top = result.hits[0]
    assert top.entry_id == "zhongtai" and top.judgement == "match" and top.score == 1.0
    assert "officer-7" in top.features[0].detail


def test_latest_judgement_wins_and_history_stays(store: Store) -> None:
    with store.begin() as conn:
        for verdict, when in (
            ("match", "2026-01-01T00:00:00+00:00"),
            ("no_match", "2026-02-01T00:00:00+00:00"),
        ):
            record_judgement(
                conn,
                query_name="Camel Shoes",
                list_name="uflpa",
                entry_id="camel",
                verdict=verdict,
                decided_by="a",
                decided_at=when,
            )
    with store.connect() as conn:
        assert len(list(iter_judgements(conn))) == 2
        book = load_judgements(conn)
    (j,) = book.for_party(party_key("Camel Shoes")).values()
    assert j.verdict == "no_match"


def test_bad_judgement_lists_every_problem(store: Store) -> None:
    with store.begin() as conn, pytest.raises(InvalidInput) as exc:
        record_judgement(
            conn, query_name="", list_name="uflpa", entry_id="x", verdict="maybe", decided_by=""
        )
    fields = {p.field for p in exc.value.problems}
    assert fields == {"verdict", "name", "by"}
    with store.connect() as conn:
        assert list(iter_judgements(conn)) == []
