"""What `Batch` and `AsyncBatch` share: many jobs made together, their axes, their manifest, their picks.

A batch is made at once from its specs; one background worker per batch (a thread for the
blocking client, a task on the running loop for the asyncio one) then sends the creates one
after another through the client's own `generate`, which the account's engine paces. The
worker's decisions (what to do next, what an answer means) live here, in `BatchCore`; the worker
that carries them out is written once (`_async/worker.py`, its blocking twin generated).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ...contract import COMPLETED
from ...contract import FAILED as JOB_FAILED
from .._display import DisplayHook, Shown, set_hook
from .._lost_creates import LostCreate
from .._observers import Observers
from ..engine.tracker import get_tracker
from ..errors import APIConnectionError, InsufficientCreditsError, JobMayExistError, ProductAIError
from ..job import JobHandle
from ..models import JobImage, JobPage
from .entries import CREATED, FAILED, LOST, QUEUED, SENDING, BatchEntry
from .manifest import ManifestFile
from .specs import BatchInput

log = logging.getLogger("productai_notebook.api")

# The steps of a batch's worker, in the order it takes them; WAIT: another worker (another kernel,
# or another Batch of the same manifest) sends the creates, this one follows its manifest.
FETCH, RECONCILE, SEND, WAIT = "fetch", "reconcile", "send", "wait"
#: how often a worker that waits for another one reads the manifest again
FOLLOW_SECONDS = 1.0
#: the longest a wait on a batch sleeps at once: Ctrl-C stops a blocking one
WAIT_SLICE_SECONDS = 0.25
#: how long the lost create of a killed process is left to reach the server before it is looked for
RECONCILE_GRACE = timedelta(seconds=5)



def pause(seconds: float) -> None:
    """A blocking worker's pause (on an Event, not `time.sleep`: as every wait of the package)."""
    threading.Event().wait(seconds)


async def pause_async(seconds: float) -> None:
    """An asyncio worker's pause, on its loop."""
    await asyncio.sleep(seconds)


def set_batch_display_hook(hook: DisplayHook | None) -> None:
    """Register how a batch shows itself as a cell's result: `hook(batch)` -> a view of it."""
    set_hook("batch", hook)


class BatchTimeoutError(ProductAIError):
    """A batch's wait reached its deadline; the jobs go on."""

    def __init__(self, name: str, unfinished: int, total: int, timeout: float) -> None:
        self.unfinished = unfinished
        super().__init__(
            f"{unfinished} of {total} jobs of batch {name!r} had not ended after {timeout:g} s. "
            "They go on: wait again, or pass a larger timeout=."
        )


