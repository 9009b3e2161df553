"""`client.jobs`: read, list, page through and wait for jobs.

The one difference of the blocking wait (it sleeps in short slices on a `threading.Event`, so
Ctrl-C lands; the asyncio one awaits on its own loop) is the alarm it sleeps on: `api/_wakeups.py`.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ....contract import DEFAULT_LIST_LIMIT, FAILED
from ... import _http
from ..._http import RequestSpec
from ..._inputs import check_job_id, checked_in_the_call, list_params
from ..._wakeups import AsyncWakeup
from ...engine.cadence import PollInterval
from ...engine.waits import JobsWait
from ...errors import JobFailedError
from ...job import AsyncJob
from ...models import JobPage, JobState
from ..pages import JobPages
from .download import download_async

if TYPE_CHECKING:
    from ...client import AsyncProductAI


def _completed(job: AsyncJob) -> AsyncJob:
    """The job, which a wait saw end: completed, or JobFailedError."""
    if job.status == FAILED:
        raise JobFailedError(job)
    return job


class AsyncJobs:
    """`client.jobs`: get, list, iterate and wait for jobs."""

    def __init__(self, client: AsyncProductAI) -> None:
        self._client = client

    async def fetch_state(self, job_id: str) -> JobState:
        """One `GET /jobs/{id}`: the job's current state, without touching any handle."""
        spec = RequestSpec("GET", _http.job_path(check_job_id(job_id)))
        return JobState.parse(await self._client.call(spec))

    async def get(self, job_id: str) -> AsyncJob:
        """The job with this id, freshly read (an ended job is known for good and not read again)."""
        known = self._client.held_job(job_id)
        if known is not None and known.is_terminal:
            return known
        return self._client.job_handle(await self.fetch_state(job_id))

    async def list(
        self, limit: int = DEFAULT_LIST_LIMIT, offset: int = 0, status: str | None = None
    ) -> JobPage:
        """One page of your jobs, newest first; `status` is pending, processing, completed, failed or all."""
        __tracebackhide__ = True  # an argument error's traceback: the user's call, not this frame
        with checked_in_the_call():
            params = list_params(limit, offset, status)
        spec = RequestSpec("GET", "jobs", params=params)
        return JobPage.parse(await self._client.call(spec))

    async def download(self, job: AsyncJob, folder: str | Path = ".") -> builtins.list[Path]:
        """Save the job's images into `folder` as `<job_id>_<n>.<ext>`; returns their paths.

        What `job.download()` does once the job is read in full (a listed job is read first there).
        """
        return await download_async(self._client.settings, self._client.connection_pool(), job, Path(folder))

    async def iter(self, status: str | None = None, page_size: int = 100) -> AsyncIterator[JobState]:
        """Every job across all pages, newest first, each once."""
        pages = JobPages(page_size)
        while pages.more:
            for job in pages.take(await self.list(limit=page_size, offset=pages.offset, status=status)):
                yield job

    async def _as_job(self, job: AsyncJob | str) -> AsyncJob:
        # a job from a listing has ended but lacks its images: a wait returns it read in full
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
        """Yield each job as it ends (completed or failed), read in full (its images or its error).

        The jobs are followed by the account's request engine on the background thread, with a
        widget's jobs and under the account's rate limit: with many jobs, one listing a round
        tells which ended. A failed job is yielded like any other (check `job.status`). A poll
        that fails is retried until the deadline; past `timeout` seconds in all, the last poll's
        error or JobTimeoutError. A 401/403 ends the wait at once. A job the API does not know
        (404) is not yielded: once every other job was, NotFoundError names it.
        """
        alarm = AsyncWakeup()
        waiting = JobsWait(
            [await self._as_job(job) for job in jobs],
            timeout=timeout,
            poll_interval=poll_interval,
            now=alarm.now(),
            wake=alarm.ring,
        )
        try:
            while True:
                alarm.reset()  # before reading the news: a change after this wakes the next look
                for job in waiting.news():
                    if on_progress:
                        on_progress(job)
                for job in waiting.ended():
                    yield job
                waiting.check(alarm.now())
                if not waiting:
                    return
                await alarm.sleep(waiting.pause(alarm.now()))
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
        """Wait until every job has ended; returns them in the given order, failed ones included."""
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
        """Wait for one job: returns it completed; raises JobFailedError or JobTimeoutError."""
        (handle,) = await self.wait_all(
            [job], timeout=timeout, poll_interval=poll_interval, on_progress=on_progress
        )
        return _completed(handle)
