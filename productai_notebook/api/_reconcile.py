"""A create whose answer was lost: find the job it made rather than pay for a second one.

The API has no idempotency key. When `POST /v1/generate` gets no clear answer (the connection
broke after the request went out, a read timed out, a 2xx body could not be read, a 5xx that
may have come after the job was stored), the job may exist and its credits may be spent, so a
retry could pay twice. Instead the account's newest jobs are read: a job created since just
before the request, of the same model and image count, that this client does not already know,
is the one. Exactly one such job is returned as if the answer had come; otherwise
`JobMayExistError` carries the candidates and says how to check.

`LostCreate` decides (no I/O); `create_job` / `create_job_async` are the thin call sites.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, NoReturn

from ._http import RequestSpec
from .errors import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    InvalidResponseError,
    JobMayExistError,
    ProductAIError,
)
from .models import JobPage, JobState

if TYPE_CHECKING:
    from .client import AsyncProductAI, ProductAI

# the server's clock may run behind ours: a job it stamps this much before our send still counts
CLOCK_SKEW = timedelta(seconds=60)
PAGE_SIZE = 100
# a busy account makes many jobs a minute; past this many pages the search gives up and says so
MAX_PAGES = 3


def answer_was_lost(error: ProductAIError) -> bool:
    """True when a create's outcome is unknown: the request may have made the job."""
    if isinstance(error, APIConnectionError):
        return error.may_have_arrived
    # an unreadable 2xx, or a 5xx: the server may have stored the job before failing to answer
    return isinstance(error, (InvalidResponseError, InternalServerError))


def _what_came(error: ProductAIError) -> str:
    """What the create got instead of an answer, without the error's own advice (often "retry")."""
    if isinstance(error, InternalServerError):
        return f"it answered {error.status_code} {error.code}"
    if isinstance(error, InvalidResponseError):
        status = f" {error.status_code}" if error.status_code else ""
        return f"its answer{status} could not be read"
    if isinstance(error, APITimeoutError):
        return "no answer came in time"
    return "the connection broke after the request was sent"


class LostCreate:
    """The search for the job one create may have made: feed it pages until `next_offset` is None."""

    def __init__(self, body: dict[str, Any], sent_at: datetime) -> None:
        self.model = body.get("model")
        self.num_images = body.get("num_images")
        self.since = sent_at - CLOCK_SKEW
        self.next_offset: int | None = 0
        self._pages = 0
        self._gave_up = False  # recent jobs remained past MAX_PAGES: the candidates are not all known
        self._candidates: dict[str, JobState] = {}

    def take(self, page: JobPage) -> None:
        """Note one page of the account's jobs (newest first) and where the next one starts."""
        self._pages += 1
        recent = [job for job in page.jobs if job.created_at is not None and job.created_at >= self.since]
        for job in recent:
            if self._could_be_it(job):
                self._candidates[job.job_id] = job
        # newest first: a page without a recent job means the older pages hold none either
        more = page.has_more and bool(recent)
        self._gave_up = more and self._pages >= MAX_PAGES
        self.next_offset = page.offset + len(page.jobs) if more and not self._gave_up else None

    def _could_be_it(self, job: JobState) -> bool:
        # a failed job is listed without model and image count: unknown is not a mismatch
        return job.model in (None, self.model) and job.num_images in (None, self.num_images)

    def outcome(self, lost: ProductAIError, known: Collection[str]) -> JobState:
        """The job the create made; JobMayExistError (caused by `lost`, the create's own error)
        unless exactly one job could be it. `known`: the ids this client already has."""
        candidates = tuple(job for job_id, job in self._candidates.items() if job_id not in known)
        if len(candidates) == 1 and not self._gave_up:
            return candidates[0]
        what = f"POST /generate got no clear answer ({_what_came(lost)})"
        raise JobMayExistError(what, self.since, candidates) from lost

    def listing_failed(self, lost: ProductAIError, listing: ProductAIError) -> NoReturn:
        """Reading the newest jobs failed too: nothing is known about the job."""
        what = (
            f"POST /generate got no clear answer ({_what_came(lost)}), "
            f"and listing the jobs failed ({type(listing).__name__})"
        )
        raise JobMayExistError(what, self.since, (), searched=False) from lost


def create_job(client: ProductAI, spec: RequestSpec) -> JobState:
    """`POST /generate`; when its answer is lost, the job it made, found among the newest jobs."""
    search = LostCreate(spec.json, datetime.now(timezone.utc))
    try:
        state = JobState.parse(client._call(spec))
    except ProductAIError as error:
        if not answer_was_lost(error):
            raise
        try:
            while search.next_offset is not None:
                search.take(client.jobs.list(limit=PAGE_SIZE, offset=search.next_offset))
        except ProductAIError as listing:
            search.listing_failed(error, listing)
        state = search.outcome(error, client._known_ids())
    client._note_created(state.job_id)
    return state


async def create_job_async(client: AsyncProductAI, spec: RequestSpec) -> JobState:
    """`create_job` for the async client."""
    search = LostCreate(spec.json, datetime.now(timezone.utc))
    try:
        state = JobState.parse(await client._call(spec))
    except ProductAIError as error:
        if not answer_was_lost(error):
            raise
        try:
            while search.next_offset is not None:
                search.take(await client.jobs.list(limit=PAGE_SIZE, offset=search.next_offset))
        except ProductAIError as listing:
            search.listing_failed(error, listing)
        state = search.outcome(error, client._known_ids())
    client._note_created(state.job_id)
    return state
