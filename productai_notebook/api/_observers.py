"""`Observers`: who wants to hear of an object's changes (a job's state and picks, a batch's entries).

Widgets on the kernel's thread, the tracker's I/O thread and a batch's worker all add, remove and
notify at once, so the list is copied under a lock and the callbacks run outside it (a callback may
add or remove observers). One failing callback, say of a closed widget, is logged and never stops
the others or whoever notified.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("productai_notebook.api")

Callback = Callable[[Any], None]


class Observers:
    """The callbacks of one object; `add` returns the function that removes one again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._callbacks: list[Callback] = []

    def add(self, callback: Callback) -> Callable[[], None]:
        with self._lock:
            self._callbacks.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return unsubscribe

    def notify(self, subject: object, name: str) -> None:
        """Call each callback with `subject`; `name` says whose observer failed in the log."""
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(subject)
            except Exception:
                log.exception("an observer of %s failed", name)
