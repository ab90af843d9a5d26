"""The store opens, migrates and rolls back on both backends."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from flscreen.store import Store, open_store


def test_migrations_are_idempotent(db_url: str) -> None:
    first = open_store(db_url)
    tables = set(sa.inspect(first.engine).get_table_names())
    first.dispose()
    second = open_store(db_url)
    assert set(sa.inspect(second.engine).get_table_names()) == tables
    assert "alembic_version" in tables
    second.dispose()


def test_transaction_rolls_back_everything_on_error(store: Store) -> None:
    with store.begin() as conn:
        conn.execute(sa.text("CREATE TABLE probe (x INTEGER)"))
    with pytest.raises(RuntimeError), store.begin() as conn:
        conn.execute(sa.text("INSERT INTO probe VALUES (1)"))
        raise RuntimeError("half-way failure")
    with store.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM probe")).scalar_one() == 0


def test_heads_read_without_alembic_are_what_alembic_writes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a store already at every head skips Alembic (CLI start-up): the heads read
    from the scripts are exactly the rows Alembic leaves in alembic_version, and a
    second open runs no migration."""
    from flscreen.store import engine

    with store.connect() as conn:
        rows = {r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}
    assert engine.migration_heads() == rows
    import alembic.command

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("Alembic ran on a store at every head")

    monkeypatch.setattr(alembic.command, "upgrade", refuse)
    again = open_store(str(store.engine.url.render_as_string(hide_password=False)))
    again.dispose()
