"""`ProductAI` (blocking) and `AsyncProductAI` (asyncio): the documented API, one request policy.

Both are thin: they send what `_http` and `_inputs` decide, sleep where `_http` says, and turn
answers into models and job handles. `client.settings` holds the connection (base_url, key,
timeouts, retries) so another thread can build its own client: `AsyncProductAI.from_settings(...)`.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import copy
import os
import tempfile
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx

from ..contract import COMPLETED, DEFAULT_ASPECT_RATIO, DEFAULT_LIST_LIMIT, DEFAULT_NUM_IMAGES, FAILED
from . import _http
from ._http import ClientSettings, RequestSpec
from ._inputs import check_job_id, generate_body, image_filename, list_params, upload_file
from ._polling import PollInterval
from ._waiting import JobsWait
from .errors import APIConnectionError, InvalidResponseError, JobFailedError, ProductAIError
from .job import AsyncJob, Job, JobHandle
from .models import Account, Asset, JobImage, JobPage, JobState

H = TypeVar("H", bound=JobHandle)
# the connection pool: blocking or asyncio
C = TypeVar("C", httpx.Client, httpx.AsyncClient)
Client = TypeVar("Client", bound="_Base[Any, Any]")

DEFAULT_DOWNLOAD_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class _Base(Generic[H, C]):
    """What both clients share: settings, the connection pool, the job-handle registry, parsing answers."""

    def __init__(self, settings: ClientSettings, http_client: C | None, new_http_client: type[C]) -> None:
        self._settings = settings
        self._owns_http = http_client is None
        self._http: C = http_client or new_http_client()
        # one handle per job id while anyone holds it, so every view of a job sees the same updates
        self._handles: weakref.WeakValueDictionary[str, H] = weakref.WeakValueDictionary()
        self._handles_lock = threading.Lock()
        self._open_namespaces()

    def _open_namespaces(self) -> None:
        """Set `jobs` and `assets`, bound to this client."""
        raise NotImplementedError

    def with_options(
        self: Client, *, timeout: float | httpx.Timeout | None = None, max_retries: int | None = None
    ) -> Client:
        """This client with other timeouts or retries, sharing its connection pool and job handles."""
        client = copy.copy(self)
        client._settings = self._settings.with_changes(timeout=timeout, max_retries=max_retries)
        client._owns_http = False
        client._open_namespaces()
        return client

    @property
    def settings(self) -> ClientSettings:
        """The connection: base_url, api_key, timeout, max_retries. Its repr hides the key."""
        return self._settings

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def api_key(self) -> str:
        """The key this client sends (never shown in its repr)."""
        return self._settings.api_key

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._settings.base_url!r})"

    def _new_handle(self, state: JobState, prompt: str | None) -> H:
        raise NotImplementedError

    def _handle(self, state: JobState, prompt: str | None = None) -> H:
        with self._handles_lock:
            handle = self._handles.get(state.job_id)
            if handle is None:
                handle = self._new_handle(state, prompt)
                self._handles[state.job_id] = handle
                return handle
        handle._apply(state)
        if prompt and not handle.prompt:
            handle.prompt = prompt
        return handle

    def _listed_handle(self, state: JobState) -> H:
        """A handle for a job seen in a listing (which carries no images, and never the prompt).

        This client's own handle when it has one, so every view of the job shares its updates and
        its prompt; else a new handle this client does not keep: a kept handle must always hold
        what `jobs.get()` would give, and an ended one is never read again.
        """
        with self._handles_lock:
            known = self._handles.get(state.job_id)
        return known if known is not None else self._new_handle(state, None)

    def _known_terminal(self, job_id: str) -> H | None:
        handle = self._handles.get(job_id)
        return handle if handle is not None and handle.is_terminal else None

    def _json(self, response: httpx.Response) -> Any:
        return _http.decode_json(self._settings, response)

    @staticmethod
    def _completed(job: H) -> H:
        """The job, which a wait saw end: completed, or JobFailedError."""
        if job.status == FAILED:
            raise JobFailedError(job)
        return job


class ImageDownload:
    """Saving a completed job's images into a folder, minus the sending: see the clients' `_download`.

    Each image: send `request(http, image)` inside `with fetching(image):` (a network error
    becomes the typed error), then `save(image, response)`; `saved` lists the files written.
    """

    def __init__(self, settings: ClientSettings, job: JobHandle, folder: Path) -> None:
        if job.status == FAILED:
            raise JobFailedError(job)
        if job.status != COMPLETED:
            raise ProductAIError(
                f"Job {job.id} is {job.status}, not completed: wait for it first (job.wait())."
            )
        for index, image in enumerate(job.images):
            if not image.url.startswith(("http://", "https://")):
                raise InvalidResponseError(
                    f"Image {index} of job {job.id} has no http(s) URL; cannot download it."
                )
        folder.mkdir(parents=True, exist_ok=True)
        self._settings = settings
        self._job = job
        self._folder = folder
        self.images = list(enumerate(job.images))
        self.saved: list[Path] = []

    @staticmethod
    def request(http: httpx.Client | httpx.AsyncClient, image: tuple[int, JobImage]) -> httpx.Request:
        # images live on a CDN: the API key is for the API only, so no Authorization goes along,
        # not even one a caller's own http_client carries by default (its `auth=` is off in `send`)
        request = http.build_request("GET", image[1].url, timeout=DEFAULT_DOWNLOAD_TIMEOUT)
        request.headers.pop("Authorization", None)
        return request

    @contextlib.contextmanager
    def fetching(self, image: tuple[int, JobImage]) -> Iterator[None]:
        try:
            yield
        except httpx.RequestError as error:  # a network error, or a redirect loop
            detail = self._settings.redact(f"{type(error).__name__}: {error}")[:200]
            raise APIConnectionError(
                f"Downloading image {image[0]} of job {self._job.id} failed ({detail}): retry."
            ) from None

    def save(self, image: tuple[int, JobImage], response: httpx.Response) -> None:
        index, job_image = image
        if response.status_code != 200:
            raise ProductAIError(
                f"Downloading image {index} of job {self._job.id} got HTTP {response.status_code}: "
                "retry later."
            )
        name = image_filename(self._job.id, index, job_image.url, response.headers.get("content-type"))
        path = self._folder / name
        # write beside, then rename: an interrupted download never leaves half an image under the final name
        fd, tmp = tempfile.mkstemp(dir=self._folder, prefix=".part-")
        with os.fdopen(fd, "wb") as out:
            out.write(response.content)
        os.replace(tmp, path)
        self.saved.append(path)


class JobPages:
    """Walking every page of a job listing, minus the requests: the next offset, each job once."""

    def __init__(self, page_size: int, offset: int = 0) -> None:
        list_params(page_size, offset, None)  # the same bounds as a page of list()
        self.offset = offset
        self.more = True
        self._seen: set[str] = set()

    def take(self, page: JobPage) -> builtins.list[JobState]:
        """The page's jobs not seen before; moves on to the next page."""
        new = []
        for job in page.jobs:
            # a job created meanwhile shifts the pages by one; never yield a job twice
            if job.job_id not in self._seen:
                self._seen.add(job.job_id)
                new.append(job)
        self.offset += len(page.jobs)
        self.more = page.has_more and bool(page.jobs)
        return new


