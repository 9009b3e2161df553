"""Widgets' listing rounds before reads of ends they already show, while the budget is scarce. No I/O.

A widget learns that its job ended from a listing round (one `GET /v1/jobs` for every followed
job); the listed summary shows the end at once ("Completed: loading its images"), and the job's
own read (`GET /v1/jobs/{id}`) brings only its images. When a batch's creates fill most of the
window, a read sent now holds its slot for a whole window: spending the last slots on reads stops
the rounds, and every job ending meanwhile looks running until the window frees. So, while
widgets show jobs that still run, a read of a job whose end a widget already shows goes only if
the rounds planned until the last shown job's expected end still find their slots; the others
wait until the slots free or the shown jobs have ended, one window at most (so jobs created
without pause never keep another job's images away for good). A wait (a script's `as_completed`,
a cell's `wait`) holds its job for the result, not the status: its read never waits behind listings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class WantedRead:
    """A job's own read, due now."""

    job_id: str
    end_shown: bool  # a listing's summary of its end is on its handle (a widget shows it ended)
    waited_on: bool  # a wait holds the job for its result (not only widgets)
    held_long: bool = False  # it already waited behind rounds as long as it may (a window)

    @property
    def behind_listings(self) -> bool:
        """Only its images are missing, and only widgets want them: the rounds may go first."""
        return self.end_shown and not self.waited_on and not self.held_long


def listing_rounds(
    next_round: float, last_expected_end: float | None, interval: float, horizon: float
) -> list[float]:
    """When the widgets' rounds will go: from the next one, every `interval`, up to the first at or
    past the last shown running job's expected end (None: no shown job runs, no round is needed),
    and none past `horizon` (one window ahead: later rounds find the slots today's use frees)."""
    if last_expected_end is None:
        return []
    rounds = []
    at = next_round
    while at < horizon:
        rounds.append(at)
        if at >= last_expected_end:
            break
        at += interval
    return rounds


def reads_that_go(wanted: Sequence[WantedRead], spare: float) -> list[WantedRead]:
    """The reads to send now: every one a wait holds or whose end is not shown yet, and of those
    that may wait behind listings as many as the `spare` slots allow, in the order given."""
    going = []
    for read in wanted:
        if read.behind_listings:
            if spare < 1:
                continue
            spare -= 1
        going.append(read)
    return going
