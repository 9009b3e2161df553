"""The bookkeeping of one wait over many jobs, shared by the blocking and the asyncio client.

A job the process's tracker already follows (a widget shows it) is not polled again here:
its news arrives through the job's observers, so showing a job and then waiting for it
spends one request budget, not two. Every other job is polled adaptively, as its planner says,
and so is a tracked job while the tracker cannot reach the API: the wait's own poll then
retries as its client does and raises APIConnectionError, rather than waiting out its timeout.
The clients only sleep, send the polls this plan names, and yield what it says has ended.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from ._polling import DEFAULT_WAIT_TIMEOUT, PollInterval, PollPlanner
from .errors import JobTimeoutError
from .job import JobHandle
from .tracking import RECONNECTING, current_tracker

H = TypeVar("H", bound=JobHandle)

#: the longest a wait blocks at once: Ctrl-C lands, and a job the tracker lets go is soon polled here
SLICE_SECONDS = 0.25


def followed_by_tracker(job: JobHandle) -> bool:
    """True while the process's tracker keeps `job` fresh (without starting a tracker to ask)."""
    tracker = current_tracker()
    return (
        tracker is not None
        and tracker.is_following(job)
        and tracker.connection_state(job) != RECONNECTING
    )


class JobsWait(Generic[H]):
    """Which jobs are due a poll, which have news, which have ended, and when the wait gives up.

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
        self._due: dict[H, tuple[PollPlanner, float]] = {}
        for job in jobs:
            self._due.setdefault(job, (PollPlanner(poll_interval), now))
        self._lock = threading.Lock()
        self._news: list[H] = []
        self._closed = False
        self._stops = [job.observe(self._on_change) for job in self._due]

    def __bool__(self) -> bool:
        """True while some job has not ended (or not been handed out as ended)."""
        return bool(self._due)

    def _on_change(self, job: H) -> None:
        with self._lock:
            if self._closed:
                return
            if job not in self._news:
                self._news.append(job)
        self._wake()

    def news(self) -> list[H]:
        """The jobs that changed since the last call (for `on_progress`), whoever learned it."""
        with self._lock:
            news, self._news = self._news, []
        return news

    def ended(self) -> list[H]:
        """The jobs that ended since the last call; they leave the wait."""
        ended = [job for job in self._due if job.is_terminal]
        for job in ended:
            del self._due[job]
        return ended

    def check_deadline(self, now: float) -> None:
        """Raise JobTimeoutError naming an unfinished job once the deadline has passed."""
        if self._due and now >= self.deadline:
            raise JobTimeoutError(next(iter(self._due)), self.limit, unfinished=len(self._due))

    def pause(self, now: float) -> float:
        """Seconds to block before the next poll is due (or news may arrive), at most one slice."""
        polled_here = [at for job, (_, at) in self._due.items() if not followed_by_tracker(job)]
        until = min([*polled_here, self.deadline, now + SLICE_SECONDS])
        return max(0.0, until - now)

    def to_poll(self, now: float) -> list[H]:
        """Unfinished jobs due a poll now that the tracker does not follow (all of them at the deadline)."""
        return [
            job
            for job, (_, at) in self._due.items()
            if (at <= now or now >= self.deadline) and not job.is_terminal and not followed_by_tracker(job)
        ]

    def polled(self, job: H, now: float) -> None:
        """Plan `job`'s next poll after one just answered."""
        planner, _ = self._due[job]
        planner.observe(job.state, now)
        self._due[job] = (planner, now + planner.next_delay(job.state, now))

    def close(self) -> None:
        """Stop listening to the jobs; later changes wake nobody."""
        with self._lock:
            self._closed = True
        for stop in self._stops:
            stop()
