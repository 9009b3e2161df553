"""Push: a webhook delivery updates the job's handle and its widget directly, with no request."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from notebook_waits import wait_until

from productai_notebook import config
from productai_notebook.api import ProductAI
from productai_notebook.api.engine.tracker import Tracker
from productai_notebook.api.webhooks import WebhookReceiver, sign
from productai_notebook.emulator import Emulator
from productai_notebook.notebook.job_view import JobView

JOB_READ = re.compile(r"/v1/jobs/[^/]+$")


@pytest.fixture
def tracker() -> Iterator[Tracker]:
    tracker = Tracker(min_interval=0.05, max_interval=0.2)  # eager: only the push keeps it from polling
    yield tracker
    tracker.close()


def test_a_delivery_updates_a_shown_job_without_a_read(api_key, tracker, monkeypatch):
    monkeypatch.setattr(config, "thumbnails", False)
    reads: list[str] = []

    def count_reads(request: httpx.Request) -> None:
        if JOB_READ.search(request.url.path):
            reads.append(request.url.path)

    http = httpx.Client(event_hooks={"request": [count_reads]})
    with (
        Emulator(api_key=api_key, job_seconds=(0.3, 0.6), seed=9) as emu,
        ProductAI(api_key=api_key, base_url=emu.base_url, http_client=http) as client,
        WebhookReceiver.for_client(client) as receiver,
    ):
        job = client.generate(model="nanobanana2", image_url="https://example.com/mug.jpg",
                              prompt="a mug", num_images=2, webhook_url=receiver.url)
        view = JobView.for_job(job, tracker=tracker)
        wait_until(lambda: view.job["status"] == "completed", "the delivery to reach the view")
        assert len(view.job["images"]) == 2 and view.connection == "idle"
        assert reads == [], "the view was updated by the push, not a poll"
        # the emulator records a delivery once its POST is answered: after the view may have it
        wait_until(emu.webhook_deliveries, "the emulator to record its delivery")
        delivery = emu.webhook_deliveries()[-1]
        # the same delivery again, and an older state after it: nothing changes
        before = view.job
        for body in (delivery["body"].encode(), _processing(job.id)):
            status = httpx.post(receiver.local_url, content=body, headers={
                "X-ProductAI-Signature": sign(body, api_key), "Content-Type": "application/json"})
            assert status.status_code == 200
        assert view.job == before and job.status == "completed"
        view.close()
    http.close()


def test_a_receiver_behind_a_tunnel_gives_its_public_address(client):
    with WebhookReceiver.for_client(client, public_url="https://hooks.example.com/pai") as receiver:
        assert receiver.url == "https://hooks.example.com/pai"
        assert receiver.local_url.startswith("http://127.0.0.1:")


def _processing(job_id: str) -> bytes:
    return (b'{"event": "job.progress", "job_id": "%s", "status": "processing", "progress": 10}'
            % job_id.encode())
