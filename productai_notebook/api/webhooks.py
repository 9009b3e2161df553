"""Webhooks: sign and verify a delivery, read its event, and a small local receiver for push updates.

The signature is `sha256=` + hex HMAC-SHA256 of the exact raw body, keyed with the account's
webhook secret (the API key where none is set). Delivery is at least once, so the receiver hands
each (event, job_id) to its callback once and answers repeats with 200; with `seen_deliveries=`
a file remembers them across restarts, so a captured delivery cannot be replayed later.
A body that is not a delivery (not JSON, not UTF-8, nested too deep, not an object) is an
`InvalidResponseError` and a 400, never a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ..contract import SIGNATURE_HEADER, SIGNATURE_PREFIX
from ._deliveries import SeenDeliveries
from ._inputs import check_sendable
from ._redact import redact_json, remember_key
from .engine.account import engine_for
from .errors import InvalidResponseError
from .job import JobHandle
from .models import JSON, JobState

log = logging.getLogger("productai_notebook.api")

# a delivery is a job's JSON: far below this; anything larger is not ours
MAX_BODY_BYTES = 1024 * 1024


def sign(body: bytes, secret: str) -> str:
    """The `X-ProductAI-Signature` value for `body`."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify(body: bytes, signature: str | None, secret: str) -> bool:
    """True if `signature` is the right one for `body`; compares in constant time."""
    if not signature or not signature.startswith(SIGNATURE_PREFIX) or not secret:
        return False
    return hmac.compare_digest(sign(body, secret).encode(), signature.strip().encode())


@dataclass(frozen=True)
class WebhookEvent:
    """One delivery: `event` (job.completed / job.failed), the job id, and the job fields it carried."""

    event: str
    job_id: str
    payload: JSON = field(hash=False, repr=False)

    @classmethod
    def parse(cls, body: bytes, *, secrets: Iterable[str] = ()) -> WebhookEvent:
        """Read a delivery's body; `secrets` (and any Bearer token) are redacted from its text."""
        try:
            data = redact_json(json.loads(body), secrets)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep to decode
            raise InvalidResponseError("The webhook body is not JSON.") from None
        if not isinstance(data, dict):
            raise InvalidResponseError("The webhook body is not a JSON object.")
        event, job_id = data.get("event"), data.get("job_id")
        if not isinstance(event, str) or not isinstance(job_id, str) or not job_id:
            raise InvalidResponseError("The webhook body lacks its event or job_id.")
        # check the job fields now, so a bad delivery is refused rather than applied later
        JobState.parse({k: v for k, v in data.items() if k != "event"})
        return cls(event=event, job_id=job_id, payload=data)

    @property
    def key(self) -> tuple[str, str]:
        """What makes a delivery a repeat: the same event of the same job."""
        return self.event, self.job_id

    def state(self, previous: JobState | None = None) -> JobState:
        """The job's state after this event; fields the delivery lacks (model, ...) come from `previous`."""
        fields = {k: v for k, v in self.payload.items() if k != "event"}
        state = JobState.parse(fields)
        return state.filled_from(previous) if previous else state

    def apply_to(self, job: JobHandle) -> bool:
        """Push this event into a job handle (its observers run); True if it changed the job."""
        return job.offer_state(self.state())  # offer_state keeps what the delivery lacks


class InvalidSignatureError(InvalidResponseError):
    """A delivery whose signature is missing, malformed or wrong: not from the API, or not this secret."""


def parse_event(body: bytes, signature: str | None, secret: str) -> WebhookEvent:
    """A verified event; InvalidSignatureError for a failed signature, InvalidResponseError for a bad body."""
    if not verify(body, signature, secret):
        raise InvalidSignatureError("The webhook signature is missing or wrong: the delivery was refused.")
    # the secret is often the API key itself: an event that quotes it must not carry it further
    return WebhookEvent.parse(body, secrets=(secret,))


class WebhookReceiver:
    """A local HTTP endpoint for deliveries: verifies each, hands new events to `callback(event)`.

    `with WebhookReceiver(secret, on_event) as receiver:` then `generate(..., webhook_url=receiver.url)`.
    The callback runs on the receiver's thread; if it raises, the answer is 500 so the sender retries.
    `seen_deliveries="webhooks.seen"` keeps the handled deliveries in that file: a restarted receiver
    still answers an old delivery (a retry, or a replay by someone who captured it) without handing
    it to the callback again.
    """

    def __init__(
        self,
        secret: str,
        callback: Callable[[WebhookEvent], None],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = "/webhook",
        seen_deliveries: str | Path | None = None,
        public_url: str | None = None,
    ) -> None:
        if not secret:
            raise ValueError("a webhook secret is needed to verify deliveries")
        check_sendable("secret", secret)  # it keys an HMAC over bytes: it must encode
        self._secret = secret
        remember_key(secret)
        self._callback = callback
        self._path = path
        self._public_url = public_url
        self._seen = SeenDeliveries(seen_deliveries)
        self._server = _QuietServer((host, port), _handler_for(self))
        self._thread: threading.Thread | None = None

    @classmethod
    def for_client(
        cls,
        client: Any,
        *,
        secret: str | None = None,
        public_url: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = "/webhook",
        seen_deliveries: str | Path | None = None,
    ) -> WebhookReceiver:
        """A receiver that pushes each delivery into `client`'s job handles (and every other client
        of the account): their views update with no request. `generate(..., webhook_url=receiver.url)`.

        `secret`: the account's webhook secret (the API key where none is set). `public_url`: the
        address the API must post to when this receiver sits behind a tunnel or proxy.
        """
        engine = engine_for(client.settings)

        def push(event: WebhookEvent) -> None:
            engine.push(event.state())

        return cls(
            secret or client.api_key,
            push,
            host=host,
            port=port,
            path=path,
            seen_deliveries=seen_deliveries,
            public_url=public_url,
        )

    @property
    def url(self) -> str:
        """Where the API posts deliveries: `public_url=` when given, else the local address."""
        return self._public_url or self.local_url

    @property
    def local_url(self) -> str:
        """The address this receiver listens on."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self._path}"

    def __repr__(self) -> str:
        return f"<WebhookReceiver {self.url}>"

    def start(self) -> WebhookReceiver:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="productai-webhooks", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def receive(self, path: str, signature: str | None, body: bytes) -> int:
        """Handle one delivery; returns the HTTP status to answer with."""
        if path.split("?")[0] != self._path:
            return 404
        try:
            event = parse_event(body, signature, self._secret)
        except InvalidSignatureError as error:
            log.debug("webhook refused: %s", error)
            return 401
        except InvalidResponseError as error:
            log.debug("webhook refused: %s", error)
            return 400
        if not self._seen.claim(event.key):
            return 200
        try:
            self._callback(event)
        except Exception:
            log.exception("the webhook callback failed for %s of job %s", *event.key)
            self._seen.release(event.key)  # let the sender's retry try again
            return 500
        self._seen.done(event.key)
        return 200


class _QuietServer(ThreadingHTTPServer):
    """A peer that breaks the connection (a reset mid-body) is logged at DEBUG, not printed on stderr."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("webhook receiver: a connection from %s failed", client_address, exc_info=True)


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = self.headers.get("Content-Length", "")
            readable = length.isascii() and length.isdigit()
            if not readable or int(length) > MAX_BODY_BYTES:
                self._answer(413 if readable else 411)
                return
            body = self.rfile.read(int(length))
            self._answer(receiver.receive(self.path, self.headers.get(SIGNATURE_HEADER), body))

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("webhook receiver: " + format, *args)

    return Handler
