"""Gallery: the images of many jobs in one grid, to group, compare and pick from.

Jobs still running when the gallery opens show their images as they complete: the gallery
observes them, has the tracker keep them fresh, and updates `items` through the same
throttle as a JobView, until it is closed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import traitlets

from .. import contract
from ..api import Job, JobHandle, JobState, ProductAIError, Tracker, get_tracker
from ._picks import set_ticked
from ._widget import LiveUpdates, RequestHandler, Widget
from .static_html import gallery_html
from .thumbnails import ImageSource, Thumbnails, client_of, data_urls, send_image

if TYPE_CHECKING:
    from ..api import JobImage, ProductAI

    JobLike = Job | JobState

GROUPINGS = ("none", "job", "model", "prompt")
MIN_THUMB, MAX_THUMB = 80, 400
LISTED_WITHOUT_IMAGES = "listed jobs carry no images: pass t.jobs, or Gallery(states, client=client)"


def _state(job: Any) -> Any:
    """A Job handle's latest state, or the JobState itself."""
    return getattr(job, "state", job)


def with_images(job: Any, client: ProductAI | None = None) -> Any:
    """The job with its images: a listed job that ended has none, so it reads itself once in full.

    A `JobState` has no client of its own: with `client` one that may still get images becomes
    that client's handle (`client.jobs.get`); without one it stays as it is.
    """
    if isinstance(job, JobState):
        return _handle_of(job, client) if client is not None and _may_get_images(job) else job
    if isinstance(job, Job) and job.state.is_summary:  # (listings reach widgets through sync clients)
        try:
            job.refresh()
        except ProductAIError:
            pass  # its images stay missing; the rest of the gallery still shows
    return job


def _may_get_images(state: JobState) -> bool:
    return state.status != contract.FAILED and not state.images


def _handle_of(state: JobState, client: ProductAI) -> Any:
    try:
        return client.jobs.get(state.job_id)
    except ProductAIError:
        return state  # its images stay missing; the rest of the gallery still shows


def _lacks_listed_images(job: Any) -> bool:
    """A completed JobState from a listing: it has images, but a listing never carries them."""
    return isinstance(job, JobState) and job.status == contract.COMPLETED and job.is_summary


def missing_notice(jobs: Iterable[Any], *, listed_without_client: bool = False) -> str:
    """Why images the user expects are missing: failed jobs (and why), running ones; "" when none are."""
    states = [_state(job) for job in jobs]
    failed = [state for state in states if state.status == contract.FAILED]
    running = [state for state in states if not state.is_terminal]
    parts = []
    if failed:
        shown = failed[:3]  # a few are enough to recognise them; the count says how many
        reasons = ", ".join(f"{s.job_id} ({s.error.code if s.error else 'no reason given'})" for s in shown)
        more = f" and {len(failed) - len(shown)} more" if len(failed) > len(shown) else ""
        parts.append(f"{len(failed)} of {len(states)} jobs failed and made no images: {reasons}{more}.")
    if running:
        verb = "is" if len(running) == 1 else "are"
        parts.append(
            f"{len(running)} of {len(states)} {verb} still running: their images appear when they complete."
        )
    if listed_without_client:
        parts.append(LISTED_WITHOUT_IMAGES)
    return " ".join(parts)


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
                "created_at": state.to_dict()["created_at"],
            })
    return items


def picked_keys(keys: list[str], jobs: Iterable[JobHandle]) -> list[str]:
    """`keys` (`<job_id>:<index>`, in tick order) brought up to date with the picks of `jobs`: a
    key of theirs no longer picked goes, a new pick comes last. Other jobs' keys stay as they are."""
    picks = {job.id: job.picks for job in jobs}
    kept = []
    for key in keys:
        job_id, _, index = key.rpartition(":")
        if job_id not in picks or (index.isdigit() and int(index) in picks[job_id]):
            kept.append(key)
    new = [f"{job_id}:{index}" for job_id, indices in picks.items() for index in indices]
    return kept + [key for key in new if key not in kept]


