"""Failed authentications counted per client address: past the limit, 429 with Retry-After."""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Callable

WINDOW_S = 60.0


class FailedAuthentications:
    """At most ``per_minute`` failed authentications per client address in any 60 seconds (one process).

    While an address is over the limit every request it sends with a token is refused with 429,
    its token not even looked up; the count forgets failures older than the window.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> int | None:
        """Seconds until ``address`` may try again, or None when it may now."""
        with self._lock:
            failures = self._recent(address)
            if len(failures) < self.per_minute:
                return None
            return max(1, math.ceil(failures[0] + WINDOW_S - self.clock()))

    def failed(self, address: str) -> None:
        with self._lock:
            self._recent(address).append(self.clock())

    def _recent(self, address: str) -> deque[float]:
        failures = self._failures.setdefault(address, deque())
        while failures and failures[0] <= self.clock() - WINDOW_S:
            failures.popleft()
        if not failures and len(self._failures) > 10_000:  # forget idle addresses
            self._failures = {a: f for a, f in self._failures.items() if f}
            self._failures[address] = failures
        return failures
