"""`Job` and `AsyncJob`: a live handle on one job id, holding its latest `JobState`.

Whoever learns something newer about the job (a wait, a refresh, the background tracker,
a webhook) calls `job.offer_state(state)`; observers then run on that thread. A terminal job never
changes again, so later updates are ignored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..contract import FAILED
from ._display import DisplayHook, Shown, set_hook
from ._observers import Observers
from .errors import InvalidArgumentError
from .models import JSON, JobError, JobImage, JobState

if TYPE_CHECKING:
    from .client import AsyncProductAI, ProductAI
    from .engine.sender import Sender

log = logging.getLogger("productai_notebook.api")

def set_display_hook(hook: DisplayHook | None) -> None:
    """Register how a job shows itself as a cell's result: `hook(job)` -> a view of it.

    The notebook layer registers a JobView here; without it a job shows as text.
    """
    set_hook("job", hook)


def _pick_index(index: object) -> int:
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise InvalidArgumentError("index", f"an image's index is a whole number from 0, got {index!r}")
    return index


def _may_follow(older: JobState, newer: JobState) -> bool:
    """An ended job never changes, except that a listing's summary of it is filled in by a full read."""
    if not older.is_terminal:
        return True
    return older.is_summary and newer.status == older.status and not newer.is_summary


class JobHandle(Shown):
    """What `Job` and `AsyncJob` share: the latest state, its fields, observers, display."""

    _shown_as = "job"

    #: the client that made or fetched it (what the engine follows it through)
    client: Sender

    def __init__(self, state: JobState, *, prompt: str | None = None) -> None:
        self._state = state
        self._lock = threading.Lock()
        self._observers = Observers()
        self.prompt = prompt
        #: the aspect ratio this client asked for ("4:3"), when it made the job; the API never says it
        self.aspect_ratio: str | None = None
        # the images picked (0-based), in pick order: one selection shared by every view of the job
        self._picks: tuple[int, ...] = ()
        #: made with a webhook_url: its end is pushed, so polls are only a slow fallback
        self.push_expected = False

    @property
    def id(self) -> str:
        return self._state.job_id

    @property
    def state(self) -> JobState:
        return self._state

    # The JobState fields, read straight off the latest state.
    @property
    def job_id(self) -> str:
        return self._state.job_id

    @property
    def status(self) -> str:
        return self._state.status

    @property
    def progress(self) -> int:
        return self._state.progress

    @property
    def model(self) -> str | None:
        return self._state.model

    @property
    def num_images(self) -> int | None:
        return self._state.num_images

    @property
    def created_at(self) -> datetime | None:
        return self._state.created_at

    @property
    def started_at(self) -> datetime | None:
        return self._state.started_at

    @property
    def completed_at(self) -> datetime | None:
        return self._state.completed_at

    @property
    def failed_at(self) -> datetime | None:
        return self._state.failed_at

    @property
    def images(self) -> tuple[JobImage, ...]:
        return self._state.images

    @property
    def tokens_used(self) -> int | None:
        return self._state.tokens_used

    @property
    def error(self) -> JobError | None:
        return self._state.error

    @property
    def estimated_time_seconds(self) -> float | None:
        return self._state.estimated_time_seconds

    @property
    def extra(self) -> JSON:
        return self._state.extra

    @property
    def is_terminal(self) -> bool:
        return self._state.is_terminal

    @property
    def duration(self) -> timedelta | None:
        return self._state.duration

    def to_dict(self) -> JSON:
        return self._state.to_dict()

    @property
    def picks(self) -> tuple[int, ...]:
        """The picked images' indices (0-based), in the order they were picked."""
        return self._picks

    def set_picks(self, indices: Iterable[int]) -> None:
        """Replace the picks (every view of the job shows them); the observers hear of a change."""
        picks = tuple(dict.fromkeys(_pick_index(index) for index in indices))
        state = self._state
        made = len(state.images)
        if state.is_terminal and not state.is_summary and any(index >= made for index in picks):
            # (a running job's images are not known yet: its picks wait for them)
            raise InvalidArgumentError("index", f"job {state.job_id} has {made} images (0 to {made - 1})")
        with self._lock:
            if picks == self._picks:
                return
            self._picks = picks
        self._notify()

    def pick(self, index: int, picked: bool = True) -> None:
        """Pick image `index` (0-based), or with `picked=False` unpick it."""
        index = _pick_index(index)
        if picked:
            self.set_picks([*self._picks, index])
        else:
            self.set_picks(i for i in self._picks if i != index)

    @property
    def selected(self) -> list[JobImage]:
        """The picked images, in the order they were picked."""
        images = self._state.images
        return [images[index] for index in self._picks if index < len(images)]

    @selected.setter
    def selected(self, images: Iterable[JobImage]) -> None:
        # kept for code that set it before picks existed: the images become their indices
        known = list(self._state.images)
        self.set_picks(known.index(image) for image in images if image in known)

    def observe(self, callback: Callable[[Any], None]) -> Callable[[], None]:
        """Call `callback(job)` after each change of its state or its picks; returns a function to stop it."""
        return self._observers.add(callback)

    def offer_state(self, state: JobState) -> bool:
        """A fresher state of this job arrived (a read, a listing, a pushed webhook): take it.

        Returns True if it changed anything (the observers have run then, on this thread). What
        `state` lacks is kept from the current one (a listing carries no images); an ended job
        never changes again. Thread-safe; ValueError if `state` is another job's.
        """
        if state.job_id != self.id:
            raise ValueError(f"state of job {state.job_id!r} applied to job {self.id!r}")
        with self._lock:
            state = state.filled_from(self._state)
            if state == self._state or not _may_follow(self._state, state):
                return False
            self._state = state
        self._notify()
        return True

    def _notify(self) -> None:
        self._observers.notify(self, f"job {self.id}")

    def __repr__(self) -> str:
        state = self._state
        if state.is_summary:
            # a listing's entry: "0 images" would read as an empty result
            missing = "error" if state.status == FAILED else "images"
            detail = f"(listed: refresh() for its {missing})"
        elif state.error:
            detail = state.error.code
        elif state.is_terminal:
            count = len(state.images)
            detail = f"{count} image" if count == 1 else f"{count} images"
        else:
            detail = f"{state.progress}%"
        return f"<{type(self).__name__} {state.job_id} {state.status} {detail}>"