class BatchCore(Shown):
    """What `Batch` and `AsyncBatch` share: entries, axes, the manifest, observers, the worker's choices."""

    _shown_as = "batch"

    def __init__(
        self,
        client: Any,
        name: str,
        manifest: ManifestFile,
        inputs: list[BatchInput],
        entries: list[BatchEntry],
        created_at: datetime | None = None,
    ) -> None:
        self.client = client
        self.name = name
        self._manifest = manifest
        self._inputs = {image.label: image for image in inputs}
        self._input_order = [image.label for image in inputs]
        self.entries: list[BatchEntry] = entries
        self.created_at = created_at or datetime.now(timezone.utc)
        self._changed = threading.Condition()
        self._observers = Observers()
        self._wakers: list[Callable[[], None]] = []
        self._working = False
        self._index = {id(entry): n for n, entry in enumerate(entries)}  # (an entry's line in the journal)

    # -- what the user reads -------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        return self._manifest.path

    @property
    def axes(self) -> dict[str, list[Any]]:
        """The unique inputs (by label), prompts and models, in the order they were given."""
        specs = [entry.spec for entry in self.entries]
        return {
            "input": list(dict.fromkeys(spec.input_label for spec in specs)),
            "prompt": list(dict.fromkeys(spec.prompt for spec in specs)),
            "model": list(dict.fromkeys(spec.model for spec in specs)),
        }

    def __len__(self) -> int:
        """The number of jobs the batch will have."""
        return len(self.entries)

    def __iter__(self) -> Iterator[Any]:
        """The jobs made so far, in axis order (input, prompt, model)."""
        return iter([entry.job for entry in self.entries if entry.job is not None])

    @property
    def jobs(self) -> list[Any]:
        return list(self)

    @property
    def results(self) -> list[Any]:
        """The completed jobs, in axis order."""
        return [job for job in self if job.status == COMPLETED and not job.state.is_summary]

    @property
    def failed(self) -> list[BatchEntry]:
        """The entries that made no images: failed jobs (`entry.job.error`), failed or lost creates
        (`entry.error`; a lost one's `entry.candidates`)."""
        return [
            entry
            for entry in self.entries
            if entry.stage in (FAILED, LOST)
            or (entry.job is not None and entry.job.status == JOB_FAILED)
            or (entry.job is None and entry.error is not None)
        ]

    @property
    def credits_used(self) -> int:
        return sum(job.tokens_used or 0 for job in self)

    @property
    def done(self) -> bool:
        """Every entry ended: its job ended, or its create failed or was lost."""
        return all(entry.ended for entry in self.entries)

    @property
    def winners(self) -> list[tuple[Any, JobImage]]:
        """The picked images of every job, as `(job, image)`, in axis order then pick order."""
        return [(job, image) for job in self for image in job.selected]

    def counts(self) -> dict[str, int]:
        """How many entries are at each point: queued, sending, running, completed, failed, lost."""
        counts = dict.fromkeys(("queued", "sending", "running", "completed", "failed", "lost"), 0)
        for entry in self.entries:
            if entry.stage != CREATED:
                counts[entry.stage] += 1
            elif entry.job is None:
                counts["failed" if entry.error else "running"] += 1
            elif entry.job.status in (COMPLETED, JOB_FAILED):
                counts["completed" if entry.job.status == COMPLETED else "failed"] += 1
            else:
                counts["running"] += 1
        return counts

    def observe(self, callback: Callable[[Any], None]) -> Callable[[], None]:
        """Call `callback(batch)` after any change (an entry, a job's state, a pick); returns a stop."""
        return self._observers.add(callback)

    def to_dataframe(self) -> Any:
        """One row per job with its axes, stage, status, credits and picks (needs pandas)."""
        from .export import dataframe

        return dataframe(self)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {what}" for what, n in self.counts().items() if n)
        credits = self.credits_used
        return f"<{type(self).__name__} {self.name}: {len(self)} jobs ({counts}); {credits} credits>"

    # -- changes -------------------------------------------------------------------------

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()
            wakers = list(self._wakers)
        for wake in wakers:
            wake()
        self._observers.notify(self, f"batch {self.name}")

    def create_manifest(self) -> None:
        """Write the manifest of a batch just made; FileExistsError when another kernel made one of
        its name meanwhile (nothing is overwritten: that batch is joined instead)."""
        self._save(first=True)

    def resume(self) -> None:
        """Start the worker on what is left to do, when none runs (a thread, or a task on the loop)."""
        self._start()

    def _whole(self) -> dict[str, Any]:
        """The manifest as its header says it all (specs and states)."""
        with self._changed:
            return {
                "name": self.name,
                "created_at": self.created_at.isoformat(),
                "inputs": [self._inputs[label].to_dict() for label in self._input_order],
                "entries": [entry.to_dict() for entry in self.entries],
            }

    def _save(self, *changed: BatchEntry, first: bool = False) -> None:
        """Write the manifest: whole when `first`, else a journal line per entry in `changed`."""
        if first:
            self._manifest.create(self._whole())
            return
        # (under the batch's lock: two changes of one entry reach the file in the order they were made)
        with self._changed:
            lines = [{"entry": self._index[id(entry)], **entry.state()} for entry in changed]
            self._manifest.record(lines, self._whole)

    def _attach(self, entry: BatchEntry, job: JobHandle) -> None:
        """`job` is the entry's: follow it to its end, hear its changes and picks."""
        with self._changed:
            entry.job, entry.job_id, entry.stage, entry.error = job, job.id, CREATED, None
            entry.candidates = []
        if entry.saved_picks and not job.picks:
            job.set_picks(entry.saved_picks)  # picks made before a restart
        # (for the batch's life: the tracker lets an ended job go by itself)
        job.observe(lambda changed: self._on_job(entry, changed))
        get_tracker().follow(job)

    def _on_job(self, entry: BatchEntry, job: JobHandle) -> None:
        if job.picks != entry.saved_picks:
            entry.saved_picks = job.picks
            self._save(entry)
        self._notify()

    # -- the worker's decisions ----------------------------------------------------------

    def _start(self) -> None:
        """Start the worker when none runs and there is work (a thread, or a task on the loop)."""
        raise NotImplementedError

    def _next_step(self) -> tuple[str, BatchEntry | None] | None:
        """The worker's next step, or None (then it stops). A create to send is marked sending, and
        the manifest says so, before it goes: after a kill, it is looked for, never sent again.
        Only the worker holding the batch's sender lock sends or looks for lost creates."""
        sender = self._manifest.sender
        held_before = sender.held
        sending = sender.acquire()
        if sending and not held_before:
            # taken over from another worker: what it wrote last is the truth (never send twice)
            self._follow_manifest()
        with self._changed:
            step = self._choose(sending)
            if step is None:
                if not sending and any(e.stage in (QUEUED, SENDING) for e in self.entries):
                    return WAIT, None
                self._working = False
                if sending:
                    self._manifest.compact(self._whole)  # (the worker's end: the journal folded in)
                sender.release()
                return None
            kind, entry = step
            if kind == SEND:
                entry.stage, entry.sent_at = SENDING, datetime.now(timezone.utc)
        if kind == SEND:
            self._save(entry)
            self._notify()
        return step

    def _choose(self, sending: bool = True) -> tuple[str, BatchEntry] | None:
        # jobs to read again first (a restarted kernel shows them), then lost creates, then new ones
        steps = ((FETCH, _to_fetch), (RECONCILE, _to_reconcile), (SEND, _to_send))
        for kind, wanted in steps if sending else steps[:1]:
            entry = next((entry for entry in self.entries if wanted(entry)), None)
            if entry is not None:
                return kind, entry
        return None

    def _stopped(self) -> None:
        """The worker ended on an error of its own (a bug, a full disk): said, and startable again."""
        log.exception("the worker of batch %s stopped; retry_failed() starts it again", self.name)
        with self._changed:
            self._working = False
        self._manifest.sender.release()

    def _start_working(self) -> bool:
        """True when a worker should start (none runs and there is work)."""
        with self._changed:
            if self._working or self._choose() is None:
                return False
            self._working = True
            return True

    def _request(self, entry: BatchEntry) -> dict[str, Any]:
        """`generate`'s arguments for the entry."""
        spec, image = entry.spec, self._inputs[entry.spec.input_label]
        return {
            "model": spec.model,
            "image_url": image.image_url,
            "asset_id": image.asset_id,
            "prompt": spec.prompt,
            "preset_id": spec.preset_id,
            "num_images": spec.num_images,
            "aspect_ratio": spec.aspect_ratio,
            "webhook_url": spec.webhook_url,
        }

    def _create_failed(self, entry: BatchEntry, error: BaseException) -> None:
        if not isinstance(error, ProductAIError):
            log.error("a create of batch %s failed unexpectedly", self.name, exc_info=error)
            wrapped = ProductAIError(f"the create failed unexpectedly: {type(error).__name__}: {error}")
            wrapped.__cause__ = error
            error = wrapped
        assert isinstance(error, ProductAIError)
        with self._changed:
            # generate looks for the job of a create whose answer was lost: what it cannot settle
            # is JobMayExistError; any other error means the create surely made no job
            if isinstance(error, JobMayExistError):
                entry.stage, entry.candidates = LOST, [job.job_id for job in error.candidates]
            else:
                entry.stage = FAILED
            entry.error = error
            changed = [entry]
            if isinstance(error, InsufficientCreditsError):
                # every create after it would get the same 403: they fail now, unsent (retry_failed)
                for other in self.entries:
                    if other.stage == QUEUED:
                        other.stage, other.error = FAILED, error
                        changed.append(other)
        self._save(*changed)
        self._notify()

    def _step_failed(self, kind: str, entry: BatchEntry, error: Exception) -> None:
        """What a worker's step that raised leaves on its entry: a failed create, or a fetch's error."""
        if kind == SEND:
            self._create_failed(entry, error)
        elif isinstance(error, ProductAIError):
            self._fetch_failed(entry, error)
        else:
            self._fetch_failed(entry, ProductAIError(f"{type(error).__name__}: {error}"))

    def _created(self, entry: BatchEntry, job: JobHandle) -> None:
        self._attach(entry, job)
        self._save(entry)
        self._notify()

    def _fetch_failed(self, entry: BatchEntry, error: ProductAIError) -> None:
        with self._changed:
            entry.error = error
        self._notify()

    def _search(self, entry: BatchEntry) -> LostCreate:
        body = {"model": entry.spec.model, "num_images": entry.spec.num_images}
        return LostCreate(body, entry.sent_at or datetime.now(timezone.utc))

    def _reconcile_at(self, entry: BatchEntry) -> datetime:
        return (entry.sent_at or datetime.now(timezone.utc)) + RECONCILE_GRACE

    def _reconciled(self, entry: BatchEntry, search: LostCreate, pages: list[JobPage]) -> None:
        """A create marked sent when its process stopped, looked for among the newest jobs: exactly
        one unknown job could be it -> that job; none, in a complete search -> it made none and is
        sent now; else lost, with its candidates. `pages`: what `search` took."""
        known = {e.job_id for e in self.entries if e.job_id} | {job.id for job in self}
        lost = APIConnectionError("the process that sent this create stopped before its answer came")
        with self._changed:
            try:
                found = search.outcome(lost, known)
            except JobMayExistError as error:
                entry.stage, entry.error = LOST, error
                entry.candidates = [job.job_id for job in error.candidates]
            else:
                if found is None:  # no unclaimed job could be it, in a whole search: it made none
                    entry.stage, entry.sent_at = QUEUED, None
                else:
                    entry.stage, entry.job_id = CREATED, found.job_id
        self._save(entry)
        self._notify()

    def _follow_manifest(self) -> None:
        """What the worker that sends this batch's creates wrote: its stages and job ids."""
        try:
            written = self._manifest.read()["entries"]
            news = [BatchEntry.from_dict(entry) for entry in written]
        except (OSError, ProductAIError, KeyError, TypeError, ValueError):
            return  # a moment of trouble reading it: the next look will do
        changed = False
        with self._changed:
            if len(news) != len(self.entries):
                return
            for entry, now in zip(self.entries, news, strict=True):
                if entry.job is None and (entry.stage, entry.job_id) != (now.stage, now.job_id):
                    entry.stage, entry.job_id, entry.sent_at = now.stage, now.job_id, now.sent_at
                    entry.error, entry.candidates = now.error, now.candidates
                    changed = True
        if changed:
            self._notify()

    def _retry(self) -> list[BatchEntry]:
        """Queue again every create that surely made no job (stage "failed")."""
        with self._changed:
            again = [entry for entry in self.entries if entry.stage == FAILED]
            for entry in again:
                entry.stage, entry.error, entry.sent_at = QUEUED, None, None
        if again:
            self._save(*again)
            self._notify()
        return again

    def _unfinished(self) -> int:
        return sum(1 for entry in self.entries if not entry.ended)

    def _newly_ended(self, seen: set[int]) -> list[Any]:
        """The jobs that ended since `seen` (ids of entries already yielded), noting them."""
        ended = []
        with self._changed:
            for entry in self.entries:
                if id(entry) not in seen and entry.ended:
                    seen.add(id(entry))
                    if entry.job is not None:
                        ended.append(entry.job)
        return ended


def _to_fetch(entry: BatchEntry) -> bool:
    return entry.stage == CREATED and entry.job is None and entry.job_id is not None and entry.error is None


def _to_reconcile(entry: BatchEntry) -> bool:
    return entry.stage == SENDING


def _to_send(entry: BatchEntry) -> bool:
    return entry.stage == QUEUED
