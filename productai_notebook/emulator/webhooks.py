"""Webhook delivery: one background worker POSTs each ended job's event, signed, at least once.

Due deliveries live in the store (a job's next attempt time), so a restart resumes them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable

import httpx

from ..contract import SIGNATURE_HEADER, SIGNATURE_PREFIX, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_TIMEOUT_SECONDS
from .store import JobRecord, Store
from .views import webhook_payload

# Retries wait 0.5 s, 1 s, 2 s, 4 s: quick enough for tests, spaced enough to let a receiver recover.
FIRST_RETRY_SECONDS = 0.5
# The worker re-reads the store at least this often, in case a job was created elsewhere.
IDLE_WAKE_SECONDS = 1.0


def sign(body: bytes, secret: str) -> str:
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookWorker:
    def __init__(self, store: Store, origin: Callable[[], str]) -> None:
        self._store = store
        self._origin = origin
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="productai-emulator-webhooks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout)

    def job_created(self) -> None:
        """A new job may be due sooner than the one the worker waits for."""
        self._wake.set()

    def _run(self) -> None:
        # trust_env=False: a proxy from the environment must not carry loopback deliveries away.
        with httpx.Client(timeout=WEBHOOK_TIMEOUT_SECONDS, trust_env=False) as http:
            while not self._stopping.is_set():
                due = self._store.next_webhook()
                wait = IDLE_WAKE_SECONDS if due is None else min(IDLE_WAKE_SECONDS, due[2] - time.time())
                if wait > 0:
                    self._wake.wait(wait)
                    self._wake.clear()
                    continue
                assert due is not None
                job, attempts, _ = due
                self._deliver(http, job, attempts)

    def _deliver(self, http: httpx.Client, job: JobRecord, attempts: int) -> None:
        account = self._store.account_of_user(job.user_id)
        assert job.webhook_url is not None and account is not None
        payload = webhook_payload(job, self._origin())
        body = json.dumps(payload).encode()
        signature = sign(body, account.webhook_secret or account.api_key)
        status_code: int | None = None
        error: str | None = None
        try:
            response = http.post(
                job.webhook_url,
                content=body,
                headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature},
            )
            status_code = response.status_code
        except Exception as exc:  # any failure is a failed attempt: a dead worker would stop every delivery
            error = type(exc).__name__
        if self._stopping.is_set():
            return  # the store may be closing: this attempt is not recorded and is retried after a restart
        attempt = attempts + 1
        delivered = status_code is not None and 200 <= status_code < 300
        done = delivered or attempt >= WEBHOOK_MAX_ATTEMPTS
        next_at = None if done else time.time() + FIRST_RETRY_SECONDS * 2 ** (attempt - 1)
        self._store.record_delivery(
            {
                "job_id": job.job_id,
                "event": payload["event"],
                "url": job.webhook_url,
                "attempt": attempt,
                "status_code": status_code,
                "error": error,
                "body": body.decode(),
                "signature": signature,
                "at": time.time(),
            },
            done,
            next_at,
        )
