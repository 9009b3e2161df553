"""What a create whose answer was lost did, decided from the account's listings. No I/O.

The API has no idempotency key. When `POST /v1/generate` gets no clear answer (the connection
broke after the request went out, a read timed out, a 2xx body could not be read, a 5xx that
may have come after the job was stored), the job may exist and its credits may be spent. The
account's newest jobs tell, once the server had time to show the job:

- exactly one job that could be it, and no other create of this process that could have made
  it: that is the job, returned as if the answer had come;
- none: the create made no job (proven, see below), so it is sent again, once;
- otherwise `JobMayExistError`, naming the candidates.

A listing can tell jobs apart only by model and image count (it carries no prompt), so creates of
the same shape must not be mistaken for each other: a job another create of this process made
while its answer is on the way is not yet known, and must never be claimed. Hence:

- a lost create first waits (within its read timeout) for the same-shape creates sent before it to
  get their answers (`Creates.wait_for_sending`), and claims a job only when no other create could
  have made it (`Creates.rivals`);
- at most `IN_FLIGHT` creates of one shape are under way at once, so a lost answer has few rivals
  (a hundred creates gathered would otherwise lose a score of answers at once, none resolvable;
  two at once still send the first window's creates within seconds on the service);
  after a loss, they go one at a time for `CAREFUL_SECONDS`, so that the next lost answer has no
  rival at all (one create's round trip each: a few hundred ms on the service, nothing on
  loopback, and only while answers are being lost; the rate limit paces creates slower anyway);
- a job listed before a create was sent is not its job (`Creates.not_its_job`): a job left
  unclaimed by an earlier doubt never blocks a later create.

Proof that a lost create made no job: no unclaimed job of its shape is listed in a listing taken
`settle_seconds` after the loss was seen. A job is stored before its answer is sent, so once the
server answered (a 5xx, a broken or unreadable answer) the job, if made, exists; `VISIBLE_SECONDS`
allows for a listing served from a replica that lags the write. A read timeout is worse: the server
may still be working on the request, so the listing waits a read timeout longer (the server had as
long again as the client gave it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from .errors import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    InvalidResponseError,
    JobMayExistError,
    ProductAIError,
)
from .models import JobPage, JobState

# the server's clock may run behind ours: a job it stamps this much before our send still counts
CLOCK_SKEW = timedelta(seconds=60)
# a busy account makes many jobs a minute; past this many pages the search gives up and says so
MAX_PAGES = 3
# how long after a create's failed answer a listing may still miss its job: replicated stores
# show a write to reads within a second or so; twice that, once per lost answer, is cheap
VISIBLE_SECONDS = 2.0
# creates of one shape under way at once; after a lost answer, one at a time this long (from the last loss)
IN_FLIGHT = 2
CAREFUL_SECONDS = 60.0
# a create waiting its turn goes anyway once no create got further this long: a lost create's whole
# search (its rivals' answers, the settling, a listing paced behind a full window) takes less
TURN_SECONDS = 300.0

# how far a create got
QUEUED, SENDING, SEARCHING = "queued", "sending", "searching"
MADE, UNSURE, NOT_MADE = "made", "unsure", "not made"


def answer_was_lost(error: ProductAIError) -> bool:
    """True when a create's outcome is unknown: the request may have made the job."""
    if isinstance(error, APIConnectionError):
        return error.may_have_arrived
    # an unreadable 2xx, or a 5xx: the server may have stored the job before failing to answer
    return isinstance(error, (InvalidResponseError, InternalServerError))


def settle_seconds(lost: ProductAIError, read_timeout: float) -> float:
    """How long after the loss was seen a listing can prove the job was not made (see the module)."""
    if isinstance(lost, APITimeoutError):
        return read_timeout + VISIBLE_SECONDS
    return VISIBLE_SECONDS


