"""JobsTable: an account's jobs as a table widget (what `%productai jobs` returns).

The table shows one query's jobs: a status (asked of the API), then page after page of it.
The model filter and sorting happen in the browser over the loaded rows; `--since` is
applied here, since the API cannot filter by date. Unfinished jobs update live through
the tracker. Clicking a row opens that job's JobView beneath the table; "show images"
opens a Gallery of the ticked jobs there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from itertools import takewhile
from typing import TYPE_CHECKING, Any

import ipywidgets
import traitlets

from .. import contract
from ..api import JobPages, ProductAIError, get_tracker
from ..sandbox import current_client
from ._widget import LiveUpdates, RequestHandler, Widget
from .gallery import Gallery, with_images
from .job_view import JobView
from .static_html import jobs_table_html

if TYPE_CHECKING:
    import pandas

    from ..api import Job, JobState, ProductAI

NO_CLIENT = (
    "No ProductAI client: run `%productai sandbox` to try the local emulator, "
    f"or set {contract.API_KEY_ENV} (or call productai_notebook.use(client))."
)


_DATAFRAME_COLUMNS = [
    "job_id", "status", "model", "prompt", "num_images", "tokens_used",
    "created_at", "completed_at", "failed_at", "duration",
]


def job_row(job: Job, model: str | None = None) -> dict[str, Any]:
    """The table row of a job, in the shape the front end reads (`model` where the state has none)."""
    state = job.state
    duration = state.duration
    wire = state.to_dict()  # ISO times as the API writes them
    return {
        "job_id": state.job_id,
        "status": state.status,
        "model": state.model or model,
        "prompt": job.prompt,
        "num_images": state.num_images,
        "tokens_used": state.tokens_used,
        "created_at": wire["created_at"],
        "completed_at": wire["completed_at"],
        "failed_at": wire["failed_at"],
        "duration_seconds": duration.total_seconds() if duration is not None else None,
    }


class JobsTable(Widget, front_end="jobs_table"):
    """The jobs of one query: `t.jobs` (Job handles), `t.selected`, `t.to_dataframe()`.

    `model` is filtered locally (the API has no model filter); `since` keeps jobs created
    at or after that moment; `fetch_all` pages through every matching job at once.
    """

    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)
    #: more jobs match the query than are loaded (see `load_more()`); not the same as rows < total
    #: when --offset or --since narrowed what the table reads
    has_more = traitlets.Bool(False).tag(sync=True)
    status_filter = traitlets.Enum(contract.STATUS_FILTERS, default_value="all").tag(sync=True)
    model_filter = traitlets.Unicode("all").tag(sync=True)
    sort_by = traitlets.Unicode("created_at").tag(sync=True)
    sort_descending = traitlets.Bool(True).tag(sync=True)
    loading = traitlets.Bool(False).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    selected_ids = traitlets.List(traitlets.Unicode()).tag(sync=True)
    opened_id = traitlets.Unicode(None, allow_none=True).tag(sync=True)

    def __init__(
        self,
        client: ProductAI | None = None,
        *,
        status: str = "all",
        model: str = "all",
        limit: int = contract.DEFAULT_LIST_LIMIT,
        offset: int = 0,
        since: datetime | None = None,
        fetch_all: bool = False,
        **kwargs: Any,
    ) -> None:
        # What close() tears down exists first: a widget that failed to build is still closed.
        self._live = LiveUpdates(self, self._show_rows)
        # Filled on the kernel's thread, emptied also on the throttle's timer thread.
        self._stop_watching: dict[str, Callable[[], None]] = {}
        self._watching_lock = threading.Lock()
        self.opened: JobView | None = None
        self.gallery: Gallery | None = None
        self._beneath = ipywidgets.VBox()
        # What a cell shows: the table with the opened job and the gallery beneath it.
        self.panel = ipywidgets.VBox()
        client = client or current_client()
        if client is None:
            raise ValueError(NO_CLIENT)
        self._client = client
        self._limit = limit
        self._first_offset = offset
        # The pages read so far: where the next starts on the server, and each job once
        # (a job created between two pages shifts them by one). Checks limit and offset too.
        self._pages = JobPages(limit, offset)
        self._since = since
        self._fetch_all = fetch_all
        self._loaded: list[Job] = []
        # A failed job read on its own has no model, though the list gave one: keep the list's.
        self._listed_models: dict[str, str | None] = {}
        super().__init__(status_filter=status, model_filter=model, **kwargs)
        self.panel.children = (self, self._beneath)
        self.observe(lambda _: self.refresh(), names="status_filter")
        self.observe(self._on_opened, names="opened_id")
        self.refresh()

    # -- what Python users read ---------------------------------------------------------

    @property
    def jobs(self) -> list[Job]:
        """The jobs shown (the model and status filters applied, as in the browser), newest first."""
        return [job for job in self._loaded if self._passes_filters(job)]

    @property
    def selected(self) -> list[Job]:
        """The jobs ticked in the table that the filters show (a ticked row hidden by a filter is not)."""
        by_id = {job.id: job for job in self.jobs}
        return [by_id[job_id] for job_id in self.selected_ids if job_id in by_id]

    def to_dataframe(self) -> pandas.DataFrame:
        """The jobs shown as a pandas DataFrame, one row per job, times as datetimes."""
        try:
            import pandas
        except ImportError:
            raise ImportError("JobsTable.to_dataframe() needs pandas: pip install pandas") from None
        records = []
        for job in self.jobs:
            state = job.state
            records.append({
                "job_id": state.job_id,
                "status": state.status,
                "model": state.model or self._listed_models.get(job.id),
                "prompt": job.prompt,
                "num_images": state.num_images,
                "tokens_used": state.tokens_used,
                "created_at": state.created_at,
                "completed_at": state.completed_at,
                "failed_at": state.failed_at,
                "duration": state.duration,
            })
        return pandas.DataFrame.from_records(records, columns=_DATAFRAME_COLUMNS)

    # -- querying -----------------------------------------------------------------------

    def refresh(self) -> None:
        """Query the API again from the first page (the status filter as it is now)."""
        self._forget_jobs()
        self._pages = JobPages(self._limit, self._first_offset)
        self._fetch(replace=True)

    def load_more(self) -> None:
        """Fetch the next page of the query and add it to the table."""
        if self.has_more and not self.loading:
            self._fetch(replace=False)

    def _fetch(self, *, replace: bool) -> None:
        status = None if self.status_filter == "all" else self.status_filter
        self.loading = True
        try:
            if self._fetch_all:
                every = self._client.jobs.iter(status=status)
                # Newest first: stop paging at the first job older than `since`.
                fetched = list(takewhile(self._is_recent, every) if self._since else every)
                total, has_more = len(fetched), False
            else:
                page = self._client.jobs.list(limit=self._limit, offset=self._pages.offset, status=status)
                fetched, total = self._pages.take(page), page.total
                has_more = self._pages.more
        except ProductAIError as exc:
            with self.hold_sync():
                self.error = str(exc)
                self.loading = False
            return
        # A job this client made keeps its live handle (and so its prompt); the rest get their own.
        jobs = [self._client.listed_job(state) for state in fetched]
        self._listed_models.update((state.job_id, state.model) for state in fetched)
        if self._since is not None:
            kept = [job for job in jobs if self._is_recent(job)]
            # Newest first: once a page reaches past `since`, no later page can hold a newer job.
            has_more = has_more and len(kept) == len(jobs)
            jobs = kept
        self._loaded = jobs if replace else self._loaded + jobs
        for job in jobs:
            self._watch(job)
        with self.hold_sync():
            self.total = total
            self.has_more = has_more
            self.error = ""
            self.loading = False
            self._show_rows()

    # -- live updates -------------------------------------------------------------------

    def _watch(self, job: Job) -> None:
        if job.state.is_terminal:
            return
        with self._watching_lock:
            if job.id in self._stop_watching:
                return
            unobserve = job.observe(self._on_row_change)
            unfollow = get_tracker().follow(job, shown=True)

            def stop() -> None:
                unobserve()
                unfollow()

            self._stop_watching[job.id] = stop

    def _on_row_change(self, job: Job) -> None:
        self._live.changed(final=job.is_terminal)

    def _settled(self) -> bool:
        return all(job.is_terminal for job in self._loaded)

    def _show_rows(self) -> None:
        with self.hold_sync():
            self.rows = [job_row(job, self._listed_models.get(job.id)) for job in self._loaded]
        with self._watching_lock:
            for job in self._loaded:
                if job.state.is_terminal and job.id in self._stop_watching:
                    self._stop_watching.pop(job.id)()

    def _forget_jobs(self) -> None:
        with self._watching_lock:
            for stop in self._stop_watching.values():
                stop()
            self._stop_watching.clear()

    # -- what the browser asks for ------------------------------------------------------

    def _requests(self) -> Mapping[str, RequestHandler]:
        return {"load_more": lambda *_: self.load_more(), "show_images": lambda *_: self.show_images()}

    def show_images(self) -> Gallery:
        """Open a Gallery of the ticked jobs (or of every job shown) beneath the table."""
        jobs = self.selected or self.jobs
        if self.gallery is not None:
            self.gallery.close()
        self.gallery = Gallery(jobs)
        self._show_beneath()
        return self.gallery

    def _on_opened(self, change: Any) -> None:
        if self.opened is not None:
            self.opened.close()
        job = next((job for job in self._loaded if job.id == change["new"]), None)
        self.opened = JobView.for_job(with_images(job)) if job is not None else None
        self._show_beneath()

    def _show_beneath(self) -> None:
        self._beneath.children = tuple(view for view in (self.opened, self.gallery) if view is not None)

    def _is_recent(self, job: Job | JobState) -> bool:
        return self._since is None or (job.created_at is not None and job.created_at >= self._since)

    def _passes_filters(self, job: Job) -> bool:
        # The browser hides a row whose job moved on from the queried status: so does Python.
        status_ok = self.status_filter == "all" or job.status == self.status_filter
        model = self.model_filter
        return status_ok and (model == "all" or model in (job.model, self._listed_models.get(job.id)))

    # -- display and teardown -----------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = self.panel._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self._summary()
        bundle["text/html"] = jobs_table_html(self.rows)
        return bundle

    def _summary(self) -> str:
        jobs = self.jobs
        images = sum(job.num_images or 0 for job in jobs if job.status == contract.COMPLETED)
        tokens = sum(job.tokens_used or 0 for job in jobs)
        query = "" if self.status_filter == "all" else f" {self.status_filter}"
        return f"JobsTable: {len(jobs)} of {self.total}{query} jobs, {images} images, {tokens} credits"

    def __repr__(self) -> str:
        return self._summary()

    def close(self) -> None:
        self._live.close()
        self._forget_jobs()
        for view in (self.opened, self.gallery):
            if view is not None:
                view.close()
        self._beneath.close()
        self.panel.close()
        super().close()
