"""Calls made later, all on one timer thread: a throttled widget update, the end of a wait for thumbnails.

A `threading.Timer` each would start a thread per update or per view: thousands for a large batch.
`Timers` keeps the calls in a heap and runs each once its time on its clock has come; the decisions
(what is due, how long until the next) take the clock's time, so tests drive them on a clock of their
own with `run_due()`. `process_timers()` is the process's one instance, run by one daemon thread.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

_log = logging.getLogger(__name__)
# an idle timer thread still wakes this often: no wait of it lasts without a deadline
IDLE_WAKE_SECONDS = 60.0


class Scheduled:
    """One call waiting for its time; `cancel()` keeps it from running if it has not started."""

    def __init__(self, when: float, call: Callable[[], object]) -> None:
        self.when = when
        self._call: Callable[[], object] | None = call

    def cancel(self) -> None:
        self._call = None

    @property
    def cancelled(self) -> bool:
        return self._call is None

    def _run(self) -> None:
        call, self._call = self._call, None
        if call is not None:
            call()


class Timers:
    """Calls to make at times of `clock`, earliest first; the same time runs in the order asked."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.now = clock
        self._changed = threading.Condition()
        self._heap: list[tuple[float, int, Scheduled]] = []
        self._order = itertools.count()

    def call_later(self, delay: float, call: Callable[[], object]) -> Scheduled:
        """Run `call()` once `delay` seconds of the clock have passed (at once if `delay` <= 0)."""
        scheduled = Scheduled(self.now() + max(delay, 0.0), call)
        with self._changed:
            heapq.heappush(self._heap, (scheduled.when, next(self._order), scheduled))
            self._changed.notify()  # the thread may be sleeping until a later call
        return scheduled

    def run_due(self) -> None:
        """Run every call whose time has come, on this thread; one that raises is logged, not fatal."""
        for scheduled in self._take_due():
            try:
                scheduled._run()
            except (Exception, SystemExit):  # a SystemExit would end the thread every later call waits on
                _log.exception("a scheduled call failed")

    def seconds_to_next(self) -> float | None:
        """How long until the next call is due (0 if one is), or None when none is waiting."""
        with self._changed:
            return self._seconds_to_next()

    def run_forever(self) -> None:
        """The timer thread: run what is due, then sleep until the next call or a new earlier one."""
        while True:
            self.run_due()
            with self._changed:
                wait = self._seconds_to_next()
                if wait is None or wait > 0:
                    self._changed.wait(IDLE_WAKE_SECONDS if wait is None else min(wait, IDLE_WAKE_SECONDS))

    def _take_due(self) -> list[Scheduled]:
        now = self.now()
        due = []
        with self._changed:
            while self._heap and self._heap[0][0] <= now:
                due.append(heapq.heappop(self._heap)[2])
        return [scheduled for scheduled in due if not scheduled.cancelled]

    def _seconds_to_next(self) -> float | None:
        while self._heap and self._heap[0][2].cancelled:  # cancelled calls leave without waking anyone
            heapq.heappop(self._heap)
        return max(self._heap[0][0] - self.now(), 0.0) if self._heap else None


_process_timers = Timers()
_thread: threading.Thread | None = None
_start = threading.Lock()


def process_timers() -> Timers:
    """The process's timers, their thread started on first use (again in a forked child)."""
    global _thread
    with _start:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_process_timers.run_forever, name="productai-timers")
            _thread.daemon = True  # never keeps a finished script from ending
            _thread.start()
    return _process_timers
