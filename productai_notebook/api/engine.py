"""One request engine per account (base URL + key) in the process: every request waits its turn here.

Every client instance of the account, blocking or asyncio, the user's calls and the background
polls alike, asks `acquire` before each attempt and reports the answer to `observe`. The engine
keeps the account's `Pacer` (the limit and the sliding window) behind one lock, learns the limit
from the answers' `X-RateLimit-*` headers, else from the plan (`/v1/me`), else the client's
`requests_per_minute=` setting, and pauses background work after a 429.

A blocking caller waits in short slices (Ctrl-C lands); an asyncio caller awaits. Background
callers pass their stop event: closing the tracker releases them at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

import httpx

from ..contract import RATE_LIMITS_PER_MINUTE
from ._http import ClientSettings, retry_after_seconds
from ._reconcile import Creates
from .errors import APIConnectionError, RateLimitError
from .models import JobState
from .pacing import BACKGROUND, FOREGROUND, Budget, Pacer, Sent

#: the longest a blocking caller waits at once, so Ctrl-C lands and a stop is seen
SLICE_SECONDS = 0.25
#: how long background work pauses after a 429 without Retry-After
BACKGROUND_HOLD_SECONDS = 5.0
#: the fewest requests a minute any plan allows (Free): below it no plan's limit can be passed
STRICTEST_LIMIT = min(RATE_LIMITS_PER_MINUTE.values())
#: a user's call gives up (RateLimitError) rather than wait more windows than this for its turn
FOREGROUND_PATIENCE_WINDOWS = 2

Account = tuple[str, str]


def account_of(settings: ClientSettings) -> Account:
    """(base URL, digest of the key): the key itself lives only inside the client's settings."""
    return settings.base_url, hashlib.sha256(settings.api_key.encode()).hexdigest()


