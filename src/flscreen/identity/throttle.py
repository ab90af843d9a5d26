"""Login throttling: too many failed sign-ins for one user name or from one address
within a window lock that key out until the oldest failure leaves the window.

The failures are rows of the store (``identity_login_failures``), so every server
process on one database counts the same attempts: N workers allow what one does.
It stays cheap: checking is one indexed read per sign-in, a failure adds a row per
key in a short transaction of its own, a success deletes its user name's rows only
when it had any, and rows past the window are deleted at most once a minute per
process. Nobody can be locked out for longer than the window."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .roles import TooManyAttempts
from .tables import login_failures

KEY_CHARS = 255
"""A key longer than the column is cut: two such names then share one count (stricter,
never looser)."""


def keys_of(username: str, address: str) -> tuple[str, str]:
    """The throttle's keys of one sign-in: its user name (as looked up) and its address."""
    return f"user:{username.strip().lower()}"[:KEY_CHARS], f"address:{address}"[:KEY_CHARS]


@dataclass
class Throttle:
    per_user: int = 5
    per_address: int = 20
    window_seconds: float = 15 * 60
    clock: Callable[[], float] = time.time
    """Wall-clock seconds: the rows are compared across processes (and machines)."""
    prune_seconds: float = 60.0
    """How often this process deletes rows that left the window."""
    _pruned_at: float = float("-inf")

    def _limit(self, key: str) -> int:
        return self.per_user if key.startswith("user:") else self.per_address

    def check(self, conn: Connection, *keys: str) -> dict[str, int]:
        """Raise :class:`TooManyAttempts` when any key has used up its failures; else the
        recent failures of each key that has any."""
        at = self.clock()
        t = login_failures.c
        rows = conn.execute(
            sa.select(t.key, sa.func.count(), sa.func.min(t.at))
            .where(t.key.in_(keys), t.at > at - self.window_seconds)
            .group_by(t.key)
        ).all()
        for key, count, oldest in sorted(rows, key=lambda r: keys.index(r[0])):
            if count >= self._limit(key):
                wait = int(oldest + self.window_seconds - at) + 1
                kind, _, name = key.partition(":")
                raise TooManyAttempts(
                    f"too many failed sign-ins for {kind} {name!r}: try again in {wait} seconds",
                    wait,
                )
        return {key: int(count) for key, count, _ in rows}

    def failed(self, conn: Connection, *keys: str) -> None:
        """Count one failure against each key (commit it even though the sign-in fails)."""
        at = self.clock()
        conn.execute(login_failures.insert(), [{"key": key, "at": at} for key in keys])
        if at - self._pruned_at >= self.prune_seconds:
            self._pruned_at = at
            conn.execute(
                login_failures.delete().where(login_failures.c.at <= at - self.window_seconds)
            )

    def succeeded(self, conn: Connection, user_key: str) -> None:
        """Forget the user name's failures (its address's stay counted)."""
        conn.execute(login_failures.delete().where(login_failures.c.key == user_key))
