"""`JobView`: a job as a live widget: progress while it runs, then its gallery, or its error.

The view mirrors its `Job` handle: the handle's observers fire on whichever thread learned
something new (the tracker's I/O thread, or the kernel's while a cell waits), and the view
forwards the latest state to the browser at most ~4 times a second.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import traitlets

from ..api import IDLE, QUEUED, JobHandle, JobImage, Tracker, get_tracker
from ..contract import COMPLETED
from ._picks import set_ticked
from ._timers import Scheduled, process_timers
from ._widget import LiveUpdates, RequestHandler, Widget
from .static_html import job_html, job_text
from .thumbnails import ImageSource, Thumbnails, client_of, data_urls, send_image

# An ended job shows once its thumbnails are made, waiting at most this long: its gallery appears
# whole, from small images, and a page redraws its output once rather than right after showing it.
THUMBNAILS_AWAITED_SECONDS = 3.0


def job_payload(job: JobHandle, *, images_coming: bool = False) -> dict[str, Any]:
    """What the `job` trait carries: the job's state, what this client asked for (the API never
    says), and whether a completed job's images are still being read (a listing told its end)."""
    return {
        **job.to_dict(),
        "prompt": job.prompt,
        "aspect_ratio": job.aspect_ratio,
        "images_coming": images_coming,
    }