class Engine:
    """The request budget of one account, shared by every client of it in this process."""

    def __init__(self, account: Account, clock: Callable[[], float] = time.monotonic) -> None:
        self.account = account
        self._clock = clock
        self._pacer = Pacer()
        self._lock = threading.Condition()
        self._plan_wanted = False  # an answer came without X-RateLimit-*: ask /v1/me once
        self._plan_asked = False
        #: the clients of this account, so a pushed delivery reaches their job handles
        self.clients: weakref.WeakSet[Any] = weakref.WeakSet()
        #: the account's creates under way, so a lost one never claims another's job
        self.creates = Creates()
        #: requests sent and 429s received (every client, every priority): what tests count
        self.requests = 0
        self.rate_limited = 0

    def __repr__(self) -> str:
        budget = self.budget()
        return f"<Engine {self.account[0]} {budget.limit or '?'} per {budget.window:g} s ({budget.source})>"

    def configure(self, settings: ClientSettings) -> None:
        """A client's own settings: its `requests_per_minute=` (the last resort) and its `rate_window=`."""
        with self._lock:
            if settings.rate_window is not None:
                self._pacer.window = settings.rate_window
            if settings.requests_per_minute is not None:
                self._pacer.learn_limit(settings.requests_per_minute, "setting")

    # -- before and after each attempt -------------------------------------------------------

    def acquire(self, background: threading.Event | None = None, deadline: float | None = None) -> Sent:
        """Block until a request may go (in slices), count it, and return its ticket for `observe`.

        `background`: the stop event of a background caller (None: the user's own call).
        """
        priority = FOREGROUND if background is None else BACKGROUND
        with self._lock:
            self._check_stop(background)
            deadline = self._deadline(priority, deadline)
            self._waiting(priority, +1)
            try:
                while True:
                    now = self._clock()
                    wait = self._pacer.wait_time(priority, now)
                    if wait <= 0:
                        return self._count(now)
                    self._check_deadline(deadline, now + wait)
                    self._lock.wait(min(wait, SLICE_SECONDS))
                    self._check_stop(background)
            finally:
                self._waiting(priority, -1)

    async def acquire_async(
        self, background: threading.Event | None = None, deadline: float | None = None
    ) -> Sent:
        """`acquire`, awaited: the event loop runs on while the request waits its turn."""
        priority = FOREGROUND if background is None else BACKGROUND
        with self._lock:
            deadline = self._deadline(priority, deadline)
            self._waiting(priority, +1)
        try:
            while True:
                with self._lock:
                    self._check_stop(background)
                    now = self._clock()
                    wait = self._pacer.wait_time(priority, now)
                    if wait <= 0:
                        return self._count(now)
                    self._check_deadline(deadline, now + wait)
                await asyncio.sleep(min(wait, SLICE_SECONDS))
        finally:
            with self._lock:
                self._waiting(priority, -1)

    def _waiting(self, priority: str, change: int) -> None:
        """Count a caller that starts (+1) or stops (-1) waiting for its turn (caller holds the lock)."""
        if priority == FOREGROUND:
            self._pacer.foreground_waiting += change
            self._lock.notify_all()  # background callers look again once a user's call went
        else:
            self._pacer.background_waiting += change

    def _deadline(self, priority: str, deadline: float | None) -> float | None:
        if deadline is None and priority == FOREGROUND:
            return self._clock() + FOREGROUND_PATIENCE_WINDOWS * self._pacer.window
        return deadline

    def _count(self, now: float) -> Sent:
        self.requests += 1
        return self._pacer.take(now)

    @staticmethod
    def _check_stop(background: threading.Event | None) -> None:
        if background is not None and background.is_set():
            raise APIConnectionError("The background tracker stopped; nothing polls any more.")

    def _check_deadline(self, deadline: float | None, free_at: float) -> None:
        if deadline is not None and free_at > deadline:
            raise RateLimitError(
                429,
                "rate_limit_exceeded",
                f"The account's {self._pacer.limit} requests per {self._pacer.window:g} s are used up "
                "(by this process or another one sharing the key): retry later.",
                retry_after=free_at - self._clock(),
            )

    def observe(self, sent: Sent, response: httpx.Response | None) -> None:
        """The answer to a counted request (None: no answer, a network error)."""
        with self._lock:
            now = self._clock()
            sent_at = sent.at
            self._pacer.answered(sent, now)
            if response is not None:
                self._learn(response, sent_at, now)
            self._lock.notify_all()

    def _learn(self, response: httpx.Response, sent_at: float, now: float) -> None:
        limit = _whole(response.headers.get("x-ratelimit-limit"))
        remaining = _whole(response.headers.get("x-ratelimit-remaining"))
        if limit is not None and remaining is not None:
            reset = _whole(response.headers.get("x-ratelimit-reset"))
            self._pacer.learn_remaining(limit, remaining, sent_at, now, reset)
        if limit is None and self._pacer.source == "unknown" and self._pacer.used(now) >= STRICTEST_LIMIT - 1:
            # The server does not say its limit, and one more request could pass the strictest plan's:
            # the plan's own limit is the next best (asked before a 429, not after one).
            self._plan_wanted = True
        if response.status_code == 429:
            self.rate_limited += 1
            if limit is None and self._pacer.source in ("unknown", "setting"):
                self._plan_wanted = True  # pacing matters and the server does not say its limit
            advised = retry_after_seconds(response.headers)
            self._pacer.hold_background(advised if advised is not None else BACKGROUND_HOLD_SECONDS, now)

    # -- the plan, when the server sends no headers ------------------------------------------

    def plan_wanted(self) -> bool:
        """True once, after a 429 when answers carry no limit and the plan is unknown: ask /v1/me then."""
        with self._lock:
            if self._plan_wanted and not self._plan_asked:
                self._plan_asked = True
                return True
            return False

    def learn_plan(self, plan: str | None) -> None:
        """The account's plan (from /v1/me): its documented limit, unless headers told better."""
        limit = RATE_LIMITS_PER_MINUTE.get((plan or "").lower())
        if limit is not None:
            with self._lock:
                # the documented limits are per minute; a shorter window (tests) counts the same per window
                self._pacer.learn_limit(limit, "plan")
                self._lock.notify_all()

    def push(self, state: JobState) -> bool:
        """A pushed state (a webhook delivery) into every handle of the job this account's clients
        hold, so their views update with no request; True if it changed one. A repeat or an older
        state changes nothing: an ended job never changes again."""
        changed = False
        for client in list(self.clients):
            handle = client._handles.get(state.job_id)
            if handle is not None:
                changed = handle._apply(state) or changed
        return changed

    def budget(self) -> Budget:
        """The limit, its source, the requests of the window, and what is held back now."""
        with self._lock:
            return self._pacer.budget(self._clock())

    def spare_background(self, planned: list[float]) -> float:
        """Background requests that may go now while each `planned` one (monotonic times) keeps its slot."""
        with self._lock:
            return self._pacer.spare_background(planned, self._clock())

    def user_waits(self, waits: bool) -> None:
        """Whether the user is blocked in a wait for some of the jobs followed: while so, background
        polls are that wait's own work and may use the slots kept for the user's calls."""
        with self._lock:
            if self._pacer.user_waits != waits:
                self._pacer.user_waits = waits
                self._lock.notify_all()

    def hold_reads_behind_rounds(self, count: int) -> None:
        """Ended jobs' reads the watcher holds behind widgets' rounds now (the budget shows them)."""
        with self._lock:
            self._pacer.reads_behind_rounds = count

    def background_wait(self) -> float:
        """Seconds a background request would wait for its turn now (0: it goes at once)."""
        with self._lock:
            return self._pacer.wait_time(BACKGROUND, self._clock())


def _whole(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


_engines: dict[Account, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(settings: ClientSettings) -> Engine:
    """The process's engine of this account (made on first use), configured with `settings`."""
    account = account_of(settings)
    with _engines_lock:
        engine = _engines.get(account)
        if engine is None:
            engine = _engines[account] = Engine(account)
    engine.configure(settings)
    return engine
