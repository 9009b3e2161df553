"""One request budget: waiting for a job the background tracker follows sends no polls of its own."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from productai_notebook.api import APIConnectionError, AsyncJob, AsyncProductAI, Job, ProductAI, tracking
from productai_notebook.api.tracking import RECONNECTING, Tracker
from productai_notebook.emulator import Emulator

JOB_PATH = re.compile(r"/v1/jobs/[^/]+$")
DEADLINE = 60  # generous: two loaded cores


class JobReads:
    """The job ids of the `GET /v1/jobs/{id}` a client sends: its polls."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    @property
    def count(self) -> int:
        return len(self.ids)

    def __call__(self, request: httpx.Request) -> None:
        if request.method == "GET" and JOB_PATH.search(request.url.path):
            self.ids.append(request.url.path.rsplit("/", 1)[1])

    async def on_async_request(self, request: httpx.Request) -> None:
        self(request)


@pytest.fixture
def reads() -> JobReads:
    return JobReads()


@pytest.fixture
def counted_client(emulator: Emulator, api_key: str, reads: JobReads) -> Iterator[ProductAI]:
    http = httpx.Client(event_hooks={"request": [reads]})
    with ProductAI(api_key=api_key, base_url=emulator.base_url, http_client=http) as client:
        yield client
    http.close()


@pytest.fixture
def unreachable_url() -> Iterator[str]:
    """An API address that refuses every connection: a port held, never listened on."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{held.getsockname()[1]}/v1"


def generate(client: ProductAI) -> Job:
    return client.generate(model="nanobanana2", image_url="https://example.com/mug.jpg", prompt="a mug")


def test_waiting_for_a_tracked_job_uses_the_trackers_news(counted_client, reads, process_tracker):
    job = generate(counted_client)
    process_tracker.track(job)
    progress: list[str] = []
    waited = job.wait(timeout=DEADLINE, poll_interval=0.05, on_progress=lambda j: progress.append(j.status))
    assert waited is job
    assert job.status == "completed" and len(job.images) == 1
    assert reads.count == 0, "the wait polled a job the tracker already follows"
    assert process_tracker.polls > 0 and progress[-1] == "completed"


def test_as_completed_polls_only_the_jobs_nobody_tracks(counted_client, reads, process_tracker):
    tracked, untracked = generate(counted_client), generate(counted_client)
    process_tracker.track(tracked)
    jobs = counted_client.jobs
    finished = list(jobs.as_completed([tracked, untracked], timeout=DEADLINE, poll_interval=0.05))
    assert sorted(job.id for job in finished) == sorted([tracked.id, untracked.id])
    assert all(job.status == "completed" for job in finished)
    assert untracked.id in reads.ids and tracked.id not in reads.ids


def test_a_wait_without_any_tracker_polls_by_itself(counted_client, reads, monkeypatch):
    monkeypatch.setattr(tracking, "_tracker", None)
    job = generate(counted_client).wait(timeout=DEADLINE, poll_interval=0.05)
    assert job.status == "completed" and reads.count > 0
    assert tracking.current_tracker() is None, "asking made no tracker"


def test_a_job_the_tracker_lets_go_mid_wait_is_polled_by_the_wait(counted_client, reads, monkeypatch):
    idle = Tracker(min_interval=600, max_interval=600)  # follows, but would not poll before the deadline
    monkeypatch.setattr(tracking, "_tracker", idle)
    try:
        job = generate(counted_client)
        untrack = idle.track(job)

        def close_the_view_once_the_wait_listens() -> None:
            deadline = time.monotonic() + DEADLINE
            while not job._observers and time.monotonic() < deadline:
                time.sleep(0.01)
            untrack()

        # The view closes while the wait is on: the wait must carry on by itself.
        closer = threading.Thread(target=close_the_view_once_the_wait_listens, daemon=True)
        closer.start()
        assert job.wait(timeout=DEADLINE, poll_interval=0.05) is job
        closer.join(DEADLINE)
        assert job.status == "completed" and reads.count > 0 and idle.polls == 0
    finally:
        idle.close()


async def test_async_waiting_for_a_tracked_job_uses_the_trackers_news(
    emulator, api_key, reads, process_tracker
):
    http = httpx.AsyncClient(event_hooks={"request": [reads.on_async_request]})
    async with AsyncProductAI(api_key=api_key, base_url=emulator.base_url, http_client=http) as client:
        job = await client.generate(model="seedream", image_url="https://example.com/mug.jpg",
                                    prompt="two mugs", num_images=2)
        process_tracker.track(job)
        assert await job.wait(timeout=DEADLINE, poll_interval=0.05) is job
        assert job.status == "completed" and len(job.images) == 2
        assert reads.count == 0, "the async wait polled a job the tracker already follows"
    await http.aclose()


async def test_async_wait_without_a_tracker_polls_by_itself(emulator, api_key, reads, monkeypatch):
    monkeypatch.setattr(tracking, "_tracker", None)
    http = httpx.AsyncClient(event_hooks={"request": [reads.on_async_request]})
    async with AsyncProductAI(api_key=api_key, base_url=emulator.base_url, http_client=http) as client:
        job = await client.generate(model="seedream", image_url="https://example.com/mug.jpg", prompt="a mug")
        assert (await job.wait(timeout=DEADLINE, poll_interval=0.05)).status == "completed"
    assert reads.count > 0
    await http.aclose()


def test_a_wait_on_a_job_the_tracker_cannot_reach_fails_fast_with_a_connection_error(
    counted_client, process_tracker, api_key, unreachable_url
):
    pending = generate(counted_client).state
    with ProductAI(api_key=api_key, base_url=unreachable_url, max_retries=1) as unreachable:
        job = Job(unreachable, pending)
        connections: list[str] = []
        process_tracker.track(job, on_connection=connections.append)
        # Not a silent wait until the timeout: the wait asks itself, and says what went wrong.
        with pytest.raises(APIConnectionError) as raised:
            job.wait(timeout=DEADLINE, poll_interval=0.05)
    assert RECONNECTING in connections and job.status == "pending"
    assert api_key not in str(raised.value)


async def test_an_async_wait_on_a_job_the_tracker_cannot_reach_fails_with_a_connection_error(
    emulator, api_key, process_tracker, unreachable_url
):
    async with AsyncProductAI(api_key=api_key, base_url=emulator.base_url) as client:
        pending = (await client.generate(model="seedream", image_url="https://example.com/mug.jpg",
                                         prompt="a mug")).state
    async with AsyncProductAI(api_key=api_key, base_url=unreachable_url, max_retries=1) as unreachable:
        job = AsyncJob(unreachable, pending)
        process_tracker.track(job)
        with pytest.raises(APIConnectionError):
            await job.wait(timeout=DEADLINE, poll_interval=0.05)
    assert process_tracker.connection_state(job) == RECONNECTING
