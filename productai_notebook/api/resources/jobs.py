"""`client.jobs`: read, list, page through and wait for jobs, blocking (`Jobs`) and awaited (`AsyncJobs`)."""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from ...contract import DEFAULT_LIST_LIMIT
from .. import _http
from .._http import RequestSpec
from .._inputs import check_job_id, checked_in_the_call, list_params
from ..engine.cadence import PollInterval
from ..engine.waits import JobsWait
from ..job import AsyncJob, Job
from ..models import JobPage, JobState

if TYPE_CHECKING:
    from ..client import AsyncProductAI, ProductAI


class JobPages:
    """Walking every page of a job listing, minus the requests: the next offset, each job once."""

    def __init__(self, page_size: int, offset: int = 0) -> None:
        list_params(page_size, offset, None)  # the same bounds as a page of list()
        self.offset = offset
        self.more = True
        self._seen: set[str] = set()

    def take(self, page: JobPage) -> builtins.list[JobState]:
        """The page's jobs not seen before; moves on to the next page."""
        new = []
        for job in page.jobs:
            # a job created meanwhile shifts the pages by one; never yield a job twice
            if job.job_id not in self._seen:
                self._seen.add(job.job_id)
                new.append(job)
        self.offset += len(page.jobs)
        self.more = page.has_more and bool(page.jobs)
        return new


class Jobs:
    """`client.jobs`: get, list, iterate and wait for jobs."""

    def __init__(self, client: ProductAI) -> None:
        self._client = client

    def fetch_state(self, job_id: str) -> JobState:
        """One `GET /jobs/{id}`: the job's current state, without touching any handle."""
        spec = RequestSpec("GET", _http.job_path(check_job_id(job_id)))
        return JobState.parse(self._client._call(spec))

    def get(self, job_id: str) -> Job:
        """The job with this id, freshly read (an ended job is known for good and not read again)."""
        return self._client._known_terminal(job_id) or self._client._handle(self.fetch_state(job_id))

    def list(self, limit: int = DEFAULT_LIST_LIMIT, offset: int = 0, status: str | None = None) -> JobPage:
        """One page of your jobs, newest first; `status` is pending, processing, completed, failed or all."""
        __tracebackhide__ = True  # an argument error's traceback: the user's call, not this frame
        with checked_in_the_call():
            params = list_params(limit, offset, status)
        spec = RequestSpec("GET", "jobs", params=params)
        return JobPage.parse(self._client._call(spec))

    def iter(self, status: str | None = None, page_size: int = 100) -> Iterator[JobState]:
        """Every job across all pages, newest first, each once."""
        pages = JobPages(page_size)
        while pages.more:
            yield from pages.take(self.list(limit=page_size, offset=pages.offset, status=status))

    def _as_job(self, job: Job | str) -> Job:
        # a job from a listing has ended but lacks its images: a wait returns it read in full
        if isinstance(job, Job):
            return job.refresh() if job.state.is_summary else job
        return self.get(job)

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

    def wait_all(
        self,
        jobs: Iterable[Job | str],
        *,
        timeout: float | None = None,
        poll_interval: PollInterval = None,
        on_progress: Callable[[Job], None] | None = None,
    ) -> builtins.list[Job]:
        """Wait until every job has ended; returns them in the given order, failed ones included."""
        handles = [self._as_job(job) for job in jobs]
        for _ in self.as_completed(
            handles, timeout=timeout, poll_interval=poll_interval, on_progress=on_progress
        ):
            pass
        return handles

    def wait(
        self,
        job: Job | str,
        *,
        timeout: float | None = None,
        poll_interval: PollInterval = None,
        on_progress: Callable[[Job], None] | None = None,
    ) -> Job:
        """Wait for one job: returns it completed; raises JobFailedError or JobTimeoutError."""
        (handle,) = self.wait_all(
            [job], timeout=timeout, poll_interval=poll_interval, on_progress=on_progress
        )
        return self._client._completed(handle)


class AsyncJobs:
    """`client.jobs` of the async client."""

    def __init__(self, client: AsyncProductAI) -> None:
        self._client = client

    async def fetch_state(self, job_id: str) -> JobState:
        spec = RequestSpec("GET", _http.job_path(check_job_id(job_id)))
        return JobState.parse(await self._client._call(spec))

    async def get(self, job_id: str) -> AsyncJob:
        known = self._client._known_terminal(job_id)
        return known or self._client._handle(await self.fetch_state(job_id))

    async def list(
        self, limit: int = DEFAULT_LIST_LIMIT, offset: int = 0, status: str | None = None
    ) -> JobPage:
        __tracebackhide__ = True  # an argument error's traceback: the user's call, not this frame
        with checked_in_the_call():
            params = list_params(limit, offset, status)
        spec = RequestSpec("GET", "jobs", params=params)
        return JobPage.parse(await self._client._call(spec))

    async def iter(self, status: str | None = None, page_size: int = 100) -> AsyncIterator[JobState]:
        """`async for job in client.jobs.iter()`: every job across all pages, each once."""
        pages = JobPages(page_size)
        while pages.more:
            for job in pages.take(await self.list(limit=page_size, offset=pages.offset, status=status)):
                yield job

    async def _as_job(self, job: AsyncJob | str) -> AsyncJob:
        if isinstance(job, AsyncJob):
            return await job.refresh() if job.state.is_summary else job
        return await self.get(job)

    async def as_completed(
        self,
        jobs: Iterable[AsyncJob | str],
        *,
        timeout: float | None = None,
        poll_interval: PollInterval = None,
        on_progress: Callable[[AsyncJob], None] | None = None,
    ) -> AsyncIterator[AsyncJob]:
        """`async for job in ...`: each job as it ends, as in the blocking client (same errors)."""
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

    async def wait_all(
        self,
        jobs: Iterable[AsyncJob | str],
        *,
        timeout: float | None = None,
        poll_interval: PollInterval = None,
        on_progress: Callable[[AsyncJob], None] | None = None,
    ) -> builtins.list[AsyncJob]:
        handles = [await self._as_job(job) for job in jobs]
        async for _ in self.as_completed(
            handles, timeout=timeout, poll_interval=poll_interval, on_progress=on_progress
        ):
            pass
        return handles

    async def wait(
        self,
        job: AsyncJob | str,
        *,
        timeout: float | None = None,
        poll_interval: PollInterval = None,
        on_progress: Callable[[AsyncJob], None] | None = None,
    ) -> AsyncJob:
        (handle,) = await self.wait_all(
            [job], timeout=timeout, poll_interval=poll_interval, on_progress=on_progress
        )
        return self._client._completed(handle)
