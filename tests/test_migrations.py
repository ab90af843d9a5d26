"""The schema the migrations build is the schema the code reads: Alembic's comparison
of the migrated database with every domain's live table metadata finds nothing.

A column added to a table definition without a migration (or a migration that
drifts from the table) fails here, on SQLite and on PostgreSQL, instead of in a
user's store.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from flscreen.store import Store

DOMAINS = (
    "flscreen.audit",
    "flscreen.identity.tables",
    "flscreen.lists.store",
    "flscreen.matching.judgements",
    "flscreen.policy.tables",
    "flscreen.supply.store",
    "flscreen.trade.store",
)


def all_metadata() -> sa.MetaData:
    """Every domain's tables in one MetaData (each domain keeps its own)."""
    import importlib

    merged = sa.MetaData()
    for name in DOMAINS:
        module: Any = importlib.import_module(name)
        for table in module.metadata.tables.values():
            table.to_metadata(merged)
    return merged


def every_metadata_module_is_listed() -> set[str]:
    """Modules under flscreen that define a ``metadata`` MetaData (so a new domain
    cannot be left out of the comparison)."""
    import pkgutil

    import flscreen

    found = set()
    for info in pkgutil.walk_packages(flscreen.__path__, "flscreen."):
        if ".migrations" in info.name or info.name.startswith(("flscreen.cli", "flscreen.web")):
            continue
        try:
            module = __import__(info.name, fromlist=["metadata"])
        except ImportError:
            continue
        if isinstance(getattr(module, "metadata", None), sa.MetaData):
            found.add(info.name)
    return found


def test_every_domain_with_tables_is_compared() -> None:
    missing = every_metadata_module_is_listed() - set(DOMAINS)
    assert not missing, f"add {sorted(missing)} to DOMAINS in tests/test_migrations.py"


def test_migrated_schema_equals_the_tables(store: Store) -> None:
    with store.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, all_metadata())
    # Alembic's own version table is not flscreen's.
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name == "alembic_version")]
    assert diff == [], "\n".join(map(str, diff))


@pytest.mark.parametrize("domain", DOMAINS)
def test_each_domain_defines_tables(domain: str) -> None:
    import importlib

    assert importlib.import_module(domain).metadata.tables
