"""`Tracker`: keeps many jobs fresh from one background I/O thread under one request budget.

Every displayed, unfinished job is polled here, never on the kernel's event loop: the
tracker owns a daemon thread running its own asyncio loop, one `AsyncProductAI` per
account (base URL + key), and one token bucket shared by all polls, because at Pro's
60 requests a minute three jobs polled every 3 s would already use the whole limit.

One scheduler spends that budget: whenever a token is there, it polls the due job most
likely to have news (the earliest expected finish), so with many jobs the ones about to
end are seen first instead of waiting their turn in a round robin.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
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

    def seconds_until_available(self) -> float:
        """0 when a request may go now, else how long until one may."""
        self._refill()
        return max(0.0, (1 - self._tokens) / self.rate)

    def spend(self) -> None:
        """Take one request's worth (after `seconds_until_available()` said 0)."""
        self._refill()
        self._tokens -= 1


Account = tuple[str, str]


@dataclass(eq=False)
class _Followed:
    """One tracked job: who holds it, how its connection is, and when it is next due a poll."""

    job: JobHandle
    account: Account
    planner: PollPlanner
    backoff: float
    holders: set[object] = field(default_factory=set)
    listeners: list[ConnectionListener] = field(default_factory=list)
    connection: str = LIVE
    poll: asyncio.Task[None] | None = None  # the poll in flight, if any
    due_at: float = 0.0  # monotonic: the planner's next poll, or the end of a backoff
    last_polled: float = 0.0  # monotonic: the last poll sent (or when tracking began)

    def plan(self, now: float) -> None:
        """Note the job's latest state and when it is next worth asking about."""
        self.planner.observe(self.job.state, now)
        self.due_at = now + self.planner.next_delay(self.job.state, now)


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
        self._clients: dict[Account, AsyncProductAI] = {}
        self._held_until: dict[Account, float] = {}  # an account's 429 Retry-After, monotonic
        self._pool: httpx.AsyncClient | None = None  # one connection pool for every account
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._budget = RequestBudget(requests_per_minute)
        self._wake = asyncio.Event()  # set on the loop: tracks, untracks and answered polls
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
            followed = self._followed.get(id(job))
            if followed is None:
                band = (self.min_interval, self.max_interval)
                followed = _Followed(job, _account_of(job), PollPlanner(band), backoff=self.min_interval)
                followed.last_polled = time.monotonic()
                followed.plan(followed.last_polled)
                self._followed[id(job)] = followed
                loop.call_soon_threadsafe(self._wake.set)
            followed.holders.add(holder)
            if on_connection is not None:
                followed.listeners.append(on_connection)

        def untrack() -> None:
            with self._lock:
                followed.holders.discard(holder)
                if on_connection in followed.listeners:
                    followed.listeners.remove(on_connection)
                if followed.holders or self._followed.get(id(job)) is not followed:
                    return
                del self._followed[id(job)]
            with contextlib.suppress(RuntimeError):  # the tracker closed: nothing polls any more
                loop.call_soon_threadsafe(self._forget, followed)

        return untrack

    def connection_state(self, job: JobHandle) -> str:
        """`"live"` while polls succeed, `"reconnecting"` while the API is unreachable, else `"idle"`."""
        followed = self._followed.get(id(job))
        if followed is None or job.is_terminal:
            return IDLE
        return followed.connection

    def is_following(self, job: JobHandle) -> bool:
        """True while the tracker keeps `job` fresh (tracked, not ended, tracker open)."""
        return id(job) in self._followed and not job.is_terminal

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
        """The loop, starting the thread and its scheduler on first use (caller holds the lock)."""
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
            asyncio.run_coroutine_threadsafe(self._schedule(), loop)
        return self._loop

    async def _schedule(self) -> None:
        """Send each poll as the budget allows, then sleep until a poll is due or news wakes us."""
        while not self._closed:
            self._wake.clear()  # before looking: whatever changes after this wakes the next round
            pause = self._send_next_poll(time.monotonic())
            if pause is None or pause > 0:
                await self._sleep_until_woken(pause)

    async def _sleep_until_woken(self, pause: float | None) -> None:
        # asyncio.wait, not wait_for: on CPython 3.11 wait_for can swallow a cancellation that
        # races the wake-up, and the scheduler would then outlive close()
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({woken}, timeout=pause)
        finally:
            woken.cancel()

    def _send_next_poll(self, now: float) -> float | None:
        """Start the most urgent due poll; else the seconds until one is due (None: no job to poll)."""
        with self._lock:
            waiting = [f for f in self._followed.values() if f.poll is None]
            fairness = self._fairness_cap(len(self._followed))
        for followed in [f for f in waiting if f.job.is_terminal]:  # ended through someone else's call
            self._stop_following(followed)
            waiting.remove(followed)
        if not waiting:
            return None
        ready_at = {f: max(f.due_at, self._held_until.get(f.account, 0.0)) for f in waiting}
        due = [f for f, at in ready_at.items() if at <= now]
        if not due:
            return min(ready_at.values()) - now
        pause = self._budget.seconds_until_available()
        if pause > 0:
            return pause

        def urgency(followed: _Followed) -> float:
            # The sooner a job should end, the likelier a poll sees news; none waits past the cap.
            expected = followed.planner.expected_finish(followed.job.state, now)
            return min(expected, followed.last_polled + fairness)

        chosen = min(due, key=urgency)
        self._budget.spend()
        self.polls += 1
        chosen.last_polled = now
        chosen.poll = asyncio.get_running_loop().create_task(self._poll(chosen))
        return 0.0

    def _fairness_cap(self, jobs: int) -> float:
        """The longest any job waits between polls: twice a round robin's period, so half the
        budget visits every job in time and the rest goes to the jobs about to end."""
        return max(self.max_interval, 2 * jobs * 60.0 / self.requests_per_minute)

    async def _poll(self, followed: _Followed) -> None:
        job = followed.job
        try:
            state = await self._client_for(job).jobs.fetch_state(job.id)
        except APIConnectionError:
            self._set_connection(followed, RECONNECTING)
            self._back_off(followed)
        except RateLimitError as error:
            # The whole account is over its limit: hold all its polls, not just this one.
            wait = min(max(error.retry_after or followed.backoff, self.min_interval), self.max_backoff)
            self._held_until[followed.account] = time.monotonic() + wait
        except ProductAIError as error:
            # Not the network: say an odd answer. Keep trying, ever more slowly.
            log.info("polling job %s: %s", job.id, error)
            self._back_off(followed)
        except Exception:
            log.exception("polling job %s failed; the tracker stops following it", job.id)
            self._stop_following(followed)
        else:
            followed.backoff = self.min_interval
            self._set_connection(followed, LIVE)
            job._apply(state)
            if job.is_terminal:
                self._stop_following(followed)
            else:
                followed.plan(time.monotonic())
        finally:
            followed.poll = None
            self._wake.set()

    def _back_off(self, followed: _Followed) -> None:
        followed.backoff = min(followed.backoff * 2, self.max_backoff)
        followed.due_at = time.monotonic() + followed.backoff

    def _stop_following(self, followed: _Followed) -> None:
        """The job ended (or cannot be polled): tell its listeners, and let it go."""
        self._set_connection(followed, IDLE)
        with self._lock:
            if self._followed.get(id(followed.job)) is followed:
                del self._followed[id(followed.job)]

    def _forget(self, followed: _Followed) -> None:
        """On the loop, after the last untrack: cancel its poll in flight, if any."""
        if followed.poll is not None:
            followed.poll.cancel()
        self._wake.set()

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

        account = _account_of(job)
        client = self._clients.get(account)
        if client is None:
            if self._pool is None:
                self._pool = httpx.AsyncClient()
            settings: ClientSettings = job.client.settings  # type: ignore[attr-defined]
            # No retries inside the client: the scheduler has its own backoff and shows "reconnecting".
            quiet = settings.with_changes(max_retries=0)
            client = AsyncProductAI.from_settings(quiet, http_client=self._pool)
            self._clients[account] = client
        return client

    async def _shutdown(self) -> None:
        self._wake.set()  # `_closed` is set: the scheduler leaves its loop at once
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with self._lock:
            self._followed.clear()
        self._clients.clear()
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None


def _account_of(job: JobHandle) -> Account:
    """(base URL, digest of the key): the key itself lives only inside the client's settings."""
    settings: ClientSettings = job.client.settings  # type: ignore[attr-defined]
    return settings.base_url, hashlib.sha256(settings.api_key.encode()).hexdigest()


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
