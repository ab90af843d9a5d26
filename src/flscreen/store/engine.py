"""Open a store and bring its schema up to date.

Each domain (lists, matching, supply, cases, audit) owns its tables in its own
module and its own Alembic branch, so domains migrate independently;
``upgrade heads`` applies them all.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from flscreen.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs (psycopg2 is not a dependency)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@dataclass
class Store:
    """A migrated database; hand its engine to the domain store functions."""

    engine: Engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: commits on success, rolls back everything on error."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def open_store(url: str, migrate: bool = True) -> Store:
    """Connect to ``url`` (creating a SQLite file's folder) and apply migrations."""
    url = normalize_url(url)
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = sa.create_engine(url, future=True)
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        if migrate:
            with engine.begin() as conn:
                if not _at_heads(conn):
                    from alembic import command

                    config = alembic_config(url)
                    config.attributes["connection"] = conn
                    command.upgrade(config, "heads")
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot open store {engine_safe(url)}: {exc}") from exc
    return Store(engine=engine)


_REVISION = re.compile(
    r"^(revision|down_revision|depends_on)\s*=\s*(None|\"[\w.-]+\"|\((?:\s*\"[\w.-]+\",?)+\s*\))\s*$",
    re.M,
)
_NAME = re.compile(r"\"([\w.-]+)\"")


@functools.cache
def migration_heads() -> frozenset[str] | None:
    """What ``alembic_version`` holds once every migration ran, read from the scripts'
    ``revision``, ``down_revision`` and ``depends_on`` lines without importing Alembic:
    the heads that no other head descends from (a head another branch depends on is
    not listed, as Alembic does). None when a script says it in a form this does not
    read (then Alembic decides)."""
    parents: dict[str, set[str]] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = {m[1]: m[2] for m in _REVISION.finditer(path.read_text("utf-8"))}
        if "revision" not in found or "down_revision" not in found or found["revision"] == "None":
            return None
        revision = found["revision"].strip('"')
        parents[revision] = {
            *_NAME.findall(found["down_revision"]),
            *_NAME.findall(found.get("depends_on", "None")),
        }
    ancestors: dict[str, set[str]] = {}

    def above(rev: str) -> set[str]:
        if rev not in ancestors:
            ancestors[rev] = set()
            for parent in parents.get(rev, ()):
                ancestors[rev] |= {parent, *above(parent)}
        return ancestors[rev]

    below = {a for rev in parents for a in above(rev)}
    return frozenset(rev for rev in parents if rev not in below) or None


def _at_heads(conn: Connection) -> bool:
    """True when the database is already at every head: opening it then needs neither
    Alembic nor its scripts (a third of a second at every CLI start)."""
    heads = migration_heads()
    if heads is None or not sa.inspect(conn).has_table("alembic_version"):
        return False
    current = {row[0] for row in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}
    return current == heads


def engine_safe(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<invalid database URL>"