class JobView(Widget, front_end="job_view"):
    """A live view of one job. Its ticks are the job's picks (`job.picks`), shared by every view."""

    #: the job's latest state, `JobState.to_dict()`, plus the `prompt` and `aspect_ratio` it was asked with
    job = traitlets.Dict().tag(sync=True)
    #: "live" (followed), "reconnecting" (API unreachable, retrying) or "idle" (ended or not followed)
    connection = traitlets.Unicode(IDLE).tag(sync=True)
    #: while "queued": seconds until the account's rate limit lets the next read go (None: not known)
    budget_wait = traitlets.Float(None, allow_none=True).tag(sync=True)
    #: the job's picks: indices of the picked images, in pick order (the browser's ticks, or any view's)
    selected_indices = traitlets.List(traitlets.Int()).tag(sync=True)
    #: small JPEGs of the images, by index as text (made by the kernel; saved with the notebook)
    thumbnails = traitlets.Dict(value_trait=traitlets.Bytes()).tag(sync=True)

    @classmethod
    def for_job(cls, job: JobHandle, *, tracker: Tracker | None = None) -> JobView:
        """A new view of `job`, kept fresh by `tracker` (the process's own by default)."""
        return cls(job, tracker=tracker)

    def __init__(self, job: JobHandle, *, tracker: Tracker | None = None, **kwargs: Any) -> None:
        tracker = tracker or get_tracker()
        self._handle = job
        self._tracker = tracker
        self._connection = IDLE
        self._budget_wait: float | None = None
        super().__init__(job=self._payload(), selected_indices=list(job.picks), **kwargs)
        self._timers = process_timers()
        self._awaiting_thumbnails: Scheduled | None = None
        self._thumbnails_awaited_until = 0.0
        self._live = LiveUpdates(self, self._show_latest)
        self._thumbnails = Thumbnails(on_made=lambda ready: self._live.changed(final=ready))
        self._ask_thumbnails()
        self._unobserve = job.observe(self._on_job_change)
        self._unfollow = tracker.follow(job, shown=True, on_connection=self._on_connection)
        self._connection = tracker.connection_state(job)
        self.connection = self._connection
        self.observe(self._on_selection, names="selected_indices")

    @property
    def job_handle(self) -> JobHandle:
        """The `Job` this view shows."""
        return self._handle

    @property
    def selected(self) -> list[JobImage]:
        """The picked images, in the order they were picked (in this view or any other)."""
        return self._handle.selected

    def close(self) -> None:
        """Stop updating (and stop polling, once no other view shows the job), then close the widget."""
        if self._awaiting_thumbnails is not None:
            self._awaiting_thumbnails.cancel()
        self._live.close()
        self._unobserve()
        self._unfollow()
        super().close()

    # -- updates -----------------------------------------------------------------------------

    def _payload(self) -> dict[str, Any]:
        job = self._handle
        return job_payload(job, images_coming=job.status == COMPLETED and not self._known_in_full())

    def _known_in_full(self) -> bool:
        """Ended and read in full; a listing's summary of the end still has its images to come."""
        return self._tracker.read_in_full(self._handle)

    def _on_job_change(self, job: JobHandle) -> None:
        if list(job.picks) != self.selected_indices:
            self.selected_indices = list(job.picks)  # picked in another view: a user's act, shown now
        if self._known_in_full():
            self._connection = IDLE
            self._ask_thumbnails()
            if self._thumbnails.pending and self._awaiting_thumbnails is None:
                # shown when they are made (that calls us), or with what there is once this fires
                self._thumbnails_awaited_until = self._timers.now() + THUMBNAILS_AWAITED_SECONDS
                self._awaiting_thumbnails = self._timers.call_later(
                    THUMBNAILS_AWAITED_SECONDS, self._stop_awaiting_thumbnails
                )
        self._live.changed(final=job.is_terminal)

    def _requests(self) -> Mapping[str, RequestHandler]:
        return {"image": lambda request, _: send_image(self, request, self._image(request.get("key")))}

    def _image(self, key: object) -> ImageSource | None:
        images = self._handle.images
        if not (isinstance(key, str) and key.isdigit() and int(key) < len(images)):
            return None
        return ImageSource(self._handle.id, int(key), images[int(key)].url, client_of(self._handle))

    def _ask_thumbnails(self) -> None:
        client = client_of(self._handle)
        for index, image in enumerate(self._handle.images):
            self._thumbnails.ask(str(index), image.url, client)

    def _on_connection(self, connection: str) -> None:
        self._connection = IDLE if self._known_in_full() else connection
        self._budget_wait = self._waits_for_budget() if self._connection == QUEUED else None
        self._live.changed()

    def _waits_for_budget(self) -> float | None:
        """Seconds until the account's window lets a job update go: what the card says ("in about 35 s")."""
        client = client_of(self._handle)
        return None if client is None else round(client.budget().frees_in, 1)

    def _finish(self, timeout: float) -> None:
        self._thumbnails.wait(timeout)

    def _stop_awaiting_thumbnails(self) -> None:
        self._thumbnails_awaited_until = 0.0
        self._live.changed(final=True)

    def _settled(self) -> bool:
        # Thumbnails no longer awaited do not hold the output back: it is brought up to date as the
        # end shows, so a page redraws it then, not later under a user who opened an image.
        # A listing's summary of the end is not final: its images are still being read.
        return self._known_in_full() and not self._awaits_thumbnails()

    def _shows_final(self) -> bool:
        # an ended job changes no more: only thumbnails made late can follow (or, while
        # `images_coming`, the images of a completed job a listing told of)
        return self.job.get("status") in ("completed", "failed") and not self.job.get("images_coming")

    def _awaits_thumbnails(self) -> bool:
        return self._thumbnails.pending and self._timers.now() < self._thumbnails_awaited_until

    def _show_latest(self) -> None:
        if self._awaits_thumbnails():
            return
        with self.hold_sync():
            self.job = self._payload()
            self.connection = self._connection
            self.budget_wait = self._budget_wait
            self.thumbnails = self._thumbnails.made()

    def _on_selection(self, change: dict[str, Any]) -> None:
        set_ticked(self._handle, change["new"])

    # -- without a kernel --------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        data["text/plain"] = job_text(self.job)
        data["text/html"] = job_html(self.job, data_urls(self.thumbnails))
        return data, metadata

    def __repr__(self) -> str:
        return f"<JobView {job_text(self.job).splitlines()[0]}>"

