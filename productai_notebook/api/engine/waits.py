"""The bookkeeping of one wait over many jobs, shared by the blocking and the asyncio client.

A wait sends no requests of its own: it has the process's tracker follow its jobs; its driver
follows every job of the account under one request budget (one listing a round for many jobs),
the jobs a widget shows included. The wait listens to the jobs' observers and decides what the
caller sees: the jobs that ended (only ever in full: images or error), and when to stop.

- A request that fails (garbled answer, reset, timeout, 5xx, 429) only delays the next one; at the
  deadline the wait raises what the last one said (APIConnectionError, say), else JobTimeoutError.
- A 401 or 403 ends the wait at once with that error: the key cannot read the jobs.
- A job the API does not know (404) leaves the wait without costing the others: once every other
  job has been handed out, the wait raises NotFoundError naming it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from ..errors import JobTimeoutError, NotFoundError, ProductAIError
from ..job import JobHandle
from .cadence import DEFAULT_WAIT_TIMEOUT, PollInterval
from .tracker import get_tracker

H = TypeVar("H", bound=JobHandle)

#: the longest a wait blocks at once: Ctrl-C lands, and a job's trouble is seen soon
SLICE_SECONDS = 0.25


class JobsWait(Generic[H]):
    """Which jobs have news, which have ended, which cannot end, and when the wait gives up.

    `wake()` is called, on whatever thread changed a job, whenever one of the jobs changes.
    """

    def __init__(
        self,
        jobs: Iterable[H],
        *,
        timeout: float | None,
        poll_interval: PollInterval,
        now: float,
        wake: Callable[[], None],
    ) -> None:
        self.limit = DEFAULT_WAIT_TIMEOUT if timeout is None else timeout
        self.deadline = now + self.limit
        self._wake = wake
        self._due: dict[H, None] = dict.fromkeys(jobs)
        self._lost: list[tuple[H, NotFoundError]] = []
        self._lock = threading.Lock()
        self._news: list[H] = []
        # the order the jobs ended in (those ended already first), so the first to end is yielded first
        self._ended_order: dict[H, int] = {
            job: n for n, job in enumerate(j for j in self._due if j.is_terminal)
        }
        self._closed = False
        self._tracker = get_tracker()
        self._stops = [job.observe(self._on_change) for job in self._due]
        self._stops += [self._tracker.follow(job, poll_interval) for job in self._due]

    def __bool__(self) -> bool:
        """True while some job has not ended (or not been handed out as ended)."""
        return bool(self._due)

    def _on_change(self, job: H) -> None:
        with self._lock:
            if self._closed:
                return
            if job not in self._news:
                self._news.append(job)
            if job.is_terminal:
                self._ended_order.setdefault(job, len(self._ended_order))
        self._wake()

    def news(self) -> list[H]:
        """The jobs that changed since the last call (for `on_progress`), whoever learned it."""
        with self._lock:
            news, self._news = self._news, []
        return news

    def ended(self) -> list[H]:
        """The jobs that ended, read in full, since the last call; they leave the wait."""
        ended = [
            job
            for job in self._due
            # a listed summary is no result: the tracker reads it in full first
            if self._tracker.read_in_full(job)
        ]
        ended.sort(key=lambda job: self._ended_order.get(job, len(self._ended_order)))
        for job in ended:
            del self._due[job]
        return ended

    def check(self, now: float) -> None:
        """Raise what ends the wait: a 401/403, the deadline, or (once all else ended) a lost job."""
        for job in list(self._due):
            trouble = self._tracker.trouble(job)
            if isinstance(trouble, NotFoundError):
                del self._due[job]
                self._lost.append((job, trouble))
            elif trouble is not None:
                raise trouble
        if not self._due and self._lost:
            job, error = self._lost[0]
            others = f" (and {len(self._lost) - 1} more)" if len(self._lost) > 1 else ""
            raise NotFoundError(
                404, error.code, f"Job {job.id}{others} is unknown to the API: {error.message}"
            )
        if self._due and now >= self.deadline:
            job = next(iter(self._due))
            failure: ProductAIError | None = self._tracker.last_error(job)
            if failure is not None:
                raise failure
            raise JobTimeoutError(job, self.limit, unfinished=len(self._due))

    def pause(self, now: float) -> float:
        """Seconds to block before looking again (news wakes it sooner), at most one slice."""
        return max(0.0, min(self.deadline - now, SLICE_SECONDS))

    def close(self) -> None:
        """Stop listening to the jobs and let the tracker go of them; later changes wake nobody."""
        with self._lock:
            self._closed = True
        for stop in self._stops:
            stop()
