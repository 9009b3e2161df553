"""`ProductAI` (blocking) and `AsyncProductAI` (asyncio): the documented API, one request policy.

Both are thin: they send what `_http` and `_inputs` decide, sleep where `_http` says, and turn
answers into models and job handles. `client.settings` holds the connection (base_url, key,
timeouts, retries) so another thread can build its own client: `AsyncProductAI.from_settings(...)`.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
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
from .models import Account, Asset, JobPage, JobState

H = TypeVar("H", bound=JobHandle)

DEFAULT_DOWNLOAD_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class _Base(Generic[H]):
    """What both clients share: settings, the job-handle registry, parsing answers."""

    def __init__(
        self, settings: ClientSettings, registry: weakref.WeakValueDictionary[str, H] | None
    ) -> None:
        self._settings = settings
        # one handle per job id while anyone holds it, so every view of a job sees the same updates
        self._handles: weakref.WeakValueDictionary[str, H] = (
            registry if registry is not None else (weakref.WeakValueDictionary())
        )
        self._handles_lock = threading.Lock()

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

    def _known_terminal(self, job_id: str) -> H | None:
        handle = self._handles.get(job_id)
        return handle if handle is not None and handle.is_terminal else None

    def _json(self, response: httpx.Response) -> Any:
        return _http.decode_json(self._settings, response)

    def _download_plan(self, job: JobHandle, folder: Path) -> list[tuple[int, str]]:
        if job.status == FAILED:
            raise JobFailedError(job)
        if job.status != COMPLETED:
            raise ProductAIError(
                f"Job {job.id} is {job.status}, not completed: wait for it first (job.wait())."
            )
        folder.mkdir(parents=True, exist_ok=True)
        plan = []
        for index, image in enumerate(job.images):
            if not image.url.startswith(("http://", "https://")):
                raise InvalidResponseError(
                    f"Image {index} of job {job.id} has no http(s) URL; cannot download it."
                )
            plan.append((index, image.url))
        return plan

    @staticmethod
    def _image_request(client: httpx.Client | httpx.AsyncClient, url: str) -> httpx.Request:
        # images live on a CDN: the API key is for the API only, so none of its headers go along
        return client.build_request("GET", url, timeout=DEFAULT_DOWNLOAD_TIMEOUT)

    def _download_failed(self, job: JobHandle, index: int, error: httpx.TransportError) -> ProductAIError:
        detail = self._settings.redact(f"{type(error).__name__}: {error}")[:200]
        return APIConnectionError(f"Downloading image {index} of job {job.id} failed ({detail}): retry.")

    @staticmethod
    def _save(job: JobHandle, folder: Path, index: int, url: str, response: httpx.Response) -> Path:
        if response.status_code != 200:
            raise ProductAIError(
                f"Downloading image {index} of job {job.id} got HTTP {response.status_code}: retry later."
            )
        path = folder / image_filename(job.id, index, url, response.headers.get("content-type"))
        # write beside, then rename: an interrupted download never leaves half an image under the final name
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
        with os.fdopen(fd, "wb") as out:
            out.write(response.content)
        os.replace(tmp, path)
        return path


def _page_size(page_size: int) -> int:
    list_params(page_size, 0, None)  # the same bounds as a page of list()
    return page_size


# ---------------------------------------------------------------------------------------------
# blocking client


class ProductAI(_Base[Job]):
    """The ProductAI API, blocking. `api_key=` or PRODUCTAI_API_KEY; `base_url=` or PRODUCTAI_BASE_URL."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        http_client: httpx.Client | None = None,
        _registry: weakref.WeakValueDictionary[str, Job] | None = None,
    ) -> None:
        super().__init__(ClientSettings.resolve(api_key, base_url, timeout, max_retries), _registry)
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client()
        self.jobs = Jobs(self)
        self.assets = Assets(self)

    @classmethod
    def from_settings(cls, settings: ClientSettings, *, http_client: httpx.Client | None = None) -> ProductAI:
        """A new client with the same connection settings as another one (its own connection pool)."""
        client = cls(settings.api_key, base_url=settings.base_url, http_client=http_client)
        client._settings = settings
        return client

    def with_options(
        self, *, timeout: float | httpx.Timeout | None = None, max_retries: int | None = None
    ) -> ProductAI:
        """This client with other timeouts or retries, sharing its connection pool and job handles."""
        client = ProductAI(self._settings.api_key, http_client=self._http, _registry=self._handles)
        client._settings = self._settings.with_changes(timeout=timeout, max_retries=max_retries)
        client._owns_http = False
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
        settings = self._settings
        attempt = 0
        while True:
            request = self._http.build_request(
                spec.method,
                f"{settings.base_url}/{spec.path}",
                params=spec.params,
                json=spec.json,
                data=spec.data,
                files=spec.files,
                headers=settings.headers(),
                timeout=settings.timeout,
            )
            try:
                response = self._http.send(request)
            except httpx.TransportError as error:
                delay = _http.retry_delay_after_error(settings, spec, error, attempt)
                if delay is None:
                    raise _http.connection_error(settings, spec, error) from None
                _http.log_retry(spec, type(error).__name__, delay, attempt, settings)
            else:
                _http.log_answer(spec, response.status_code, attempt)
                if response.is_success:
                    return response
                delay = _http.retry_delay_after_status(settings, spec, response, attempt)
                if delay is None:
                    raise _http.status_error(settings, response)
                _http.log_retry(spec, f"HTTP {response.status_code}", delay, attempt, settings)
            time.sleep(delay)
            attempt += 1

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
        body = generate_body(
            model=model,
            image_url=image_url,
            asset_id=asset_id,
            prompt=prompt,
            preset_id=preset_id,
            num_images=num_images,
            aspect_ratio=aspect_ratio,
            webhook_url=webhook_url,
        )
        state = JobState.parse(self._call(RequestSpec("POST", "generate", json=body, creates=True)))
        return self._handle(state, prompt)

    def me(self) -> Account:
        """Your account: plan and credits left."""
        return Account.parse(self._call(RequestSpec("GET", "me")))

    def _download(self, job: Job, folder: Path) -> list[Path]:
        paths = []
        for index, url in self._download_plan(job, folder):
            try:
                response = self._http.send(self._image_request(self._http, url))
            except httpx.TransportError as error:
                raise self._download_failed(job, index, error) from None
            paths.append(self._save(job, folder, index, url, response))
        return paths


