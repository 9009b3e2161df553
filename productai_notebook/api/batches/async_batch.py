"""`AsyncBatch`: a batch of an `AsyncProductAI` client; its worker is a task on the running loop."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ._async.worker import AsyncBatchWorker
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
