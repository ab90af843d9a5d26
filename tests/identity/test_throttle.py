"""The login throttle counts failures in the store: it locks a user name (or an address)
after its failures, forgets them in time, and every app on one store shares the count
(several server workers on one PostgreSQL, or processes on one SQLite file)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from flscreen.identity.roles import TooManyAttempts
from flscreen.identity.tables import login_failures
from flscreen.identity.throttle import Throttle, keys_of
from flscreen.store import Store
from tests.api.seed import make_client

KEYS = ("user:li", "address:1.2.3.4")


def _rows(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(login_failures)).scalar())


def test_throttle_locks_then_forgets(store: Store) -> None:
    now = [1_000_000.0]
    t = Throttle(per_user=3, per_address=10, window_seconds=60, clock=lambda: now[0])
    for _ in range(3):
        with store.begin() as conn:
            t.check(conn, *KEYS)
            t.failed(conn, *KEYS)
        now[0] += 1
    with pytest.raises(TooManyAttempts) as refused, store.begin() as conn:
        t.check(conn, *KEYS)
    assert 0 < refused.value.retry_after <= 61
    assert "user name" not in str(refused.value) and "user 'li'" in str(refused.value)
    with store.begin() as conn:
        assert t.check(conn, "user:wu", "address:5.6.7.8") == {}  # others are not locked out
    now[0] += 58  # 61 s after the first failure, 59 s after the third
    with store.begin() as conn:
        assert t.check(conn, *KEYS) == {"user:li": 1, "address:1.2.3.4": 1}  # two left
    now[0] += 60
    with store.begin() as conn:
        assert t.check(conn, *KEYS) == {}
        t.failed(conn, "user:wu")  # a failure a minute on prunes what left the window
    assert _rows(store) == 1
    with store.begin() as conn:
        t.succeeded(conn, "user:wu")
    assert _rows(store) == 0


def test_the_address_limit_and_long_names() -> None:
    # A name longer than the column is cut to it: stricter (shared count), never looser.
    user, address = keys_of(" Li" + "x" * 400, "10.0.0.1")
    assert user.startswith("user:lix") and len(user) == 255 and address == "address:10.0.0.1"


def test_two_apps_on_one_store_share_the_count(db_url: str, tmp_path: Path) -> None:
    """Three wrong passwords through one app and two through another lock the user name
    on both: the count is the store's, not a process's. A right password then waits too;
    another user from another address does not."""
    first = make_client(db_url, tmp_path / "one", who=None)
    second = make_client(db_url, tmp_path / "two", who=None)
    with first, second:
        assert first.app.state.flscreen is not second.app.state.flscreen  # type: ignore[attr-defined]
        wrong = {"username": "analyst.wu", "password": "guess-guess"}
        for client in (first, first, first, second, second):
            r = client.post("/auth/login", json=wrong)
            assert r.status_code == 401, r.text
        right = {"username": "analyst.wu", "password": "analyst.wu-password"}
        for client in (first, second):
            r = client.post("/auth/login", json=right)
            assert r.status_code == 429, r.text
            assert int(r.headers["retry-after"]) > 0 and "analyst.wu" in r.json()["message"]
        # The page's form shares it too.
        r = second.post("/ui/login", data=right)
        assert r.status_code == 429 and "too many failed sign-ins" in r.text
        other = TestClient(second.app, base_url="https://testserver", client=("10.9.9.9", 5000))
        ok = other.post(
            "/auth/login", json={"username": "officer.li", "password": "officer.li-password"}
        )
        assert ok.status_code == 200, ok.text
