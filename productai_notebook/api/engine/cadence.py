"""When to read an unfinished job next: an adaptive cadence inside a band of intervals (`poll_interval=`).

The Jobs page recommends polling every 2-5 s. Within that band a job is read near its expected
finish: from the observed progress rate once progress moves, else from the job's
`estimated_time_seconds`. A status we do not know backs off toward the band's top.
"""

from __future__ import annotations

import math

from ...contract import POLL_INTERVAL_MAX, POLL_INTERVAL_MIN, STATUSES
from ..errors import InvalidArgumentError
from ..models import JobState

DEFAULT_BAND = (POLL_INTERVAL_MIN, POLL_INTERVAL_MAX)
DEFAULT_WAIT_TIMEOUT = 600.0

PollInterval = float | tuple[float, float] | None


def poll_band(poll_interval: PollInterval) -> tuple[float, float]:
    """A fixed interval `x` is the band (x, x); None is the documented 2-5 s."""
    if poll_interval is None:
        return DEFAULT_BAND
    band = poll_interval if isinstance(poll_interval, tuple) else (poll_interval, poll_interval)
    if len(band) != 2 or not all(_seconds(bound) for bound in band) or not band[0] <= band[1]:
        raise InvalidArgumentError(
            "poll_interval",
            f"must be positive seconds, or a (low, high) pair with low <= high, got {poll_interval!r}",
        )
    return float(band[0]), float(band[1])


def _seconds(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


class Cadence:
    """Remembers what one job looked like over time and proposes the next read's delay."""

    def __init__(self, poll_interval: PollInterval = None) -> None:
        self.low, self.high = poll_band(poll_interval)
        self._first: tuple[float, int] | None = None  # (time, progress) when progress was first seen moving
        self._last: tuple[float, int] | None = None
        self._seen_since: float | None = None
        self._unknown_streak = 0

    def observe(self, state: JobState, now: float) -> None:
        """Record a fresh state, seen at monotonic time `now`."""
        if self._seen_since is None:
            self._seen_since = now
        self._unknown_streak = self._unknown_streak + 1 if state.status not in STATUSES else 0
        if state.progress > 0 and self._first is None:
            self._first = (now, state.progress)
        self._last = (now, state.progress)

    def next_delay(self, state: JobState, now: float) -> float:
        """Seconds until its next read, within the band."""
        return min(self.high, max(self.low, self.expected_finish(state, now) - now))

    def expected_finish(self, state: JobState, now: float) -> float:
        """The monotonic time this job should next have news (`now` stands in before any look).

        From the progress rate once progress moves, else from `estimated_time_seconds`, else
        mid-band; an unknown status backs off. A job past its expected finish is due any
        moment, so it is expected one short interval after the last look, not in the past.
        """
        last_seen = self._last[0] if self._last else now
        if self._unknown_streak:
            return last_seen + min(self.high, self.low * 2.0 ** (self._unknown_streak - 1))
        finish = self._finish_by_progress()
        if finish is None:
            finish = self._finish_by_estimate(state)
        if finish is None:
            return last_seen + (self.low + self.high) / 2
        return max(finish, last_seen + self.low)

    def _finish_by_progress(self) -> float | None:
        if self._first and self._last and self._last[1] > self._first[1] and self._last[0] > self._first[0]:
            rate = (self._last[1] - self._first[1]) / (self._last[0] - self._first[0])
            return self._last[0] + (100 - self._last[1]) / rate
        return None

    def _finish_by_estimate(self, state: JobState) -> float | None:
        if state.estimated_time_seconds is not None and self._seen_since is not None:
            return self._seen_since + state.estimated_time_seconds
        return None
