# Generated from ../_async/worker.py by scripts/unasync.py: edit that file, not this one.
"""A batch's worker (the steps `BatchCore` decides, carried out one after another) and the wait on
its jobs. Written once for asyncio (a task on the running loop); the blocking twin (a thread) is
generated (scripts/unasync.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from ..._reconcile import PAGE_SIZE
from ..._wakeups import Wakeup
from ..core import (
    FETCH,
    FOLLOW_SECONDS,
    RECONCILE,
    WAIT_SLICE_SECONDS,
    BatchCore,
    BatchTimeoutError,
    pause,
)
from ..entries import BatchEntry


class BatchWorker(BatchCore):
    """`BatchCore` with the worker that carries out its steps, and the wait on its jobs."""

    def _work(self) -> None:
        try:
            self._steps()
        except Exception:
            self._stopped()

    def _steps(self) -> None:
        client = self.client
        while (step := self._next_step()) is not None:
            kind, entry = step
            if entry is None:  # WAIT: another worker sends
                pause(FOLLOW_SECONDS)
                self._follow_manifest()
                continue
            try:
                if kind == FETCH:
                    self._attach(entry, client.jobs.get(entry.job_id))
                    self._notify()
                elif kind == RECONCILE:
                    self._reconcile(entry)
                else:
                    self._created(entry, client.generate(**self._request(entry)))
            except Exception as error:  # never a silent end of the worker: the entry says what happened
                self._step_failed(kind, entry, error)

    def _reconcile(self, entry: BatchEntry) -> None:
        grace_left = (self._reconcile_at(entry) - datetime.now(timezone.utc)).total_seconds()
        if grace_left > 0:
            pause(grace_left)
        search = self._search(entry)
        pages = []
        while search.next_offset is not None:
            page = self.client.jobs.list(limit=PAGE_SIZE, offset=search.next_offset)
            pages.append(page)
            search.take(page)
        self._reconciled(entry, search, pages)

    def as_completed(self, timeout: float | None = None) -> Iterator[Any]:
        """Yield each job as it ends (completed or failed), until every entry has ended."""
        alarm = Wakeup()
        deadline = None if timeout is None else alarm.now() + timeout
        seen: set[int] = set()
        with self._changed:
            self._wakers.append(alarm.ring)
        try:
            while True:
                alarm.reset()  # before reading: a change after this wakes the next look
                for job in self._newly_ended(seen):
                    yield job
                if len(seen) == len(self.entries):
                    return
                left = None if deadline is None else deadline - alarm.now()
                if left is not None and left <= 0:
                    raise BatchTimeoutError(self.name, self._unfinished(), len(self), timeout or 0)
                alarm.sleep(WAIT_SLICE_SECONDS if left is None else min(WAIT_SLICE_SECONDS, left))
        finally:
            with self._changed:
                self._wakers.remove(alarm.ring)
