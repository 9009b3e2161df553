"""`Watcher`: follows one account's unfinished jobs on the tracker's thread, within the engine's budget.

Widgets and waits alike hold jobs here, so a job shown and waited on costs one set of polls.
Each round, with two or more jobs, the listings `StatusWatch` chooses tell which jobs ended; the
listing's summary of an ended job reaches its handle at once (a widget shows the end without
waiting for the budget), and the job is read on its own (`GET /v1/jobs/{id}`) for its images
(a failed job whose listing carries its whole error needs no read); while the window is nearly
full, a read only widgets want waits behind their rounds (`listing_reserve`), and a wait's read
goes before the next round. A job is also read on its own when no listing covers it, when it is
the only job followed, or for a widget's progress when the listings carry none and the budget has
room. Every request is the job's own client's (its transport, proxy,
timeouts and retry policy) at background priority: a blocking client's on a worker thread
(httpx.Client is thread-safe), an asyncio client's on the event loop its pool lives on.

Polls are idempotent, so a failure only delays the next one (the one backoff of `_http`):
a 404 loses that job alone, a 401 or 403 ends the account's following for good.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._http import RequestSpec, backoff_seconds, job_path
from ._polling import PollInterval, PollPlanner
from .engine import Engine
from .errors import (
    APIConnectionError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ProductAIError,
)
from .job import JobHandle
from .listing_reserve import WantedRead, listing_rounds, reads_that_go
from .models import Account, JobPage, JobState
from .status_watch import Followed, Listing, StatusWatch

log = logging.getLogger("productai_notebook.api")

LIVE = "live"
RECONNECTING = "reconnecting"
#: the next read waits on the account's request budget (a widget says so instead of looking stuck)
QUEUED = "queued"
IDLE = "idle"

#: a request that must wait longer than this for its turn shows its jobs as queued
QUEUED_AFTER_SECONDS = 1.0
#: a job whose end is pushed (webhook_url) is still polled, this seldom, for a delivery that never comes
PUSH_FALLBACK_SECONDS = 30.0
#: a round waits this long after a job is newly followed, so jobs shown together (a loop of views)
#: are all followed, and weighed against the budget, before the first listing
GATHER_SECONDS = 0.5

ConnectionListener = Callable[[str], None]


@dataclass(eq=False)
class Follow:
    """One followed job: who holds it, how its polls go, and when it is next read on its own."""

    job: JobHandle
    planner: PollPlanner
    holders: dict[object, bool] = field(default_factory=dict)  # holder -> shows progress (a widget)
    listeners: list[ConnectionListener] = field(default_factory=list)
    connection: str = LIVE
    reading: bool = False
    read_due: float = 0.0  # monotonic: its next read of its own
    needs_read: bool = False  # a listing said it ended: read it for its images or error
    uncovered: bool = False  # no listing covered it: read it at its own pace
    failures: int = 0
    error: ProductAIError | None = None  # what the last failed poll said (None after a success)
    read_in_full: bool = False  # its own read said it ended: whatever it carries is all there is
    #: since when its due read waits for widgets' listing rounds (monotonic; it shows as queued meanwhile)
    behind_rounds_since: float | None = None

    @property
    def shown(self) -> bool:
        return any(self.holders.values())

    @property
    def waited_on(self) -> bool:
        """A wait holds it for its result (not only widgets for its status)."""
        return not all(self.holders.values())

    def wanted_read(self, now: float, patience: float = math.inf) -> WantedRead:
        """Its read as `listing_reserve` weighs it (held behind rounds `patience` s, it waits no more)."""
        since = self.behind_rounds_since
        # a terminal state on a followed job is a listing's summary: a full one would have ended it
        return WantedRead(
            self.job.id,
            end_shown=self.job.state.is_terminal,
            waited_on=self.waited_on,
            held_long=since is not None and now - since >= patience,
        )

    @property
    def done(self) -> bool:
        state = self.job.state
        return state.is_terminal and (self.read_in_full or not state.is_summary)


class Watcher:
    """The jobs one account follows, and the task on the tracker's loop that keeps them fresh."""

    def __init__(
        self,
        engine: Engine,
        loop: asyncio.AbstractEventLoop,
        stop: threading.Event,
        max_backoff: float,
    ) -> None:
        self.engine = engine
        self._loop = loop
        self._stop = stop
        self._max_backoff = max_backoff
        self._lock = threading.Lock()
        self._follows: dict[int, Follow] = {}
        self._lost: weakref.WeakKeyDictionary[JobHandle, NotFoundError] = weakref.WeakKeyDictionary()
        #: ended jobs whose own read was taken (a completed job may have made no image: still "summary")
        self._read_whole: weakref.WeakSet[JobHandle] = weakref.WeakSet()
        self._status = StatusWatch()
        self._round_due = 0.0
        self._round_failures = 0
        self._listings_show_progress = True
        self._wake = asyncio.Event()
        #: a 401 or 403: the key cannot read this account; nothing is polled any more
        self.fatal: ProductAIError | None = None
        #: background requests sent (listings and reads): what tests and benchmarks count
        self.polls = 0
        self.listings = 0

    # -- any thread --------------------------------------------------------------------------

    def follow(
        self,
        job: JobHandle,
        holder: object,
        *,
        poll_interval: PollInterval,
        shown: bool,
        listener: ConnectionListener | None,
    ) -> None:
        with self._lock:
            follow = self._follows.get(id(job))
            if follow is None:
                follow = Follow(job, PollPlanner(poll_interval), read_due=time.monotonic())
                follow.planner.observe(job.state, time.monotonic())
                follow.read_due += follow.planner.next_delay(job.state, time.monotonic())
                self._follows[id(job)] = follow
                self._round_due = max(self._round_due, time.monotonic() + GATHER_SECONDS)
            else:
                # the most eager holder sets the pace
                wanted = PollPlanner(poll_interval)
                follow.planner.low = min(follow.planner.low, wanted.low)
                follow.planner.high = min(follow.planner.high, wanted.high)
                now = time.monotonic()
                follow.read_due = min(follow.read_due, now + follow.planner.next_delay(job.state, now))
                self._round_due = min(self._round_due, now + follow.planner.high)
            if job.push_expected:
                follow.planner.low = max(follow.planner.low, PUSH_FALLBACK_SECONDS)
                follow.planner.high = max(follow.planner.high, PUSH_FALLBACK_SECONDS)
                follow.read_due = max(follow.read_due, time.monotonic() + PUSH_FALLBACK_SECONDS)
            follow.holders[holder] = shown
            if listener is not None:
                follow.listeners.append(listener)
        self.wake()

    def unfollow(self, job: JobHandle, holder: object, listener: ConnectionListener | None) -> None:
        with self._lock:
            follow = self._follows.get(id(job))
            if follow is None:
                return
            follow.holders.pop(holder, None)
            if listener in follow.listeners:
                follow.listeners.remove(listener)
            if not follow.holders:
                del self._follows[id(job)]
        self.wake()

    def follow_of(self, job: JobHandle) -> Follow | None:
        with self._lock:
            return self._follows.get(id(job))

    def trouble(self, job: JobHandle) -> ProductAIError | None:
        """Why `job` cannot be followed to its end: the account's 401/403, or the job's 404."""
        return self.fatal or self._lost.get(job)

    def read_in_full(self, job: JobHandle) -> bool:
        """True once `job` has ended and is known in full: its images or its error, not a listed summary."""
        return job.is_terminal and (not job.state.is_summary or job in self._read_whole)

    def wake(self) -> None:
        try:
            self._loop.call_soon_threadsafe(self._wake.set)
        except RuntimeError:  # the tracker's loop closed: nothing polls any more
            pass

    # -- the tracker's loop ------------------------------------------------------------------

    async def run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # before looking: whatever changes after this wakes the next round
            try:
                pause = await self._step(time.monotonic())
            except Exception:  # a bug or a hostile answer must not end the following of every job
                log.exception("following the jobs of %s failed; trying again", self.engine.account[0])
                pause = self._max_backoff
            if pause is None or pause > 0:
                woken = asyncio.ensure_future(self._wake.wait())
                try:
                    # asyncio.wait, not wait_for: on 3.11 wait_for can swallow a racing cancellation
                    await asyncio.wait({woken}, timeout=pause)
                finally:
                    woken.cancel()

    def _active(self) -> list[Follow]:
        with self._lock:
            follows = list(self._follows.values())
        active = []
        for follow in follows:
            if follow.done or self.fatal is not None:
                self._set_connection(follow, IDLE)
                if follow.done:
                    with self._lock:
                        if self._follows.get(id(follow.job)) is follow:
                            del self._follows[id(follow.job)]
            elif self._client_of(follow.job) is None:
                # every client of the account was closed: nothing may send for this job any more
                log.debug("job %s: its client was closed; it is not followed any more", follow.job.id)
                self._set_connection(follow, IDLE)
                with self._lock:
                    if self._follows.get(id(follow.job)) is follow:
                        del self._follows[id(follow.job)]
            else:
                if follow.job.state.is_terminal:  # a listed summary reached the handle: read it in full
                    follow.needs_read = True
                active.append(follow)
        return active

    def _client_of(self, job: JobHandle) -> Any:
        """`job`'s own client, or once that one is closed another open client of the account (a
        `with ProductAI() as client:` block may end while a widget still shows its job); None if
        every one is closed."""
        own: Any = job.client  # type: ignore[attr-defined]
        if not own._http.is_closed:
            return own
        return next((client for client in list(self.engine.clients) if not client._http.is_closed), None)

    async def _step(self, now: float) -> float | None:
        """Send what is due; the seconds until something else is (None: nothing to follow)."""
        follows = self._active()
        self.engine.user_waits(any(f.waited_on for f in follows))
        if not follows:
            self.engine.hold_reads_behind_rounds(0)
            return None
        if self.engine.plan_wanted():
            await self._ask_plan(follows[0].job)
        pauses = []
        # results first: while jobs a wait holds are being read, the next round waits (a finished
        # read wakes this loop), so a scarce budget goes to results, not listings; reads only
        # widgets want go behind the rounds instead (`listing_reserve`)
        results_first = any(f.reading and not f.wanted_read(now).behind_listings for f in follows)
        scarce = self._no_slot_for_rounds(follows)
        if len(follows) >= 2 and not results_first and not scarce:
            if self._round_due <= now:
                await self._round(follows)
                now = time.monotonic()
                follows = self._active()
            pauses.append(self._round_due - now)
        on_its_own = len(follows) < 2 or scarce
        due = []
        for follow in follows:
            if follow.reading:
                continue
            own_pace = on_its_own or follow.uncovered or self._progress_wanted(follow)
            read_due = follow.read_due
            if scarce and not follow.needs_read:  # one read at its expected end: its result, not news
                read_due = max(read_due, follow.planner.expected_finish(follow.job.state, now))
            if (follow.needs_read or own_pace) and read_due <= now:
                due.append(follow)
            elif follow.needs_read or own_pace:
                pauses.append(read_due - now)
        for follow in self._reads_that_go(due, follows, now):
            follow.reading = True
            asyncio.get_running_loop().create_task(self._read(follow))
        return max(0.0, min(pauses)) if pauses else None

    def _reads_that_go(self, due: list[Follow], follows: list[Follow], now: float) -> list[Follow]:
        """The due reads that go now: those of ends widgets already show wait while the budget
        is needed for the rounds that show the next ends (a waiting one is looked at each round)."""
        # the images shown ended longest ago first (held since the round that showed the end)
        due = sorted(due, key=lambda f: now if f.behind_rounds_since is None else f.behind_rounds_since)
        # a read waits behind the rounds one window at most: a steady stream of new jobs never starves it
        window = self.engine.budget().window
        reads = [follow.wanted_read(now, patience=window) for follow in due]
        spare = math.inf
        if any(read.behind_listings for read in reads):
            spare = self._spare_for_shown_ends(follows, now)
        going = {id(read) for read in reads_that_go(reads, spare)}
        for follow, read in zip(due, reads, strict=True):
            if id(read) in going:
                follow.behind_rounds_since = None
            else:  # its widget says its images wait on the budget, not "loading" for long
                if follow.behind_rounds_since is None:
                    follow.behind_rounds_since = now
                self._set_connection(follow, QUEUED)
        self.engine.hold_reads_behind_rounds(sum(f.behind_rounds_since is not None for f in due))
        return [follow for follow, read in zip(due, reads, strict=True) if id(read) in going]

    def _spare_for_shown_ends(self, follows: list[Follow], now: float) -> float:
        """How many reads of ends widgets already show may go now: what the budget leaves once the
        widgets' coming rounds have their slots (any number when no round is coming)."""
        running = [f for f in follows if f.shown and not f.job.state.is_terminal]
        if len(follows) < 2 or not running:
            return math.inf
        rounds = listing_rounds(
            next_round=max(now, self._round_due),
            last_expected_end=max(f.planner.expected_finish(f.job.state, now) for f in running),
            interval=min(f.planner.low for f in running),
            horizon=now + self.engine.budget().window,
        )
        requests = [at for at in rounds for _ in range(self._status.listings_per_round())]
        return self.engine.spare_background(requests)

    def _no_slot_for_rounds(self, follows: list[Follow]) -> bool:
        """The window cannot hold a listing round besides one read of every followed job: each
        job is then read once, at its expected end, rather than listed and then read (a round
        would push the last result into the next window)."""
        budget = self.engine.budget()
        if budget.limit is None or len(follows) < 2:
            return False
        unread = sum(1 for f in follows if not f.done)
        return budget.limit - budget.used < unread + self._status.listings_per_round()

    def _progress_wanted(self, follow: Follow) -> bool:
        """A widget shows this job, the listings carry no progress, and the budget has room to spare."""
        if not follow.shown or self._listings_show_progress:
            return False
        budget = self.engine.budget()
        room = budget.limit is None or budget.used * 2 < budget.limit
        return room and self.engine.background_wait() == 0

    async def _round(self, follows: list[Follow]) -> None:
        followed = [Followed(f.job.id, f.job.created_at) for f in follows]
        listings = self._status.listings(followed)
        pages: dict[Listing, JobPage] = {}
        try:
            for listing in listings:
                self._queue_if_waiting(follows)
                raw = await self._call(follows[0].job, RequestSpec("GET", "jobs", params=listing.params()))
                pages[listing] = JobPage.parse(raw)
                self.listings += 1
                self._listings_show_progress = all(
                    "progress" in item for item in raw["jobs"] if isinstance(item, dict)
                    and item.get("status") == "processing"
                )
        except ProductAIError as error:
            self._round_failures += 1
            delay = backoff_seconds(self._round_failures - 1, cap=self._max_backoff)
            self._round_due = time.monotonic() + delay
            for follow in follows:
                self._failed(follow, error)
            return
        now = time.monotonic()
        news = self._status.read(followed, pages)
        self._round_failures = 0
        for follow in follows:
            self._succeeded(follow)
            listed = news.running.get(follow.job.id)
            if listed is not None:
                _apply_listed(follow.job, listed)
                follow.planner.observe(follow.job.state, now)
            summary = news.summaries.get(follow.job.id)
            if summary is not None:  # the end shows now; the images (or error) follow with its own read
                follow.job._apply(_ended_as_listed(summary))
            if follow.job.id in news.ended and not follow.needs_read:
                follow.needs_read = True
                follow.read_due = min(follow.read_due, now)
            follow.uncovered = follow.job.id in news.uncovered
        self._round_due = now + min(f.planner.next_delay(f.job.state, now) for f in follows)

    async def _ask_plan(self, job: JobHandle) -> None:
        """Answers carry no limit: the plan's documented one is the next best."""
        try:
            self.engine.learn_plan(Account.parse(await self._call(job, RequestSpec("GET", "me"))).plan)
        except ProductAIError as error:
            log.info("could not read the plan for the rate limit: %s", error)

    async def _read(self, follow: Follow) -> None:
        job = follow.job
        try:
            self._queue_if_waiting([follow])
            state = JobState.parse(await self._call(job, RequestSpec("GET", job_path(job.id))))
        except NotFoundError as error:
            self._lost[job] = error
            self.unfollow_all(follow)
        except ProductAIError as error:
            follow.failures += 1
            follow.read_due = time.monotonic() + backoff_seconds(follow.failures - 1, cap=self._max_backoff)
            self._failed(follow, error)
        except Exception:
            log.exception("polling job %s failed; it is not followed any more", job.id)
            self.unfollow_all(follow)
        else:
            now = time.monotonic()
            follow.failures = 0
            follow.needs_read = False
            self._succeeded(follow)
            job._apply(state)
            # after the state is in: a wait on another thread yields the job once it is marked
            if state.is_terminal:
                self._read_whole.add(job)
            follow.read_in_full = state.is_terminal
            follow.planner.observe(job.state, now)
            follow.read_due = now + follow.planner.next_delay(job.state, now)
        finally:
            follow.reading = False
            self._wake.set()

    def unfollow_all(self, follow: Follow) -> None:
        """Let the job go for every holder (it cannot be read any more)."""
        self._set_connection(follow, IDLE)
        with self._lock:
            if self._follows.get(id(follow.job)) is follow:
                del self._follows[id(follow.job)]

    async def _call(self, job: JobHandle, spec: RequestSpec) -> Any:
        """One background request through `job`'s own client (or another open one of the account)."""
        client: Any = self._client_of(job) or job.client  # type: ignore[attr-defined]
        self.polls += 1
        if asyncio.iscoroutinefunction(client._call):
            loop: asyncio.AbstractEventLoop | None = client._loop
            if loop is None or loop.is_closed() or not loop.is_running():
                raise APIConnectionError(
                    "The event loop of this job's AsyncProductAI is not running: its polls wait for it."
                )
            future = asyncio.run_coroutine_threadsafe(client._call(spec, self._stop), loop)
            return await asyncio.wrap_future(future)
        return await _on_a_thread(lambda: client._call(spec, self._stop))

    # -- what the holders see ----------------------------------------------------------------

    def _queue_if_waiting(self, follows: list[Follow]) -> None:
        if self.engine.background_wait() > QUEUED_AFTER_SECONDS:
            for follow in follows:
                self._set_connection(follow, QUEUED)

    def _succeeded(self, follow: Follow) -> None:
        follow.error = None
        self._set_connection(follow, QUEUED if follow.behind_rounds_since is not None else LIVE)

    def _failed(self, follow: Follow, error: ProductAIError) -> None:
        follow.error = error
        if isinstance(error, AuthenticationError | PermissionDeniedError):
            self.fatal = error
            self._set_connection(follow, IDLE)
        elif isinstance(error, APIConnectionError):
            self._set_connection(follow, RECONNECTING)
        else:  # an odd answer, a 5xx or a 429 past the retries: keep trying, ever more slowly
            log.info("polling job %s: %s", follow.job.id, error)

    def _set_connection(self, follow: Follow, connection: str) -> None:
        if follow.connection == connection:
            return
        follow.connection = connection
        for listener in list(follow.listeners):
            try:
                listener(connection)
            except Exception:
                log.exception("a connection listener of job %s failed", follow.job.id)