class Jobs:
    """`client.jobs`: get, list, iterate and wait for jobs."""

    def __init__(self, client: ProductAI) -> None:
        self._client = client

    def fetch_state(self, job_id: str) -> JobState:
        """One `GET /jobs/{id}`: the job's current state, without touching any handle."""
        spec = RequestSpec("GET", _http.job_path(check_job_id(job_id)))
        return JobState.parse(self._client._call(spec))

    # Job.refresh() reads through this name
    _fetch_state = fetch_state

    def get(self, job_id: str) -> Job:
        """The job with this id, freshly read (an ended job is known for good and not read again)."""
        return self._client._known_terminal(job_id) or self._client._handle(self.fetch_state(job_id))

    def list(self, limit: int = DEFAULT_LIST_LIMIT, offset: int = 0, status: str | None = None) -> JobPage:
        """One page of your jobs, newest first; `status` is pending, processing, completed, failed or all."""
        spec = RequestSpec("GET", "jobs", params=list_params(limit, offset, status))
        return JobPage.parse(self._client._call(spec))

    def iter(self, status: str | None = None, page_size: int = 100) -> Iterator[JobState]:
        """Every job across all pages, newest first, each once."""
        seen: set[str] = set()
        offset = 0
        _page_size(page_size)
        while True:
            page = self.list(limit=page_size, offset=offset, status=status)
            for job in page.jobs:
                # a job created meanwhile shifts the pages by one; never yield a job twice
                if job.job_id not in seen:
                    seen.add(job.job_id)
                    yield job
            offset += len(page.jobs)
            if not page.has_more or not page.jobs:
                return

    def _as_job(self, job: Job | str) -> Job:
        return job if isinstance(job, Job) else self.get(job)

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
        if handle.status == FAILED:
            raise JobFailedError(handle)
        return handle


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


