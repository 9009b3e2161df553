"""Gallery: the images of many jobs in one grid, to group, compare and pick from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ..api.errors import ProductAIError
from ..contract import COMPLETED
from .job_view import _NOT_BUILT_ESM, front_end
from .static_html import gallery_html

if TYPE_CHECKING:
    from ..api import Job, JobImage, JobState

    JobLike = Job | JobState

GROUPINGS = ("none", "job", "model", "prompt")
MIN_THUMB, MAX_THUMB = 80, 400


def _state(job: Any) -> Any:
    """A Job handle's latest state, or the JobState itself."""
    return getattr(job, "state", job)


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def with_images(job: Any) -> Any:
    """The job with its images: a listed job has none, so read a completed one once in full.

    A `JobState` has no client to ask, so it stays as it is.
    """
    client = getattr(job, "client", None)
    if client is None or job.status != COMPLETED or job.images:
        return job
    try:
        return client.jobs.get(job.id)
    except ProductAIError:
        return job  # its images stay missing; the rest of the gallery still shows


def gallery_items(jobs: Iterable[Any]) -> list[dict[str, Any]]:
    """One item per image of every job, in the shape the front end reads (keys `<job_id>:<index>`)."""
    items = []
    for job in jobs:
        state = _state(job)
        for index, image in enumerate(state.images):
            items.append({
                "key": f"{state.job_id}:{index}",
                "job_id": state.job_id,
                "index": index,
                "url": image.url,
                "width": image.width,
                "height": image.height,
                "model": state.model,
                # The API never returns the prompt: only a Job made by this client knows it.
                "prompt": getattr(job, "prompt", None),
                "created_at": _iso(state.created_at),
            })
    return items


class Gallery(anywidget.AnyWidget):  # type: ignore[misc]
    """The images of many jobs (`Job` handles or `JobState`s) to explore together.

    `gallery.selected` gives the images picked in the grid as `(job, image)` pairs. A listed
    job (from `client.jobs.list` or a JobsTable) is read once in full to get its images.
    """

    _esm = front_end("gallery.js", _NOT_BUILT_ESM)
    _css = front_end("gallery.css", "")

    items = traitlets.List(traitlets.Dict()).tag(sync=True)
    group_by = traitlets.Enum(GROUPINGS, default_value="none").tag(sync=True)
    thumb_size = traitlets.Int(160, min=MIN_THUMB, max=MAX_THUMB).tag(sync=True)
    selected_keys = traitlets.List(traitlets.Unicode()).tag(sync=True)
    compare = traitlets.Bool(False).tag(sync=True)

    def __init__(self, jobs: Iterable[JobLike] = (), **kwargs: Any) -> None:
        self._jobs = [with_images(job) for job in jobs]
        super().__init__(items=gallery_items(self._jobs), **kwargs)

    @property
    def jobs(self) -> list[JobLike]:
        """The jobs this gallery shows, each with its images."""
        return list(self._jobs)

    @property
    def selected(self) -> list[tuple[JobLike, JobImage]]:
        """The selected images, in the order they were selected, as `(job, image)` pairs."""
        by_id = {_state(job).job_id: job for job in self._jobs}
        pairs = []
        for key in self.selected_keys:
            job_id, _, index = key.rpartition(":")
            job = by_id.get(job_id)
            if job is None or not index.isdigit():
                continue
            images = _state(job).images
            if int(index) < len(images):
                pairs.append((job, images[int(index)]))
        return pairs

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = self._summary()
        data["text/html"] = gallery_html(self.items)
        return bundle

    def _summary(self) -> str:
        chosen = f", {len(self.selected_keys)} selected" if self.selected_keys else ""
        return f"Gallery: {len(self.items)} images of {len(self._jobs)} jobs{chosen}"

    def __repr__(self) -> str:
        return self._summary()
