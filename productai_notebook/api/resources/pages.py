"""Walking every page of a job listing, minus the requests (both clients' `jobs.iter()`)."""

from __future__ import annotations

import builtins

from .._inputs import list_params
from ..models import JobPage, JobState


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
