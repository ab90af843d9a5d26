"""The trade domain's tables: imported records, and the firms, edges and flags inferred.

Records accumulate over imports (a record id seen again is replaced: re-importing
a file never duplicates it). Each ``flscreen trade infer`` run replaces the
inferred tables in one transaction and leaves a row in ``trade_runs``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flscreen.trade.layout import RECORD_FIELDS, TradeRecord

metadata = sa.MetaData()

imports = sa.Table(
    "trade_imports",
    metadata,
    sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("imported_at", sa.String(40), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=True),
    sa.Column("records", sa.Integer, nullable=False),
)

_TEXT = {"container_count": sa.Integer, "gross_weight": sa.Float, "gross_weight_kg": sa.Float}
_TEXT |= {"quantity": sa.Float, "row": sa.Integer}

records = sa.Table(
    "trade_records",
    metadata,
    sa.Column("record_id", sa.String(255), primary_key=True),
    sa.Column("import_id", sa.Integer, nullable=False),
    *(
        sa.Column(name, _TEXT.get(name, sa.Text), nullable=name not in ("bill_number",))
        for name in RECORD_FIELDS
        if name != "record_id"
    ),
    sa.Index("ix_trade_records_bill", "bill_number"),
)

runs = sa.Table(
    "trade_runs",
    metadata,
    sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ran_at", sa.String(40), nullable=False),
    sa.Column("algorithm", sa.Text, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),
)

firms = sa.Table(
    "trade_firms",
    metadata,
    sa.Column("firm_id", sa.String(64), primary_key=True),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("address", sa.Text, nullable=True),
    sa.Column("country", sa.String(8), nullable=True),
    sa.Column("records", sa.Integer, nullable=False),
    sa.Column("names", sa.JSON, nullable=False),
    sa.Column("explanation", sa.JSON, nullable=False),
    sa.Column("location", sa.JSON, nullable=True),
    sa.Column("hits", sa.JSON, nullable=False),
    sa.Column("parties", sa.JSON, nullable=False),
)

edges = sa.Table(
    "trade_edges",
    metadata,
    sa.Column("edge_id", sa.String(128), primary_key=True),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("supplier_firm", sa.String(64), nullable=False),
    sa.Column("buyer_firm", sa.String(64), nullable=False),
    sa.Column("material", sa.Text, nullable=True),
    sa.Column("hs_chapter", sa.String(4), nullable=True),
    sa.Column("period", sa.String(8), nullable=False),
    sa.Column("first_date", sa.String(10), nullable=False),
    sa.Column("last_date", sa.String(10), nullable=False),
    sa.Column("records", sa.Integer, nullable=False),
    sa.Column("weight_kg", sa.Float, nullable=True),
    sa.Column("bills", sa.JSON, nullable=False),
    sa.Index("ix_trade_edges_buyer", "buyer_firm"),
)

flags = sa.Table(
    "trade_flags",
    metadata,
    sa.Column("flag_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("firm_id", sa.String(64), nullable=True),
    sa.Column("party_id", sa.String(255), nullable=True),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
)

CHUNK = 1000


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _sha256(path: str) -> str | None:
    p = Path(path)
    if not p.is_file():
        return None
    digest = hashlib.sha256()
    with p.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def insert_id(conn: Connection, statement: sa.Insert) -> int:
    """Run an insert of one row and return its generated key."""
    key = conn.execute(statement).inserted_primary_key
    assert key is not None
    return int(key[0])


def _record_row(r: TradeRecord, import_id: int) -> dict[str, Any]:
    row = r.to_dict()
    row["hs_codes"] = ";".join(r.hs_codes)
    row["import_id"] = import_id
    return row


def save_records(conn: Connection, items: Sequence[TradeRecord], source: str) -> int:
    """Store one file's records (same record id: the newer one wins); returns the import id."""
    import_id = insert_id(
        conn,
        imports.insert().values(
            imported_at=_now(), source=source, sha256=_sha256(source), records=len(items)
        ),
    )
    ids = [r.record_id for r in items]
    for i in range(0, len(ids), CHUNK):
        conn.execute(records.delete().where(records.c.record_id.in_(ids[i : i + CHUNK])))
    rows = [_record_row(r, import_id) for r in items]
    for i in range(0, len(rows), CHUNK):
        conn.execute(records.insert(), rows[i : i + CHUNK])
    return import_id


def _from_row(row: Any) -> TradeRecord:
    data = dict(row._mapping)
    data.pop("import_id", None)
    data["hs_codes"] = tuple(c for c in (data.get("hs_codes") or "").split(";") if c)
    return TradeRecord(**data)


def iter_records(conn: Connection) -> Iterator[TradeRecord]:
    """Every stored record, in record id order."""
    for row in conn.execute(sa.select(records).order_by(records.c.record_id)):
        yield _from_row(row)


def records_by_bill(conn: Connection, bills: Iterable[str]) -> dict[str, list[TradeRecord]]:
    """Bill number -> its stored records (for the dossier)."""
    wanted = sorted(set(bills))
    out: dict[str, list[TradeRecord]] = {}
    for i in range(0, len(wanted), CHUNK):
        part = wanted[i : i + CHUNK]
        query = sa.select(records).where(records.c.bill_number.in_(part))
        for row in conn.execute(query.order_by(records.c.record_id)):
            rec = _from_row(row)
            out.setdefault(rec.bill_number, []).append(rec)
    return out


def has_tables(conn: Connection) -> bool:
    return sa.inspect(conn).has_table("trade_edges")