def _generate_spec(body: dict[str, Any]) -> RequestSpec:
    """`POST /generate` of a checked body: the one request a retry must never repeat blindly."""
    return RequestSpec("POST", "generate", json=body, creates=True)


# ---------------------------------------------------------------------------------------------
# blocking client


class ProductAI(_Base[Job, httpx.Client]):
    """The ProductAI API, blocking. `api_key=` or PRODUCTAI_API_KEY; `base_url=` or PRODUCTAI_BASE_URL."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        settings = ClientSettings.resolve(api_key, base_url, timeout, max_retries)
        super().__init__(settings, http_client, httpx.Client)

    def _open_namespaces(self) -> None:
        self.jobs = Jobs(self)
        self.assets = Assets(self)

    @classmethod
    def from_settings(cls, settings: ClientSettings, *, http_client: httpx.Client | None = None) -> ProductAI:
        """A new client with the same connection settings as another one (its own connection pool)."""
        client = cls(settings.api_key, base_url=settings.base_url, http_client=http_client)
        client._settings = settings
        return client

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> ProductAI:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _new_handle(self, state: JobState, prompt: str | None) -> Job:
        return Job(self, state, prompt=prompt)

    def _send(self, spec: RequestSpec) -> httpx.Response:
        """One API call under the request policy: retries, backoff, typed errors."""
        attempts = _http.Attempts(self._settings, spec)
        while True:
            delay: float | None
            try:
                response = self._http.send(attempts.request(self._http))
            except httpx.TransportError as error:
                delay = attempts.after_error(error)
            else:
                delay = attempts.after_response(response)
                if delay is None:
                    return response
            time.sleep(delay)

    def _call(self, spec: RequestSpec) -> Any:
        return self._json(self._send(spec))

    def generate(
        self,
        *,
        model: str,
        image_url: str | None = None,
        asset_id: str | None = None,
        prompt: str | None = None,
        preset_id: str | None = None,
        num_images: int = DEFAULT_NUM_IMAGES,
        aspect_ratio: str = DEFAULT_ASPECT_RATIO,
        webhook_url: str | None = None,
    ) -> Job:
        """Start a generation job; returns its `Job` at once (pending). `job.wait()` for the images."""
        spec = _generate_spec(
            generate_body(
                model=model,
                image_url=image_url,
                asset_id=asset_id,
                prompt=prompt,
                preset_id=preset_id,
                num_images=num_images,
                aspect_ratio=aspect_ratio,
                webhook_url=webhook_url,
            )
        )
        return self._handle(JobState.parse(self._call(spec)), prompt)

    def me(self) -> Account:
        """Your account: plan and credits left."""
        return Account.parse(self._call(RequestSpec("GET", "me")))

    def _download(self, job: Job, folder: Path) -> list[Path]:
        download = ImageDownload(self._settings, job, folder)
        for image in download.images:
            with download.fetching(image):
                request = download.request(self._http, image)
                # a redirect only ever drops headers: it cannot add the key
                download.save(image, self._http.send(request, auth=None, follow_redirects=True))
        return download.saved


class Jobs:
    """`client.jobs`: get, list, iterate and wait for jobs."""

    def __init__(self, client: ProductAI) -> None:
        self._client = client

    def fetch_state(self, job_id: str) -> JobState:
        """One `GET /jobs/{id}`: the job's current state, without touching any handle."""
        spec = RequestSpec("GET", _http.job_path(check_job_id(job_id)))
        return JobState.parse(self._client._call(spec))

    def get(self, job_id: str) -> Job:
        """The job with this id, freshly read (an ended job is known for good and not read again)."""
        return self._client._known_terminal(job_id) or self._client._handle(self.fetch_state(job_id))

    def list(self, limit: int = DEFAULT_LIST_LIMIT, offset: int = 0, status: str | None = None) -> JobPage:
        """One page of your jobs, newest first; `status` is pending, processing, completed, failed or all."""
        spec = RequestSpec("GET", "jobs", params=list_params(limit, offset, status))
        return JobPage.parse(self._client._call(spec))

    def iter(self, status: str | None = None, page_size: int = 100) -> Iterator[JobState]:
        """Every job across all pages, newest first, each once."""
        pages = JobPages(page_size)
        while pages.more:
            yield from pages.take(self.list(limit=page_size, offset=pages.offset, status=status))

    def _as_job(self, job: Job | str) -> Job:
        # a job from a listing has ended but lacks its images: a wait returns it read in full
        if isinstance(job, Job):
            return job.refresh() if job.state.is_summary else job
        return self.get(job)

    def as_completed(
        self,
        jobs: Iterable[Job | str],
        *,
        timeout: float | None = None,
        poll_interval: PollInterval = None,
        on_progress: Callable[[Job], None] | None = None,
    ) -> Iterator[Job]:
        """Yield each job as it ends (completed or failed), polling all of them adaptively.

        A job the notebook's background tracker already follows is not polled again: the wait
        takes the tracker's news. A failed job is yielded like any other (check `job.status`);
        past `timeout` seconds in all, JobTimeoutError names an unfinished job.
        """
        woken = threading.Event()
        waiting = JobsWait(
            map(self._as_job, jobs),
            timeout=timeout,
            poll_interval=poll_interval,
            now=time.monotonic(),
            wake=woken.set,
        )
        try:
            while True:
                for job in waiting.news():
                    if on_progress:
                        on_progress(job)
                yield from waiting.ended()
                if not waiting:
                    return
                waiting.check_deadline(time.monotonic())
                woken.wait(waiting.pause(time.monotonic()))
                woken.clear()  # before reading the news: a change after this wakes the next round
                for job in waiting.to_poll(time.monotonic()):
                    job._apply(self.fetch_state(job.id))
                    waiting.polled(job, time.monotonic())
        finally:
            waiting.close()

    def wait_all(
        self,
        jobs: Iterable[Job | str],
        *,
        timeout: float | None = None,
        poll_interval: PollInterval = None,
        on_progress: Callable[[Job], None] | None = None,
    ) -> builtins.list[Job]:
        """Wait until every job has ended; returns them in the given order, failed ones included."""
        handles = [self._as_job(job) for job in jobs]
        for _ in self.as_completed(
            handles, timeout=timeout, poll_interval=poll_interval, on_progress=on_progress
        ):
            pass
        return handles

    def wait(
        self,
        job: Job | str,
        *,
        timeout: float | None = None,
        poll_interval: PollInterval = None,
        on_progress: Callable[[Job], None] | None = None,
    ) -> Job:
        """Wait for one job: returns it completed; raises JobFailedError or JobTimeoutError."""
        (handle,) = self.wait_all(
            [job], timeout=timeout, poll_interval=poll_interval, on_progress=on_progress
        )
        return self._client._completed(handle)


