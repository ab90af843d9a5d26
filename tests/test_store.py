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
