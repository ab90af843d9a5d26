"""The audit chain verifies, and catches rows altered, deleted or reordered in the database."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flscreen import audit
from flscreen.store import Store


def _fill(store: Store, n: int = 6) -> list[audit.AuditRecord]:
    records = []
    with store.begin() as conn:
        for i in range(1, n + 1):
            records.append(
                audit.append(
                    conn,
                    "screening" if i % 2 else "case.transition",
                    {"shipment": f"ENT-{i}", "verdict": "detain", "名": "新疆阿克苏"},
                    f"officer-{i % 3}",
                    subject=f"ENT-{i}",
                )
            )
    return records


def test_chain_links_each_record_to_the_one_before(store: Store) -> None:
    records = _fill(store)
    assert records[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(records):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1
    with store.connect() as conn:
        report = audit.verify(conn)
        assert report.ok and report.records == 6 and report.head == records[-1].hash
        # unicode survives the round trip byte for byte
        assert next(audit.iter_records(conn, subject="ENT-3")).data["名"] == "新疆阿克苏"


def _alter_payload(conn: Connection) -> None:
    conn.execute(sa.text("UPDATE audit_log SET payload = :p WHERE seq = 3"), {"p": '{"x":1}'})


def _alter_actor(conn: Connection) -> None:
    conn.execute(sa.text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3"))


def _alter_time(conn: Connection) -> None:
    conn.execute(sa.text("UPDATE audit_log SET at = '2020-01-01T00:00:00Z' WHERE seq = 3"))


def _delete_middle(conn: Connection) -> None:
    conn.execute(sa.text("DELETE FROM audit_log WHERE seq = 3"))


def _delete_first(conn: Connection) -> None:
    conn.execute(sa.text("DELETE FROM audit_log WHERE seq = 1"))


def _delete_and_renumber(conn: Connection) -> None:
    # hide the gap: delete record 3 and shift the later ones down
    conn.execute(sa.text("DELETE FROM audit_log WHERE seq = 3"))
    for seq in (4, 5, 6):
        conn.execute(
            sa.text("UPDATE audit_log SET seq = :n WHERE seq = :o"), {"n": seq - 1, "o": seq}
        )


def _swap_seq(conn: Connection) -> None:
    # reorder: records 3 and 4 trade places
    conn.execute(sa.text("UPDATE audit_log SET seq = -1 WHERE seq = 3"))
    conn.execute(sa.text("UPDATE audit_log SET seq = 3 WHERE seq = 4"))
    conn.execute(sa.text("UPDATE audit_log SET seq = 4 WHERE seq = -1"))


def _swap_content(conn: Connection) -> None:
    # reorder by moving every field but seq between rows 3 and 4
    cols = ["at", "kind", "actor", "subject", "payload", "prev_hash", "hash"]
    rows = {
        r.seq: r
        for r in conn.execute(
            sa.text(f"SELECT seq, {', '.join(cols)} FROM audit_log WHERE seq IN (3, 4)")
        )
    }
    conn.execute(sa.text("UPDATE audit_log SET prev_hash = 'x', hash = 'y' WHERE seq = 3"))
    for target, source in ((4, rows[3]), (3, rows[4])):
        values = {c: getattr(source, c) for c in cols}
        sets = ", ".join(f"{c} = :{c}" for c in cols)
        conn.execute(
            sa.text(f"UPDATE audit_log SET {sets} WHERE seq = :seq"), {**values, "seq": target}
        )


@pytest.mark.parametrize(
    ("tamper", "first_broken", "says"),
    [
        (_alter_payload, 3, "content altered"),
        (_alter_actor, 3, "content altered"),
        (_alter_time, 3, "content altered"),
        (_delete_middle, 4, "record 3 missing"),
        (_delete_first, 2, "record 1 missing"),
        (_delete_and_renumber, 3, "does not link"),
        (_swap_seq, 3, "does not link"),
        (_swap_content, 3, "does not link"),
    ],
)
def test_verify_names_the_first_broken_record(
    store: Store, tamper: Callable[[Connection], None], first_broken: int, says: str
) -> None:
    _fill(store)
    with store.begin() as conn:
        tamper(conn)
    with store.connect() as conn:
        report = audit.verify(conn)
    assert not report.ok
    assert report.broken is not None
    assert report.broken.seq == first_broken
    assert says in report.broken.problem


def test_truncated_tail_is_caught_through_anchors(store: Store) -> None:
    records = _fill(store)
    anchors = [(r.seq, r.hash, f"case_events row {r.seq}") for r in records]
    with store.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log WHERE seq >= 5"))
    with store.connect() as conn:
        assert audit.verify(conn).ok  # the shorter chain alone still links up ...
        report = audit.verify(conn, anchors)  # ... but the rows that cite 5 and 6 give it away
    assert report.broken is not None and report.broken.seq == 5
    assert "truncated" in report.broken.problem and "case_events row 5" in report.broken.problem


def test_rewritten_chain_is_caught_through_anchors(store: Store) -> None:
    """Altering a record and recomputing every later hash still differs from the anchors."""
    records = _fill(store)
    with store.begin() as conn:
        rows = conn.execute(sa.text("SELECT * FROM audit_log ORDER BY seq")).all()
        conn.execute(sa.text("DELETE FROM audit_log"))
        prev = audit.GENESIS
        for r in rows:
            payload = '{"verdict":"clear"}' if r.seq == 2 else r.payload
            digest = audit.record_hash(r.seq, r.at, r.kind, r.actor, r.subject, payload, prev)
            conn.execute(
                audit.audit_log.insert().values(
                    seq=r.seq,
                    at=r.at,
                    kind=r.kind,
                    actor=r.actor,
                    subject=r.subject,
                    payload=payload,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
    anchors = [(r.seq, r.hash, f"screenings row {r.seq}") for r in records]
    with store.connect() as conn:
        assert audit.verify(conn).ok
        report = audit.verify(conn, anchors)
    assert report.broken is not None and report.broken.seq == 2
    assert "rewritten" in report.broken.problem


def test_append_refuses_missing_actor(store: Store) -> None:
    with store.begin() as conn, pytest.raises(ValueError, match="actor"):
        audit.append(conn, "screening", {}, "")


def test_failed_transaction_leaves_no_record(store: Store) -> None:
    _fill(store, 2)
    with pytest.raises(RuntimeError), store.begin() as conn:
        audit.append(conn, "case.transition", {"to": "released"}, "officer")
        raise RuntimeError("the change the record describes failed")
    with store.connect() as conn:
        report = audit.verify(conn)
    assert report.ok and report.records == 2


def test_concurrent_appends_never_fork_the_chain(db_url: str) -> None:
    """Two writers at once (PostgreSQL serves many officers): the chain stays one line."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers itself; the lock under test is PostgreSQL's")
    import threading

    from flscreen.store import open_store

    store = open_store(db_url)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(15):
                with store.begin() as conn:
                    audit.append(conn, "case.transition", {"i": i}, name)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"officer-{n}",)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with store.connect() as conn:
        report = audit.verify(conn)
    store.dispose()
    assert not errors
    assert report.ok and report.records == 45


def test_a_head_noted_earlier_catches_truncation_without_anchors(store: Store) -> None:
    records = _fill(store)
    noted = records[3].hash  # printed by `audit verify` after record 4 and kept elsewhere
    with store.connect() as conn:
        assert audit.verify(conn, known_heads=[noted]).ok
    with store.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log WHERE seq >= 4"))
    with store.connect() as conn:
        assert audit.verify(conn).ok  # the shorter chain alone still links up
        report = audit.verify(conn, known_heads=[noted.upper()])
    assert report.broken is not None and "noted earlier" in report.broken.problem
