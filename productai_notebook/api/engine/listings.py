"""Which followed jobs ended, told by job listings: one page a round instead of one GET per job. No I/O.

With two or more unfinished jobs followed, a round asks `GET /v1/jobs?limit=100` once. The
answer is checked before it is trusted: a job the page lists has its status there; a job the
page leaves out counts as known only when the page provably covers it (the page is the whole
list, or it is ordered newest first and reaches past the job's creation). When that page does
not cover every followed job (too many newer jobs, or an order that cannot be checked), the
rounds ask the `status=pending` and `status=processing` listings instead: a job covered by both
and in neither has ended. A job no listing covers is read on its own, and so is every job a
listing says ended: its listed summary shows the end at once, but has no images (nor, where the
listing leaves it out, the error), and only a full job ends a wait.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ...contract import MAX_LIST_LIMIT, PENDING, PROCESSING
from ..models import JobPage, JobState


@dataclass(frozen=True)
class Listing:
    """One listing request of a round: every job (`status=None`) or one status."""

    status: str | None = None

    def params(self) -> dict[str, str | int]:
        params: dict[str, str | int] = {"limit": MAX_LIST_LIMIT, "offset": 0}
        if self.status:
            params["status"] = self.status
        return params


_LONG_AGO = datetime.min.replace(tzinfo=timezone.utc)

EVERY_JOB = Listing()
UNFINISHED = (Listing(PENDING), Listing(PROCESSING))


@dataclass(frozen=True)
class Followed:
    """What the decision needs of one followed job."""

    job_id: str
    created_at: datetime | None


@dataclass
class RoundNews:
    """What one round's listings told about the followed jobs."""

    #: unfinished jobs as listed (status, progress where the listing carries it)
    running: dict[str, JobState] = field(default_factory=dict)
    #: jobs the listings say ended (or no longer list): read each on its own for images or error
    ended: list[str] = field(default_factory=list)
    #: the ended jobs as listed (those still in a listing): their end, shown before the full read
    summaries: dict[str, JobState] = field(default_factory=dict)
    #: jobs no listing covered: read on their own, at their own pace
    uncovered: list[str] = field(default_factory=list)


def newest_first(page: JobPage) -> bool:
    """True if the page is visibly ordered newest first (a page of one job or none is)."""
    times = [job.created_at for job in page.jobs]
    if len(times) < 2:
        return True
    if any(time is None for time in times):
        return False
    return all(a >= b for a, b in zip(times, times[1:], strict=False))  # type: ignore[operator]


def covers(page: JobPage, job: Followed) -> bool:
    """True if the page says whether `job` is in its set (listed or not), so its absence means something."""
    if any(listed.job_id == job.job_id for listed in page.jobs):
        return True
    if page.offset == 0 and not page.has_more:
        return True  # the whole list, in whatever order
    if job.created_at is None or not page.jobs or not newest_first(page):
        return False
    oldest = page.jobs[-1].created_at
    # strictly older: a job created in the same instant as the page's last one may be on the next page
    return oldest is not None and oldest < job.created_at


class StatusListings:
    """Chooses each round's listings and reads their answers, remembering what the server showed."""

    def __init__(self) -> None:
        #: whether the last page of every job covered every followed job (None: not asked yet)
        self.every_job_page_covers: bool | None = None
        self._oldest_followed: str | None = None

    def listings(self, followed: Iterable[Followed]) -> tuple[Listing, ...]:
        """The listings of the next round: none for fewer than two jobs (each is read on its own)."""
        followed = list(followed)
        if len(followed) < 2:
            return ()
        oldest = min(followed, key=_age_key).job_id
        if oldest != self._oldest_followed:
            # another set of jobs: the page of every job may cover it now
            self._oldest_followed = oldest
            self.every_job_page_covers = None
        return self._next_listings()

    def listings_per_round(self) -> int:
        """How many requests a round of the same jobs asks (what a widget's round needs of the budget)."""
        return len(self._next_listings())

    def _next_listings(self) -> tuple[Listing, ...]:
        return UNFINISHED if self.every_job_page_covers is False else (EVERY_JOB,)

    def read(self, followed: Iterable[Followed], pages: Mapping[Listing, JobPage]) -> RoundNews:
        """What the answered listings of a round say about each followed job."""
        news = RoundNews()
        followed = list(followed)
        if EVERY_JOB in pages:
            page = pages[EVERY_JOB]
            for job in followed:
                listed = _find(page, job.job_id)
                if listed is not None:
                    _note(news, listed)
                elif covers(page, job):
                    news.ended.append(job.job_id)  # gone from the list: its own read says why
                else:
                    news.uncovered.append(job.job_id)
            self.every_job_page_covers = not news.uncovered
            return news
        unfinished = [pages[listing] for listing in UNFINISHED if listing in pages]
        for job in followed:
            found = [listed for page in unfinished if (listed := _find(page, job.job_id))]
            if found:
                _note(news, found[0])
            elif unfinished and all(covers(page, job) for page in unfinished):
                news.ended.append(job.job_id)
            else:
                news.uncovered.append(job.job_id)
        return news


def _age_key(job: Followed) -> tuple[bool, datetime]:
    # jobs of unknown age first: they count as the oldest
    return (job.created_at is not None, job.created_at or _LONG_AGO)


def _find(page: JobPage, job_id: str) -> JobState | None:
    return next((listed for listed in page.jobs if listed.job_id == job_id), None)


def _note(news: RoundNews, listed: JobState) -> None:
    if listed.is_terminal:
        news.ended.append(listed.job_id)
        news.summaries[listed.job_id] = listed
    else:
        news.running[listed.job_id] = listed
