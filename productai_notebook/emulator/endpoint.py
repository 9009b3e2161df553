"""What every API route shares: the settings it runs with, faults, authentication, the rate
limit, and reading a body of bounded size. A route is a `Handler`; `api(handler)` makes it an endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from ..contract import (
    ERROR_INTERNAL,
    ERROR_RATE_LIMITED,
    ERROR_UNAUTHORIZED,
    MAX_UPLOAD_BYTES,
    RATE_LIMITS_PER_MINUTE,
)
from .counts import DROPPED, RequestCounts
from .errors import ApiError, error_response, invalid
from .faults import AFTER_ROUTE, Fault, FaultInjector
from .ratelimit import WINDOW_SECONDS, RateLimiter
from .store import Account, Store
from .webhooks import WebhookWorker

# A multipart upload of a 10 MB image carries a little more than 10 MB of body.
MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 64 * 1024


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
    counts: RequestCounts = field(default_factory=RequestCounts)
    # How plain or vague a server to play (the real service's answers are not all documented)
    rate_limit_headers: bool = True  # False: no X-RateLimit-* on any answer (Retry-After stays on a 429)
    list_order: str = "newest"  # "shuffled": each page of GET /v1/jobs in random order
    list_progress: bool = True  # False: list items carry no progress
    estimate_error: float = 0.0  # estimated_time_seconds off by up to this share, either way


def settings_of(request: Request) -> Settings:
    """The settings of the app serving this request (create_app keeps them in its state)."""
    settings: Settings = request.app.state.settings
    return settings


Handler = Callable[[Request, Account], Awaitable[tuple[int, Any]]]


def api(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Faults, then authentication, then the rate limit, then the route itself."""

    async def endpoint(request: Request) -> Response:
        settings = settings_of(request)
        _, _, key = request.headers.get("authorization", "").partition(" ")
        response = await answer(request, settings)
        status = DROPPED if isinstance(response, _DroppedResponse) else response.status_code
        settings.counts.record(key.strip(), handler.__name__, status)
        return response

    async def answer(request: Request, settings: Settings) -> Response:
        fault = settings.faults.draw(f"{request.method} {request.url.path}")
        if fault is not None and fault.kind not in AFTER_ROUTE:
            early = await _inject(fault)
            if early is not None:
                return early
        headers: dict[str, str] = {}
        try:
            account = _authenticate(settings.store, request)
            headers = _admit(settings, account)
            status, body = await handler(request, account)
            response: Response = JSONResponse(body, status_code=status, headers=headers)
        except ApiError as error:
            response = error_response(error.status, error.code, error.message, {**headers, **error.headers})
        except ClientDisconnect:
            response = Response(status_code=400)
        if fault is not None and fault.kind == "timeout_after":
            await _held(request, fault.seconds)
        elif fault is not None and fault.kind in AFTER_ROUTE:
            return _spoiled(fault, response)
        return response

    return endpoint


def _authenticate(store: Store, request: Request) -> Account:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    account = store.account(key.strip()) if scheme.lower() == "bearer" and key.strip() else None
    if account is None:
        raise ApiError(
            401, ERROR_UNAUTHORIZED, "Missing or invalid API key: send Authorization: Bearer <key>"
        )
    return account


def _admit(settings: Settings, account: Account) -> dict[str, str]:
    """The rate-limit headers of an admitted request; a 429 for one over the account's limit."""
    limit = settings.rate_limit or RATE_LIMITS_PER_MINUTE.get(account.plan, 60)
    verdict = settings.limiter.check(account.user_id, limit)
    headers = verdict.headers()
    if not settings.rate_limit_headers:
        headers = {name: value for name, value in headers.items() if not name.startswith("X-RateLimit-")}
    if not verdict.allowed:
        per = "minute" if settings.limiter.window == WINDOW_SECONDS else f"{settings.limiter.window:g} s"
        raise ApiError(
            429,
            ERROR_RATE_LIMITED,
            f"Rate limit of {limit} requests per {per} exceeded; retry after {headers['Retry-After']} s",
            headers,
        )
    return headers


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


async def _held(request: Request, seconds: float) -> None:
    """The 'timeout_after' fault: the route ran, its answer waits until the client gave up (or
    `seconds` passed), so the client's read timeout strikes with the job made."""
    deadline = asyncio.get_running_loop().time() + seconds
    # the hang-up is only seen by asking: no event fires for it
    while asyncio.get_running_loop().time() < deadline and not await request.is_disconnected():  # noqa: ASYNC110
        await asyncio.sleep(0.1)


def _spoiled(fault: Fault, response: Response) -> Response:
    """A fault after the route ran: its effects stay, its answer is lost on the way back."""
    if fault.kind == "502_after":
        return error_response(502, ERROR_INTERNAL, "Injected fault: bad gateway after handling")
    if fault.kind == "reset_after":
        return _DroppedResponse()
    # garbage: the real answer cut in half, so it is not JSON any more
    body = bytes(response.body)
    return Response(body[: len(body) // 2], status_code=response.status_code, media_type="application/json")