class Gallery(Widget, front_end="gallery"):
    """The images of many jobs (`Job` handles or `JobState`s) to explore together.

    `gallery.selected` gives the picked images as `(job, image)` pairs: a `Job`'s picks are its
    own (`job.picks`), so a tick here shows in every other view of the job and the other way round. A listed
    `Job` (a JobsTable's `t.jobs`) is read once in full to get its images. Listed `JobState`s
    (`client.jobs.list().jobs`) carry no images and no client to read them with: pass
    `client=` and each one that may have images becomes that client's `Job` handle.
    A job still running shows its images once it completes, kept fresh by `tracker` (the
    process's own by default) until the gallery is closed.
    """

    items = traitlets.List(traitlets.Dict()).tag(sync=True)
    group_by = traitlets.Enum(GROUPINGS, default_value="none").tag(sync=True)
    thumb_size = traitlets.Int(160, min=MIN_THUMB, max=MAX_THUMB).tag(sync=True)
    selected_keys = traitlets.List(traitlets.Unicode()).tag(sync=True)
    compare = traitlets.Bool(False).tag(sync=True)
    #: why images the user expects are missing ("" when nothing is): failed or running jobs, listed
    #: jobs without a client to read them; shown above the grid
    notice = traitlets.Unicode("").tag(sync=True)
    #: small JPEGs of the images, by item key (made by the kernel; saved with the notebook)
    thumbnails = traitlets.Dict(value_trait=traitlets.Bytes()).tag(sync=True)

    def __init__(
        self,
        jobs: Iterable[JobLike] = (),
        *,
        client: ProductAI | None = None,
        tracker: Tracker | None = None,
        **kwargs: Any,
    ) -> None:
        # What close() tears down exists first: a gallery that failed to build is still closed.
        self._live = LiveUpdates(self, self._show_items)
        self._thumbnails = Thumbnails(on_made=lambda ready: self._live.changed(final=ready))
        self._client = client
        self._stop_following: list[Callable[[], None]] = []
        self._jobs = [with_images(job, client) for job in jobs]
        self._listed_without_client = client is None and any(map(_lacks_listed_images, self._jobs))
        notice = missing_notice(self._jobs, listed_without_client=self._listed_without_client)
        super().__init__(items=gallery_items(self._jobs), notice=notice, **kwargs)
        handles = [job for job in self._jobs if isinstance(job, JobHandle)]
        self.selected_keys = picked_keys(self.selected_keys, handles)
        self.observe(self._on_ticks, names="selected_keys")
        for job in self._jobs:
            self._ask_thumbnails(job)
        for job in handles:  # picks made in other views show here, whether the job runs or not
            self._stop_following.append(job.observe(self._on_job_change))
        running = [job for job in handles if not job.is_terminal]
        for job in running:
            self._stop_following.append((tracker or get_tracker()).follow(job, shown=True))
        if running:  # a job may have completed before it was observed
            self._live.changed()

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

    def close(self) -> None:
        """Stop updating (and stop polling the jobs no other view shows), then close the widget."""
        self._live.close()
        for stop in self._stop_following:
            stop()
        self._stop_following.clear()
        super().close()

    # -- live updates -------------------------------------------------------------------

    def _on_ticks(self, change: dict[str, Any]) -> None:
        """Ticks from the browser become the jobs' picks, each job's in the order it was ticked."""
        keys = list(change["new"])
        for job in self._jobs:
            if not isinstance(job, JobHandle):
                continue
            parts = (key.rpartition(":") for key in keys)
            ticked = [int(index) for job_id, _, index in parts if job_id == job.id and index.isdigit()]
            kept = [index for index in job.picks if index in ticked]
            set_ticked(job, [*kept, *(index for index in ticked if index not in kept)])

    def _on_job_change(self, job: JobHandle) -> None:
        keys = picked_keys(self.selected_keys, [job])
        if keys != self.selected_keys:
            self.selected_keys = keys  # picked in another view: shown now
        self._ask_thumbnails(job)
        self._live.changed(final=job.is_terminal)

    def _requests(self) -> Mapping[str, RequestHandler]:
        return {"image": lambda request, _: send_image(self, request, self._image(request.get("key")))}

    def _image(self, key: object) -> ImageSource | None:
        job_id, _, index = key.rpartition(":") if isinstance(key, str) else ("", "", "")
        job = next((job for job in self._jobs if _state(job).job_id == job_id), None)
        images = _state(job).images if job is not None else ()
        if not (index.isdigit() and int(index) < len(images)):
            return None
        return ImageSource(job_id, int(index), images[int(index)].url, self._client_of(job))

    def _client_of(self, job: JobLike) -> Any:
        return client_of(job) if isinstance(job, JobHandle) else self._client or client_of(None)

    def _ask_thumbnails(self, job: JobLike) -> None:
        state = _state(job)
        client = self._client_of(job)
        for index, image in enumerate(state.images):
            self._thumbnails.ask(f"{state.job_id}:{index}", image.url, client)

    def _finish(self, timeout: float) -> None:
        self._thumbnails.wait(timeout)

    def _settled(self) -> bool:
        return all(_state(job).is_terminal for job in self._jobs) and not self._thumbnails.pending

    def _show_items(self) -> None:
        with self.hold_sync():
            self.thumbnails = self._thumbnails.made()
            self.items = gallery_items(self._jobs)
            self.notice = missing_notice(self._jobs, listed_without_client=self._listed_without_client)

    # -- display ------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = self._summary()
        data["text/html"] = gallery_html(self.items, self.notice, data_urls(self.thumbnails), self.group_by)
        return bundle

    def _summary(self) -> str:
        chosen = f", {len(self.selected_keys)} selected" if self.selected_keys else ""
        notice = f" ({self.notice})" if self.notice else ""
        return f"Gallery: {len(self.items)} images of {len(self._jobs)} jobs{chosen}{notice}"

    def __repr__(self) -> str:
        return self._summary()
