"""Stores seeded with the bundled sample lists and supply package, and an app client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from flscreen.api import Limits, create_app
from flscreen.identity import store as identity_store
from flscreen.identity.roles import Principal, Role
from flscreen.lists.samples import sample_lists
from flscreen.lists.service import import_list
from flscreen.services.supply import import_package
from flscreen.store import Store

SAMPLE_SUPPLY = (
    Path(__file__).resolve().parents[2] / "src" / "flscreen" / "resources" / "sample" / "supply"
)


def seed_lists(store: Store) -> None:
    """The bundled UFLPA, OFAC SDN and own-watchlist samples, version 1 each."""
    for name, path, fmt in sample_lists():
        import_list(store, str(path), name, fmt=fmt)


def seed_supply(store: Store) -> None:
    """The bundled supply package (7 shipments: clean, listed, laundered, gap, shortfall)."""
    import_package(store, str(SAMPLE_SUPPLY))


SETUP = Principal("setup", Role.ADMIN, via="cli")
USERS = {
    # role (or importer tenant) -> (user name, role, tenant)
    "admin": ("admin", "admin", None),
    "officer": ("officer.li", "officer", None),
    "analyst": ("analyst.wu", "analyst", None),
    "auditor": ("auditor.ko", "auditor", None),
    "northwind": ("imp.northwind", "importer", "northwind"),
    "southern": ("imp.southern", "importer", "southern-cross"),
}
TENANTS = {
    # the two importers of the bundled supply package
    "northwind": ("Northwind Apparel Inc.", ["IMP-NW"]),
    "southern-cross": ("Southern Cross Solar Pty Ltd", ["IMP-SC"]),
}


def seed_identities(store: Store) -> dict[str, str]:
    """A user of each role and an importer of each sample tenant; an API token each."""
    tokens = {}
    with store.begin() as conn:
        if identity_store.any_users(conn):
            return {}
        for tenant, (name, parties) in TENANTS.items():
            identity_store.add_tenant(conn, tenant, name, parties, SETUP)
        for key, (username, role, tenant) in USERS.items():
            identity_store.add_user(
                conn, username, role, SETUP, tenant=tenant, password=f"{username}-password"
            )
            tokens[key], _ = identity_store.create_token(conn, username, "tests", SETUP, days=1)
    return tokens


def bearer(client: TestClient, who: str) -> dict[str, str]:
    """Headers acting as ``who`` (a key of USERS) instead of the client's default officer."""
    return {"Authorization": f"Bearer {client.tokens[who]}"}  # type: ignore[attr-defined]


def make_client(
    db_url: str, tmp_path: Path, limits: Limits | None = None, who: str | None = "officer"
) -> TestClient:
    """A client of a fresh app acting as ``who`` (an officer by default; None: nobody).
    Every role's token is in ``client.tokens``; see :func:`bearer`."""
    app = create_app(
        db_url, documents_dir=tmp_path / "documents", limits=limits, index_dir=tmp_path / "index"
    )
    tokens = seed_identities(app.state.flscreen.store)
    headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
    client = TestClient(app, base_url="https://testserver", headers=headers)
    client.tokens = tokens  # type: ignore[attr-defined]
    return client


@contextmanager
def screened_client(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """An officer's client over the sample lists and package screened under UFLPA (six
    open cases)."""
    seed_lists(store)
    seed_supply(store)
    with make_client(db_url, tmp_path) as c:
        assert c.post("/screen", json={"policy": "uflpa"}).status_code == 200
        yield c
