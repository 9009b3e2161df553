"""Coalescing throttle: at most one delivery per interval, the latest value always delivered last.

Widgets are updated from whatever thread applied a job's new state (the tracker's I/O thread,
or the kernel's while a cell waits); a fast job must not flood the comm, yet its final
state must never be lost. So a burst sends its first value at once, remembers only the
latest of the rest, and the process's timer thread flushes that one when the interval is over.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from ._timers import Scheduled, Timers, process_timers

T = TypeVar("T")
_NOTHING = object()


class Throttle(Generic[T]):
    """Calls `deliver(value)` at most once per `interval` seconds, coalescing to the latest value.

    Seconds are those of `timers`' clock (the process's timers by default), which flushes late values.
    """

    def __init__(
        self, deliver: Callable[[T], None], interval: float = 0.25, *, timers: Timers | None = None
    ) -> None:
        self._deliver = deliver
        self._interval = interval
        self._timers = timers or process_timers()
        # Held while delivering too, so two threads can never deliver out of order.
        self._lock = threading.RLock()
        self._pending: object = _NOTHING
        self._last_sent = float("-inf")
        self._timer: Scheduled | None = None
        self._closed = False

    def submit(self, value: T) -> None:
        """Deliver `value` now if the interval has passed, else as the trailing update."""
        with self._lock:
            if self._closed:
                return
            now = self._timers.now()
            wait = self._last_sent + self._interval - now
            if wait > 0 or self._timer is not None:
                self._pending = value
                if self._timer is None:
                    self._timer = self._timers.call_later(wait, self.flush)
                return
            self._last_sent = now
            self._deliver(value)

    def flush(self) -> None:
        """Deliver the pending value now, if any (the timer's job; also for a final state)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            value, self._pending = self._pending, _NOTHING
            if value is _NOTHING or self._closed:
                return
            self._last_sent = self._timers.now()
            self._deliver(value)  # type: ignore[arg-type]

    def close(self) -> None:
        """Drop any pending value and stop the timer: nothing is delivered afterwards."""
        with self._lock:
            self._closed = True
            self._pending = _NOTHING
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
