"""`ProductAI` (blocking) and `AsyncProductAI` (asyncio): settings, lifecycle, and the one request policy.

Both are thin: they send what `_http` and `_inputs` decide, sleep where `_http` says, and turn
answers into models and job handles. The resources live in `resources/`: `client.jobs`,
`client.assets`, and the downloads behind `job.download()`. `client.settings` holds the
connection (base_url, key, timeouts, retries): `AsyncProductAI.from_settings(...)` builds another.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import copy
import threading
import time
import weakref
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx

from ..contract import DEFAULT_ASPECT_RATIO, DEFAULT_NUM_IMAGES
from . import _http
from ._async.create import create_job_async
from ._http import ClientSettings, RequestSpec
from ._inputs import checked_in_the_call, generate_body
from ._lost_creates import Creates
from ._sync.create import create_job
from .engine.account import engine_for
from .engine.pacing import Budget
from .engine.turns import SLICE_SECONDS
from .errors import APIConnectionError, ProductAIError
from .job import AsyncJob, Job, JobHandle
from .models import Account, JobState
from .resources import Assets, AsyncAssets, AsyncJobs, Jobs

H = TypeVar("H", bound=JobHandle)
# the connection pool: blocking or asyncio
C = TypeVar("C", httpx.Client, httpx.AsyncClient)
Client = TypeVar("Client", bound="_Base[Any, Any]")

class _Base(abc.ABC, Generic[H, C]):
    """What both clients share: settings, the connection pool, the job-handle registry, parsing answers.
    What differs (blocking or awaited) is each client's own: the abstract methods below."""

    def __init__(self, settings: ClientSettings, http_client: C | None, new_http_client: type[C]) -> None:
        self._settings = settings
        self._owns_http = http_client is None
        self._http: C = http_client or new_http_client()
        # every request of this account, from any client in the process, is paced by one engine
        self._engine = engine_for(settings)
        self._engine.clients.add(self)  # (as a `Sender`: the engine sees nothing else of it)
        # one handle per job id while anyone holds it, so every view of a job sees the same updates
        self._handles: weakref.WeakValueDictionary[str, H] = weakref.WeakValueDictionary()
        self._handles_lock = threading.Lock()
        # every job this client created, even once its handle is gone: never mistaken for a lost create's
        self._created_ids: set[str] = set()
        self._open_namespaces()

    @abc.abstractmethod
    def _open_namespaces(self) -> None:
        """Set `jobs` and `assets`, bound to this client."""

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

    def budget(self) -> Budget:
        """The account's request budget now: its limit and where it came from, the requests of the
        window, and what the engine holds back (`print(client.budget().describe())`)."""
        return self._engine.budget()

    # -- what the engine asks of a client (`engine.sender.Sender`) ----------------------------

    @property
    def is_open(self) -> bool:
        """False once the client was closed (its connection pool with it)."""
        return not self._http.is_closed

    def held_job(self, job_id: str) -> H | None:
        """This client's handle on `job_id` while anyone holds it, else None."""
        with self._handles_lock:
            return self._handles.get(job_id)

    @abc.abstractmethod
    def send_in_background(
        self, spec: RequestSpec, stop: threading.Event, result: bool = False
    ) -> Future[Any]:
        """One request at background priority, sent without blocking the caller (see `Sender`)."""

    # -- what the library's own modules ask of a client (resources, lost creates, downloads) ----
    # (public and typed so that no other module reaches into a client's private attributes)

    @property
    def creates(self) -> Creates:
        """The account's ledger of creates under way (what a lost create's search weighs)."""
        return self._engine.creates

    def connection_pool(self) -> C:
        """The connection pool, or a clear ProductAIError when this client was closed."""
        return self._open_http()

    def job_handle(self, state: JobState, prompt: str | None = None, aspect_ratio: str | None = None) -> H:
        """This client's one handle on the job of `state`, made or updated with it (every view of
        the job shares it); `prompt` and `aspect_ratio` are what this client asked for, if it did."""
        return self._handle(state, prompt, aspect_ratio)

    def listed_job(self, state: JobState) -> H:
        """A handle for a job seen in a listing (which carries no images, and never the prompt).

        This client's own handle when it has one, so every view of the job shares its updates and
        its prompt; else a new handle this client does not keep: a kept handle must always hold
        what `jobs.get()` would give, and an ended one is never read again.
        """
        with self._handles_lock:
            known = self._handles.get(state.job_id)
        return known if known is not None else self._new_handle(state, None)

    def known_job_ids(self) -> set[str]:
        """The ids of the jobs this client made or holds a handle on (never a lost create's)."""
        with self._handles_lock:
            return self._created_ids | set(self._handles)

    def note_created(self, job_id: str) -> None:
        """Remember that this client made `job_id`, even once its handle is gone."""
        with self._handles_lock:
            self._created_ids.add(job_id)

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def is_closed(self) -> bool:
        """True once `close()` (or the end of its `with` block) closed its connections."""
        return self._http.is_closed

    def _open_http(self) -> C:
        """The connection pool, or a clear error when this client was closed (httpx's is a RuntimeError)."""
        if self._http.is_closed:
            raise ProductAIError(
                f"This {type(self).__name__} was closed (close() or the end of its `with` block); make a new "
                "one: ProductAI(...), or pai.sandbox(), which gives a working sandbox client again."
            )
        return self._http

    @property
    def api_key(self) -> str:
        """The key this client sends (never shown in its repr)."""
        return self._settings.api_key

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._settings.base_url!r})"

    @abc.abstractmethod
    def _new_handle(self, state: JobState, prompt: str | None) -> H:
        """A new handle of this client's kind (`Job` or `AsyncJob`) on the job of `state`."""

    def _handle(self, state: JobState, prompt: str | None = None, aspect_ratio: str | None = None) -> H:
        with self._handles_lock:
            known = self._handles.get(state.job_id)
            handle = self._new_handle(state, prompt) if known is None else known
            self._handles[state.job_id] = handle  # (weakly held: `handle` keeps it alive)
        if known is not None:
            handle.offer_state(state)  # outside the lock: observers run here
        # what this client asked for, which the API never says again
        handle.prompt = handle.prompt or prompt
        handle.aspect_ratio = handle.aspect_ratio or aspect_ratio
        return handle

    @staticmethod
    def _pushed(handle: H, webhook_url: str | None) -> H:
        """A job made with a webhook_url: its end comes pushed, polls are only the slow fallback."""
        handle.push_expected = handle.push_expected or webhook_url is not None
        return handle

    def _json(self, response: httpx.Response) -> Any:
        return _http.decode_json(self._settings, response)

    def _learned_plan(self, account: Account) -> Account:
        self._engine.learn_plan(account.plan)
        return account


