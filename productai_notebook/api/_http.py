"""The request policy, decided once for both clients and free of I/O.

The sync and the async client only send requests and sleep; everything else is here:
the connection settings, the headers, which answer becomes which error, and whether and
when to retry (exponential backoff with jitter, `Retry-After` in seconds or as an HTTP date,
capped). A retry must never create a second job, so requests that create something are
retried only when they surely did not reach the server (connect error) or were refused (429).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import random
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from ..contract import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, ERROR_INSUFFICIENT_CREDITS
from ._inputs import check_api_key, check_sendable
from ._redact import redact_json, redact_text, remember_key
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    InternalServerError,
    InvalidArgumentError,
    InvalidResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)

log = logging.getLogger("productai_notebook.api")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_MAX_RETRIES = 2
# first backoff, and the longest single wait between attempts (Retry-After included)
BACKOFF_BASE_SECONDS = 0.5
MAX_RETRY_WAIT_SECONDS = 60.0
# the most added on top of the server's advised wait
RETRY_JITTER_SECONDS = 0.25


@functools.cache  # read once: looking it up scans every installed distribution (~0.6 ms a request)
def _version() -> str:
    try:
        from importlib.metadata import version

        return version("productai-notebook")
    except Exception:  # not installed as a distribution (a source checkout): ask the package
        return str(getattr(sys.modules.get("productai_notebook"), "__version__", "0"))


@dataclass(frozen=True)
class ClientSettings:
    """Everything needed to build a client with the same connection: see `client.settings`.

    The key is kept out of `repr`, so printing settings (or a client) never shows it.
    """

    api_key: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    max_retries: int = DEFAULT_MAX_RETRIES
    max_retry_wait: float = MAX_RETRY_WAIT_SECONDS
    #: the account's limit when neither the answers' X-RateLimit-* headers nor the plan tell it
    requests_per_minute: int | None = None
    #: the length of the server's rate window in seconds (None: a sliding minute)
    rate_window: float | None = None
    #: an ended job's read may take the slots kept for the user's calls (None: yes, the default)
    images_first: bool | None = None

    def __post_init__(self) -> None:
        remember_key(self.api_key)

    @classmethod
    def resolve(
        cls,
        api_key: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int | None,
        requests_per_minute: int | None = None,
        rate_window: float | None = None,
        images_first: bool | None = None,
    ) -> ClientSettings:
        """Arguments first, then the environment, then the defaults."""
        key = api_key if api_key is not None else os.environ.get(API_KEY_ENV, "")
        if not key:
            raise AuthenticationError(401, "unauthorized", "no API key was given")
        check_api_key(key)
        url = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
        check_base_url(url)
        return cls(
            api_key=key,
            base_url=url,
            timeout=_timeout(timeout) if timeout is not None else DEFAULT_TIMEOUT,
            max_retries=DEFAULT_MAX_RETRIES if max_retries is None else max(0, max_retries),
            requests_per_minute=requests_per_minute,
            rate_window=rate_window,
            images_first=images_first,
        )

    def with_changes(
        self, *, timeout: float | httpx.Timeout | None = None, max_retries: int | None = None
    ) -> ClientSettings:
        return replace(
            self,
            timeout=self.timeout if timeout is None else _timeout(timeout),
            max_retries=self.max_retries if max_retries is None else max(0, max_retries),
        )

    def headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.api_key}",
            "User-Agent": f"productai-notebook/{_version()}",
            "Accept": "application/json",
        }

    def redact(self, text: str) -> str:
        """`text` without the key or any Bearer token, for anything that may be shown or logged."""
        return redact_text(text, (self.api_key,))


def check_base_url(url: str) -> None:
    """An http(s) URL httpx can send to, or InvalidArgumentError("base_url") before any request."""
    check_sendable("base_url", url)
    try:
        scheme = httpx.URL(url).scheme
    except (httpx.InvalidURL, UnicodeError):
        scheme = ""
    if scheme not in ("http", "https"):
        raise InvalidArgumentError("base_url", "must be an http(s) URL like https://api.productai.photo/v1")


def _timeout(value: float | httpx.Timeout) -> httpx.Timeout:
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(float(value))


def job_path(job_id: str) -> str:
    """`/jobs/<id>` with every character of the id percent-encoded, so no id can reach another endpoint."""
    encoded = quote(job_id, safe="")
    # "." and ".." are path steps, not names; encoded they stay one opaque segment
    if encoded.strip("."):
        return f"jobs/{encoded}"
    return "jobs/" + encoded.replace(".", "%2E")


@dataclass(frozen=True)
class RequestSpec:
    """One logical API call; `creates` marks calls that make something (a job, an asset)."""

    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    data: dict[str, Any] | None = None
    files: dict[str, Any] | None = None
    creates: bool = False

    def __post_init__(self) -> None:
        # every argument is checked here, once, before any request: the field named is the API's
        for fields in (self.params, self.json, self.data, self.files):
            if isinstance(fields, Mapping):
                for name, value in fields.items():
                    check_sendable(name.removesuffix("[]"), name)
                    check_sendable(name.removesuffix("[]"), value)

    def describe(self) -> str:
        return f"{self.method} /{self.path}"


def retry_after_seconds(headers: httpx.Headers, now: datetime | None = None) -> float | None:
    """The advised wait: `Retry-After` as seconds or an HTTP date; None if absent or unreadable."""
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def backoff_seconds(attempt: int, advised: float | None = None, cap: float = MAX_RETRY_WAIT_SECONDS) -> float:
    """The wait before retry number `attempt` (0-based): the server's word, else exponential + jitter.

    Never longer than `cap` plus the jitter: the caller checks the server's word against the cap first.
    """
    if advised is not None:
        # a little jitter on top, so many clients told the same moment do not return at once
        return min(advised, cap) + random.uniform(0, RETRY_JITTER_SECONDS)
    ceiling = min(cap, BACKOFF_BASE_SECONDS * 2**attempt)
    return random.uniform(ceiling / 2, ceiling)


def surely_not_sent(error: httpx.TransportError) -> bool:
    """True when the request never left this machine: no connection was made, or none was free."""
    return isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def retry_delay_after_error(
    settings: ClientSettings, spec: RequestSpec, error: httpx.TransportError, attempt: int
) -> float | None:
    """Seconds to wait before retrying after a network error, or None to give up."""
    if attempt >= settings.max_retries:
        return None
    # a request that creates something may have reached the server unless the connection never opened
    if spec.creates and not surely_not_sent(error):
        return None
    return backoff_seconds(attempt, cap=settings.max_retry_wait)


def retry_delay_after_status(
    settings: ClientSettings, spec: RequestSpec, response: httpx.Response, attempt: int
) -> float | None:
    """Seconds to wait before retrying after this answer, or None to accept it (or its error)."""
    status = response.status_code
    if status not in RETRYABLE_STATUSES or attempt >= settings.max_retries:
        return None
    if spec.creates and status != 429:
        return None
    advised = retry_after_seconds(response.headers)
    # past the cap the caller is better served by the error, which says when to retry
    if advised is not None and advised > settings.max_retry_wait:
        return None
    return backoff_seconds(attempt, advised, settings.max_retry_wait)


def connection_error(
    settings: ClientSettings, spec: RequestSpec, error: httpx.TransportError
) -> APIConnectionError:
    """The typed error for a network failure; its text names the call, never the key."""
    detail = settings.redact(f"{type(error).__name__}: {error}")[:200]
    arrived = not surely_not_sent(error)
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(
            f"{spec.describe()} got no answer in time ({detail}): retry, or pass a larger timeout=.",
            may_have_arrived=arrived,
        )
    return APIConnectionError(
        f"{spec.describe()} could not reach {settings.base_url} ({detail}): "
        "check the network and the base_url, then retry.",
        may_have_arrived=arrived,
    )


def _loads(settings: ClientSettings, content: bytes) -> Any:
    """Decoded JSON with the key and Bearer tokens redacted: what every model is built from.

    ValueError for anything that is not JSON, including a nesting too deep to decode.
    """
    try:
        return redact_json(json.loads(content), (settings.api_key,))
    except RecursionError:
        raise ValueError("nested too deeply") from None


def decode_json(settings: ClientSettings, response: httpx.Response) -> Any:
    """The body as JSON (secrets redacted), or an InvalidResponseError that says what came instead."""
    try:
        return _loads(settings, response.content)
    except ValueError:  # UnicodeDecodeError is one
        kind = settings.redact(response.headers.get("content-type", "no content type"))[:100]
        what = "an empty body" if not response.content else f"a body that is not JSON ({kind})"
        raise InvalidResponseError(
            f"The API answered {response.status_code} with {what}. "
            f"Check that base_url ({settings.base_url}) points at the ProductAI API, then retry.",
            status_code=response.status_code,
        ) from None


def is_local(base_url: str) -> bool:
    """True for a server on this machine (an emulator), whose keys are not the dashboard's."""
    host = (urlsplit(base_url).hostname or "").lower()
    return host == "localhost" or host == "::1" or host.startswith("127.")


