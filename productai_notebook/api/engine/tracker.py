"""`Tracker`: the process's one background I/O thread, where every followed job is kept fresh.

Widgets and waits both `follow` jobs here (a widget with `shown=True`; `track` is an older name
for that, kept for code written against it); each account's jobs are followed by one `Driver` (see
`driver.py`) under that account's request engine, so all of them share one budget and one set of
requests. The thread runs its own asyncio loop (never the kernel's); a blocking client's requests
run on its account's small pool of threads (`pool.py`).
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
from .connection import IDLE, LIVE, QUEUED, RECONNECTING, Connection
from .driver import Driver
from .scheduler import ConnectionListener, Follow, ended_in_full

__all__ = [
    "Tracker", "get_tracker", "current_tracker", "Connection", "LIVE", "RECONNECTING", "QUEUED", "IDLE",
]

log = logging.getLogger("productai_notebook.api")

MAX_BACKOFF_SECONDS = 30.0
CLOSE_TIMEOUT_SECONDS = 5.0


class Tracker:
    """Keeps followed jobs fresh until they end; `follow(job)` returns the function that lets it go."""

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
        self._drivers: dict[Account, Driver] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def __repr__(self) -> str:
        return f"<Tracker {len(self._drivers)} accounts, {self.polls} polls>"

    @property
    def polls(self) -> int:
        """Background requests sent so far (listings and reads, every account; the old name kept)."""
        return sum(driver.polls for driver in list(self._drivers.values()))

    # -- the public face ---------------------------------------------------------------------

    def follow(
        self,
        job: JobHandle,
        poll_interval: PollInterval = None,
        *,
        shown: bool = False,
        on_connection: ConnectionListener | None = None,
    ) -> Callable[[], None]:
        """Keep `job` fresh until it ends or the returned function (idempotent) lets it go.

        `shown`: a widget shows it (its progress is wanted; the tracker's band sets the pace), else a
        wait holds it for its result. `on_connection(state)` runs on the tracker's thread when the
        job's `Connection` changes.
        """
        if ended_in_full(job.state, read_whole=False):
            return lambda: None
        if shown and poll_interval is None:
            poll_interval = (self.min_interval, self.max_interval)
        holder = object()
        driver = self.driver_for(job)
        driver.follow(job, holder, poll_interval=poll_interval, shown=shown, listener=on_connection)
        return lambda: driver.unfollow(job, holder, on_connection)

    def track(self, job: JobHandle, on_connection: ConnectionListener | None = None) -> Callable[[], None]:
        """The older name of `follow(job, shown=True, on_connection=...)`, kept for code written
        against it: the package's own widgets and waits all call `follow`."""
        return self.follow(job, shown=True, on_connection=on_connection)

    def connection_state(self, job: JobHandle) -> Connection:
        """LIVE, QUEUED (waiting on the budget), RECONNECTING (API unreachable), else IDLE (a `str`)."""
        follow = self._follow_of(job)
        return IDLE if follow is None or follow.done else follow.connection

    def is_following(self, job: JobHandle) -> bool:
        """True while the tracker keeps `job` fresh (held, not ended, tracker open)."""
        follow = self._follow_of(job)
        return follow is not None and not follow.done

    def read_in_full(self, job: JobHandle) -> bool:
        """True once `job` has ended and is known in full (its images or its error): what a wait
        yields. A listing's summary of its end is not: its own read comes next."""
        driver = self._drivers.get(account_of(job.client.settings))
        return driver.read_in_full(job) if driver is not None else ended_in_full(job.state, read_whole=False)

    def trouble(self, job: JobHandle) -> ProductAIError | None:
        """Why `job` cannot be followed to its end (its 404, its account's 401/403), else None."""
        driver = self._drivers.get(account_of(job.client.settings))
        return driver.trouble(job) if driver is not None else None

    def last_error(self, job: JobHandle) -> ProductAIError | None:
        """What the last failed request for `job` said, while they fail (None once one succeeds)."""
        follow = self._follow_of(job)
        return follow.error if follow is not None else None

    def close(self) -> None:
        """Stop following every job and join the thread (bounded; safe to call twice)."""
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

    def _follow_of(self, job: JobHandle) -> Follow | None:
        driver = self._drivers.get(account_of(job.client.settings))
        return driver.follow_of(job) if driver is not None else None

    def driver_for(self, job: JobHandle) -> Driver:
        """The driver of `job`'s account, started on the tracker's loop on first use."""
        engine = engine_for(job.client.settings)
        with self._lock:
            if self._stop.is_set():
                raise RuntimeError("this tracker is closed; get_tracker() gives a fresh one")
            driver = self._drivers.get(engine.account)
            if driver is None:
                loop = self._start()
                driver = Driver(engine, loop, self._stop, self.max_backoff)
                self._drivers[engine.account] = driver
                asyncio.run_coroutine_threadsafe(driver.run(), loop)
            return driver

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