class AsyncProductAI(_Base[AsyncJob]):
    """The ProductAI API for asyncio: the same calls as `ProductAI`, awaited."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        http_client: httpx.AsyncClient | None = None,
        _registry: weakref.WeakValueDictionary[str, AsyncJob] | None = None,
    ) -> None:
        super().__init__(ClientSettings.resolve(api_key, base_url, timeout, max_retries), _registry)
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient()
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

    def with_options(
        self, *, timeout: float | httpx.Timeout | None = None, max_retries: int | None = None
    ) -> AsyncProductAI:
        client = AsyncProductAI(self._settings.api_key, http_client=self._http, _registry=self._handles)
        client._settings = self._settings.with_changes(timeout=timeout, max_retries=max_retries)
        client._owns_http = False
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
        settings = self._settings
        attempt = 0
        while True:
            request = self._http.build_request(
                spec.method,
                f"{settings.base_url}/{spec.path}",
                params=spec.params,
                json=spec.json,
                data=spec.data,
                files=spec.files,
                headers=settings.headers(),
                timeout=settings.timeout,
            )
            try:
                response = await self._http.send(request)
            except httpx.TransportError as error:
                delay = _http.retry_delay_after_error(settings, spec, error, attempt)
                if delay is None:
                    raise _http.connection_error(settings, spec, error) from None
                _http.log_retry(spec, type(error).__name__, delay, attempt, settings)
            else:
                _http.log_answer(spec, response.status_code, attempt)
                if response.is_success:
                    return response
                delay = _http.retry_delay_after_status(settings, spec, response, attempt)
                if delay is None:
                    raise _http.status_error(settings, response)
                _http.log_retry(spec, f"HTTP {response.status_code}", delay, attempt, settings)
            await asyncio.sleep(delay)
            attempt += 1

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
        body = generate_body(
            model=model,
            image_url=image_url,
            asset_id=asset_id,
            prompt=prompt,
            preset_id=preset_id,
            num_images=num_images,
            aspect_ratio=aspect_ratio,
            webhook_url=webhook_url,
        )
        state = JobState.parse(await self._call(RequestSpec("POST", "generate", json=body, creates=True)))
        return self._handle(state, prompt)

    async def me(self) -> Account:
        return Account.parse(await self._call(RequestSpec("GET", "me")))

    async def _download(self, job: AsyncJob, folder: Path) -> list[Path]:
        paths = []
        for index, url in self._download_plan(job, folder):
            try:
                response = await self._http.send(self._image_request(self._http, url))
            except httpx.TransportError as error:
                raise self._download_failed(job, index, error) from None
            paths.append(self._save(job, folder, index, url, response))
        return paths


class AsyncJobs:
    """`client.jobs` of the async client."""

    def __init__(self, client: AsyncProductAI) -> None:
        self._client = client

    async def fetch_state(self, job_id: str) -> JobState:
        spec = RequestSpec("GET", _http.job_path(check_job_id(job_id)))
        return JobState.parse(await self._client._call(spec))

    _fetch_state = fetch_state

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
        seen: set[str] = set()
        offset = 0
        _page_size(page_size)
        while True:
            page = await self.list(limit=page_size, offset=offset, status=status)
            for job in page.jobs:
                if job.job_id not in seen:
                    seen.add(job.job_id)
                    yield job
            offset += len(page.jobs)
            if not page.has_more or not page.jobs:
                return

    async def _as_job(self, job: AsyncJob | str) -> AsyncJob:
        return job if isinstance(job, AsyncJob) else await self.get(job)

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
        if handle.status == FAILED:
            raise JobFailedError(handle)
        return handle


class AsyncAssets:
    """`client.assets` of the async client."""

    def __init__(self, client: AsyncProductAI) -> None:
        self._client = client

    async def upload(self, source: Any, *, name: str | None = None, tags: Iterable[str] = ()) -> Asset:
        return Asset.parse(await self._client._call(_upload_spec(source, name, tags)))

    async def list(self) -> builtins.list[Asset]:
        return _parse_assets(await self._client._call(RequestSpec("GET", "my-uploaded-assets")))
