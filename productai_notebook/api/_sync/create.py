# Generated from ../_async/create.py by scripts/unasync.py: edit that file, not this one.
"""`POST /generate` with its lost answers resolved: the job found among the newest jobs, or the
create sent again once when it surely made none. Written once for asyncio; the blocking twin is
generated from it (scripts/unasync.py): only their waits differ (`.._reconcile.CreateWaits`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _reconcile
from .._http import RequestSpec
from .._lost_creates import Create, Creates, LostCreate, answer_was_lost
from .._reconcile import (
    LISTING_TRIES,
    PAGE_SIZE,
    CreateWaits,
    created,
    ended_without_job,
    found,
    patience,
    sent_at,
    settle,
    utc_now,
)
from ..errors import ProductAIError
from ..models import JobState

if TYPE_CHECKING:
    from ..client import ProductAI


def create_job(client: ProductAI, spec: RequestSpec) -> JobState:
    """`POST /generate`; when its answer is lost, the job it made, found among the newest jobs, or
    (when it surely made none) the answer to a second send."""
    waits = CreateWaits()
    creates = client.creates
    create = creates.start(spec.json, utc_now())
    try:
        waits.turn(creates, create)
        sends = 0
        while True:
            sends += 1
            try:
                return created(client, creates, create, JobState.parse(client.call(spec)))
            except ProductAIError as error:
                if not answer_was_lost(error):
                    raise
                lost, seen = error, waits.now()
            creates.lost(create, utc_now())
            waits.sending_ended(creates, create, creates.started(), patience(client))
            waits.sleep(max(0.0, seen + settle(client, lost) - waits.now()))
            search = _search(client, creates, create, spec, lost, waits)
            job = found(client, creates, create, search, lost, sends)
            if job is not None:
                return job
    except BaseException as error:
        ended_without_job(creates, create, error)
        raise


def _search(
    client: ProductAI,
    creates: Creates,
    create: Create,
    spec: RequestSpec,
    lost: ProductAIError,
    waits: CreateWaits,
) -> LostCreate:
    tries = 0
    while True:
        search = LostCreate(spec.json, sent_at(create))
        try:
            while search.next_offset is not None:
                search.take(client.jobs.list(limit=PAGE_SIZE, offset=search.next_offset))
        except ProductAIError as listing:
            tries += 1
            if tries >= LISTING_TRIES:
                search.listing_failed(lost, listing)
            waits.sleep(_reconcile.LISTING_PAUSE_SECONDS)  # looked up at each pause
            continue
        creates.listed(create, search.listed, utc_now())
        return search
