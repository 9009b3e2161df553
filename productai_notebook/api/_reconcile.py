"""A create whose answer was lost: find the job it made rather than pay for a second one.

The API has no idempotency key. When `POST /v1/generate` gets no clear answer (the connection
broke after the request went out, a read timed out, a 2xx body could not be read, a 5xx that
may have come after the job was stored), the job may exist and its credits may be spent, so a
retry could pay twice. Instead the account's newest jobs are read: a job created since just
before the request, of the same model and image count, that this client does not already know,
is the one. Exactly one such job is returned as if the answer had come; otherwise
`JobMayExistError` carries the candidates and says how to check.

Creates of the same model and image count may be under way at once (threads, `asyncio.gather`,
several clients of one account): a job another of them made is not yet known while its answer is
on the way, and must never be taken for the lost one. So the account's engine keeps `Creates`, the
creates of this process: a lost create first waits (within its timeout) for the others still
waiting for their answers, and claims a job only when no other create could have made one it sees.

`LostCreate` and `Creates` decide (no I/O); `create_job` / `create_job_async` are the call sites.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Collection
from dataclasses import dataclass
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
# how often an asyncio create looks again whether the creates it waits for got their answers
RIVALS_POLL_SECONDS = 0.05


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

    def outcome(self, lost: ProductAIError, known: Collection[str], rivals: int = 0) -> JobState:
        """The job the create made; JobMayExistError (caused by `lost`, the create's own error)
        unless exactly one job could be it. `known`: the ids this process already has; `rivals`:
        the other creates of this process that may have made one of the jobs seen (`Creates.rivals`)."""
        candidates = tuple(job for job_id, job in self._candidates.items() if job_id not in known)
        if len(candidates) == 1 and not self._gave_up and not rivals:
            return candidates[0]
        what = f"POST /generate got no clear answer ({_what_came(lost)})"
        if rivals:
            what += f", while {rivals} other create(s) of the same model and image count were under way"
        raise JobMayExistError(what, self.since, candidates) from lost

    def listing_failed(self, lost: ProductAIError, listing: ProductAIError) -> NoReturn:
        """Reading the newest jobs failed too: nothing is known about the job."""
        what = (
            f"POST /generate got no clear answer ({_what_came(lost)}), "
            f"and listing the jobs failed ({type(listing).__name__})"
        )
        raise JobMayExistError(what, self.since, (), searched=False) from lost


SENDING, SEARCHING, MADE, UNSURE = "sending", "searching", "made", "unsure"


@dataclass(eq=False)
class Create:
    """One create of this process: what it asks for, and how far it got."""

    signature: tuple[Any, Any]  # (model, num_images): what a listing can tell it by
    number: int  # in the order the creates started
    state: str = SENDING
    job_id: str | None = None  # MADE: the job it made, which no lost create may claim
    ended_at: datetime | None = None


class Creates:
    """The creates of one account in this process (its engine holds one), so that a lost create
    never claims a job another of them made or may have made."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._creates: list[Create] = []
        self._started = 0

    def start(self, body: dict[str, Any], now: datetime) -> Create:
        """A create about to be sent. Ended creates too old to matter to it are forgotten."""
        with self._changed:
            self._creates = [c for c in self._creates if c.ended_at is None or _may_matter(c.ended_at, now)]
            self._started += 1
            create = Create((body.get("model"), body.get("num_images")), self._started)
            self._creates.append(create)
            return create

    def started(self) -> int:
        """How many creates have started: `rivals(..., before=)` counts those started before a listing."""
        with self._changed:
            return self._started

    def lost(self, create: Create) -> None:
        """Its answer is lost: it searches the listing now."""
        self._end(create, SEARCHING)

    def ended(self, create: Create, job_id: str | None, now: datetime) -> None:
        """Its job is known (`job_id`), or surely not made (None)."""
        self._end(create, MADE if job_id else None, job_id, now)

    def unsure(self, create: Create, now: datetime) -> None:
        """It ended without knowing its job (JobMayExistError, Ctrl-C): that job may still exist."""
        self._end(create, UNSURE, None, now)

    def _end(
        self, create: Create, state: str | None, job_id: str | None = None, at: datetime | None = None
    ) -> None:
        with self._changed:
            if state is None:
                self._creates.remove(create)
            else:
                create.state, create.job_id, create.ended_at = state, job_id, at
            self._changed.notify_all()

    def sending(self, create: Create, before: int) -> bool:
        """Other creates of the same signature, started before `before` (`started()`), still wait
        for their answer: their jobs may be listed, but not yet known."""
        with self._changed:
            return self._sending(create, before)

    def _sending(self, create: Create, before: int) -> bool:
        return any(
            c is not create and c.state == SENDING and c.number <= before and c.signature == create.signature
            for c in self._creates
        )

    def wait_for_sending(self, create: Create, before: int, timeout: float) -> None:
        """Block until `sending(create, before)` is False, or `timeout` seconds passed."""
        with self._changed:
            self._changed.wait_for(lambda: not self._sending(create, before), timeout)

    def known_ids(self) -> set[str]:
        """The jobs the creates of this process made."""
        with self._changed:
            return {c.job_id for c in self._creates if c.job_id is not None}

    def rivals(self, create: Create, before: int, since: datetime) -> int:
        """The other creates of the same signature that may have made a job `create`'s listing
        shows: under way and started before the listing was read (`before`: `started()` then), or
        ended unsure late enough for their job to be stamped after `since`."""
        with self._changed:
            return sum(
                1
                for c in self._creates
                if c is not create
                and c.signature == create.signature
                and (
                    (c.state in (SENDING, SEARCHING) and c.number <= before)
                    or (c.state == UNSURE and c.ended_at is not None and c.ended_at + CLOCK_SKEW >= since)
                )
            )


def _may_matter(ended_at: datetime, now: datetime) -> bool:
    # a job is stamped by the server before its create ends (its clock up to CLOCK_SKEW ahead);
    # a create starting now looks back to now - CLOCK_SKEW
    return ended_at + CLOCK_SKEW >= now - CLOCK_SKEW


def create_job(client: ProductAI, spec: RequestSpec) -> JobState:
    """`POST /generate`; when its answer is lost, the job it made, found among the newest jobs."""
    creates, sent_at = client._engine.creates, _now()
    create = creates.start(spec.json, sent_at)
    search = LostCreate(spec.json, sent_at)
    try:
        try:
            return _created(client, creates, create, JobState.parse(client._call(spec)))
        except ProductAIError as error:
            if not answer_was_lost(error):
                raise
            lost = error
        creates.lost(create)
        creates.wait_for_sending(create, creates.started(), _patience(client))
        try:
            while search.next_offset is not None:
                search.take(client.jobs.list(limit=PAGE_SIZE, offset=search.next_offset))
        except ProductAIError as listing:
            search.listing_failed(lost, listing)
        return _found(client, creates, create, search, lost)
    except BaseException as error:
        _ended_without_job(creates, create, error)
        raise


async def create_job_async(client: AsyncProductAI, spec: RequestSpec) -> JobState:
    """`create_job` for the async client."""
    creates, sent_at = client._engine.creates, _now()
    create = creates.start(spec.json, sent_at)
    search = LostCreate(spec.json, sent_at)
    try:
        try:
            return _created(client, creates, create, JobState.parse(await client._call(spec)))
        except ProductAIError as error:
            if not answer_was_lost(error):
                raise
            lost = error
        creates.lost(create)
        before, patience = creates.started(), asyncio.get_running_loop().time() + _patience(client)
        # the creates waited for may be other threads' too: no asyncio.Event can tell when they end
        while creates.sending(create, before) and asyncio.get_running_loop().time() < patience:  # noqa: ASYNC110
            await asyncio.sleep(RIVALS_POLL_SECONDS)
        try:
            while search.next_offset is not None:
                search.take(await client.jobs.list(limit=PAGE_SIZE, offset=search.next_offset))
        except ProductAIError as listing:
            search.listing_failed(lost, listing)
        return _found(client, creates, create, search, lost)
    except BaseException as error:
        _ended_without_job(creates, create, error)
        raise


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _patience(client: ProductAI | AsyncProductAI) -> float:
    """How long a lost create waits for the answers of the creates sent before it: its read timeout."""
    read = client._settings.timeout.read
    return read if read is not None else CLOCK_SKEW.total_seconds()


def _found(
    client: ProductAI | AsyncProductAI,
    creates: Creates,
    create: Create,
    search: LostCreate,
    lost: ProductAIError,
) -> JobState:
    before = creates.started()  # a create started after the listing was read made none of its jobs
    known = client._known_ids() | creates.known_ids()
    found = search.outcome(lost, known, creates.rivals(create, before, search.since))
    return _created(client, creates, create, found)


def _created(
    client: ProductAI | AsyncProductAI, creates: Creates, create: Create, state: JobState
) -> JobState:
    creates.ended(create, state.job_id, _now())
    client._note_created(state.job_id)
    return state


def _ended_without_job(creates: Creates, create: Create, error: BaseException) -> None:
    surely_not_made = (
        create.state == SENDING and isinstance(error, ProductAIError) and not answer_was_lost(error)
    )
    if surely_not_made:
        creates.ended(create, None, _now())
    elif create.state in (SENDING, SEARCHING):
        creates.unsure(create, _now())
