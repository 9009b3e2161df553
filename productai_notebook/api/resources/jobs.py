"""`client.jobs`: read, list, page through and wait for jobs, blocking (`Jobs`) and awaited (`AsyncJobs`).

All but `as_completed` is generated for the blocking client from the asyncio one (`_async/jobs.py`
-> `_sync/jobs.py`, scripts/unasync.py). `as_completed` differs by design: the blocking wait sleeps
in short slices on a `threading.Event` (Ctrl-C lands), the asyncio one awaits on its own loop; a
test keeps their signatures and docstrings the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator

from ..engine.cadence import PollInterval
from ..engine.waits import JobsWait
from ..job import AsyncJob, Job
from ._async.jobs import AsyncJobsCore
from ._sync.jobs import JobsCore
from .pages import JobPages

__all__ = ["Jobs", "AsyncJobs", "JobPages"]


class Jobs(JobsCore):
    """`client.jobs`: get, list, iterate and wait for jobs."""

    def as_completed(
        self,
        jobs: Iterable[Job | str],
        *,
        timeout: float | None = None,
        poll_interval: PollInterval = None,
        on_progress: Callable[[Job], None] | None = None,
    ) -> Iterator[Job]:
        """Yield each job as it ends (completed or failed), read in full (its images or its error).

        The jobs are followed by the account's request engine on the background thread, with a
        widget's jobs and under the account's rate limit: with many jobs, one listing a round
        tells which ended. A failed job is yielded like any other (check `job.status`). A poll
        that fails is retried until the deadline; past `timeout` seconds in all, the last poll's
        error or JobTimeoutError. A 401/403 ends the wait at once. A job the API does not know
        (404) is not yielded: once every other job was, NotFoundError names it.
        """
        woken = threading.Event()
        waiting = JobsWait(
            map(self._as_job, jobs),
            timeout=timeout,
            poll_interval=poll_interval,
            now=time.monotonic(),
            wake=woken.set,
        )
        try:
            while True:
                woken.clear()  # before reading the news: a change after this wakes the next look
                for job in waiting.news():
                    if on_progress:
                        on_progress(job)
                yield from waiting.ended()
                waiting.check(time.monotonic())
                if not waiting:
                    return
                woken.wait(waiting.pause(time.monotonic()))
        finally:
            waiting.close()


class AsyncJobs(AsyncJobsCore):
    """`client.jobs`: get, list, iterate and wait for jobs."""

    async def as_completed(
        self,
        jobs: Iterable[AsyncJob | str],
        *,
        timeout: float | None = None,
        poll_interval: PollInterval = None,
        on_progress: Callable[[AsyncJob], None] | None = None,
    ) -> AsyncIterator[AsyncJob]:
        """Yield each job as it ends (completed or failed), read in full (its images or its error).

        The jobs are followed by the account's request engine on the background thread, with a
        widget's jobs and under the account's rate limit: with many jobs, one listing a round
        tells which ended. A failed job is yielded like any other (check `job.status`). A poll
        that fails is retried until the deadline; past `timeout` seconds in all, the last poll's
        error or JobTimeoutError. A 401/403 ends the wait at once. A job the API does not know
        (404) is not yielded: once every other job was, NotFoundError names it.
        """
        loop = asyncio.get_running_loop()
        woken = asyncio.Event()

        def wake() -> None:
            # Observers run on the thread that learned the news (the tracker's, say): hop onto this loop.
            with contextlib.suppress(RuntimeError):  # the loop closed after this wait was over
                loop.call_soon_threadsafe(woken.set)

        waiting = JobsWait(
            [await self._as_job(job) for job in jobs],
            timeout=timeout,
            poll_interval=poll_interval,
            now=loop.time(),
            wake=wake,
        )
        try:
            while True:
                woken.clear()  # before reading the news: a change after this wakes the next look
                for job in waiting.news():
                    if on_progress:
                        on_progress(job)
                for job in waiting.ended():
                    yield job
                waiting.check(loop.time())
                if not waiting:
                    return
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(woken.wait(), waiting.pause(loop.time()))
        finally:
            waiting.close()
