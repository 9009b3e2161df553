"""`AsyncBatch`: a batch of an `AsyncProductAI` client; its worker is a task on the running loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from ._async.worker import AsyncBatchWorker
from .core import BatchTimeoutError
from .entries import BatchEntry


class AsyncBatch(AsyncBatchWorker):
    """A batch of jobs of an `AsyncProductAI` client: `await batch.wait()`, `async for job in
    batch.as_completed()`, `await batch.retry_failed()`, `await batch.export(...)`."""

    _task: asyncio.Task[None] | None = None

    def _start(self) -> None:
        if self._start_working():
            # (kept: the loop holds its tasks weakly)
            self._task = asyncio.get_running_loop().create_task(self._work())

    async def wait(self, timeout: float | None = None) -> AsyncBatch:
        """Wait until every job has ended (failed ones too: see `batch.failed`); BatchTimeoutError
        after `timeout` seconds. Returns the batch."""
        async for _ in self.as_completed(timeout=timeout):
            pass
        return self

    async def as_completed(self, timeout: float | None = None) -> AsyncIterator[Any]:
        """Yield each job as it ends (completed or failed), until every entry has ended."""
        loop = asyncio.get_running_loop()
        changed = asyncio.Event()

        def wake() -> None:
            loop.call_soon_threadsafe(changed.set)

        deadline = None if timeout is None else time.monotonic() + timeout
        seen: set[int] = set()
        with self._changed:
            self._wakers.append(wake)
        try:
            while True:
                changed.clear()  # before reading: a change after this wakes the next look
                for job in self._newly_ended(seen):
                    yield job
                if len(seen) == len(self.entries):
                    return
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise BatchTimeoutError(self.name, self._unfinished(), len(self), timeout or 0)
                try:
                    await asyncio.wait_for(changed.wait(), left)
                except asyncio.TimeoutError:
                    pass
        finally:
            with self._changed:
                self._wakers.remove(wake)

    async def retry_failed(self) -> list[BatchEntry]:
        """Send again the creates that surely made no job; a lost one (it may have made one) stays
        listed with its candidates. Returns the entries sent again."""
        again = self._retry()
        self._start()
        return again

    async def export(
        self, folder: str | Path, *, winners_only: bool = True, name: str = "{job_id}_{n}"
    ) -> list[Path]:
        """Save the images (the picked ones, or all with `winners_only=False`) into `folder`, named
        by `name` (`{prompt}` `{model}` `{input}` `{job_id}` `{n}`, made safe for file systems), with
        manifest.csv and manifest.json; returns the image files written."""
        from .export import export

        return await asyncio.to_thread(export, self, Path(folder), winners_only=winners_only, pattern=name)

    @classmethod
    async def open(cls, name: str, client: Any, *, batch_dir: str | Path | None = None) -> AsyncBatch:
        """The batch named `name` from its manifest: its jobs read again, creates never sent sent now,
        one that was in flight looked for (never sent twice)."""
        from .making import open_batch

        batch = open_batch(client, name, batch_dir)
        if not isinstance(batch, AsyncBatch):
            raise TypeError("AsyncBatch.open takes an AsyncProductAI client; for ProductAI: Batch.open(...)")
        return batch
