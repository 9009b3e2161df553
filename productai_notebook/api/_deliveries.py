"""Which webhook deliveries were already handled: replay protection that survives a restart.

A delivery's signature never expires (the API signs the body only, with no timestamp), so a
captured delivery stays valid forever. A delivery is known by its (event, job_id): each job
reaches an event once, so a second delivery of it is a retry or a replay, handled once either
way. With a `path`, every handled delivery is appended there as one JSON line and read back on
start, so a restarted receiver still refuses old ones. One line per job event: a year of heavy
use is a few megabytes.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

log = logging.getLogger("productai_notebook.api")

DeliveryKey = tuple[str, str]


class SeenDeliveries:
    """Claim a delivery before handling it; `done` records it for good, `release` lets a retry in."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self._handled: set[DeliveryKey] = self._load()
        self._in_progress: set[DeliveryKey] = set()

    def _load(self) -> set[DeliveryKey]:
        if self._path is None or not self._path.exists():
            return set()
        handled = set()
        text = self._path.read_text(encoding="utf-8", errors="replace")
        if text and not text.endswith("\n"):
            with self._path.open("a", encoding="utf-8") as out:
                out.write("\n")  # end a torn line, so the next record starts on its own
        for line in filter(str.strip, text.splitlines()):
            try:
                event, job_id = json.loads(line)
            except (ValueError, TypeError):
                # a line torn by a crash mid-write: that delivery was never confirmed, so
                # its sender retries it and it is handled then
                log.debug("skipped an unreadable line of %s", self._path)
                continue
            handled.add((str(event), str(job_id)))
        return handled

    def claim(self, key: DeliveryKey) -> bool:
        """True when this delivery is new and now ours to handle; False for a repeat."""
        with self._lock:
            if key in self._handled or key in self._in_progress:
                return False
            self._in_progress.add(key)
            return True

    def done(self, key: DeliveryKey) -> None:
        """The delivery was handled: never hand it over again, in this process or the next."""
        with self._lock:
            self._in_progress.discard(key)
            self._handled.add(key)
            if self._path is not None:
                with self._path.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(list(key)) + "\n")  # ASCII: any text is escaped
                    out.flush()
                    os.fsync(out.fileno())

    def release(self, key: DeliveryKey) -> None:
        """Handling failed: the sender's retry may try again."""
        with self._lock:
            self._in_progress.discard(key)
