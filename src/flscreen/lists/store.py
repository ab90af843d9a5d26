"""Tables and queries for versioned screening lists.

Entry bodies are content-addressed: a version row points at (entry_id,
content_hash) pairs, and each distinct entry body is stored once. An entry that
did not change between two versions costs one small row, and a diff compares
hashes before it ever reads a body.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from flscreen.errors import NotFound
from flscreen.model.lists import ListEntry, ListVersionRef

metadata = sa.MetaData()

lists_table = sa.Table(
    "lists",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.String(32), nullable=False),
)

list_versions = sa.Table(
    "list_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("list_id", sa.Integer, sa.ForeignKey("lists.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("imported_at", sa.String(32), nullable=False),
    sa.Column("retrieved_at", sa.String(32), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("entries_digest", sa.String(64), nullable=False),
    sa.Column("entry_count", sa.Integer, nullable=False),
    sa.Column("skipped", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("list_id", "version", name="uq_list_versions_list_version"),
)

list_entry_bodies = sa.Table(
    "list_entry_bodies",
    metadata,
    sa.Column("content_hash", sa.String(64), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
)

list_version_entries = sa.Table(
    "list_version_entries",
    metadata,
    sa.Column(
        "version_id",
        sa.Integer,
        sa.ForeignKey("list_versions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("entry_id", sa.String(255), primary_key=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
)


# --- entry bodies ---------------------------------------------------------------


def entry_to_dict(entry: ListEntry) -> dict[str, Any]:
    """A plain dict of the entry (faster than dataclasses.asdict on the hot path).

    ``sources`` is written only when the file named any, so the bodies (and content
    hashes) of entries stored before the field existed stay the same.
    """
    out: dict[str, Any] = {
        "entry_id": entry.entry_id,
        "schema": entry.schema,
        "name": entry.name,
        "aliases": list(entry.aliases),
        "former_names": list(entry.former_names),
        "addresses": list(entry.addresses),
        "countries": list(entry.countries),
        "identifiers": [{"kind": i.kind, "value": i.value} for i in entry.identifiers],
        "programs": list(entry.programs),
        "listed_on": entry.listed_on,
        "links": [
            {
                "relation": link.relation,
                "target_id": link.target_id,
                "target_name": link.target_name,
                "share": link.share,
                "role": link.role,
            }
            for link in entry.links
        ],
        "notes": list(entry.notes),
        "raw": entry.raw,
    }
    if entry.sources:
        out["sources"] = list(entry.sources)
    return out


def encode_entry(entry: ListEntry) -> bytes:
    """Canonical JSON of an entry: sorted keys, so equal entries hash equal."""
    return orjson.dumps(entry_to_dict(entry), option=orjson.OPT_SORT_KEYS)


def decode_body(body: str | bytes) -> ListEntry:
    return ListEntry.from_dict(orjson.loads(body))


# --- writing --------------------------------------------------------------------


def _insert_ignore(conn: Connection, table: sa.Table) -> Any:
    """INSERT that skips rows whose primary key exists (SQLite and PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    return table.insert().prefix_with("IGNORE")  # pragma: no cover - MySQL-style fallback


def _pk(result: sa.CursorResult[Any]) -> Any:
    key = result.inserted_primary_key
    assert key is not None
    return key[0]


def ensure_list(conn: Connection, name: str, now: str) -> int:
    """The id of list ``name``, creating it on first import."""
    found = conn.execute(sa.select(lists_table.c.id).where(lists_table.c.name == name)).scalar()
    if found is not None:
        return int(found)
    result = conn.execute(lists_table.insert().values(name=name, created_at=now))
    return int(_pk(result))


class VersionWriter:
    """Adds entries to a new version in batches; the caller owns the transaction."""

    def __init__(self, conn: Connection, version_id: int, batch_size: int = 5000) -> None:
        self.conn = conn
        self.version_id = version_id
        self.batch_size = batch_size
        self._rows: list[tuple[str, str, str]] = []
        self._body_stmt = _insert_ignore(self.conn, list_entry_bodies)
        self._sqlite = conn.dialect.name == "sqlite"
        if self._sqlite:
            # A bigger page cache for this connection: the content-hash index grows
            # in random order, and the default 2 MB cache thrashes past ~100k entries.
            conn.exec_driver_sql("PRAGMA cache_size = -65536")
        self._digest = 0
        self.count = 0

    def add(self, entry_id: str, content_hash: str, body: str) -> None:
        self._rows.append((entry_id, content_hash, body))
        # Order-independent digest of the version's (id, hash) set: a re-ordered
        # file with the same entries is recognised as unchanged.
        self._digest = (self._digest + int(content_hash, 16)) % (1 << 256)
        self.count += 1
        if len(self._rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self._rows:
            return
        if self._sqlite:
            # The driver's executemany with tuples skips SQLAlchemy's per-row parameter
            # processing, a fifth of the import time on SQLite.
            self.conn.exec_driver_sql(
                "INSERT INTO list_entry_bodies (content_hash, body) VALUES (?, ?) "
                "ON CONFLICT DO NOTHING",
                [(h, b) for _e, h, b in self._rows],
            )
            self.conn.exec_driver_sql(
                "INSERT INTO list_version_entries (version_id, entry_id, content_hash) "
                "VALUES (?, ?, ?)",
                [(self.version_id, e, h) for e, h, _b in self._rows],
            )
        else:
            self.conn.execute(
                self._body_stmt, [{"content_hash": h, "body": b} for _e, h, b in self._rows]
            )
            self.conn.execute(
                list_version_entries.insert(),
                [
                    {"version_id": self.version_id, "entry_id": e, "content_hash": h}
                    for e, h, _b in self._rows
                ],
            )
        self._rows.clear()

    @property
    def digest(self) -> str:
        return f"{self._digest:064x}"


def create_version(
    conn: Connection,
    list_name: str,
    *,
    source: str,
    fmt: str,
    sha256: str,
    now: str,
    retrieved_at: str | None = None,
) -> tuple[int, int]:
    """Insert a version row (counts filled in later); returns (version_id, version)."""
    list_id = ensure_list(conn, list_name, now)
    last = conn.execute(
        sa.select(sa.func.max(list_versions.c.version)).where(list_versions.c.list_id == list_id)
    ).scalar()
    version = int(last or 0) + 1
    result = conn.execute(
        list_versions.insert().values(
            list_id=list_id,
            version=version,
            source=source,
            format=fmt,
            imported_at=now,
            retrieved_at=retrieved_at or now,
            sha256=sha256,
            entries_digest="",
            entry_count=0,
            skipped=0,
        )
    )
    return int(_pk(result)), version


def finish_version(
    conn: Connection, version_id: int, entry_count: int, digest: str, skipped: int
) -> None:
    conn.execute(
        list_versions.update()
        .where(list_versions.c.id == version_id)
        .values(entry_count=entry_count, entries_digest=digest, skipped=skipped)
    )


def drop_version(conn: Connection, version_id: int) -> None:
    """Remove a version written in this transaction (its entries equal the last one's)."""
    conn.execute(
        list_version_entries.delete().where(list_version_entries.c.version_id == version_id)
    )
    conn.execute(list_versions.delete().where(list_versions.c.id == version_id))


# --- reading --------------------------------------------------------------------

_REF_COLUMNS = (
    lists_table.c.name,
    list_versions.c.id,
    list_versions.c.version,
    list_versions.c.imported_at,
    list_versions.c.sha256,
    list_versions.c.source,
    list_versions.c.entry_count,
    list_versions.c.format,
    list_versions.c.retrieved_at,
)


def _ref(row: Any) -> ListVersionRef:
    return ListVersionRef(
        list_name=row.name,
        version=int(row.version),
        imported_at=row.imported_at,
        sha256=row.sha256,
        source=row.source,
        entry_count=int(row.entry_count),
        format=row.format,
        retrieved_at=row.retrieved_at,
    )


def _versions_select() -> sa.Select[Any]:
    return sa.select(*_REF_COLUMNS).join(lists_table, lists_table.c.id == list_versions.c.list_id)


def latest_versions(conn: Connection) -> dict[str, ListVersionRef]:
    """The newest version of every list, keyed by list name."""
    newest = (
        sa.select(list_versions.c.list_id, sa.func.max(list_versions.c.version).label("v"))
        .group_by(list_versions.c.list_id)
        .subquery()
    )
    stmt = (
        _versions_select()
        .join(
            newest,
            sa.and_(
                newest.c.list_id == list_versions.c.list_id, newest.c.v == list_versions.c.version
            ),
        )
        .order_by(lists_table.c.name)
    )
    return {row.name: _ref(row) for row in conn.execute(stmt)}


def list_versions_of(conn: Connection, list_name: str | None = None) -> list[ListVersionRef]:
    """Every version (of one list, or of all), oldest first within each list."""
    stmt = _versions_select().order_by(lists_table.c.name, list_versions.c.version)
    if list_name is not None:
        stmt = stmt.where(lists_table.c.name == list_name)
    return [_ref(row) for row in conn.execute(stmt)]


def version_details(conn: Connection, list_name: str, version: int) -> dict[str, Any]:
    """The whole version row (digest of its entries, count of skipped records...)."""
    row = conn.execute(
        sa.select(list_versions, lists_table.c.name)
        .join(lists_table, lists_table.c.id == list_versions.c.list_id)
        .where(lists_table.c.name == list_name, list_versions.c.version == version)
    ).first()
    if row is None:
        raise NotFound(f"list {list_name!r} has no version {version}")
    return dict(row._mapping)


def resolve_version(
    conn: Connection, list_name: str, version: int | None = None
) -> tuple[int, ListVersionRef]:
    """(version row id, ref) of ``version`` of ``list_name`` (latest when None)."""
    stmt = _versions_select().where(lists_table.c.name == list_name)
    if version is None:
        stmt = stmt.order_by(list_versions.c.version.desc()).limit(1)
    else:
        stmt = stmt.where(list_versions.c.version == version)
    row = conn.execute(stmt).first()
    if row is None:
        known = conn.execute(
            sa.select(lists_table.c.id).where(lists_table.c.name == list_name)
        ).first()
        if known is None:
            raise NotFound(f"no list named {list_name!r} (see GET /lists, `flscreen lists show`)")
        raise NotFound(f"list {list_name!r} has no version {version}")
    return int(row.id), _ref(row)


def iter_entries(
    conn: Connection,
    list_names: Sequence[str] | None = None,
    versions: Mapping[str, int] | None = None,
) -> Iterator[tuple[ListVersionRef, ListEntry]]:
    """Yield (version ref, entry) for the latest version of each list, unless
    ``versions`` pins a list to a version. ``list_names`` restricts the lists;
    an unknown list name or version raises NotFound.

    Rows stream in entry-id order per list, so millions of entries do not sit
    in memory at once.
    """
    versions = dict(versions or {})
    if list_names is None:
        names = sorted(set(latest_versions(conn)) | set(versions))
    else:
        names = list(dict.fromkeys(list_names))
    targets = [resolve_version(conn, name, versions.get(name)) for name in names]
    for version_id, ref in targets:
        for _entry_id, _hash, body in _version_rows(conn, version_id, with_body=True):
            yield ref, decode_body(body)


def _entry_order(conn: Connection) -> Any:
    """Entry ids in code-point order on both backends (merge joins rely on it)."""
    col = list_version_entries.c.entry_id
    return col.collate("C") if conn.dialect.name == "postgresql" else col


def _version_rows(
    conn: Connection, version_id: int, with_body: bool = False
) -> Iterator[tuple[str, str, str]]:
    cols: list[Any] = [list_version_entries.c.entry_id, list_version_entries.c.content_hash]
    stmt: sa.Select[Any]
    if with_body:
        cols.append(list_entry_bodies.c.body)
        stmt = sa.select(*cols).join(
            list_entry_bodies,
            list_entry_bodies.c.content_hash == list_version_entries.c.content_hash,
        )
    else:
        cols.append(sa.literal(""))
        stmt = sa.select(*cols)
    stmt = (
        stmt.where(list_version_entries.c.version_id == version_id)
        .order_by(_entry_order(conn))
        .execution_options(yield_per=2000)
    )
    for row in conn.execute(stmt):
        yield row[0], row[1], row[2]


def version_hashes(conn: Connection, version_id: int) -> Iterator[tuple[str, str]]:
    """(entry_id, content_hash) of a version in code-point order of entry id."""
    for entry_id, content_hash, _ in _version_rows(conn, version_id):
        yield entry_id, content_hash


def load_bodies(conn: Connection, hashes: Iterable[str]) -> dict[str, ListEntry]:
    """Entries by content hash, fetched in chunks."""
    wanted = list(dict.fromkeys(hashes))
    out: dict[str, ListEntry] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = conn.execute(
            sa.select(list_entry_bodies.c.content_hash, list_entry_bodies.c.body).where(
                list_entry_bodies.c.content_hash.in_(chunk)
            )
        )
        for content_hash, body in rows:
            out[content_hash] = decode_body(body)
    return out


def get_entry(
    conn: Connection, list_name: str, entry_id: str, version: int | None = None
) -> tuple[ListVersionRef, ListEntry]:
    """One entry of a list version (latest unless given), or NotFound."""
    version_id, ref = resolve_version(conn, list_name, version)
    row = conn.execute(
        sa.select(list_entry_bodies.c.body)
        .join(
            list_version_entries,
            list_entry_bodies.c.content_hash == list_version_entries.c.content_hash,
        )
        .where(
            list_version_entries.c.version_id == version_id,
            list_version_entries.c.entry_id == entry_id,
        )
    ).first()
    if row is None:
        raise NotFound(f"list {list_name!r} version {ref.version} has no entry {entry_id!r}")
    return ref, decode_body(row[0])
