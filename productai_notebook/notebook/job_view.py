"""`JobView`: a job as a live widget: progress while it runs, then its gallery, or its error.

The view mirrors its `Job` handle: the handle's observers fire on whichever thread learned
something new (the tracker's I/O thread, or the kernel's while a cell waits), and the view
forwards the latest state to the browser at most ~4 times a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..api import IDLE, JobHandle, JobImage, Tracker, get_tracker
from ._resend import changed_in_background, install_cell_hook
from ._throttle import Throttle
from .static_html import job_html, job_text

UPDATE_INTERVAL_SECONDS = 0.25  # at most ~4 widget updates a second
_STATIC = Path(__file__).parent.parent / "static"


def front_end(name: str, fallback: str) -> Path | str:
    """The built front-end file, or `fallback` source when the JS has not been built yet."""
    path = _STATIC / name
    return path if path.is_file() else fallback


_NOT_BUILT_ESM = (
    "export default { render({ el }) { el.textContent = "
    "'The productai-notebook front end is not built: "
    "run `npm run build`, or pip install the package.'; } };\n"
)


class JobView(anywidget.AnyWidget):
    """A live view of one job; `view.selected` holds the images the user selected."""

    _esm = front_end("job_view.js", _NOT_BUILT_ESM)
    _css = front_end("job_view.css", "")

    #: the job's latest state, `JobState.to_dict()`
    job = traitlets.Dict().tag(sync=True)
    #: "live" (tracked), "reconnecting" (API unreachable, retrying) or "idle" (ended or not tracked)
    connection = traitlets.Unicode(IDLE).tag(sync=True)
    #: indices of the images the user selected in the gallery (set by the browser)
    selected_indices = traitlets.List(traitlets.Int()).tag(sync=True)

    @classmethod
    def for_job(cls, job: JobHandle, *, tracker: Tracker | None = None) -> JobView:
        """A new view of `job`, kept fresh by `tracker` (the process's own by default)."""
        return cls(job, tracker=tracker)

    def __init__(self, job: JobHandle, *, tracker: Tracker | None = None, **kwargs: Any) -> None:
        tracker = tracker or get_tracker()
        self._handle = job
        self._connection = IDLE
        super().__init__(job=job.to_dict(), **kwargs)
        self._throttle: Throttle[None] = Throttle(self._show_latest, UPDATE_INTERVAL_SECONDS)
        self._unobserve = job.observe(self._on_job_change)
        self._untrack = tracker.track(job, on_connection=self._on_connection)
        self._connection = IDLE if job.is_terminal else tracker.connection_state(job)
        self.connection = self._connection
        self.observe(self._on_selection, names="selected_indices")
        install_cell_hook()

    @property
    def job_handle(self) -> JobHandle:
        """The `Job` this view shows."""
        return self._handle

    @property
    def selected(self) -> list[JobImage]:
        """The images the user selected, in the order they were selected."""
        images = self._handle.images
        return [images[index] for index in self.selected_indices if 0 <= index < len(images)]

    def close(self) -> None:
        """Stop updating (and stop polling, once no other view shows the job), then close the widget."""
        self._throttle.close()
        self._unobserve()
        self._untrack()
        super().close()

    # -- updates -----------------------------------------------------------------------------

    def _on_job_change(self, job: JobHandle) -> None:
        if not job.is_terminal:
            self._throttle.submit(None)
            return
        # The final state goes out at once, and again from the next cell: a saved notebook keeps it.
        # Marked before it shows, so whoever sees it can count on the next cell's re-send.
        self._connection = IDLE
        changed_in_background(self, lambda: self._show_latest(None))
        self._throttle.submit(None)
        self._throttle.flush()

    def _on_connection(self, connection: str) -> None:
        self._connection = IDLE if self._handle.is_terminal else connection
        self._throttle.submit(None)

    def _show_latest(self, _: None) -> None:
        if self.comm is None:  # closed meanwhile
            return
        with self.hold_sync():
            self.job = self._handle.to_dict()
            self.connection = self._connection

    def _on_selection(self, change: dict[str, Any]) -> None:
        self._handle.selected = self.selected

    # -- without a kernel --------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        data["text/plain"] = job_text(self.job)
        data["text/html"] = job_html(self.job)
        return data, metadata

    def __repr__(self) -> str:
        return f"<JobView {job_text(self.job).splitlines()[0]}>"

