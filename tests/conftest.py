"""Shared fixtures: a store on SQLite and on PostgreSQL for every storage test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings

from flscreen.store import Store, open_store
from tests.pg import throwaway_postgres

# CI explores the same examples every run, so a red build is reproducible; locally
# hypothesis keeps exploring new ones (and remembers failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--spark",
        action="store_true",
        default=bool(os.environ.get("CI")),
        help="run the tests marked spark (a JVM start per session; `make test` and CI do)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Spark tests are opt-in locally: starting a JVM is most of a focused run's time."""
    if config.getoption("--spark"):
        return
    opt_in = pytest.mark.skip(reason="Spark is opt-in locally: pass --spark (make test does)")
    for item in items:
        if "spark" in item.keywords:
            item.add_marker(opt_in)


FIXTURES = Path(__file__).parent / "fixtures"


def shared_data(*parts: str) -> Path:
    """A file under ../shared/data, or skip the test saying it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (needs ../shared/data beside the repo)")
    return path


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A PostgreSQL server for the session: FLSCREEN_TEST_PG_URL, else a throwaway one."""
    given = os.environ.get("FLSCREEN_TEST_PG_URL")
    if given:
        yield given
        return
    try:
        with throwaway_postgres() as url:
            yield url
    except (RuntimeError, OSError) as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not available: {exc}")


def _fresh_pg_database(server_url: str) -> str:
    name = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return str(sa.engine.make_url(server_url).set(database=name).render_as_string(False))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'flscreen.db'}"
    server = request.getfixturevalue("pg_server_url")
    return _fresh_pg_database(server)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated store on each backend."""
    s = open_store(db_url)
    yield s
    s.dispose()


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for CLI tests: a private home and the backend under test."""
    monkeypatch.setenv("FLSCREEN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FLSCREEN_DB_URL", db_url)
    return {"FLSCREEN_HOME": str(tmp_path / "home"), "FLSCREEN_DB_URL": db_url}
