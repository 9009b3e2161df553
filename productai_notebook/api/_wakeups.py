"""The alarm a wait sleeps on: the one place the blocking and the asyncio waits differ.

News is learned on another thread (the tracker's, a batch's worker); it rings the alarm, and the
wait wakes at once instead of at the end of its pause. The blocking alarm sleeps on a
`threading.Event` (in short slices the wait chooses, so Ctrl-C lands); the asyncio one awaits on its
own loop. Everything else of a wait (`client.jobs.as_completed`, `batch.as_completed`) is written
once for asyncio and generated for the blocking side.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time


class Wakeup:
    """A blocking wait's alarm: rung from any thread, slept on with a timeout."""

    def __init__(self) -> None:
        self._rung = threading.Event()

    def now(self) -> float:
        return time.monotonic()

    def ring(self) -> None:
        self._rung.set()

    def reset(self) -> None:
        self._rung.clear()

    def sleep(self, seconds: float) -> None:
        """Until rung, or `seconds` later."""
        self._rung.wait(seconds)


class AsyncWakeup:
    """An asyncio wait's alarm, on the running loop: rung from any thread, awaited with a timeout."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._rung = asyncio.Event()

    def now(self) -> float:
        return self._loop.time()

    def ring(self) -> None:
        # rung on the thread that learned the news (the tracker's, say): hop onto this loop
        with contextlib.suppress(RuntimeError):  # the loop closed after this wait was over
            self._loop.call_soon_threadsafe(self._rung.set)

    def reset(self) -> None:
        self._rung.clear()

    async def sleep(self, seconds: float) -> None:
        """Until rung, or `seconds` later."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._rung.wait(), seconds)
