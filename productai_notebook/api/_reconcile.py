"""`POST /generate` with its lost answers resolved: the job found among the newest jobs, or the
create sent again once when it surely made none (the decisions, and why they hold on a real
service, are `_lost_creates`'s; this module only carries them out, blocking or awaited)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ._http import RequestSpec
from ._lost_creates import (
    QUEUED,
    SEARCHING,
    SENDING,
    TURN_SECONDS,
    Create,
    Creates,
    LostCreate,
    answer_was_lost,
    settle_seconds,
)
from .errors import ProductAIError
from .models import JobState

if TYPE_CHECKING:
    from .client import AsyncProductAI, ProductAI

__all__ = ["Creates", "create_job", "create_job_async"]

PAGE_SIZE = 100
#: the first send, and one more when the first surely made no job
SENDS = 2
#: a search whose listing fails (an odd answer the client does not retry) is tried this many
#: times: reading is safe, and a search that cannot list leaves the create in doubt
LISTING_TRIES = 3
LISTING_PAUSE_SECONDS = 0.5
#: how often an asyncio create looks again whether the creates it waits for got their answers
RIVALS_POLL_SECONDS = 0.05


def create_job(client: ProductAI, spec: RequestSpec) -> JobState:
    """`POST /generate`; when its answer is lost, the job it made, found among the newest jobs, or
    (when it surely made none) the answer to a second send."""
    creates = client.creates
    create = creates.start(spec.json, _now())
    try:
        creates.wait_turn(create, _now)
        sends = 0
        while True:
            sends += 1
            try:
                return _created(client, creates, create, JobState.parse(client.call(spec)))
            except ProductAIError as error:
                if not answer_was_lost(error):
                    raise
                lost, seen = error, time.monotonic()
            creates.lost(create, _now())
            creates.wait_for_sending(create, creates.started(), _patience(client))
            time.sleep(max(0.0, seen + _settle(client, lost) - time.monotonic()))
            search = _search(client, creates, create, spec, lost)
            found = _found(client, creates, create, search, lost, sends)
            if found is not None:
                return found
    except BaseException as error:
        _ended_without_job(creates, create, error)
        raise


def _search(
    client: ProductAI, creates: Creates, create: Create, spec: RequestSpec, lost: ProductAIError
) -> LostCreate:
    tries = 0
    while True:
        search = LostCreate(spec.json, _sent_at(create))
        try:
            while search.next_offset is not None:
                search.take(client.jobs.list(limit=PAGE_SIZE, offset=search.next_offset))
        except ProductAIError as listing:
            tries += 1
            if tries >= LISTING_TRIES:
                search.listing_failed(lost, listing)
            time.sleep(LISTING_PAUSE_SECONDS)
            continue
        creates.listed(create, search.listed, _now())
        return search


async def create_job_async(client: AsyncProductAI, spec: RequestSpec) -> JobState:
    """`create_job` for the async client."""
    creates = client.creates
    create = creates.start(spec.json, _now())
    loop = asyncio.get_running_loop()
    try:
        # the creates waited for may be other threads' too: no asyncio.Event can tell when they end
        progress, turn_by = creates.progress, loop.time() + TURN_SECONDS
        while not creates.take_turn(create, _now()):
            if progress != creates.progress:  # the creates ahead move on: it waits on
                progress, turn_by = creates.progress, loop.time() + TURN_SECONDS
            if loop.time() >= turn_by:
                creates.under_way(create, _now())
                break
            await asyncio.sleep(RIVALS_POLL_SECONDS)
        sends = 0
        while True:
            sends += 1
            try:
                return _created(client, creates, create, JobState.parse(await client.call(spec)))
            except ProductAIError as error:
                if not answer_was_lost(error):
                    raise
                lost, seen = error, loop.time()
            creates.lost(create, _now())
            before, patience = creates.started(), loop.time() + _patience(client)
            while creates.sending(create, before) and loop.time() < patience:  # noqa: ASYNC110
                await asyncio.sleep(RIVALS_POLL_SECONDS)
            await asyncio.sleep(max(0.0, seen + _settle(client, lost) - loop.time()))
            search = await _search_async(client, creates, create, spec, lost)
            found = _found(client, creates, create, search, lost, sends)
            if found is not None:
                return found
    except BaseException as error:
        _ended_without_job(creates, create, error)
        raise


async def _search_async(
    client: AsyncProductAI, creates: Creates, create: Create, spec: RequestSpec, lost: ProductAIError
) -> LostCreate:
    tries = 0
    while True:
        search = LostCreate(spec.json, _sent_at(create))
        try:
            while search.next_offset is not None:
                search.take(await client.jobs.list(limit=PAGE_SIZE, offset=search.next_offset))
        except ProductAIError as listing:
            tries += 1
            if tries >= LISTING_TRIES:
                search.listing_failed(lost, listing)
            await asyncio.sleep(LISTING_PAUSE_SECONDS)
            continue
        creates.listed(create, search.listed, _now())
        return search


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _sent_at(create: Create) -> datetime:
    return create.sent_at or _now()


def _patience(client: ProductAI | AsyncProductAI) -> float:
    """How long a lost create waits for the answers of the creates sent before it: its read timeout."""
    read = client.settings.timeout.read
    return read if read is not None else 60.0


def _settle(client: ProductAI | AsyncProductAI, lost: ProductAIError) -> float:
    return settle_seconds(lost, _patience(client))


def _found(
    client: ProductAI | AsyncProductAI,
    creates: Creates,
    create: Create,
    search: LostCreate,
    lost: ProductAIError,
    sends: int,
) -> JobState | None:
    """The job the search found; None when the create made none and may go once more (it is under
    way again then); else the error: JobMayExistError with the candidates, or (a second send that
    surely made none either) the lost answer's own, which is safe to act on."""
    before = creates.started()  # a create started after the listing was read made none of its jobs
    not_its = client.known_job_ids() | creates.not_its_job(create)
    found = search.outcome(lost, not_its, creates.rivals(create, before))
    if found is not None:
        return _created(client, creates, create, found)
    if sends >= SENDS:
        creates.ended(create, None, _now())
        raise lost
    creates.under_way(create, _now())
    return None


def _created(
    client: ProductAI | AsyncProductAI, creates: Creates, create: Create, state: JobState
) -> JobState:
    creates.ended(create, state.job_id, _now())
    client.note_created(state.job_id)
    return state


def _ended_without_job(creates: Creates, create: Create, error: BaseException) -> None:
    never_sent = create.state == QUEUED
    refused = create.state == SENDING and isinstance(error, ProductAIError) and not answer_was_lost(error)
    if never_sent or refused:
        creates.ended(create, None, _now())
    elif create.state in (SENDING, SEARCHING):
        creates.unsure(create, _now())