def status_error(settings: ClientSettings, response: httpx.Response) -> APIStatusError:
    """The typed error for a non-2xx answer, read tolerantly: the body may be HTML, empty or broken."""
    status = response.status_code
    body: Any = None
    code, message = "", ""
    try:
        body = _loads(settings, response.content)
    except ValueError:
        pass
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = str(body["error"].get("code") or "")
        message = str(body["error"].get("message") or "")
    if not message:
        message = response.reason_phrase or "no error message"
    message = settings.redact(message)[:500]
    code = settings.redact(code)[:100] or f"http_{status}"
    if status == 429:
        return RateLimitError(
            status, code, message, body=body, retry_after=retry_after_seconds(response.headers)
        )
    if status == 401:  # a key is always sent: the server refused it
        return AuthenticationError(
            status, code, message, body=body, key_refused=True, local=is_local(settings.base_url)
        )
    kind: type[APIStatusError] = {
        400: BadRequestError,
        403: InsufficientCreditsError if code == ERROR_INSUFFICIENT_CREDITS else PermissionDeniedError,
        404: NotFoundError,
    }.get(status, InternalServerError if status >= 500 else APIStatusError)
    return kind(status, code, message, body=body)


class Attempts:
    """The retry loop of one API call, minus the I/O: the clients only send and sleep.

    Each round: send `request(http)`; on a network error `after_error(error)`, on an answer
    `after_response(response)`. Both return the seconds to sleep before the next round, raise
    the typed error when the call is over, or (an answer only) None when the answer is the result.
    """

    def __init__(self, settings: ClientSettings, spec: RequestSpec) -> None:
        self._settings = settings
        self._spec = spec
        self._attempt = 0  # 0-based: retries made so far

    def request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        settings, spec = self._settings, self._spec
        return http.build_request(
            spec.method,
            f"{settings.base_url}/{spec.path}",
            params=spec.params,
            json=spec.json,
            data=spec.data,
            files=spec.files,
            headers=settings.headers(),
            timeout=settings.timeout,
        )

    def after_error(self, error: httpx.TransportError) -> float:
        delay = retry_delay_after_error(self._settings, self._spec, error, self._attempt)
        if delay is None:
            raise connection_error(self._settings, self._spec, error) from None
        return self._retry_in(delay, type(error).__name__)

    def after_response(self, response: httpx.Response) -> float | None:
        log.debug("%s -> %s (attempt %d)", self._spec.describe(), response.status_code, self._attempt + 1)
        if response.is_success:
            return None
        delay = retry_delay_after_status(self._settings, self._spec, response, self._attempt)
        if delay is None:
            raise status_error(self._settings, response)
        return self._retry_in(delay, f"HTTP {response.status_code}")

    def _retry_in(self, delay: float, reason: str) -> float:
        self._attempt += 1
        log.debug(
            "%s: %s; retry %d of %d in %.2f s",
            self._spec.describe(),
            self._settings.redact(reason),
            self._attempt,
            self._settings.max_retries,
            delay,
        )
        return delay
