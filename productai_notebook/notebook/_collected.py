"""Widgets the garbage collector finds are closed later, on a thread of their own, never in `__del__`.

ipywidgets closes a widget from `__del__`. The collector runs that on whichever thread happens to
allocate, at any point of its work, also while that thread holds a lock that closing one of ours
takes (a watcher's, a job's, the resend registry's): closing right there waits for ever. So
`__del__` only queues the widget; `queue.SimpleQueue.put` is documented as safe in a finalizer.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Protocol

log = logging.getLogger(__name__)


class Closable(Protocol):
    def close(self) -> None: ...


_queue: queue.SimpleQueue[Closable] = queue.SimpleQueue()
_closer: threading.Thread | None = None
_start = threading.Lock()


def start_closer() -> None:
    """Start the thread that closes collected widgets (once; called as a widget is made, not in `__del__`)."""
    global _closer
    with _start:
        if _closer is None:
            _closer = threading.Thread(target=_close_queued, name="productai-closer", daemon=True)
            _closer.start()


def close_later(widget: Closable) -> None:
    """Queue `widget` to be closed by the closer thread: safe inside `__del__`."""
    _queue.put(widget)


def _close_queued() -> None:
    while True:
        widget = _queue.get()
        try:
            widget.close()
        except Exception:  # a widget half made or half closed: nothing the user can act on
            log.debug("closing a collected widget failed", exc_info=True)
        del widget  # (not kept alive until the next one comes)
