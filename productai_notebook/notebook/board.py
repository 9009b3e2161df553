"""`BatchBoard`: one live widget for a whole batch: a grid of prompts x models that fills as the
jobs run, a header with the batch's progress and the one budget line, picks by click or keyboard.

The board mirrors its `Batch`: `batch.observe` fires on any change (a create returned, a job's
state, a pick from any view), and the board sends the browser one compact entry per job (its
place on the axes, stage, status, progress, error text, images, picks) at most once a second,
so a live board of 100 jobs costs the comm about one message a second, not one per job.
Picks are the jobs' own (`job.pick`): every view of an image and `batch.winners` read them.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import math
import tempfile
import threading
import uuid
import zipfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import traitlets

from .._config import config
from ..api import JobHandle, ProductAIError, Tracker, get_tracker
from ..contract import COMPLETED
from ._widget import LiveUpdates, RequestHandler, Widget
from .board_html import board_html, board_text, phase_of
from .thumbnails import ImageSource, Thumbnails, client_of, data_urls, send_image

# The board's updates: at most one a second (a JobView's ~4 a second is per job; a board holds them all).
BOARD_UPDATE_SECONDS = 1.0
AXES = ("input", "prompt", "model")
Wait = dict[str, Any]
# `Tracker.connection_state`'s word for a job whose next update waits on the request budget
QUEUED = "queued"


def _not_yet() -> None:
    """The untrack of a job another thread is tracking right now (replaced once it is)."""


# "Download picks" zips on one thread: a second click waits its turn, the kernel's loop never waits.
_downloads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="productai-board-download")


def _error_text(error: object) -> str:
    """An error as text: a failed create's whole message (what to do next included; a lost one's
    names the jobs it may have made), a failed job's `code: message`."""
    if isinstance(error, ProductAIError):
        return str(error)
    return f"{getattr(error, 'code', '')}: {getattr(error, 'message', '')}"


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def board_cell(entry: Any, at: list[int]) -> dict[str, Any]:
    """One job of the batch as the browser draws it: a few short fields (what only a running job
    needs, its progress and its estimate, is left out once it ended: the saved copy keeps less)."""
    job: JobHandle | None = entry.job
    error = entry.error or (job.error if job is not None else None)
    cell: dict[str, Any] = {
        "at": at,
        "stage": entry.stage,
        "job_id": job.id if job is not None else entry.job_id,  # (known before a restart's read)
        "status": job.status if job is not None else None,
        "num_images": entry.spec.num_images,
    }
    if error is not None:
        cell["error"] = _error_text(error)
    if job is None:
        return cell
    if job.is_terminal:
        cell["images"] = [
            {"url": image.url, "width": image.width, "height": image.height} for image in job.images
        ]
        cell["picks"] = list(job.picks)
        cell["credits"] = job.tokens_used
    else:
        cell["progress"] = job.progress
        cell["estimate"] = job.estimated_time_seconds
        cell["created_at"] = _iso(job.created_at)
    return cell


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def _by_job(keys: list[str]) -> dict[str, list[int]]:
    """The keys "<job_id>:<n>" as each job's image indices, in their order."""
    picks: dict[str, list[int]] = {}
    for key in keys:
        job_id, _, index = key.rpartition(":")
        if index.isdigit():
            picks.setdefault(job_id, []).append(int(index))
    return picks


def _ended(cell: Mapping[str, Any]) -> bool:
    return phase_of(cell) in ("completed", "failed")