def what_came(error: ProductAIError) -> str:
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
        self.listed: list[str] = []  # every job id the pages showed

    def take(self, page: JobPage) -> None:
        """Note one page of the account's jobs (newest first) and where the next one starts."""
        self._pages += 1
        self.listed += [job.job_id for job in page.jobs]
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

    def outcome(self, lost: ProductAIError, known: Collection[str], rivals: int = 0) -> JobState | None:
        """The job the create made; None when it surely made none (no unclaimed job could be it);
        else JobMayExistError (caused by `lost`, the create's own error) naming the candidates.
        `known`: the ids that are surely not its job (made by other creates, or listed before it
        was sent); `rivals`: the other creates that may have made one of the jobs seen."""
        candidates = tuple(job for job_id, job in self._candidates.items() if job_id not in known)
        if not candidates and not self._gave_up:
            return None
        if len(candidates) == 1 and not self._gave_up and not rivals:
            return candidates[0]
        what = f"POST /generate got no clear answer ({what_came(lost)})"
        if rivals:
            what += f", while {rivals} other create(s) of the same model and image count were under way"
        raise JobMayExistError(what, self.since, candidates) from lost

    def listing_failed(self, lost: ProductAIError, listing: ProductAIError) -> NoReturn:
        """Reading the newest jobs failed too: nothing is known about the job."""
        what = (
            f"POST /generate got no clear answer ({what_came(lost)}), "
            f"and listing the jobs failed ({type(listing).__name__})"
        )
        raise JobMayExistError(what, self.since, (), searched=False) from lost


@dataclass(eq=False)
class Create:
    """One create of this process: what it asks for, and how far it got."""

    signature: tuple[Any, Any]  # (model, num_images): what a listing can tell it by
    number: int  # in the order the creates started
    state: str = QUEUED
    sent_at: datetime | None = None  # its (last) send
    job_id: str | None = None  # MADE: the job it made, which no lost create may claim
    ended_at: datetime | None = None
    listed_at: datetime | None = None  # when its search's listing came (its job, if made, was in it)


