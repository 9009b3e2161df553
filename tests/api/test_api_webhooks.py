"""Webhook deliveries: signatures checked in constant time, events applied to jobs once each."""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Iterator

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


DEEP = 100_000
NOT_A_DELIVERY = {
    "nested 100,000 deep": b"[" * DEEP + b"]" * DEEP,
    "objects nested 100,000 deep": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "a deep job field": b'{"event": "job.completed", "job_id": "job_1", "status": "completed", "x": '
    + b"[" * DEEP + b"]" * DEEP + b"}",
    "bad UTF-8": b'{"event": "job.completed", "job_id": "job_\xff\xfe"}',
    "a list": b"[]",
    "a number": b"42",
    "a string": b'"job.completed"',
    "null": b"null",
    "empty": b"",
    "NaN progress": b'{"event": "job.completed", "job_id": "job_1", "status": "processing", "progress": NaN}',
}


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET, lambda event: None) as running:
        yield running


@pytest.mark.parametrize("body", NOT_A_DELIVERY.values(), ids=NOT_A_DELIVERY.keys())
def test_a_signed_body_that_is_not_a_delivery_is_a_400_and_nothing_on_stderr(
    body: bytes, receiver: WebhookReceiver, capfd: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(InvalidResponseError) as caught:
        parse_event(body, sign(body, SECRET), SECRET)
    assert type(caught.value) is InvalidResponseError  # not a signature problem
    with httpx.Client(timeout=10) as http:
        answer = http.post(receiver.url, content=body, headers={SIGNATURE_HEADER: sign(body, SECRET)})
        assert answer.status_code == 400
        # the connection stays usable: the next, good delivery is taken
        good = body_of(COMPLETED)
        signed = {SIGNATURE_HEADER: sign(good, SECRET)}
        assert http.post(receiver.url, content=good, headers=signed).is_success
    assert capfd.readouterr().err == ""


def test_a_sender_that_resets_mid_body_leaves_nothing_on_stderr(
    receiver: WebhookReceiver, capfd: pytest.CaptureFixture[str]
) -> None:
    url = httpx.URL(receiver.url)
    with socket.create_connection((url.host, url.port or 80), timeout=5) as raw:
        raw.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"event\"")
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
    with httpx.Client(timeout=10) as http:  # still serving
        good = body_of(COMPLETED)
        signed = {SIGNATURE_HEADER: sign(good, SECRET)}
        assert http.post(receiver.url, content=good, headers=signed).is_success
    assert capfd.readouterr().err == ""


def test_a_replayed_delivery_is_not_handled_again_after_a_restart(tmp_path) -> None:
    store = tmp_path / "webhooks.seen"
    handled: list[tuple[str, str]] = []
    body = body_of(COMPLETED)
    failed = body_of({**COMPLETED, "event": "job.failed", "job_id": "job_other", "status": "failed"})

    def deliver(receiver: WebhookReceiver, content: bytes) -> int:
        return receiver.receive("/webhook", sign(content, SECRET), content)

    first = WebhookReceiver(SECRET, lambda event: handled.append(event.key), seen_deliveries=store)
    assert deliver(first, body) == 200 and deliver(first, body) == 200
    first.stop()
    with store.open("a") as torn:  # a crash mid-write leaves half a line: it is skipped
        torn.write('["job.completed", "job_')
    restarted = WebhookReceiver(SECRET, lambda event: handled.append(event.key), seen_deliveries=store)
    try:
        assert deliver(restarted, body) == 200  # answered, so the sender stops; not handed over again
        assert deliver(restarted, failed) == 200  # a new delivery still is
    finally:
        restarted.stop()
    again = WebhookReceiver(SECRET, lambda event: handled.append(event.key), seen_deliveries=store)
    try:  # what came after the torn line was kept too
        assert deliver(again, failed) == 200 and deliver(again, body) == 200
    finally:
        again.stop()
    assert handled == [("job.completed", "job_abc123xyz"), ("job.failed", "job_other")]
