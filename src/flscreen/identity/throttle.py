"""Login throttling: too many failed sign-ins for one user name or from one address
within a window lock that key out until the oldest failure leaves the window.

Kept in memory (per server process): it slows guessing without letting anyone
lock a user out for longer than the window, and needs no table writes on the
hot path of a password spray."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .roles import TooManyAttempts


@dataclass
class Throttle:
    per_user: int = 5
    per_address: int = 20
    window_seconds: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _limit(self, key: str) -> int:
        return self.per_user if key.startswith("user:") else self.per_address

    def _recent(self, key: str, at: float) -> deque[float]:
        found = self._failures.setdefault(key, deque())
        while found and found[0] <= at - self.window_seconds:
            found.popleft()
        return found

    def check(self, *keys: str) -> None:
        """Raise :class:`TooManyAttempts` when any key has used up its failures."""
        at = self.clock()
        with self._lock:
            for key in keys:
                recent = self._recent(key, at)
                if len(recent) >= self._limit(key):
                    wait = int(recent[0] + self.window_seconds - at) + 1
                    raise TooManyAttempts(
                        f"too many failed sign-ins for {key.split(':', 1)[0]} "
                        f"{key.split(':', 1)[1]!r}: try again in {wait} seconds",
                        wait,
                    )

    def failed(self, *keys: str) -> None:
        at = self.clock()
        with self._lock:
            for key in keys:
                self._recent(key, at).append(at)
            if len(self._failures) > 100_000:  # a spray of names cannot grow this forever
                self._failures = {k: v for k, v in self._failures.items() if v}

    def succeeded(self, user_key: str) -> None:
        with self._lock:
            self._failures.pop(user_key, None)
