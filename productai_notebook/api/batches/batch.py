"""`Batch`: a batch of a `ProductAI` client; its worker is a thread of its own."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ._sync.worker import BatchWorker
from .entries import BatchEntry


class Batch(BatchWorker):
    """A batch of jobs of a `ProductAI` client: `wait()`, `as_completed()`, `retry_failed()`, `export()`."""

    def _start(self) -> None:
        if self._start_working():
            threading.Thread(target=self._work, name=f"productai-batch-{self.name}", daemon=True).start()

    def wait(self, timeout: float | None = None) -> Batch:
        """Wait until every job has ended (failed ones too: see `batch.failed`); BatchTimeoutError
        after `timeout` seconds. Returns the batch."""
        for _ in self.as_completed(timeout=timeout):
            pass
        return self

    def retry_failed(self) -> list[BatchEntry]:
        """Send again the creates that surely made no job; a lost one (it may have made one) stays
        listed with its candidates. Returns the entries sent again."""
        again = self._retry()
        self._start()
        return again

    def export(
        self, folder: str | Path, *, winners_only: bool = True, name: str = "{job_id}_{n}"
    ) -> list[Path]:
        """Save the images (the picked ones, or all with `winners_only=False`) into `folder`, named
        by `name` (`{prompt}` `{model}` `{input}` `{job_id}` `{n}`, made safe for file systems), with
        manifest.csv and manifest.json; returns the image files written."""
        from .export import export

        return export(self, Path(folder), winners_only=winners_only, pattern=name)

    @classmethod
    def open(cls, name: str, client: Any, *, batch_dir: str | Path | None = None) -> Batch:
        """The batch named `name` from its manifest: its jobs read again, creates never sent sent now,
        one that was in flight looked for (never sent twice)."""
        from .making import open_batch

        batch = open_batch(client, name, batch_dir)
        if not isinstance(batch, Batch):
            raise TypeError("Batch.open takes a ProductAI; for AsyncProductAI, await AsyncBatch.open(...)")
        return batch
