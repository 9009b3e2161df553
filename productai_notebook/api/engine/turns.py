"""`Turns`: every request of one account waits its turn here, blocking or awaited, at three priorities.

Every client instance of the account, blocking or asyncio, the user's calls and the engine's
background requests alike (its reads of ended jobs among them: `pacing.RESULT`), asks `acquire`
before each attempt and reports the answer to `observe`. `Turns` keeps the account's `Pacer` (the
limit and the sliding window) behind one lock, learns the limit from the answers' `X-RateLimit-*`
headers, and pauses background work after a 429. A blocking caller waits in short slices (Ctrl-C
lands); an asyncio caller awaits. Background callers pass their stop event: closing the tracker
releases them at once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from .._http import ClientSettings, retry_after_seconds
from ..errors import APIConnectionError, RateLimitError
from .pacing import BACKGROUND, FOREGROUND, RESULT, Budget, Pacer, Sent

#: the longest a blocking caller waits at once, so Ctrl-C lands and a stop is seen
SLICE_SECONDS = 0.25
#: how long background work pauses after a 429 without Retry-After
BACKGROUND_HOLD_SECONDS = 5.0
#: a user's call gives up (RateLimitError) rather than wait more windows than this for its turn
FOREGROUND_PATIENCE_WINDOWS = 2
#: a user's call that waits longer than this for its turn says so, once: a cell that hangs
#: silently reads as broken
NOTICE_AFTER_SECONDS = 5.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answered:
    """What one answer told about the limit (for `PlanLearning`, which decides whether to ask the plan)."""

    says_limit: bool  # it carried X-RateLimit-Limit
    rate_limited: bool  # a 429
    source: str  # where the limit comes from now
    used: int  # requests in the window now


class Turns:
    """The request budget of one account: who may send now, and what the answers taught."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._pacer = Pacer()
        self._lock = threading.Condition()
        #: requests sent and 429s received (every client, every priority): what tests count
        self.requests = 0
        self.rate_limited = 0

    def configure(self, settings: ClientSettings) -> None:
        """A client's own settings: its `requests_per_minute=` (the last resort), its `rate_window=`
        and its `images_first=` (the last client made with one decides, for the whole account)."""
        with self._lock:
            if settings.rate_window is not None:
                self._pacer.window = settings.rate_window
            if settings.requests_per_minute is not None:
                self._pacer.learn_limit(settings.requests_per_minute, "setting")
            if settings.images_first is not None:
                self._pacer.images_first = settings.images_first

    def learn_limit(self, limit: int, source: str) -> None:
        """A limit from `source` (kept unless a stronger source already spoke)."""
        with self._lock:
            self._pacer.learn_limit(limit, source)
            self._lock.notify_all()

    # -- before and after each attempt -------------------------------------------------------

    def acquire(
        self, background: threading.Event | None = None, deadline: float | None = None, result: bool = False
    ) -> Sent:
        """Block until a request may go (in slices), count it, and return its ticket for `observe`.

        `background`: the stop event of a background caller (None: the user's own call).
        `result`: a background read of an ended job, for its images or error (`pacing.RESULT`).
        """
        with self._lock:
            self._check_stop(background)
            turn = self._turn(_priority(background, result), deadline)
            try:
                while not isinstance(ticket := self._look(turn), Sent):
                    self._lock.wait(min(ticket, SLICE_SECONDS))
                    self._check_stop(background)
                return ticket
            finally:
                self._waiting(turn.priority, -1)

    async def acquire_async(
        self, background: threading.Event | None = None, deadline: float | None = None, result: bool = False
    ) -> Sent:
        """`acquire`, awaited: the event loop runs on while the request waits its turn."""
        with self._lock:
            turn = self._turn(_priority(background, result), deadline)
        try:
            while True:
                with self._lock:
                    self._check_stop(background)
                    ticket = self._look(turn)
                if isinstance(ticket, Sent):
                    return ticket
                await asyncio.sleep(min(ticket, SLICE_SECONDS))
        finally:
            with self._lock:
                self._waiting(turn.priority, -1)

    def _turn(self, priority: str, deadline: float | None) -> _Turn:
        """A caller starts waiting for its turn (caller holds the lock; `_waiting(-1)` when it ends)."""
        self._waiting(priority, +1)
        # only the user's own call says why it waits; background work waits unheard
        return _Turn(priority, self._deadline(priority, deadline), told=priority != FOREGROUND)

    def _look(self, turn: _Turn) -> Sent | float:
        """One look at the window (caller holds the lock): the ticket when the request may go now,
        else the seconds to wait; a RateLimitError past its deadline; a long wait says so once."""
        now = self._clock()
        wait = self._pacer.wait_time(turn.priority, now)
        if wait <= 0:
            return self._count(now)
        self._check_deadline(turn.deadline, now + wait)
        turn.told = turn.told or self._notice(wait, now)
        return wait

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

    def _notice(self, wait: float, now: float) -> bool:
        """Say why a user's call waits, when it waits long (caller holds the lock); True once said."""
        if wait <= NOTICE_AFTER_SECONDS:
            return False
        pacer = self._pacer
        log.warning(
            "This call waits about %.0f s for the account's rate limit: the last %g s hold %d of its "
            "%s requests. client.budget() tells what waits.",
            wait, pacer.window, pacer.used(now), pacer.limit,
        )
        return True

    def _check_deadline(self, deadline: float | None, free_at: float) -> None:
        if deadline is not None and free_at > deadline:
            raise RateLimitError(
                429,
                "rate_limit_exceeded",
                f"The account's {self._pacer.limit} requests per {self._pacer.window:g} s are used up "
                "(by this process or another one sharing the key): retry later.",
                retry_after=free_at - self._clock(),
            )

    def observe(self, sent: Sent, response: httpx.Response | None) -> Answered | None:
        """The answer to a counted request (None: no answer, a network error); what it told."""
        with self._lock:
            now = self._clock()
            sent_at = sent.at
            self._pacer.answered(sent, now)
            answered = None
            if response is not None:
                limit = _whole(response.headers.get("x-ratelimit-limit"))
                self._learn(response, limit, sent_at, now)
                answered = Answered(
                    limit is not None, response.status_code == 429, self._pacer.source, self._pacer.used(now)
                )
            self._lock.notify_all()
            return answered

    def _learn(self, response: httpx.Response, limit: int | None, sent_at: float, now: float) -> None:
        remaining = _whole(response.headers.get("x-ratelimit-remaining"))
        if limit is not None and remaining is not None:
            reset = _whole(response.headers.get("x-ratelimit-reset"))
            self._pacer.learn_remaining(limit, remaining, sent_at, now, reset)
        if response.status_code == 429:
            self.rate_limited += 1
            advised = retry_after_seconds(response.headers)
            self._pacer.hold_background(advised if advised is not None else BACKGROUND_HOLD_SECONDS, now)

    # -- what the scheduler reads (`scheduler.BudgetView`) ------------------------------------

    def budget(self) -> Budget:
        """The limit, its source, the requests of the window, and what is held back now."""
        with self._lock:
            return self._pacer.budget(self._clock())

    def spare_background(self, planned: list[float]) -> float:
        """Background requests that may go now while each `planned` one (clock times) keeps its slot."""
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
        """Ended jobs' reads held behind widgets' rounds now (the budget shows them)."""
        with self._lock:
            self._pacer.reads_behind_rounds = count

    def background_wait(self) -> float:
        """Seconds a background request would wait for its turn now (0: it goes at once)."""
        with self._lock:
            return self._pacer.wait_time(BACKGROUND, self._clock())


@dataclass
class _Turn:
    """One caller waiting for its turn."""

    priority: str
    deadline: float | None
    told: bool  # the user was told why this call waits (or it is no call of the user's)


def _priority(background: threading.Event | None, result: bool) -> str:
    if background is None:
        return FOREGROUND
    return RESULT if result else BACKGROUND


def _whole(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
