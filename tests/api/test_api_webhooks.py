"""Webhook deliveries: signatures checked in constant time, events applied to jobs once each."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from productai_notebook.api import InvalidResponseError, JobState
from productai_notebook.api.webhooks import WebhookEvent, WebhookReceiver, parse_event, sign, verify
from productai_notebook.contract import SIGNATURE_HEADER

SECRET = "whsec_test"
COMPLETED = {
    "event": "job.completed",
    "job_id": "job_abc123xyz",
    "status": "completed",
    "images": [{"url": "https://cdn.productai.photo/generated/img_001.jpg", "width": 1024, "height": 1024}],
    "tokens_used": 5,
    "completed_at": "2024-01-15T10:30:35Z",
}


def body_of(payload: dict) -> bytes:
    return json.dumps(payload).encode()


def test_sign_and_verify() -> None:
    body = body_of(COMPLETED)
    signature = sign(body, SECRET)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify(body, signature, SECRET)
    assert not verify(body + b" ", signature, SECRET)
    assert not verify(body, signature, "other")
    assert (
        not verify(body, None, SECRET)
        and not verify(body, "md5=abc", SECRET)
        and not verify(body, "", SECRET)
    )


def test_a_verified_event_updates_a_job_keeping_what_the_delivery_lacks() -> None:
    body = body_of(COMPLETED)
    event = parse_event(body, sign(body, SECRET), SECRET)
    before = JobState.parse(
        {"job_id": "job_abc123xyz", "status": "processing", "progress": 60, "model": "seedream"}
    )
    after = event.state(before)
    assert after.status == "completed" and after.model == "seedream" and after.tokens_used == 5
    assert after.images[0].width == 1024


def test_a_bad_signature_or_body_is_refused() -> None:
    body = body_of(COMPLETED)
    with pytest.raises(InvalidResponseError, match="signature"):
        parse_event(body, "sha256=" + "0" * 64, SECRET)
    with pytest.raises(InvalidResponseError):
        WebhookEvent.parse(b"{not json")
    with pytest.raises(InvalidResponseError):
        WebhookEvent.parse(body_of({"event": "job.completed"}))


def test_the_receiver_hands_each_event_to_the_callback_once() -> None:
    events: list[WebhookEvent] = []
    arrived = threading.Event()

    def on_event(event: WebhookEvent) -> None:
        events.append(event)
        arrived.set()

    body = body_of(COMPLETED)
    with WebhookReceiver(SECRET, on_event) as receiver, httpx.Client(timeout=10) as http:
        good = {SIGNATURE_HEADER: sign(body, SECRET), "Content-Type": "application/json"}
        assert http.post(receiver.url, content=body, headers=good).status_code == 200
        assert http.post(receiver.url, content=body, headers=good).status_code == 200  # a redelivery
        assert (
            http.post(receiver.url, content=body, headers={SIGNATURE_HEADER: "sha256=00"}).status_code == 401
        )
        assert arrived.wait(10)
    assert [event.key for event in events] == [("job.completed", "job_abc123xyz")]


def test_a_failing_callback_answers_500_so_the_sender_retries() -> None:
    attempts: list[int] = []

    def flaky(event: WebhookEvent) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("not ready")

    body = body_of(COMPLETED)
    with WebhookReceiver(SECRET, flaky) as receiver, httpx.Client(timeout=10) as http:
        headers = {SIGNATURE_HEADER: sign(body, SECRET)}
        assert http.post(receiver.url, content=body, headers=headers).status_code == 500
        assert http.post(receiver.url, content=body, headers=headers).status_code == 200
    assert len(attempts) == 2


def test_the_receiver_answers_a_wrong_signature_401_and_a_bad_body_400(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from productai_notebook.api import webhooks

    receiver = WebhookReceiver(SECRET, lambda event: None)
    try:
        body = body_of(COMPLETED)
        with pytest.raises(webhooks.InvalidSignatureError):
            parse_event(body, "sha256=" + "0" * 64, SECRET)
        assert receiver.receive("/webhook", "sha256=" + "0" * 64, body) == 401
        assert receiver.receive("/webhook", None, body) == 401
        broken = b'{"event": "job.completed"}'
        assert receiver.receive("/webhook", sign(broken, SECRET), broken) == 400

        # the status comes from the kind of error, not from its words
        def refuse(body: bytes, **_: object) -> WebhookEvent:
            raise InvalidResponseError("The webhook body has a field named signature that is wrong.")

        monkeypatch.setattr(WebhookEvent, "parse", staticmethod(refuse))
        assert receiver.receive("/webhook", sign(body, SECRET), body) == 400
    finally:
        receiver.stop()


def test_a_delivery_pushed_into_a_job_completes_it_and_keeps_its_model() -> None:
    from productai_notebook.api.job import JobHandle

    body = body_of(COMPLETED)
    job = JobHandle(JobState.parse({"job_id": "job_abc123xyz", "status": "processing", "model": "seedream"}))
    seen: list[str] = []
    job.observe(lambda j: seen.append(j.status))
    assert parse_event(body, sign(body, SECRET), SECRET).apply_to(job)
    assert seen == ["completed"] and job.model == "seedream" and len(job.images) == 1