async def _stopped_within(stop: threading.Event, seconds: float) -> bool:
    """Sleep `seconds`, looking at `stop` every slice (a thread sets it): True as soon as it is set."""
    deadline = time.monotonic() + seconds
    while not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        await asyncio.sleep(min(left, SLICE_SECONDS))
    return True


def blocking_client(client: ProductAI | AsyncProductAI) -> ProductAI:
    """`client` itself, or an asyncio client's blocking twin: for code on a thread that cannot await."""
    return client.blocking() if isinstance(client, AsyncProductAI) else client


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
        requests_per_minute: int | None = None,
        rate_window: float | None = None,
        images_first: bool | None = None,
    ) -> None:
        settings = ClientSettings.resolve(
            api_key, base_url, timeout, max_retries, requests_per_minute, rate_window, images_first
        )
        super().__init__(settings, http_client, httpx.Client)

    def _open_namespaces(self) -> None:
        self.jobs = Jobs(self)
        self.assets = Assets(self)

    @classmethod
    def from_settings(cls, settings: ClientSettings, *, http_client: httpx.Client | None = None) -> ProductAI:
        """A new client with the same connection settings as another one (its own connection pool)."""
        client = cls(settings.api_key, base_url=settings.base_url, http_client=http_client)
        client._settings = settings
        client._engine.configure(settings)
        return client

    def close(self) -> None:
        """Close the connection pool this client made (one passed as `http_client=` stays open)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> ProductAI:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _new_handle(self, state: JobState, prompt: str | None) -> Job:
        return Job(self, state, prompt=prompt)

    def _send(
        self, spec: RequestSpec, background: threading.Event | None = None, result: bool = False
    ) -> httpx.Response:
        """One API call under the request policy: paced by the account's engine, retries, typed errors.

        `background`: the tracker's stop event when this is a background poll (it goes after the
        user's own calls, and stops waiting once the event is set); `result`: that poll reads an
        ended job for its images or error (see `engine.pacing.RESULT`).
        """
        http = self._open_http()
        attempts = _http.Attempts(self._settings, spec)
        while True:
            delay: float | None
            sent = self._engine.acquire(background, result=result)
            try:
                response = http.send(attempts.request(http))
            except httpx.TransportError as error:
                self._engine.observe(sent, None)
                delay = attempts.after_error(error)
            else:
                self._engine.observe(sent, response)
                delay = attempts.after_response(response)
                if delay is None:
                    return response
            if background is None:
                time.sleep(delay)
            elif background.wait(delay):
                raise APIConnectionError("The background tracker stopped; nothing polls any more.")

    def _call(
        self, spec: RequestSpec, background: threading.Event | None = None, result: bool = False
    ) -> Any:
        """`_send`, and its answer's JSON (redacted)."""
        return self._json(self._send(spec, background, result))

    def call(self, spec: RequestSpec) -> Any:
        """One API call under the request policy (paced, retried, typed errors): its JSON, redacted."""
        return self._call(spec)

    def send_in_background(
        self, spec: RequestSpec, stop: threading.Event, result: bool = False
    ) -> Future[Any]:
        """One request at background priority, sent without blocking the caller (see `Sender`)."""
        # on the account's few background threads: httpx.Client is thread-safe
        return self._engine.pool.submit(lambda: self._call(spec, stop, result))

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
        """Start a generation job; returns its `Job` at once (pending). `job.wait()` for the images.

        Never sent twice: when the answer is lost after the request went out, the job it made is
        looked up among your newest jobs; JobMayExistError (with `.candidates`) when that cannot tell.
        """
        __tracebackhide__ = True  # an argument error's traceback: the user's call, not this frame
        with checked_in_the_call():
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
            spec = _generate_spec(body)  # (it checks that every string can be sent)
        return self._pushed(self._handle(create_job(self, spec), prompt, aspect_ratio), webhook_url)

    def batch(
        self,
        specs: Sequence[Any] | None = None,
        *,
        prompts: Any = None,
        models: Any = None,
        inputs: Any = None,
        num_images: int = DEFAULT_NUM_IMAGES,
        aspect_ratio: str = DEFAULT_ASPECT_RATIO,
        preset_id: str | None = None,
        webhook_url: str | None = None,
        name: str | None = None,
        dry_run: bool = False,
        batch_dir: str | Path | None = None,
    ) -> Any:
        """Many jobs at once: every input x prompt x model, or an explicit list of `specs`.

        Returns a `Batch` at once (the creates go out in the background, paced), or with
        `dry_run=True` a `BatchPlan` (jobs, images, credits, balance, requests, seconds) and
        nothing created. Too few credits is InsufficientCreditsError before any create. An input
        is an image URL (http/https), an asset id (asset_...), or a path, bytes or PIL image
        (uploaded once). `name=` a batch made before re-attaches to it: nothing is paid twice.
        Its manifest goes in `batch_dir` (default .productai/batches under the working folder).
        """
        from .batches import BatchAxes, make_batch

        with checked_in_the_call():
            return make_batch(self, BatchAxes.of(locals()), name, dry_run, batch_dir)

    def me(self) -> Account:
        """Your account: plan and credits left."""
        return self._learned_plan(Account.parse(self._call(RequestSpec("GET", "me"))))



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
        requests_per_minute: int | None = None,
        rate_window: float | None = None,
        images_first: bool | None = None,
    ) -> None:
        settings = ClientSettings.resolve(
            api_key, base_url, timeout, max_retries, requests_per_minute, rate_window, images_first
        )
        super().__init__(settings, http_client, httpx.AsyncClient)
        #: the event loop this client's connection pool runs on (known once it is used)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._blocking: ProductAI | None = None  # see blocking()
        with contextlib.suppress(RuntimeError):  # made outside a running loop
            self._loop = asyncio.get_running_loop()

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
        client._engine.configure(settings)
        return client

    def blocking(self) -> ProductAI:
        """This client's blocking twin: the same settings and engine (so one budget), its own
        connection pool, made once. For what runs on a thread that cannot await this client's loop:
        a studio's form, a widget's thumbnails, an export. It closes with this client.
        """
        with self._handles_lock:
            self._open_http()  # a closed client makes no twin: the same clear error as any call
            if self._blocking is None:
                twin = self._blocking = ProductAI.from_settings(self._settings)
                # its pool closes once nothing holds the twin (this client dropped unclosed, say); not
                # when this client goes: a studio or a batch may still use the twin then
                weakref.finalize(twin, twin.connection_pool().close)
            return self._blocking

    async def close(self) -> None:
        """Close the connection pool this client made (one passed as `http_client=` stays open)."""
        if self._owns_http:
            if self._blocking is not None:  # (and its blocking twin's: see blocking())
                self._blocking.close()
            await self._http.aclose()

    aclose = close  # httpx's name for it

    async def __aenter__(self) -> AsyncProductAI:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _new_handle(self, state: JobState, prompt: str | None) -> AsyncJob:
        return AsyncJob(self, state, prompt=prompt)

    async def _send(
        self, spec: RequestSpec, background: threading.Event | None = None, result: bool = False
    ) -> httpx.Response:
        """One API call under the request policy: paced by the account's engine, retries, typed errors.

        `background`: the tracker's stop event when this is a background poll (it goes after the
        user's own calls, and stops waiting once the event is set); `result`: that poll reads an
        ended job for its images or error (see `engine.pacing.RESULT`).
        """
        # the loop the connection pool lives on: background polls of this client's jobs run here
        self._loop = asyncio.get_running_loop()
        http = self._open_http()
        attempts = _http.Attempts(self._settings, spec)
        while True:
            delay: float | None
            sent = await self._engine.acquire_async(background, result=result)
            try:
                response = await http.send(attempts.request(http))
            except httpx.TransportError as error:
                self._engine.observe(sent, None)
                delay = attempts.after_error(error)
            else:
                self._engine.observe(sent, response)
                delay = attempts.after_response(response)
                if delay is None:
                    return response
            if background is None:
                await asyncio.sleep(delay)
            elif await _stopped_within(background, delay):
                raise APIConnectionError("The background tracker stopped; nothing polls any more.")

    async def _call(
        self, spec: RequestSpec, background: threading.Event | None = None, result: bool = False
    ) -> Any:
        """`_send`, and its answer's JSON (redacted)."""
        return self._json(await self._send(spec, background, result))

    async def call(self, spec: RequestSpec) -> Any:
        """One API call under the request policy (paced, retried, typed errors): its JSON, redacted."""
        return await self._call(spec)

    def send_in_background(
        self, spec: RequestSpec, stop: threading.Event, result: bool = False
    ) -> Future[Any]:
        """One request at background priority, sent without blocking the caller (see `Sender`)."""
        # on the event loop this client's connection pool lives on (an httpx.AsyncClient is bound to it)
        loop = self._loop
        if loop is None or loop.is_closed() or not loop.is_running():
            failed: Future[Any] = Future()
            failed.set_exception(APIConnectionError(
                "The event loop of this job's AsyncProductAI is not running: its polls wait for it."
            ))
            return failed
        return asyncio.run_coroutine_threadsafe(self._call(spec, stop, result), loop)

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
        """Start a generation job; returns its `Job` at once (pending). `job.wait()` for the images.

        Never sent twice: when the answer is lost after the request went out, the job it made is
        looked up among your newest jobs; JobMayExistError (with `.candidates`) when that cannot tell.
        """
        __tracebackhide__ = True  # an argument error's traceback: the user's call, not this frame
        with checked_in_the_call():
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
            spec = _generate_spec(body)
        job = self._handle(await create_job_async(self, spec), prompt, aspect_ratio)
        return self._pushed(job, webhook_url)

    async def batch(
        self,
        specs: Sequence[Any] | None = None,
        *,
        prompts: Any = None,
        models: Any = None,
        inputs: Any = None,
        num_images: int = DEFAULT_NUM_IMAGES,
        aspect_ratio: str = DEFAULT_ASPECT_RATIO,
        preset_id: str | None = None,
        webhook_url: str | None = None,
        name: str | None = None,
        dry_run: bool = False,
        batch_dir: str | Path | None = None,
    ) -> Any:
        """Many jobs at once: every input x prompt x model, or an explicit list of `specs`.

        Returns a `Batch` at once (the creates go out in the background, paced), or with
        `dry_run=True` a `BatchPlan` (jobs, images, credits, balance, requests, seconds) and
        nothing created. Too few credits is InsufficientCreditsError before any create. An input
        is an image URL (http/https), an asset id (asset_...), or a path, bytes or PIL image
        (uploaded once). `name=` a batch made before re-attaches to it: nothing is paid twice.
        Its manifest goes in `batch_dir` (default .productai/batches under the working folder).
        """
        # (an `AsyncBatch`: its creates go out from a task on this loop)
        from .batches import BatchAxes, make_batch_async

        with checked_in_the_call():
            return await make_batch_async(self, BatchAxes.of(locals()), name, dry_run, batch_dir)

    async def me(self) -> Account:
        """Your account: plan and credits left."""
        return self._learned_plan(Account.parse(await self._call(RequestSpec("GET", "me"))))