class Creates:
    """The creates of one account in this process (its engine holds one), so that a lost create
    never claims a job another of them made or may have made."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._creates: list[Create] = []
        self._started = 0
        self._careful_until: dict[tuple[Any, Any], datetime] = {}
        #: how often a create got further (lost, ended): one waiting its turn waits while they move on
        self.progress = 0
        self._listed: dict[str, datetime] = {}  # job id -> when a search's listing first showed it

    def start(self, body: dict[str, Any], now: datetime) -> Create:
        """A create about to be sent (`take_turn` sends it). Ended creates and listings too old to
        matter to it are forgotten."""
        with self._changed:
            self._creates = [c for c in self._creates if c.ended_at is None or _may_matter(c.ended_at, now)]
            self._listed = {job_id: at for job_id, at in self._listed.items() if _may_matter(at, now)}
            self._started += 1
            create = Create((body.get("model"), body.get("num_images")), self._started)
            self._creates.append(create)
            return create

    def started(self) -> int:
        """How many creates have started: `rivals(..., before=)` counts those started before a listing."""
        with self._changed:
            return self._started

    # -- one at a time while answers are lost -----------------------------------------------

    def take_turn(self, create: Create, now: datetime) -> bool:
        """True when `create` may be sent now, and then it is under way (SENDING) from `now`: while
        fewer than IN_FLIGHT of its shape are under way, or none when answers were lost lately."""
        with self._changed:
            if create.state == QUEUED and self._in_flight(create, now):
                return False
            create.state, create.sent_at = SENDING, now
            return True

    def wait_turn(self, create: Create, clock: Callable[[], datetime], timeout: float = TURN_SECONDS) -> None:
        """Block until `create` may be sent (`take_turn`), or no create got further for `timeout`
        seconds (then it goes anyway: waiting its turn makes a lost answer clearer, never safer);
        it is under way then."""
        with self._changed:
            progress = -1
            while progress != self.progress:
                progress = self.progress
                if self._changed.wait_for(lambda: not self._in_flight(create, clock()), timeout):
                    break
        self.under_way(create, clock())

    def _in_flight(self, create: Create, now: datetime) -> bool:
        """True when `create` must wait for its turn: as many of its shape are under way as may be."""
        careful = self._careful_until.get(create.signature)
        room = 1 if careful is not None and now < careful else IN_FLIGHT
        under_way = sum(
            1
            for c in self._creates
            if c is not create and c.signature == create.signature and c.state in (SENDING, SEARCHING)
        )
        return under_way >= room

    def under_way(self, create: Create, now: datetime) -> None:
        """It is sent from `now` whatever its turn: once more after its search proved it made no job
        (still in its turn), or after waiting for its turn as long as it may."""
        with self._changed:
            create.state, create.sent_at, create.listed_at = SENDING, now, None

    # -- how it ends -------------------------------------------------------------------------

    def lost(self, create: Create, now: datetime) -> None:
        """Its answer is lost: it searches the listing now, and its shape goes one at a time."""
        with self._changed:
            self._careful_until[create.signature] = now + timedelta(seconds=CAREFUL_SECONDS)
        self._end(create, SEARCHING)

    def ended(self, create: Create, job_id: str | None, now: datetime) -> None:
        """Its job is known (`job_id`), or surely not made (None)."""
        self._end(create, MADE if job_id else NOT_MADE, job_id, now)

    def unsure(self, create: Create, now: datetime) -> None:
        """It ended without knowing its job (JobMayExistError, Ctrl-C): that job may still exist."""
        self._end(create, UNSURE, None, now)

    def _end(
        self, create: Create, state: str, job_id: str | None = None, at: datetime | None = None
    ) -> None:
        with self._changed:
            if state == NOT_MADE and create in self._creates:
                self._creates.remove(create)
            create.state, create.job_id, create.ended_at = state, job_id, at
            self.progress += 1
            self._changed.notify_all()

    # -- what a lost create may claim --------------------------------------------------------

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

    def listed(self, create: Create, job_ids: Iterable[str], now: datetime) -> None:
        """`create`'s search (settled: its job, if made, is among them) listed these jobs at `now`:
        none of them is the job of a create sent later."""
        with self._changed:
            create.listed_at = now
            for job_id in job_ids:
                self._listed.setdefault(job_id, now)

    def not_its_job(self, create: Create) -> set[str]:
        """The jobs that cannot be `create`'s: made by another create of this process, or listed
        before `create` was last sent."""
        with self._changed:
            made = {c.job_id for c in self._creates if c.job_id is not None}
            sent = create.sent_at
            earlier = {job_id for job_id, at in self._listed.items() if sent is not None and at < sent}
            return made | earlier

    def rivals(self, create: Create, before: int) -> int:
        """The other creates of the same signature that may have made a job `create`'s listing
        shows: under way and started before the listing was read (`before`: `started()` then), or
        ended unsure with a job not listed before `create` was sent (see `_unsure_rival`)."""
        with self._changed:
            return sum(
                1
                for c in self._creates
                if c is not create
                and c.signature == create.signature
                and (
                    (c.state in (SENDING, SEARCHING) and c.number <= before)
                    or (c.state == UNSURE and _unsure_rival(c, create))
                )
            )


def _unsure_rival(unsure: Create, create: Create) -> bool:
    """An unsure create's job may be taken for `create`'s: its search listed it (if made) only at
    or after `create` was sent, or it never searched and ended recently enough to be listed."""
    sent = create.sent_at
    if sent is None or unsure.ended_at is None:
        return False
    if unsure.listed_at is not None:
        return unsure.listed_at >= sent
    return _may_matter(unsure.ended_at, sent)


def _may_matter(ended_at: datetime, now: datetime) -> bool:
    # a job is stamped by the server before its create ends (its clock up to CLOCK_SKEW ahead);
    # a create starting now looks back to now - CLOCK_SKEW
    return ended_at + CLOCK_SKEW >= now - CLOCK_SKEW
