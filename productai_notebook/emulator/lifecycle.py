"""A job's life as a function of time: no timers, so progress rises smoothly and a restart resumes.

A job is fixed when it is created (when it starts, when it ends, whether it fails); its status
and progress at any moment are computed from those timestamps and the clock.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from ..contract import COMPLETED, FAILED, PENDING, PROCESSING

# The share of a job's duration spent queued before it starts processing.
PENDING_SHARE = 0.1
# A job made to fail stops this far through its processing, so a demo sees it progress first.
FAIL_POINT = 0.4


@dataclass(frozen=True)
class Timeline:
    """When a job was created, starts processing and ends (completes or fails), in epoch seconds."""

    created_at: float
    started_at: float
    ends_at: float
    fails: bool


def job_duration(seed: int, seq: int, job_seconds: tuple[float, float]) -> float:
    """The nth job of an emulator with this seed always takes the same time."""
    low, high = job_seconds
    return low + (high - low) * random.Random(f"{seed}/{seq}").random()


def estimate_seconds(timeline: Timeline, seed: int, seq: int, error: float) -> int:
    """The estimate a new job is given: its true duration, or off by up to `error` of it either way
    (the same for the same job), to play a service whose estimates are rough."""
    true = timeline.ends_at - timeline.created_at
    factor = 1.0 + error * (2 * random.Random(f"{seed}/{seq}/estimate").random() - 1)
    return max(1, math.ceil(true * factor))


def plan_timeline(created_at: float, duration: float, fails: bool) -> Timeline:
    started_at = created_at + duration * PENDING_SHARE
    processing = duration - (started_at - created_at)
    ends_at = started_at + processing * (FAIL_POINT if fails else 1.0)
    return Timeline(created_at, started_at, ends_at, fails)


def status_at(timeline: Timeline, now: float) -> str:
    if now < timeline.started_at:
        return PENDING
    if now < timeline.ends_at:
        return PROCESSING
    return FAILED if timeline.fails else COMPLETED


def progress_at(timeline: Timeline, now: float) -> int:
    """0 while pending, 1-99 while processing (over the nominal duration), 100 once completed."""
    status = status_at(timeline, now)
    if status == PENDING:
        return 0
    if status == COMPLETED:
        return 100
    nominal_end = timeline.started_at + (timeline.ends_at - timeline.started_at) / (
        FAIL_POINT if timeline.fails else 1.0
    )
    share = (min(now, timeline.ends_at) - timeline.started_at) / (nominal_end - timeline.started_at)
    return min(99, max(1, 1 + int(98 * share)))
