"""`Tracker`: keeps many jobs fresh from one background I/O thread under one request budget.

Every displayed, unfinished job is polled here, never on the kernel's event loop: the
tracker owns a daemon thread running its own asyncio loop, one `AsyncProductAI` per
account (base URL + key), and one token bucket shared by all polls, because at Pro's
60 requests a minute three jobs polled every 3 s would already use the whole limit.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from ..contract import POLL_INTERVAL_MAX, POLL_INTERVAL_MIN
from ._polling import PollPlanner
from .errors import APIConnectionError, ProductAIError, RateLimitError
from .models import JobState

if TYPE_CHECKING:
    from ._http import ClientSettings
    from .client import AsyncProductAI
    from .job import JobHandle

log = logging.getLogger("productai_notebook.api")

LIVE = "live"
RECONNECTING = "reconnecting"
IDLE = "idle"

#: requests a minute the tracker may spend by default: Pro allows 60, and the user's own calls need room
DEFAULT_REQUESTS_PER_MINUTE = 40
MAX_BACKOFF_SECONDS = 30.0
CLOSE_TIMEOUT_SECONDS = 5.0

ConnectionListener = Callable[[str], None]


class RequestBudget:
    """A token bucket: `requests_per_minute` on average, at most `burst` at once. Loop-local."""

    def __init__(self, requests_per_minute: float, burst: int = 5) -> None:
        if requests_per_minute <= 0:
            raise ValueError("requests_per_minute must be positive")
        self.rate = requests_per_minute / 60.0
        self.capacity = float(max(1, burst))
        self._tokens = self.capacity
        self._stamp = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def acquire(self) -> None:
        """Wait for one request's worth of budget (never longer than one token's refill at a time)."""
        while True:
            self._refill()
            if self._tokens >= 1:
                self._tokens -= 1
                return
            await asyncio.sleep((1 - self._tokens) / self.rate)


@dataclass(eq=False)
class _Followed:
    """One tracked job: who holds it, how its connection is, and its poll task."""

    job: JobHandle
    holders: set[object] = field(default_factory=set)
    listeners: list[ConnectionListener] = field(default_factory=list)
    connection: str = LIVE
    task: concurrent.futures.Future[None] | None = None
    planner: PollPlanner = field(default_factory=PollPlanner)


class Tracker:
    """Polls every tracked, unfinished job adaptively; `track(job)` returns its `untrack`."""

    def __init__(
        self,
        *,
        requests_per_minute: float = DEFAULT_REQUESTS_PER_MINUTE,
        min_interval: float = POLL_INTERVAL_MIN,
        max_interval: float = POLL_INTERVAL_MAX,
        max_backoff: float = MAX_BACKOFF_SECONDS,
    ) -> None:
        if not 0 < min_interval <= max_interval:
            raise ValueError("need 0 < min_interval <= max_interval")
        self.requests_per_minute = requests_per_minute
        self.min_interval = min_interval
        self.max_interval = max_interval
        self.max_backoff = max_backoff
        #: polls sent so far (all jobs): what tests and benchmarks count
        self.polls = 0
        self._lock = threading.Lock()
        self._followed: dict[int, _Followed] = {}
        self._clients: dict[tuple[str, str], AsyncProductAI] = {}
        self._pool: httpx.AsyncClient | None = None  # one connection pool for every account
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._budget: RequestBudget | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"<Tracker {len(self._followed)} jobs, {self.requests_per_minute:g} requests/min>"

    # -- the public face ---------------------------------------------------------------------

    def track(self, job: JobHandle, on_connection: ConnectionListener | None = None) -> Callable[[], None]:
        """Keep `job` fresh until it ends or the returned `untrack` is called (idempotent).

        `on_connection(state)` runs on the tracker's thread when the connection state changes.
        """
        holder = object()
        if job.is_terminal:
            return lambda: None
        with self._lock:
            if self._closed:
                raise RuntimeError("this tracker is closed; get_tracker() gives a fresh one")
            loop = self._start()
            followed = self._followed.setdefault(
                id(job), _Followed(job, planner=PollPlanner((self.min_interval, self.max_interval)))
            )
            followed.holders.add(holder)
            if on_connection is not None:
                followed.listeners.append(on_connection)
            if followed.task is None:
                followed.task = asyncio.run_coroutine_threadsafe(self._follow(followed), loop)

        def untrack() -> None:
            with self._lock:
                followed.holders.discard(holder)
                if on_connection in followed.listeners:
                    followed.listeners.remove(on_connection)
                if followed.holders or self._followed.get(id(job)) is not followed:
                    return
                del self._followed[id(job)]
                if followed.task is not None:
                    followed.task.cancel()  # thread-safe: the loop cancels the poll task

        return untrack

    def connection_state(self, job: JobHandle) -> str:
        """`"live"` while polls succeed, `"reconnecting"` while the API is unreachable, else `"idle"`."""
        followed = self._followed.get(id(job))
        if followed is None or job.is_terminal:
            return IDLE
        return followed.connection

    def is_following(self, job: JobHandle) -> bool:
        """True while a poll loop runs for `job`."""
        followed = self._followed.get(id(job))
        return followed is not None and followed.task is not None and not followed.task.done()

    def close(self) -> None:
        """Stop every poll, close the connections and join the thread (bounded; safe to call twice)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if thread is threading.current_thread():
            raise RuntimeError("Tracker.close() cannot run on the tracker's own thread")
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(CLOSE_TIMEOUT_SECONDS)
        except Exception:
            log.warning("the tracker did not shut down cleanly", exc_info=True)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(CLOSE_TIMEOUT_SECONDS)

    @property
    def closed(self) -> bool:
        return self._closed

    # -- the I/O thread ----------------------------------------------------------------------

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
            self._budget = RequestBudget(self.requests_per_minute)
        return self._loop

    async def _follow(self, followed: _Followed) -> None:
        job = followed.job
        delay = self._next_delay(followed, job.state)
        backoff = self.min_interval
        try:
            while not job.is_terminal:
                await asyncio.sleep(delay)
                assert self._budget is not None
                await self._budget.acquire()
                self.polls += 1
                try:
                    state = await self._client_for(job).jobs._fetch_state(job.id)
                except APIConnectionError:
                    self._set_connection(followed, RECONNECTING)
                    backoff = min(backoff * 2, self.max_backoff)
                    delay = backoff
                    continue
                except RateLimitError as error:
                    delay = min(max(error.retry_after or backoff, self.min_interval), self.max_backoff)
                    continue
                except ProductAIError as error:
                    # Not the network: say an odd answer. Keep trying, ever more slowly.
                    log.info("polling job %s: %s", job.id, error)
                    backoff = min(backoff * 2, self.max_backoff)
                    delay = backoff
                    continue
                backoff = self.min_interval
                self._set_connection(followed, LIVE)
                job._apply(state)
                delay = self._next_delay(followed, state)
        finally:
            self._set_connection(followed, IDLE)
            with self._lock:
                if self._followed.get(id(job)) is followed:
                    del self._followed[id(job)]

    def _next_delay(self, followed: _Followed, state: JobState) -> float:
        now = time.monotonic()
        followed.planner.observe(state, now)
        interval = followed.planner.next_delay(state, now)
        # Share the budget: with many jobs in flight, each one is polled less often.
        share = len(self._followed) * 60.0 / self.requests_per_minute
        return max(interval, share)

    def _set_connection(self, followed: _Followed, connection: str) -> None:
        if followed.connection == connection:
            return
        followed.connection = connection
        for listener in list(followed.listeners):
            try:
                listener(connection)
            except Exception:
                log.exception("a connection listener of job %s failed", followed.job.id)

    def _client_for(self, job: JobHandle) -> AsyncProductAI:
        """One async client per account, made from the job's own client settings, all on one pool."""
        from .client import AsyncProductAI

        settings: ClientSettings = job.client.settings  # type: ignore[attr-defined]
        # Key the cache by a digest, so the key itself lives only inside the client's settings.
        account = (settings.base_url, hashlib.sha256(settings.api_key.encode()).hexdigest())
        client = self._clients.get(account)
        if client is None:
            if self._pool is None:
                self._pool = httpx.AsyncClient()
            # No retries inside the client: the poll loop has its own backoff and shows "reconnecting".
            quiet = settings.with_changes(max_retries=0)
            client = AsyncProductAI.from_settings(quiet, http_client=self._pool)
            self._clients[account] = client
        return client

    async def _shutdown(self) -> None:
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._clients.clear()
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None


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
    """The process's tracker if one is running, else None (never makes one: a plain wait just asks)."""
    tracker = _tracker
    return tracker if tracker is not None and not tracker.closed else None


@atexit.register
def _close_at_exit() -> None:
    if _tracker is not None:
        _tracker.close()
