"""What `create_job` (`_async/create.py`, and its generated blocking twin) shares: how a create
waits, blocking or awaited, and what it makes of a search. The decisions, and why they hold on a
real service, are `_lost_creates`'s; these only carry them out."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

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

__all__ = ["Creates", "CreateWaits", "AsyncCreateWaits", "PAGE_SIZE"]

PAGE_SIZE = 100
#: the first send, and one more when the first surely made no job
SENDS = 2
#: a search whose listing fails (an odd answer the client does not retry) is tried this many
#: times: reading is safe, and a search that cannot list leaves the create in doubt
LISTING_TRIES = 3
LISTING_PAUSE_SECONDS = 0.5
#: how often an asyncio create looks again whether the creates it waits for got their answers
RIVALS_POLL_SECONDS = 0.05


class CreateWaits:
    """How a blocking create waits: on the ledger's own condition, and asleep."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def turn(self, creates: Creates, create: Create) -> None:
        """Until `create` may be sent (see `Creates.wait_turn`); it is under way then."""
        creates.wait_turn(create, utc_now)

    def sending_ended(self, creates: Creates, create: Create, before: int, timeout: float) -> None:
        """Until the creates sent before `create` (the first `before`) got their answers, or `timeout`."""
        creates.wait_for_sending(create, before, timeout)


class AsyncCreateWaits:
    """How an asyncio create waits, on the running loop: it looks at the ledger every little while
    (the creates it waits for may be other threads' too: no asyncio.Event can tell when they end)."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()

    def now(self) -> float:
        return self._loop.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def turn(self, creates: Creates, create: Create) -> None:
        """Until `create` may be sent (see `Creates.wait_turn`); it is under way then."""
        progress, turn_by = creates.progress, self.now() + TURN_SECONDS
        while not creates.take_turn(create, utc_now()):
            if progress != creates.progress:  # the creates ahead move on: it waits on
                progress, turn_by = creates.progress, self.now() + TURN_SECONDS
            if self.now() >= turn_by:
                creates.under_way(create, utc_now())
                return
            await asyncio.sleep(RIVALS_POLL_SECONDS)

    async def sending_ended(self, creates: Creates, create: Create, before: int, timeout: float) -> None:
        """Until the creates sent before `create` (the first `before`) got their answers, or `timeout`."""
        until = self.now() + timeout
        while creates.sending(create, before) and self.now() < until:  # noqa: ASYNC110
            await asyncio.sleep(RIVALS_POLL_SECONDS)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def sent_at(create: Create) -> datetime:
    return create.sent_at or utc_now()


def patience(client: ProductAI | AsyncProductAI) -> float:
    """How long a lost create waits for the answers of the creates sent before it: its read timeout."""
    read = client.settings.timeout.read
    return read if read is not None else 60.0


def settle(client: ProductAI | AsyncProductAI, lost: ProductAIError) -> float:
    return settle_seconds(lost, patience(client))


def found(
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
        return created(client, creates, create, found)
    if sends >= SENDS:
        creates.ended(create, None, utc_now())
        raise lost
    creates.under_way(create, utc_now())
    return None


def created(
    client: ProductAI | AsyncProductAI, creates: Creates, create: Create, state: JobState
) -> JobState:
    creates.ended(create, state.job_id, utc_now())
    client.note_created(state.job_id)
    return state


def ended_without_job(creates: Creates, create: Create, error: BaseException) -> None:
    never_sent = create.state == QUEUED
    refused = create.state == SENDING and isinstance(error, ProductAIError) and not answer_was_lost(error)
    if never_sent or refused:
        creates.ended(create, None, utc_now())
    elif create.state in (SENDING, SEARCHING):
        creates.unsure(create, utc_now())
