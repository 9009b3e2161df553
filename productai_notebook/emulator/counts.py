"""How many API requests each key sent and how they were answered: what benchmarks and tests of
request pacing count (a 429 a client could have avoided, a poll per job instead of one listing)."""

from __future__ import annotations

import threading
from collections import Counter

#: the status recorded for a request whose connection the emulator dropped (the 'reset' fault)
DROPPED = 0


class RequestCounts:
    """Per presented key: answers by status code, and requests by route (`GET /v1/jobs` ...)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._statuses: dict[str, Counter[int]] = {}
        self._routes: dict[str, Counter[str]] = {}

    def record(self, key: str, route: str, status: int) -> None:
        with self._lock:
            self._statuses.setdefault(key, Counter())[status] += 1
            self._routes.setdefault(key, Counter())[route] += 1

    def of(self, key: str) -> dict[str, dict[str, int]]:
        """`{"statuses": {"200": n, "429": n, ...}, "routes": {"GET /v1/jobs/{job_id}": n, ...}}`."""
        with self._lock:
            statuses = self._statuses.get(key, Counter())
            routes = self._routes.get(key, Counter())
            return {
                "statuses": {str(status): n for status, n in sorted(statuses.items())},
                "routes": dict(sorted(routes.items())),
            }