class Job(JobHandle):
    """A job made or fetched by a `ProductAI` client: `refresh()`, `wait()`, `download()`."""

    client: ProductAI

    def __init__(self, client: ProductAI, state: JobState, *, prompt: str | None = None) -> None:
        super().__init__(state, prompt=prompt)
        self.client = client

    def refresh(self) -> Job:
        """Ask the API for this job's latest state (none once it has ended and is known in full)."""
        if not self.is_terminal or self.state.is_summary:
            self.offer_state(self.client.jobs.fetch_state(self.id))
        return self

    def wait(
        self,
        timeout: float | None = None,
        poll_interval: float | tuple[float, float] | None = None,
        on_progress: Callable[[Job], None] | None = None,
    ) -> Job:
        """Wait until the job ends: returns it when completed; raises JobFailedError or JobTimeoutError.

        While a view of the job keeps it fresh in the background, the wait sends no polls of its own.
        """
        return self.client.jobs.wait(
            self, timeout=timeout, poll_interval=poll_interval, on_progress=on_progress
        )

    def download(self, folder: str | Path = ".") -> list[Path]:
        """Save the images into `folder` as `<job_id>_<n>.<ext>`; returns their paths."""
        if self.state.is_summary:  # a job from a listing: read its images first
            self.refresh()
        return self.client.jobs.download(self, folder)


class AsyncJob(JobHandle):
    """A job made or fetched by an `AsyncProductAI` client: `await job.refresh()`, `wait()`, `download()`."""

    client: AsyncProductAI

    def __init__(self, client: AsyncProductAI, state: JobState, *, prompt: str | None = None) -> None:
        super().__init__(state, prompt=prompt)
        self.client = client

    async def refresh(self) -> AsyncJob:
        """Ask the API for this job's latest state (none once it has ended and is known in full)."""
        if not self.is_terminal or self.state.is_summary:
            self.offer_state(await self.client.jobs.fetch_state(self.id))
        return self

    async def wait(
        self,
        timeout: float | None = None,
        poll_interval: float | tuple[float, float] | None = None,
        on_progress: Callable[[AsyncJob], None] | None = None,
    ) -> AsyncJob:
        """Wait until the job ends: returns it when completed; raises JobFailedError or JobTimeoutError.

        While a view of the job keeps it fresh in the background, the wait sends no polls of its own.
        """
        return await self.client.jobs.wait(
            self, timeout=timeout, poll_interval=poll_interval, on_progress=on_progress
        )

    async def download(self, folder: str | Path = ".") -> list[Path]:
        """Save the images into `folder` as `<job_id>_<n>.<ext>`; returns their paths."""
        if self.state.is_summary:
            await self.refresh()
        return await self.client.jobs.download(self, folder)