async def _on_a_thread(call: Callable[[], Any]) -> Any:
    """`call()` on a daemon thread of its own (a blocking client's request), awaited here.

    Not a thread pool: its threads are joined at interpreter exit, and a poll waiting for
    its turn in the budget must never keep a finished script from ending.
    """
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[Any] = loop.create_future()

    def settle(result: Any, failure: BaseException | None) -> None:
        if answer.done():  # cancelled: the tracker closed
            return
        if failure is not None:
            answer.set_exception(failure)
        else:
            answer.set_result(result)

    def run() -> None:
        result, failure = None, None
        try:
            result = call()
        except BaseException as error:  # handed to the awaiting task
            failure = error
        try:
            loop.call_soon_threadsafe(settle, result, failure)
        except RuntimeError:  # the tracker's loop closed meanwhile: nobody waits any more
            pass

    threading.Thread(target=run, name="productai-poll", daemon=True).start()
    return await answer


def _apply_listed(job: JobHandle, listed: JobState) -> None:
    """A listing's news of an unfinished job: its status, and progress when the item carries it.

    A listing without `progress` reads as 0: never let it take the bar back.
    """
    current = job.state
    if listed.status == current.status and listed.progress <= current.progress:
        return
    progress = max(listed.progress, current.progress)
    job._apply(dataclasses.replace(listed, progress=progress).filled_from(current))


def _ended_as_listed(listed: JobState) -> JobState:
    """A listing's item of an ended job, as its handle may take it: a summary (no images), or a
    failed job with its whole error (code and message: all a full read would say). An error the
    item carries only in part is left out, so the job stays a summary and is read in full."""
    error = listed.error
    if error is not None and not (error.code and error.message):
        return dataclasses.replace(listed, error=None)
    return listed
