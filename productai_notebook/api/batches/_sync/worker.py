# Generated from ../_async/worker.py by scripts/unasync.py: edit that file, not this one.
"""A batch's worker: the steps `BatchCore` decides, carried out one after another. Written once for
asyncio (a task on the running loop); the blocking twin (a thread) is generated (scripts/unasync.py)."""

from __future__ import annotations

from datetime import datetime, timezone

from ..._reconcile import PAGE_SIZE
from ..core import FETCH, FOLLOW_SECONDS, RECONCILE, BatchCore, pause
from ..entries import BatchEntry


class BatchWorker(BatchCore):
    """`BatchCore` with the worker that carries out its steps."""

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
