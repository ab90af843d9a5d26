"""FLSCREEN_* environment variables turned into typed values.

Only adapters (CLI, API) read settings; the core takes values as arguments.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_home() -> Path:
    """Where flscreen keeps its SQLite store and documents unless told otherwise."""
    return Path(os.environ.get("FLSCREEN_HOME", Path.home() / ".flscreen"))


@dataclass(frozen=True, slots=True)
class Settings:
    home: Path
    db_url: str

    @property
    def documents_dir(self) -> Path:
        return self.home / "documents"

    @property
    def index_dir(self) -> Path:
        """Saved matching indexes, one folder per set of list versions."""
        return self.home / "index"


def load_settings() -> Settings:
    """Read the environment: FLSCREEN_HOME (folder) and FLSCREEN_DB_URL (SQLAlchemy URL)."""
    home = default_home()
    db_url = os.environ.get("FLSCREEN_DB_URL") or f"sqlite:///{home / 'flscreen.db'}"
    return Settings(home=home, db_url=db_url)
