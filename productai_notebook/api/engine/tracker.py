"""`Tracker`: the process's one background I/O thread, where every followed job is kept fresh.

Widgets (`track`) and waits (`follow`) hold jobs here; each account's jobs are followed by one
`Watcher` (see `driver.py`) under that account's request engine, so all of them share one
budget and one set of polls. The thread runs its own asyncio loop (never the kernel's); a blocking
client's requests run on short-lived daemon threads of their own.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from collections.abc import Callable
from typing import Any

from ...contract import POLL_INTERVAL_MAX, POLL_INTERVAL_MIN
from ..errors import ProductAIError
from ..job import JobHandle
from .account import Account, account_of, engine_for
from .cadence import PollInterval
from .driver import IDLE, LIVE, QUEUED, RECONNECTING, ConnectionListener, Watcher

__all__ = ["Tracker", "get_tracker", "current_tracker", "LIVE", "RECONNECTING", "QUEUED", "IDLE"]

log = logging.getLogger("productai_notebook.api")

MAX_BACKOFF_SECONDS = 30.0
CLOSE_TIMEOUT_SECONDS = 5.0


class Tracker:
    """Keeps followed jobs fresh until they end; `track(job)` (a view) returns its `untrack`."""

    def __init__(
        self,
        *,
        min_interval: float = POLL_INTERVAL_MIN,
        max_interval: float = POLL_INTERVAL_MAX,
        max_backoff: float = MAX_BACKOFF_SECONDS,
    ) -> None:
        if not 0 < min_interval <= max_interval:
            raise ValueError("need 0 < min_interval <= max_interval")
        self.min_interval = min_interval
        self.max_interval = max_interval
        self.max_backoff = max_backoff
        self._lock = threading.Lock()
        self._watchers: dict[Account, Watcher] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def __repr__(self) -> str:
        return f"<Tracker {len(self._watchers)} accounts, {self.polls} polls>"

    @property
    def polls(self) -> int:
        """Background requests sent so far (listings and reads, every account)."""
        return sum(watcher.polls for watcher in list(self._watchers.values()))

    # -- the public face ---------------------------------------------------------------------

    def track(self, job: JobHandle, on_connection: ConnectionListener | None = None) -> Callable[[], None]:
        """Keep `job` fresh for a view until it ends or the returned `untrack` is called (idempotent).

        `on_connection(state)` runs on the tracker's thread when the connection state changes.
        """
        band = (self.min_interval, self.max_interval)
        return self._hold(job, poll_interval=band, shown=True, listener=on_connection)

    def follow(self, job: JobHandle, poll_interval: PollInterval = None) -> Callable[[], None]:
        """Keep `job` fresh for a wait (no widget shows it); returns the function that lets it go."""
        return self._hold(job, poll_interval=poll_interval, shown=False, listener=None)

    def _hold(
        self, job: JobHandle, *, poll_interval: PollInterval, shown: bool, listener: ConnectionListener | None
    ) -> Callable[[], None]:
        if job.is_terminal and not job.state.is_summary:
            return lambda: None
        holder = object()
        watcher = self._watcher(job)
        watcher.follow(job, holder, poll_interval=poll_interval, shown=shown, listener=listener)
        return lambda: watcher.unfollow(job, holder, listener)

    def connection_state(self, job: JobHandle) -> str:
        """`"live"`, `"queued"` (waiting on the budget), `"reconnecting"` (API unreachable), else `"idle"`."""
        follow = self._follow_of(job)
        return IDLE if follow is None or follow.done else follow.connection

    def is_following(self, job: JobHandle) -> bool:
        """True while the tracker keeps `job` fresh (held, not ended, tracker open)."""
        follow = self._follow_of(job)
        return follow is not None and not follow.done

    def read_in_full(self, job: JobHandle) -> bool:
        """True once `job` has ended and is known in full (its images or its error): what a wait
        yields. A listing's summary of its end is not: its own read comes next."""
        if not job.is_terminal:
            return False
        if not job.state.is_summary:
            return True
        watcher = self._watchers.get(account_of(job.client.settings))  # type: ignore[attr-defined]
        return watcher is not None and watcher.read_in_full(job)

    def trouble(self, job: JobHandle) -> ProductAIError | None:
        """Why `job` cannot be followed to its end (its 404, its account's 401/403), else None."""
        watcher = self._watchers.get(account_of(job.client.settings))  # type: ignore[attr-defined]
        return watcher.trouble(job) if watcher is not None else None

    def last_error(self, job: JobHandle) -> ProductAIError | None:
        """What the last failed poll of `job` said, while its polls fail (None once one succeeds)."""
        follow = self._follow_of(job)
        return follow.error if follow is not None else None

    def close(self) -> None:
        """Stop every poll and join the thread (bounded; safe to call twice)."""
        with self._lock:
            if self._stop.is_set():
                return
            self._stop.set()
            loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if thread is threading.current_thread():
            raise RuntimeError("Tracker.close() cannot run on the tracker's own thread")
        try:
            asyncio.run_coroutine_threadsafe(_cancel_all(), loop).result(CLOSE_TIMEOUT_SECONDS)
        except Exception:
            log.warning("the tracker did not shut down cleanly", exc_info=True)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(CLOSE_TIMEOUT_SECONDS)

    @property
    def closed(self) -> bool:
        return self._stop.is_set()

    # -- the I/O thread ----------------------------------------------------------------------

    def _follow_of(self, job: JobHandle) -> Any:
        watcher = self._watchers.get(account_of(job.client.settings))  # type: ignore[attr-defined]
        return watcher.follow_of(job) if watcher is not None else None

    def _watcher(self, job: JobHandle) -> Watcher:
        """The watcher of `job`'s account, started on the tracker's loop on first use."""
        engine = engine_for(job.client.settings)  # type: ignore[attr-defined]
        with self._lock:
            if self._stop.is_set():
                raise RuntimeError("this tracker is closed; get_tracker() gives a fresh one")
            watcher = self._watchers.get(engine.account)
            if watcher is None:
                loop = self._start()
                watcher = Watcher(engine, loop, self._stop, self.max_backoff)
                self._watchers[engine.account] = watcher
                asyncio.run_coroutine_threadsafe(watcher.run(), loop)
            return watcher

    def _start(self) -> asyncio.AbstractEventLoop:
        """The loop, starting the thread on first use (caller holds the lock)."""
        if self._loop is None:
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def run() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                try:
                    loop.run_forever()
                finally:
                    loop.close()

            self._thread = threading.Thread(target=run, name="productai-tracker", daemon=True)
            self._thread.start()
            if not ready.wait(CLOSE_TIMEOUT_SECONDS):
                raise RuntimeError("the tracker's thread did not start")
            self._loop = loop
        return self._loop


async def _cancel_all() -> None:
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


_tracker: Tracker | None = None
_tracker_lock = threading.Lock()


def get_tracker(**settings: Any) -> Tracker:
    """The process's tracker (made on first use, remade after `close()`); `settings` apply when made."""
    global _tracker
    with _tracker_lock:
        if _tracker is None or _tracker.closed:
            _tracker = Tracker(**settings)
        return _tracker


def current_tracker() -> Tracker | None:
    """The process's tracker if one is running, else None (never makes one)."""
    tracker = _tracker
    return tracker if tracker is not None and not tracker.closed else None


@atexit.register
def _close_at_exit() -> None:
    if _tracker is not None:
        _tracker.close()
