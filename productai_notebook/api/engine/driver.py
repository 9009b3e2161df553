"""`Driver`: carries out the `Scheduler`'s actions for one account, on the tracker's loop. No policy.

Widgets and waits alike follow jobs here, so a job shown and waited on costs one set of requests.
Each pass asks the scheduler what to send now (a listing round, or jobs' own reads), sends it
through each job's own client (`Sender.send_in_background`: its transport, proxy, timeouts and
retry policy, at background priority), hands the answers back to the scheduler and to the jobs'
handles, and sleeps until the scheduler's next due time or until something changes.

Requests are idempotent, so a failure only delays the next one (the one backoff of `_http`):
a 404 loses that job alone, a 401 or 403 ends the account's following for good.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from .._http import RequestSpec, job_path
from ..errors import NotFoundError, ProductAIError
from ..job import JobHandle
from ..models import Account, JobPage, JobState
from .account import Engine
from .cadence import PollInterval
from .connection import IDLE, LIVE, QUEUED, Connection
from .listings import Listing, RoundNews
from .scheduler import (
    ConnectionListener,
    Follow,
    Scheduler,
    connection_after,
    ended_in_full,
    ends_following,
)
from .sender import Sender

log = logging.getLogger("productai_notebook.api")


class Driver:
    """The jobs one account follows, and the task on the tracker's loop that keeps them fresh."""

    def __init__(
        self,
        engine: Engine,
        loop: asyncio.AbstractEventLoop,
        stop: threading.Event,
        max_backoff: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        #: the time every decision is taken at (a test gives a made-up one)
        self.clock = clock
        self._loop = loop
        self._stop = stop
        self._max_backoff = max_backoff
        self.scheduler = Scheduler(max_backoff)
        #: held while the followed set changes (never while a job's observers or listeners run)
        self.lock = threading.Lock()
        self._follows: dict[int, Follow] = {}
        self._lost: weakref.WeakKeyDictionary[JobHandle, NotFoundError] = weakref.WeakKeyDictionary()
        #: ended jobs whose own read was taken (a completed job may have made no image: still "summary")
        self._read_whole: weakref.WeakSet[JobHandle] = weakref.WeakSet()
        self._wake = asyncio.Event()
        #: a 401 or 403: the key cannot read this account; nothing is followed any more
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
        with self.lock:
            now = self.clock()
            follow = self._follows.get(id(job))
            first = follow is None
            if follow is None:
                follow = self._follows[id(job)] = self.scheduler.new_follow(job, poll_interval, now)
            self.scheduler.add_holder(follow, holder, shown, poll_interval, now, first=first)
            if listener is not None:
                follow.listeners.append(listener)
        self.wake()

    def unfollow(self, job: JobHandle, holder: object, listener: ConnectionListener | None) -> None:
        with self.lock:
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
        with self.lock:
            return self._follows.get(id(job))

    def trouble(self, job: JobHandle) -> ProductAIError | None:
        """Why `job` cannot be followed to its end: the account's 401/403, or the job's 404."""
        return self.fatal or self._lost.get(job)

    def read_in_full(self, job: JobHandle) -> bool:
        """True once `job` has ended and is known in full: its images or its error, not a listed summary."""
        return ended_in_full(job.state, job in self._read_whole)

    def wake(self) -> None:
        try:
            self._loop.call_soon_threadsafe(self._wake.set)
        except RuntimeError:  # the tracker's loop closed: nothing is followed any more
            pass

    # -- the tracker's loop ------------------------------------------------------------------

    async def run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # before looking: whatever changes after this wakes the next pass
            try:
                pause = await self.step(self.clock())
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

    async def step(self, now: float) -> float | None:
        """One pass: carry out what the scheduler says is due at `now` (a round is awaited, reads
        start as tasks, held reads show their jobs as queued); the seconds until more is due, or
        None when nothing is followed. `run` calls it in a loop; a test calls it on its own clock."""
        follows = self._active()
        # a user blocked in a wait: its polls are that wait's own work (see pacing's reserve)
        self.engine.turns.user_waits(any(follow.waited_on for follow in follows))
        if follows and self.engine.plan_wanted():
            await self._ask_plan(follows[0].job)
        actions = self.scheduler.next_actions(now, follows, self.engine.turns)
        if actions.listings:
            await self._round(follows, actions.listings)
        for follow in actions.held:  # its widget says its images wait on the budget, not "loading"
            self._set_connection(follow, QUEUED)
        if not actions.listings:
            self.engine.turns.hold_reads_behind_rounds(len(actions.held))
        for follow in actions.reads:
            follow.reading = True
            asyncio.get_running_loop().create_task(self._read(follow))
        return actions.sleep

    def _active(self) -> list[Follow]:
        """The follows still to keep fresh; those ended in full, or of closed clients, let go."""
        with self.lock:
            follows = list(self._follows.values())
        active = []
        for follow in follows:
            if follow.done or self.fatal is not None:
                self._set_connection(follow, IDLE)
                if follow.done:
                    self._drop(follow)
            elif self.engine.clients.open_one(self._sender(follow.job)) is None:
                # every client of the account was closed: nothing may send for this job any more
                log.debug("job %s: its client was closed; it is not followed any more", follow.job.id)
                self.unfollow_all(follow)
            else:
                active.append(follow)
        return active

    def _drop(self, follow: Follow) -> None:
        with self.lock:
            if self._follows.get(id(follow.job)) is follow:
                del self._follows[id(follow.job)]

    @staticmethod
    def _sender(job: JobHandle) -> Sender:
        sender: Sender = job.client
        return sender

    async def _round(self, follows: list[Follow], listings: tuple[Listing, ...]) -> None:
        pages: dict[Listing, JobPage] = {}
        try:
            for listing in listings:
                self._queue_if_waiting(follows)
                raw = await self._call(follows[0].job, RequestSpec("GET", "jobs", params=listing.params()))
                pages[listing] = JobPage.parse(raw)
                self.listings += 1
                self.scheduler.listing_answered(raw)
        except ProductAIError as error:
            self.scheduler.round_failed(self.clock())
            for follow in follows:
                self._failed(follow, error)
            return
        self.scheduler.round_answered(self.clock(), follows, pages, self._apply_news)

    def _apply_news(self, follow: Follow, news: RoundNews) -> None:
        self._succeeded(follow)
        listed = news.running.get(follow.job.id)
        if listed is not None:
            _apply_listed(follow.job, listed)
        summary = news.summaries.get(follow.job.id)
        if summary is not None:  # the end shows now; the images (or error) follow with its own read
            follow.job.offer_state(_ended_as_listed(summary))

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
            spec = RequestSpec("GET", job_path(job.id))
            state = JobState.parse(await self._call(job, spec, result=follow.for_result))
        except NotFoundError as error:
            self._lost[job] = error
            self.unfollow_all(follow)
        except ProductAIError as error:
            self.scheduler.read_failed(self.clock(), follow)
            self._failed(follow, error)
        except Exception:
            log.exception("reading job %s failed; it is not followed any more", job.id)
            self.unfollow_all(follow)
        else:
            self._succeeded(follow)
            job.offer_state(state)
            # after the state is in: a wait on another thread yields the job once it is marked
            if state.is_terminal:
                self._read_whole.add(job)
            self.scheduler.read_answered(self.clock(), follow, state)
        finally:
            follow.reading = False
            self._wake.set()

    def unfollow_all(self, follow: Follow) -> None:
        """Let the job go for every holder (it cannot be read any more)."""
        self._set_connection(follow, IDLE)
        self._drop(follow)

    async def _call(self, job: JobHandle, spec: RequestSpec, result: bool = False) -> Any:
        """One background request through `job`'s own client (or another open one of the account);
        `result`: it reads an ended job for its images or error (`pacing.RESULT`)."""
        own = self._sender(job)
        client = self.engine.clients.open_one(own) or own
        self.polls += 1
        return await asyncio.wrap_future(client.send_in_background(spec, self._stop, result))

    # -- what the holders see ----------------------------------------------------------------

    def _queue_if_waiting(self, follows: list[Follow]) -> None:
        if self.scheduler.queued(self.engine.turns):
            for follow in follows:
                self._set_connection(follow, QUEUED)

    def _succeeded(self, follow: Follow) -> None:
        follow.error = None
        self._set_connection(follow, QUEUED if follow.behind_rounds_since is not None else LIVE)

    def _failed(self, follow: Follow, error: ProductAIError) -> None:
        follow.error = error
        if ends_following(error):
            self.fatal = error
        connection = connection_after(error)
        if connection is None:
            log.info("following job %s: %s", follow.job.id, error)
        else:
            self._set_connection(follow, connection)

    def _set_connection(self, follow: Follow, connection: Connection) -> None:
        if follow.connection == connection:
            return
        follow.connection = connection
        for listener in list(follow.listeners):
            try:
                listener(connection)
            except Exception:
                log.exception("a connection listener of job %s failed", follow.job.id)


def _apply_listed(job: JobHandle, listed: JobState) -> None:
    """A listing's news of an unfinished job: its status, and progress when the item carries it.

    A listing without `progress` reads as 0: never let it take the bar back.
    """
    current = job.state
    if listed.status == current.status and listed.progress <= current.progress:
        return
    progress = max(listed.progress, current.progress)
    job.offer_state(dataclasses.replace(listed, progress=progress).filled_from(current))


def _ended_as_listed(listed: JobState) -> JobState:
    """A listing's item of an ended job, as its handle may take it: a summary (no images), or a
    failed job with its whole error (code and message: all a full read would say). An error the
    item carries only in part is left out, so the job stays a summary and is read in full."""
    error = listed.error
    if error is not None and not (error.code and error.message):
        return dataclasses.replace(listed, error=None)
    return listed
