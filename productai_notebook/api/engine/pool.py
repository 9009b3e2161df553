"""`BackgroundPool`: a few daemon threads that run a blocking client's background requests.

Not one thread per request (a batch followed to its end would start hundreds), and not a
`concurrent.futures.ThreadPoolExecutor`: its threads are joined at interpreter exit, before
`atexit` stops the engine, so a request waiting for its turn in the budget would keep a finished
script from ending. These threads are daemons, started only as work comes, at most `size`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

#: a blocking client's background requests in flight at once, per account: a listing round and
#: a few reads (the budget, not the threads, is what limits them)
POOL_SIZE = 4

_Work = tuple[Future[Any], Callable[[], Any]]


class BackgroundPool:
    """Runs calls on at most `size` daemon threads, in the order they came."""

    def __init__(self, size: int = POOL_SIZE, name: str = "productai-background") -> None:
        if size < 1:
            raise ValueError("a pool needs at least one thread")
        self.size = size
        self._name = name
        self._work: queue.SimpleQueue[_Work] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._idle = 0

    @property
    def threads(self) -> int:
        """Threads started so far (never more than `size`)."""
        return len(self._threads)

    def submit(self, call: Callable[[], Any]) -> Future[Any]:
        """Run `call()` on one of the pool's threads; its future holds the result or the error."""
        future: Future[Any] = Future()
        with self._lock:
            self._work.put((future, call))
            # a new thread only while more calls wait than threads stand idle
            if self._work.qsize() > self._idle and len(self._threads) < self.size:
                thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
                self._threads.append(thread)
                thread.start()
        return future

    def _serve(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            future, call = self._work.get()
            with self._lock:
                self._idle -= 1
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(call())
                except BaseException as error:  # handed to whoever awaits the future
                    future.set_exception(error)
