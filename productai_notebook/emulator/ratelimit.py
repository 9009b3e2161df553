"""Requests per minute per account, over a sliding 60-second window, as ProductAI's plans allow.

The window can be shortened (`Emulator(rate_window=3)`) so tests of pacing at "10 a minute" run in
seconds: the limit then counts per window, and every header speaks in that window's seconds.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass

WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the oldest counted request leaves the window

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_seconds),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, self.reset_seconds))
        return headers


class RateLimiter:
    def __init__(self, window_seconds: float = WINDOW_SECONDS) -> None:
        if window_seconds <= 0:
            raise ValueError("the rate window must be positive seconds")
        self.window = window_seconds
        self._requests: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, account: str, limit: int) -> Verdict:
        """Count one request of `account` if it fits under `limit` per window."""
        now = time.monotonic()
        with self._lock:
            recent = self._requests.setdefault(account, deque())
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            allowed = len(recent) < limit
            if allowed:
                recent.append(now)
            reset = math.ceil(recent[0] + self.window - now) if recent else 0
            return Verdict(allowed, limit, limit - len(recent), reset)
