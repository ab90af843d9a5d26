"""Storage: SQLAlchemy Core over SQLite (default) or PostgreSQL, migrated by Alembic."""

from flscreen.store.engine import Store, open_store

__all__ = ["Store", "open_store"]