class Assets:
    """`client.assets`: upload input images and list them."""

    def __init__(self, client: ProductAI) -> None:
        self._client = client

    def upload(self, source: Any, *, name: str | None = None, tags: Iterable[str] = ()) -> Asset:
        """Upload an image (a path, bytes, a binary file, a PIL image, or an http(s) URL string)."""
        return Asset.parse(self._client._call(_upload_spec(source, name, tags)))

    def list(self) -> builtins.list[Asset]:
        """Your uploaded images."""
        return _parse_assets(self._client._call(RequestSpec("GET", "my-uploaded-assets")))


def _upload_spec(source: Any, name: str | None, tags: Iterable[str]) -> RequestSpec:
    tags = list(tags)
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        body: dict[str, Any] = {"url": source, "tags": tags}
        if name:
            body["name"] = name
        return RequestSpec("POST", "training-asset", json=body, creates=True)
    filename, content, mime = upload_file(source)
    data: dict[str, Any] = {"tags[]": tags}
    if name:
        data["name"] = name
    return RequestSpec(
        "POST", "training-asset", data=data, files={"file": (filename, content, mime)}, creates=True
    )


def _parse_assets(body: Any) -> list[Asset]:
    # the listing's shape is undocumented: accept a bare list or {"assets": [...]}
    items = body.get("assets") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise InvalidResponseError(
            "The API answered the asset list with neither a list nor {'assets': [...]}."
        )
    return [Asset.parse(item) for item in items]


