"""The HTTP face of the emulator: the ProductAI v1 routes, the generated files and an admin view."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..contract import (
    ASPECT_RATIOS,
    COMPLETED,
    CREDITS_PER_IMAGE,
    ERROR_FORBIDDEN,
    ERROR_INSUFFICIENT_CREDITS,
    ERROR_INTERNAL,
    ERROR_JOB_NOT_FOUND,
    ERROR_NOT_FOUND,
    ERROR_RATE_LIMITED,
    ERROR_UNAUTHORIZED,
    FAIL_MARKER,
    MAX_UPLOAD_BYTES,
    RATE_LIMITS_PER_MINUTE,
)
from . import images, inputs, validation, views
from .errors import ApiError, error_response, invalid
from .faults import Fault, FaultInjector
from .lifecycle import job_duration, plan_timeline, status_at
from .ratelimit import RateLimiter
from .store import Account, AssetRecord, InsufficientCredits, JobRecord, Store
from .webhooks import WebhookWorker

# A multipart upload of a 10 MB image carries a little more than 10 MB of body.
MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 64 * 1024
IMAGE_CACHE_SIZE = 256  # rendered JPEGs kept (~30-100 kB each)


@dataclass
class Settings:
    """What the app needs from the Emulator that runs it."""

    store: Store
    seed: int
    job_seconds: tuple[float, float]
    rate_limit: int | None
    faults: FaultInjector
    webhooks: WebhookWorker
    origin: Callable[[], str]  # "http://127.0.0.1:PORT", known once the socket is bound
    limiter: RateLimiter = field(default_factory=RateLimiter)


class DroppedConnection(Exception):
    """The 'reset' fault: the connection closes before the answer is complete."""


class _DroppedResponse(Response):
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"512")],
            }
        )
        # The server closes a connection whose application failed after answering began.
        raise DroppedConnection


class ImageCache:
    """Generated JPEGs, rendered on first request (eager rendering of every job would be slow)."""

    def __init__(self) -> None:
        self._images: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int], render: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._images:
                self._images.move_to_end(key)
                return self._images[key]
        data = render()
        with self._lock:
            self._images[key] = data
            if len(self._images) > IMAGE_CACHE_SIZE:
                self._images.popitem(last=False)
        return data


Handler = Callable[[Request, Account], Awaitable[tuple[int, Any]]]


def create_app(settings: Settings) -> Starlette:
    store = settings.store
    cache = ImageCache()

    def authenticate(request: Request) -> Account:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        account = store.account(key.strip()) if scheme.lower() == "bearer" and key.strip() else None
        if account is None:
            raise ApiError(
                401, ERROR_UNAUTHORIZED, "Missing or invalid API key: send Authorization: Bearer <key>"
            )
        return account

    def api(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Faults, then authentication, then the rate limit, then the route itself."""

        async def endpoint(request: Request) -> Response:
            fault = settings.faults.draw()
            if fault is not None and fault.kind != "garbage":
                early = await _inject(fault)
                if early is not None:
                    return early
            headers: dict[str, str] = {}
            try:
                account = authenticate(request)
                limit = settings.rate_limit or RATE_LIMITS_PER_MINUTE.get(account.plan, 60)
                verdict = settings.limiter.check(account.user_id, limit)
                headers = verdict.headers()
                if not verdict.allowed:
                    raise ApiError(
                        429,
                        ERROR_RATE_LIMITED,
                        f"Rate limit of {limit} requests per minute exceeded; retry after "
                        f"{headers['Retry-After']} s",
                        headers,
                    )
                status, body = await handler(request, account)
                response: Response = JSONResponse(body, status_code=status, headers=headers)
            except ApiError as error:
                response = error_response(
                    error.status, error.code, error.message, {**headers, **error.headers}
                )
            except ClientDisconnect:
                response = Response(status_code=400)
            if fault is not None and fault.kind == "garbage":
                return _garbled(response)
            return response

        return endpoint

    # /v1/generate

    async def generate(request: Request, account: Account) -> tuple[int, Any]:
        wanted = validation.generate_request(validation.json_object(await read_body(request)))
        if wanted.asset_id is not None and store.asset(wanted.asset_id, account.user_id) is None:
            raise invalid("asset_id", "no uploaded asset of this account has this id")
        fails = FAIL_MARKER in (wanted.prompt or "") or FAIL_MARKER in (wanted.image_url or "")
        cost = CREDITS_PER_IMAGE[wanted.model] * wanted.num_images
        created_at = time.time()

        def make(seq: int) -> JobRecord:
            duration = job_duration(settings.seed, seq, settings.job_seconds)
            return JobRecord(
                seq=seq,
                job_id="job_" + secrets.token_urlsafe(12),
                user_id=account.user_id,
                model=wanted.model,
                num_images=wanted.num_images,
                aspect_ratio=wanted.aspect_ratio,
                prompt=wanted.prompt,
                preset_id=wanted.preset_id,
                image_url=wanted.image_url,
                asset_id=wanted.asset_id,
                webhook_url=wanted.webhook_url,
                timeline=plan_timeline(created_at, duration, fails),
                tokens=0 if fails else cost,
            )

        try:
            job = store.create_job(account, cost, make)
        except InsufficientCredits as short:
            raise ApiError(
                403,
                ERROR_INSUFFICIENT_CREDITS,
                f"This job needs {short.needed} credits and the account has {short.available}; "
                "buy credits or lower num_images",
            ) from None
        if job.webhook_url:
            settings.webhooks.job_created()
        return 202, views.created_view(job)

    # /v1/jobs

    async def get_job(request: Request, account: Account) -> tuple[int, Any]:
        job = store.job(account.user_id, request.path_params["job_id"])
        if job is None:
            raise ApiError(404, ERROR_JOB_NOT_FOUND, "No job with this id in this account")
        return 200, views.job_view(job, time.time(), settings.origin())

    async def list_jobs(request: Request, account: Account) -> tuple[int, Any]:
        page = validation.page(request.query_params)
        now = time.time()
        jobs, total = store.list_jobs(account.user_id, page.status, page.limit, page.offset, now)
        return 200, {
            "jobs": [views.job_summary(job, now) for job in jobs],
            "total": total,
            "limit": page.limit,
            "offset": page.offset,
            "has_more": page.offset + len(jobs) < total,
        }

    async def me(request: Request, account: Account) -> tuple[int, Any]:
        fresh = store.account(account.api_key) or account
        return 200, {
            "id": fresh.user_id,
            "email": fresh.email,
            "plan": fresh.plan,
            "credits": {"generations": fresh.credits},
        }

    # assets

    async def upload_asset(request: Request, account: Account) -> tuple[int, Any]:
        body = await read_body(request)
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            data, name, tags = await _multipart_asset(request)
        else:
            data, name, tags = await run_in_threadpool(_url_asset, validation.json_object(body))
        if len(data) > MAX_UPLOAD_BYTES:
            raise invalid("file", "is larger than 10 MB")
        checked = await run_in_threadpool(inputs.check_image, data)
        if checked is None:
            raise invalid("file", "must be a JPEG, PNG or WebP image")
        asset = AssetRecord(
            asset_id="asset_" + secrets.token_urlsafe(9),
            user_id=account.user_id,
            name=name,
            format=checked.format,
            width=checked.width,
            height=checked.height,
            file_size=len(data),
            tags=tags,
            created_at=time.time(),
        )
        store.add_asset(asset, data)
        return 201, views.asset_view(asset, settings.origin())

    async def list_assets(request: Request, account: Account) -> tuple[int, Any]:
        page = validation.page(request.query_params, with_status=False)
        assets, total = store.list_assets(account.user_id, page.limit, page.offset)
        return 200, {
            "assets": [views.asset_view(a, settings.origin()) for a in assets],
            "total": total,
            "limit": page.limit,
            "offset": page.offset,
            "has_more": page.offset + len(assets) < total,
        }

    # files: no authentication, like a CDN

    async def job_image(request: Request) -> Response:
        job = store.job_by_id(request.path_params["job_id"])
        number = _image_number(request.path_params["name"])
        if (
            job is None
            or number is None
            or not 1 <= number <= job.num_images
            or status_at(job.timeline, time.time()) != COMPLETED
        ):
            return error_response(404, ERROR_NOT_FOUND, "No such image")

        def render() -> bytes:
            product = inputs.open_product(_input_bytes(store, job))
            return images.render(
                job.job_id,
                number,
                job.prompt or job.preset_id or "",
                ASPECT_RATIOS[job.aspect_ratio],
                product,
            )

        data = await run_in_threadpool(cache.get, (job.job_id, number), render)
        return Response(
            data, media_type="image/jpeg", headers={"Cache-Control": "public, max-age=31536000, immutable"}
        )

    async def asset_file(request: Request) -> Response:
        asset_id = request.path_params["asset_id"]
        asset, data = store.asset(asset_id), store.asset_data(asset_id)
        if asset is None or data is None:
            return error_response(404, ERROR_NOT_FOUND, "No such asset")
        if request.url.path.endswith("/thumbnail.jpg"):
            return Response(await run_in_threadpool(images.thumbnail, data), media_type="image/jpeg")
        return Response(data, media_type=f"image/{asset.format}")

    # admin: read-only, loopback only

    async def admin_webhooks(request: Request) -> Response:
        if request.client is None or not inputs.is_loopback(f"http://{request.client.host}/"):
            return error_response(403, ERROR_FORBIDDEN, "The admin view answers loopback clients only")
        return JSONResponse({"deliveries": store.webhook_deliveries()})

    async def read_body(request: Request) -> bytes:
        """The body, refused beyond 10 MB without reading it all."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise invalid("body", "is larger than 10 MB")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise invalid("body", "is larger than 10 MB")
            chunks.append(chunk)
        body = b"".join(chunks)
        # Starlette re-reads a consumed body from here (form parsing needs it again).
        request._body = body
        return body

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        if status == 405:
            return error_response(405, "method_not_allowed", f"{request.method} is not allowed here")
        return error_response(404, ERROR_NOT_FOUND, "No such endpoint")

    async def server_error(request: Request, exc: Exception) -> Response:
        # Never a traceback on the wire: the error tree of the client expects this shape.
        return error_response(500, ERROR_INTERNAL, "The emulator failed to handle this request")

    routes = [
        Route("/v1/generate", api(generate), methods=["POST"]),
        Route("/v1/jobs", api(list_jobs), methods=["GET"]),
        Route("/v1/jobs/{job_id}", api(get_job), methods=["GET"]),
        Route("/v1/me", api(me), methods=["GET"]),
        Route("/v1/training-asset", api(upload_asset), methods=["POST"]),
        Route("/v1/my-uploaded-assets", api(list_assets), methods=["GET"]),
        Route("/files/assets/{asset_id}", asset_file, methods=["GET"]),
        Route("/files/assets/{asset_id}/thumbnail.jpg", asset_file, methods=["GET"]),
        Route("/files/{job_id}/{name}", job_image, methods=["GET"]),
        Route("/_emulator/webhooks", admin_webhooks, methods=["GET"]),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: not_found, Exception: server_error})


async def _inject(fault: Fault) -> Response | None:
    """Act out a fault before the route runs; None lets the request go on (after a stall)."""
    if fault.kind == "500":
        return error_response(500, ERROR_INTERNAL, "Injected fault: internal error")
    if fault.kind == "429":
        return error_response(429, ERROR_RATE_LIMITED, "Injected fault: rate limited", {"Retry-After": "1"})
    if fault.kind == "reset":
        return _DroppedResponse()
    await asyncio.sleep(fault.seconds)
    return None


def _garbled(response: Response) -> Response:
    """The 'garbage' fault: the real answer cut in half, so it is not JSON any more."""
    body = bytes(response.body)
    return Response(body[: len(body) // 2], status_code=response.status_code, media_type="application/json")


def _image_number(name: str) -> int | None:
    stem, dot, ext = name.partition(".")
    return int(stem) if dot and ext == "jpg" and stem.isdigit() and len(stem) < 3 else None


def _input_bytes(store: Store, job: JobRecord) -> bytes | None:
    if job.asset_id is not None:
        return store.asset_data(job.asset_id)
    if job.image_url is None:
        return None
    if job.image_url.startswith("data:"):
        return inputs.decode_data_url(job.image_url)
    return inputs.fetch_loopback(job.image_url) if inputs.is_loopback(job.image_url) else None


async def _multipart_asset(request: Request) -> tuple[bytes, str, list[str]]:
    try:
        form = await request.form(max_files=1, max_fields=50)
    except Exception as exc:  # python-multipart raises several types for a malformed body
        raise invalid("body", f"is not a valid multipart form ({type(exc).__name__})") from None
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise invalid("file", "is required: the image to upload, as a multipart file field")
    data = await upload.read()
    name = form.get("name")
    tags = [t for t in (*form.getlist("tags[]"), *form.getlist("tags")) if isinstance(t, str)]
    return data, name if isinstance(name, str) and name else (upload.filename or "upload"), tags


def _url_asset(data: dict[str, Any]) -> tuple[bytes, str, list[str]]:
    url = validation.http_url(data, "url", allow_data=True)
    if url is None:
        raise invalid("url", "is required (or send a multipart file)")
    if url.startswith("data:"):
        content = inputs.decode_data_url(url)
    elif inputs.is_loopback(url):
        content = inputs.fetch_loopback(url)
    else:
        raise invalid("url", "the emulator reads only data: and loopback URLs; upload the file instead")
    if content is None:
        raise invalid("url", "could not be read")
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise invalid("tags", "must be a list of strings")
    name = data.get("name")
    return content, name if isinstance(name, str) and name else "upload", tags
