"""Webhooks: each ended job is POSTed, signed, and retried until the receiver says 2xx."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket

from notebook_waits import wait_until

from productai_notebook.contract import FAIL_MARKER
from productai_notebook.emulator import Emulator

from .helpers import WebhookReceiver, api, create_job


def deliveries_of(emu: Emulator, job_id: str) -> list[dict]:
    """The emulator's log of the webhook attempts for `job_id`, oldest first."""
    return [d for d in emu.webhook_deliveries() if d["job_id"] == job_id]


def expected_signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_completed_job_is_posted_signed_with_the_api_key(emu):
    with WebhookReceiver().running() as hook, api(emu) as http:
        job_id = create_job(http, num_images=2, webhook_url=hook.url)["job_id"]
        wait_until(lambda: hook.requests, "the webhook")
        job = http.get(f"jobs/{job_id}").json()
    request = hook.requests[0]
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["X-ProductAI-Signature"] == expected_signature(request["body"], emu.api_key)
    event = json.loads(request["body"])
    assert set(event) == {"event", "job_id", "status", "images", "tokens_used", "completed_at"}
    assert (event["event"], event["job_id"], event["status"]) == ("job.completed", job_id, "completed")
    assert (event["images"], event["tokens_used"], event["completed_at"]) == (
        job["images"],
        job["tokens_used"],
        job["completed_at"],
    )


def test_a_failed_job_is_posted_as_job_failed(emu):
    with WebhookReceiver().running() as hook, api(emu) as http:
        job_id = create_job(http, prompt=f"x {FAIL_MARKER}", webhook_url=hook.url)["job_id"]
        wait_until(lambda: hook.requests, "the webhook")
    event = hook.events()[0]
    assert set(event) == {"event", "job_id", "status", "error", "failed_at"}
    assert (event["event"], event["job_id"], event["status"]) == ("job.failed", job_id, "failed")
    assert event["error"]["code"] == "generation_failed"


def test_a_configured_webhook_secret_signs_instead_of_the_key():
    with (
        Emulator(api_key="pk_test_signed", webhook_secret="whsec_1", job_seconds=(0.2, 0.4)) as e,
        WebhookReceiver().running() as hook,
        api(e) as http,
    ):
        create_job(http, webhook_url=hook.url)
        wait_until(lambda: hook.requests, "the webhook")
    request = hook.requests[0]
    assert request["headers"]["X-ProductAI-Signature"] == expected_signature(request["body"], "whsec_1")


def test_a_failing_receiver_gets_retries_until_it_answers_2xx(emu):
    with WebhookReceiver(statuses=[500, 503, 204]).running() as hook, api(emu) as http:
        job_id = create_job(http, webhook_url=hook.url)["job_id"]
        # the emulator logs an attempt once its answer is in, a moment after the receiver has it
        wait_until(lambda: len(deliveries_of(emu, job_id)) >= 3, "three attempts logged")
    attempts = deliveries_of(emu, job_id)
    assert [(d["attempt"], d["status_code"]) for d in attempts] == [(1, 500), (2, 503), (3, 204)]
    # Every attempt carries the same event, so a receiver can deduplicate on (event, job_id).
    assert len({r["body"] for r in hook.requests}) == 1


def test_an_unreachable_receiver_is_retried_then_given_up(emu):
    with socket.socket() as held, api(emu) as http:
        held.bind(("127.0.0.1", 0))  # a port held, never listened on: every delivery is refused
        url = f"http://127.0.0.1:{held.getsockname()[1]}/hook"
        job_id = create_job(http, webhook_url=url)["job_id"]

        wait_until(lambda: len(deliveries_of(emu, job_id)) >= 5, "five attempts")
    attempts = deliveries_of(emu, job_id)
    assert [d["attempt"] for d in attempts] == [1, 2, 3, 4, 5]
    assert all(d["status_code"] is None and d["error"] for d in attempts)


def test_deliveries_are_readable_from_the_admin_endpoint(emu):
    import httpx

    with WebhookReceiver().running() as hook, api(emu) as http:
        job_id = create_job(http, webhook_url=hook.url)["job_id"]
        wait_until(lambda: deliveries_of(emu, job_id), "the webhook logged")
    deliveries = httpx.get(emu.origin + "/_emulator/webhooks").json()["deliveries"]
    mine = [d for d in deliveries if d["job_id"] == job_id]
    assert mine and {"url", "event", "job_id", "status_code", "attempt", "body", "signature"} <= set(mine[0])