# ---------------------------------------------------------------------------------------------
# asyncio client: the same calls, awaited


class AsyncProductAI(_Base[AsyncJob, httpx.AsyncClient]):
    """The ProductAI API for asyncio: the same calls as `ProductAI`, awaited."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        settings = ClientSettings.resolve(api_key, base_url, timeout, max_retries)
        super().__init__(settings, http_client, httpx.AsyncClient)

    def _open_namespaces(self) -> None:
        self.jobs = AsyncJobs(self)
        self.assets = AsyncAssets(self)

    @classmethod
    def from_settings(
        cls, settings: ClientSettings, *, http_client: httpx.AsyncClient | None = None
    ) -> AsyncProductAI:
        """A new client with the same connection settings as another one (its own connection pool)."""
        client = cls(settings.api_key, base_url=settings.base_url, http_client=http_client)
        client._settings = settings
        return client

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    aclose = close  # httpx's name for it

    async def __aenter__(self) -> AsyncProductAI:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _new_handle(self, state: JobState, prompt: str | None) -> AsyncJob:
        return AsyncJob(self, state, prompt=prompt)

    async def _send(self, spec: RequestSpec) -> httpx.Response:
        attempts = _http.Attempts(self._settings, spec)
        while True:
            delay: float | None
            try:
                response = await self._http.send(attempts.request(self._http))
            except httpx.TransportError as error:
                delay = attempts.after_error(error)
            else:
                delay = attempts.after_response(response)
                if delay is None:
                    return response
            await asyncio.sleep(delay)

    async def _call(self, spec: RequestSpec) -> Any:
        return self._json(await self._send(spec))

    async def generate(
        self,
        *,
        model: str,
        image_url: str | None = None,
        asset_id: str | None = None,
        prompt: str | None = None,
        preset_id: str | None = None,
        num_images: int = DEFAULT_NUM_IMAGES,
        aspect_ratio: str = DEFAULT_ASPECT_RATIO,
        webhook_url: str | None = None,
    ) -> AsyncJob:
        spec = _generate_spec(
            generate_body(
                model=model,
                image_url=image_url,
                asset_id=asset_id,
                prompt=prompt,
                preset_id=preset_id,
                num_images=num_images,
                aspect_ratio=aspect_ratio,
                webhook_url=webhook_url,
            )
        )
        return self._handle(JobState.parse(await self._call(spec)), prompt)

    async def me(self) -> Account:
        return Account.parse(await self._call(RequestSpec("GET", "me")))

    async def _download(self, job: AsyncJob, folder: Path) -> list[Path]:
        download = ImageDownload(self._settings, job, folder)
        for image in download.images:
            with download.fetching(image):
                request = download.request(self._http, image)
                download.save(image, await self._http.send(request, auth=None, follow_redirects=True))
        return download.saved


class AsyncJobs:
    """`client.jobs` of the async client."""

    def __init__(self, client: AsyncProductAI) -> None:
        self._client = client

    async def fetch_state(self, job_id: str) -> JobState:
        spec = RequestSpec("GET", _http.job_path(check_job_id(job_id)))
        return JobState.parse(await self._client._call(spec))

    async def get(self, job_id: str) -> AsyncJob:
        known = self._client._known_terminal(job_id)
        return known or self._client._handle(await self.fetch_state(job_id))

    async def list(
        self, limit: int = DEFAULT_LIST_LIMIT, offset: int = 0, status: str | None = None
    ) -> JobPage:
        spec = RequestSpec("GET", "jobs", params=list_params(limit, offset, status))
        return JobPage.parse(await self._client._call(spec))

    async def iter(self, status: str | None = None, page_size: int = 100) -> AsyncIterator[JobState]:
        """`async for job in client.jobs.iter()`: every job across all pages, each once."""
        pages = JobPages(page_size)
        while pages.more:
            for job in pages.take(await self.list(limit=page_size, offset=pages.offset, status=status)):
                yield job

    async def _as_job(self, job: AsyncJob | str) -> AsyncJob:
        if isinstance(job, AsyncJob):
            return await job.refresh() if job.state.is_summary else job
        return await self.get(job)

    async def as_completed(
        self,
        jobs: Iterable[AsyncJob | str],
        *,
        timeout: float | None = None,
        poll_interval: PollInterval = None,
        on_progress: Callable[[AsyncJob], None] | None = None,
    ) -> AsyncIterator[AsyncJob]:
        """`async for job in ...`: each job as it ends; the due polls of a round go out concurrently.

        As in the blocking client, a job the background tracker follows is not polled again.
        """
        loop = asyncio.get_running_loop()
        woken = asyncio.Event()

        def wake() -> None:
            # Observers run on the thread that learned the news (the tracker's, say): hop onto this loop.
            with contextlib.suppress(RuntimeError):  # the loop closed after this wait was over
                loop.call_soon_threadsafe(woken.set)

        waiting = JobsWait(
            [await self._as_job(job) for job in jobs],
            timeout=timeout,
            poll_interval=poll_interval,
            now=loop.time(),
            wake=wake,
        )
        try:
            while True:
                for job in waiting.news():
                    if on_progress:
                        on_progress(job)
                for job in waiting.ended():
                    yield job
                if not waiting:
                    return
                waiting.check_deadline(loop.time())
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(woken.wait(), waiting.pause(loop.time()))
                woken.clear()  # before reading the news: a change after this wakes the next round
                polled = waiting.to_poll(loop.time())
                states = await asyncio.gather(*(self.fetch_state(job.id) for job in polled))
                for job, state in zip(polled, states, strict=True):
                    job._apply(state)
                    waiting.polled(job, loop.time())
        finally:
            waiting.close()

    async def wait_all(
        self,
        jobs: Iterable[AsyncJob | str],
        *,
        timeout: float | None = None,
        poll_interval: PollInterval = None,
        on_progress: Callable[[AsyncJob], None] | None = None,
    ) -> builtins.list[AsyncJob]:
        handles = [await self._as_job(job) for job in jobs]
        async for _ in self.as_completed(
            handles, timeout=timeout, poll_interval=poll_interval, on_progress=on_progress
        ):
            pass
        return handles

    async def wait(
        self,
        job: AsyncJob | str,
        *,
        timeout: float | None = None,
        poll_interval: PollInterval = None,
        on_progress: Callable[[AsyncJob], None] | None = None,
    ) -> AsyncJob:
        (handle,) = await self.wait_all(
            [job], timeout=timeout, poll_interval=poll_interval, on_progress=on_progress
        )
        return self._client._completed(handle)


class AsyncAssets:
    """`client.assets` of the async client."""

    def __init__(self, client: AsyncProductAI) -> None:
        self._client = client

    async def upload(self, source: Any, *, name: str | None = None, tags: Iterable[str] = ()) -> Asset:
        return Asset.parse(await self._client._call(_upload_spec(source, name, tags)))

    async def list(self) -> builtins.list[Asset]:
        return _parse_assets(await self._client._call(RequestSpec("GET", "my-uploaded-assets")))