class BatchBoard(Widget, front_end="board"):
    """A whole `Batch` in one widget: its jobs in a grid of prompts x models, live, with picks.

    Picks made on the board are the jobs' own: `batch.winners`, `job.picks` and every other view
    show them. "Download picks" saves them as one zip, named as `batch.export` names them.
    """

    #: the batch's name (its manifest's)
    name = traitlets.Unicode("").tag(sync=True)
    #: {"input": [labels], "prompt": [...], "model": [...]}: the unique values, in the given order
    axes = traitlets.Dict().tag(sync=True)
    #: one entry per job of the batch, in axis order (see `board_cell`)
    cells = traitlets.List(traitlets.Dict()).tag(sync=True)
    #: small JPEGs of the images, by "<job_id>:<n>" (made by the kernel; saved with the notebook, once)
    thumbnails = traitlets.Dict(value_trait=traitlets.Bytes()).tag(sync=True)
    #: the account's rate limit as the ETA uses it: {"limit", "window"}, or {} while unknown
    rate = traitlets.Dict().tag(sync=True)
    #: the picks the page made, as "<job_id>:<n>" in pick order (set by the browser; the jobs' picks follow)
    picked_keys = traitlets.List(traitlets.Unicode()).tag(sync=True)
    #: what waits on the request budget and for about how long: {"waiting", "seconds"}, or {}
    budget = traitlets.Dict().tag(sync=True)
    #: names this board to its page's views: a view drawn in place of one that went (JupyterLab
    #: redraws the output once as the batch settles) takes up its focus and lightbox
    _memory_key = traitlets.Unicode().tag(sync=True)
    _redraw_keeps_place = True

    def __init__(self, batch: Any, *, tracker: Tracker | None = None, **kwargs: Any) -> None:
        self._batch = batch
        self._tracker = tracker or get_tracker()
        self._lock = threading.Lock()
        self._stopped = False
        self._untrack: dict[str, Callable[[], None]] = {}
        self._connections: dict[str, str] = {}
        axes = {axis: [str(label) for label in batch.axes.get(axis, [])] for axis in AXES}
        self._live = LiveUpdates(self, self._show_latest, interval=BOARD_UPDATE_SECONDS)
        self._thumbnails = Thumbnails(
            # throttled like any update until the last one: a final state is sent at once, whole
            on_made=lambda ready: self._live.changed(final=ready and self._all_ended()),
            budget_bytes=self._thumbnail_budget,
        )
        super().__init__(
            name=str(batch.name), axes=axes, cells=self._cells(), _memory_key=uuid.uuid4().hex, **kwargs
        )
        self._unobserve = batch.observe(self._on_batch_change)
        self._follow_jobs()
        self.observe(self._on_picked, names="picked_keys")

    @property
    def batch(self) -> Any:
        """The `Batch` this board shows."""
        return self._batch

    @property
    def picks(self) -> list[tuple[Any, Any]]:
        """The picked images as `(job, image)` pairs: `batch.winners`."""
        return list(self._batch.winners)

    def close(self) -> None:
        """Stop updating (and stop polling the jobs no other view shows), then close the widget."""
        self._live.close()
        self._unobserve()
        with self._lock:
            self._stopped = True
            untracks, self._untrack = list(self._untrack.values()), {}
        for untrack in untracks:
            untrack()
        super().close()

    # -- what it shows ----------------------------------------------------------------------

    def _cells(self) -> list[dict[str, Any]]:
        index = {axis: {label: n for n, label in enumerate(self._labels(axis))} for axis in AXES}
        cells = []
        for entry in self._batch.entries:
            spec = entry.spec
            values = {"input": spec.input_label, "prompt": spec.prompt, "model": spec.model}
            cells.append(board_cell(entry, [index[axis].get(str(values[axis]), 0) for axis in AXES]))
        return cells

    def _labels(self, axis: str) -> list[str]:
        return [str(label) for label in self._batch.axes.get(axis, [])]

    def _jobs(self) -> list[JobHandle]:
        return [entry.job for entry in self._batch.entries if entry.job is not None]

    def _thumbnail_budget(self) -> int:
        images = sum(entry.spec.num_images or 1 for entry in self._batch.entries)
        return max(config.thumbnail_budget_bytes, images * config.thumbnail_max_bytes)

    def _show_latest(self) -> None:
        cells = self._cells()
        with self.hold_sync():
            self.cells = cells
            self.thumbnails = self._thumbnails.made()
            self.rate, self.budget = self._rate_and_budget(cells)

    def _rate_and_budget(self, cells: list[dict[str, Any]]) -> tuple[Wait, Wait]:
        """The rate limit, and what waits on it (images of ended jobs, updates, creates) and how long."""
        client = getattr(self._batch, "client", None) or next((client_of(job) for job in self._jobs()), None)
        if client is None or not hasattr(client, "budget"):
            return {}, {}
        try:
            budget = client.budget()
        except ProductAIError:
            return {}, {}
        if not budget.limit:
            return {}, {}
        rate = {"limit": budget.limit, "window": budget.window}
        queued = {job_id for job_id, state in list(self._connections.items()) if state == QUEUED}
        ended_waiting = [c for c in cells if c["job_id"] in queued and _ended(c)]
        waiting = "images" if ended_waiting else "updates" if queued else ""
        if not waiting and any(c["stage"] == "queued" for c in cells) and budget.used >= budget.limit:
            waiting = "creates"
        if not waiting:
            return rate, {}
        # the backlog at the limit's pace: a sliding window frees about limit/window slots a second
        backlog = budget.background_waiting + budget.reads_behind_rounds + 1
        over = max(1, budget.used + backlog - budget.limit)
        return rate, {"waiting": waiting, "seconds": math.ceil(over * budget.window / budget.limit)}

    # -- live updates -----------------------------------------------------------------------

    def _on_batch_change(self, _batch: Any) -> None:
        self._follow_jobs()
        self._changed()

    def _changed(self) -> None:
        # final once every job has ended: the next cell then waits for the thumbnails still being
        # made and sends the board again, so a headless run saves it whole
        self._live.changed(final=self._all_ended())

    def _follow_jobs(self) -> None:
        """Track each job made so far (polled while the board shows it) and ask for its thumbnails.

        Batch changes come on several threads (the engine's, a waiting cell's): each job is taken
        once, under the lock, and tracked outside it (the tracker takes locks of its own).
        """
        for job in self._jobs():
            with self._lock:
                new = not self._stopped and job.id not in self._untrack
                if new:
                    self._untrack[job.id] = _not_yet
            if new:
                untrack = self._tracker.follow(job, shown=True, on_connection=self._connection_of(job))
                with self._lock:
                    stopped, self._untrack[job.id] = self._stopped, untrack
                if stopped:  # closed meanwhile
                    untrack()
            if job.status == COMPLETED:
                client = client_of(job)
                for n, image in enumerate(job.images):
                    self._thumbnails.ask(f"{job.id}:{n}", image.url, client)

    def _connection_of(self, job: JobHandle) -> Callable[[str], None]:
        def on_connection(state: str) -> None:
            self._connections[job.id] = state
            self._live.changed()

        return on_connection

    def _all_ended(self) -> bool:
        """Every job ended and was read in full (its images or its error), or its create failed."""
        return all(
            entry.stage in ("failed", "lost")
            or (entry.job is not None and self._tracker.read_in_full(entry.job))
            for entry in self._batch.entries
        )

    def _settled(self) -> bool:
        return self._all_ended() and not self._thumbnails.pending

    def _shows_final(self) -> bool:
        return bool(self.cells) and all(_ended(cell) for cell in self.cells)

    def _finish(self, timeout: float) -> None:
        self._thumbnails.wait(timeout)

    # -- what the browser asks --------------------------------------------------------------

    def _requests(self) -> Mapping[str, RequestHandler]:
        return {
            "image": lambda request, _: send_image(self, request, self._image(request.get("key"))),
            "pick": lambda request, _: self._pick(request),
            "download_picks": lambda request, _: self._download(request.get("request")),
        }

    def _job(self, job_id: object) -> JobHandle | None:
        return next((job for job in self._jobs() if job.id == job_id), None)

    def _image(self, key: object) -> ImageSource | None:
        job_id, _, index = key.rpartition(":") if isinstance(key, str) else ("", "", "")
        job = self._job(job_id)
        if job is None or not (index.isdigit() and int(index) < len(job.images)):
            return None
        return ImageSource(job.id, int(index), job.images[int(index)].url, client_of(job))

    def _pick(self, request: Mapping[str, Any]) -> None:
        """The page picked (or unpicked) one image: the job's own pick, at once."""
        job, index = self._job(request.get("job_id")), request.get("index")
        if (
            job is None
            or isinstance(index, bool)
            or not isinstance(index, int)
            or not 0 <= index < len(job.images)
        ):
            return  # a stale page's pick of what is no longer there: nothing to change
        job.pick(index, picked=bool(request.get("picked", True)))

    def _on_picked(self, change: dict[str, Any]) -> None:
        """The page's picks changed: each job whose picks changed there gets them (a stale page's
        picks of jobs it did not touch never undo a pick made elsewhere meanwhile)."""
        old, new = _by_job(change["old"]), _by_job(change["new"])
        for job in self._jobs():
            if new.get(job.id, []) != old.get(job.id, []):
                made = len(job.images)
                job.set_picks([index for index in new.get(job.id, []) if index < made])

    def _download(self, number: object) -> None:
        _downloads.submit(self._send_picks, number)

    def _send_picks(self, number: object) -> None:
        """Answer "Download picks" with one zip of the picks, named as `batch.export` names them."""
        try:
            data = self._picks_zip()
        except (ProductAIError, OSError) as error:
            self.send({"type": "download_picks", "request": number, "error": str(error)})
            return
        name = f"{self._batch.name}_picks.zip"
        reply = {"type": "download_picks", "request": number, "filename": name, "mime": "application/zip"}
        self.send(reply, buffers=[data])

    def _picks_zip(self) -> bytes:
        """The picks as one zip: `batch.export(..., winners_only=True)`'s files and manifests."""
        with tempfile.TemporaryDirectory(prefix="productai-picks-") as folder:
            written = self._batch.export(folder, winners_only=True)
            if inspect.isawaitable(written):  # an AsyncBatch's: this thread has no loop of its own yet
                asyncio.run(_awaited(written))
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # images are compressed already
                for path in sorted(Path(folder).rglob("*")):
                    if path.is_file():
                        archive.write(path, path.relative_to(folder).as_posix())
            return buffer.getvalue()

    # -- without a kernel -------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        data["text/plain"] = board_text(self.name, self.cells)
        data["text/html"] = board_html(self.name, self.axes, self.cells, data_urls(self.thumbnails))
        return data, metadata

    def __repr__(self) -> str:
        return board_text(self.name, self.cells).splitlines()[0]
