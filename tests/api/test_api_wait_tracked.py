"""One set of polls per job: waits and widgets hand their jobs to the tracker's one follower per account."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
from api_helpers import Script, answer, job_json, mock_async_client, mock_client

from productai_notebook.api import (
    APIConnectionError,
    AsyncJob,
    AsyncProductAI,
    AuthenticationError,
    Job,
    NotFoundError,
    ProductAI,
)
from productai_notebook.api._http import RequestSpec
from productai_notebook.api.engine import tracker as tracking
from productai_notebook.api.engine.pool import POOL_SIZE
from productai_notebook.api.engine.tracker import RECONNECTING, Tracker
from productai_notebook.emulator import Emulator

JOB_PATH = re.compile(r"/v1/jobs/[^/]+$")
DEADLINE = 60  # generous: two loaded cores
IMAGE = {"url": "https://cdn.example.test/1.png", "width": 8, "height": 8}


class JobReads:
    """The job ids of the `GET /v1/jobs/{id}` a client's transport carries."""

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
def counted_client(emulator: Emulator, account_key: str, reads: JobReads) -> Iterator[ProductAI]:
    http = httpx.Client(event_hooks={"request": [reads]})
    with ProductAI(api_key=account_key, base_url=emulator.base_url, http_client=http) as client:
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


def test_a_job_shown_and_waited_on_is_polled_once_not_twice(counted_client, reads, process_tracker):
    job = generate(counted_client)
    process_tracker.track(job)
    progress: list[str] = []
    waited = job.wait(timeout=DEADLINE, poll_interval=0.05, on_progress=lambda j: progress.append(j.status))
    assert waited is job and job.status == "completed" and len(job.images) == 1
    assert reads.count == process_tracker.polls, "every read was the one follower's, through the client"
    assert progress[-1] == "completed"


def test_a_wait_in_a_plain_script_follows_its_jobs_in_the_background(counted_client, reads, monkeypatch):
    monkeypatch.setattr(tracking, "_tracker", None)
    job = generate(counted_client).wait(timeout=DEADLINE, poll_interval=0.05)
    assert job.status == "completed" and reads.count > 0
    tracker = tracking.current_tracker()
    assert tracker is not None and not tracker.is_following(job), "the ended job is let go"
    tracker.close()


def test_a_view_closed_mid_wait_does_not_end_the_wait(counted_client, monkeypatch):
    slow = Tracker(min_interval=600, max_interval=600)  # a view's pace would not poll before the deadline
    monkeypatch.setattr(tracking, "_tracker", slow)
    try:
        job = generate(counted_client)
        close_the_view = slow.track(job)
        status_when_closed: list[str] = []

        def on_progress(changed: Job) -> None:
            if not status_when_closed:  # the wait's first news: it is under way, the view closes
                status_when_closed.append(changed.status)
                close_the_view()

        # the wait's own pace (0.05 s) is the most eager holder's: it sets the polls
        assert job.wait(timeout=DEADLINE, poll_interval=0.05, on_progress=on_progress) is job
        assert job.status == "completed"
        assert status_when_closed and status_when_closed[0] != "completed", "the view closed mid-wait"
    finally:
        slow.close()


async def test_an_async_wait_on_a_shown_job_shares_its_polls(emulator, account_key, reads, process_tracker):
    http = httpx.AsyncClient(event_hooks={"request": [reads.on_async_request]})
    async with AsyncProductAI(api_key=account_key, base_url=emulator.base_url, http_client=http) as client:
        job = await client.generate(model="seedream", image_url="https://example.com/mug.jpg",
                                    prompt="two mugs", num_images=2)
        process_tracker.track(job)
        assert await job.wait(timeout=DEADLINE, poll_interval=0.05) is job
        assert job.status == "completed" and len(job.images) == 2
        assert reads.count == process_tracker.polls, "the polls ran on this client's own pool"
    await http.aclose()


def test_every_background_poll_goes_through_the_clients_own_transport(process_tracker):
    answers = iter([job_json(progress=10), job_json(progress=60)])

    def server(request: httpx.Request) -> httpx.Response:
        return answer(200, next(answers, job_json(status="completed", progress=100, images=[IMAGE])))

    script = Script(server)
    with mock_client(script) as client:
        job = client.jobs.get("job_abc123xyz")
        finished = threading.Event()
        job.observe(lambda j: j.is_terminal and finished.set())
        process_tracker.track(job)
        assert finished.wait(DEADLINE), "the view's job never ended"
    assert job.images[0].url == IMAGE["url"]
    # one foreground read (get), then every poll the tracker sent, all through the MockTransport
    assert len(script.requests) == 1 + process_tracker.polls >= 3


def test_a_wait_on_an_unreachable_api_retries_until_its_deadline_then_says_why(
    counted_client, process_tracker, account_key, unreachable_url
):
    pending = generate(counted_client).state
    with ProductAI(api_key=account_key, base_url=unreachable_url, max_retries=0) as unreachable:
        job = Job(unreachable, pending)
        connections: list[str] = []
        process_tracker.track(job, on_connection=connections.append)
        with pytest.raises(APIConnectionError) as raised:
            job.wait(timeout=1.0, poll_interval=0.05)
    assert RECONNECTING in connections and job.status == "pending"
    assert account_key not in str(raised.value)


async def test_an_async_wait_on_an_unreachable_api_ends_with_the_connection_error(
    emulator, account_key, process_tracker, unreachable_url
):
    async with AsyncProductAI(api_key=account_key, base_url=emulator.base_url) as client:
        pending = (await client.generate(model="seedream", image_url="https://example.com/mug.jpg",
                                         prompt="a mug")).state
    async with AsyncProductAI(api_key=account_key, base_url=unreachable_url, max_retries=0) as unreachable:
        job = AsyncJob(unreachable, pending)
        process_tracker.track(job)
        with pytest.raises(APIConnectionError):
            await job.wait(timeout=1.0, poll_interval=0.05)
        # asked while the client is open: once it closes, its jobs are let go (idle)
        assert process_tracker.connection_state(job) == RECONNECTING


def test_a_job_the_api_does_not_know_costs_the_others_nothing_and_is_named_at_the_end(process_tracker):
    done = job_json("job_ok", status="completed", progress=100, images=[IMAGE])

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/jobs"):  # the whole list: job_gone is not in it
            listed = {k: v for k, v in done.items() if k != "images"}
            return answer(200, {"jobs": [listed], "total": 1, "limit": 100, "offset": 0, "has_more": False})
        if request.url.path.endswith("/job_ok"):
            return answer(200, done)
        return answer(404, {"error": {"code": "job_not_found", "message": "No job with this id"}})

    with mock_client(Script(server)) as client:
        jobs = [Job(client, job_json_state("job_gone")), Job(client, job_json_state("job_ok"))]
        finished = []
        with pytest.raises(NotFoundError) as raised:
            for job in client.jobs.as_completed(jobs, timeout=DEADLINE, poll_interval=0.05):
                finished.append(job.id)
    assert finished == ["job_ok"] and "job_gone" in str(raised.value)


def test_a_key_that_stops_working_ends_the_wait_at_once(process_tracker):
    refused = answer(401, {"error": {"code": "unauthorized", "message": "invalid key"}})
    with mock_client(Script(refused)) as client:
        job = Job(client, job_json_state("job_abc"))
        with pytest.raises(AuthenticationError):
            job.wait(timeout=DEADLINE, poll_interval=0.05)


def job_json_state(job_id: str):
    from productai_notebook.api import JobState

    return JobState.parse(job_json(job_id))


def test_twenty_shown_jobs_of_a_blocking_client_are_followed_to_their_end_on_a_few_threads(
    emulator, account_key, process_tracker
):
    """No thread per request: every background request of a blocking client runs on its account's
    small pool, however many jobs are followed and however many requests that takes."""
    threads: dict[int, str] = {}  # thread ident -> name, for every background request

    def note(request: httpx.Request) -> None:
        if threading.current_thread() is not threading.main_thread():
            threads[threading.get_ident()] = threading.current_thread().name

    http = httpx.Client(event_hooks={"request": [note]})
    with ProductAI(api_key=account_key, base_url=emulator.base_url, http_client=http) as client:
        jobs = [generate(client) for _ in range(20)]
        before = threading.active_count()
        stops = [process_tracker.track(job) for job in jobs]
        client.jobs.wait_all(jobs, timeout=DEADLINE)
        most = threading.active_count()
        for stop in stops:
            stop()
    http.close()
    assert all(job.status == "completed" and job.images for job in jobs)
    assert process_tracker.polls > POOL_SIZE, "more requests than threads"
    assert set(threads.values()) == {"productai-background"}
    assert len(threads) <= POOL_SIZE, "a few threads, not one per request"
    assert most - before <= POOL_SIZE + 1, "the pool and the tracker's own thread at most"


@pytest.mark.parametrize("asynchronous", [False, True])
async def test_closing_the_tracker_stops_a_background_request_sleeping_between_retries(asynchronous):
    """Both clients look at the stop while a background request sleeps before its retry (a 503 with
    Retry-After: 30): closing the tracker ends it at once, for the asyncio client as for the blocking one."""
    asked = threading.Event()

    def busy(request: httpx.Request) -> httpx.Response:
        asked.set()
        return answer(503, {"error": "busy"}, headers={"Retry-After": "30"})

    script = Script(busy)
    make = mock_async_client if asynchronous else mock_client
    client = make(script, max_retries=3)  # (made on this loop: its background requests run here)
    stop = threading.Event()
    sending = asyncio.wrap_future(client.send_in_background(RequestSpec("GET", "me"), stop))
    assert await asyncio.to_thread(asked.wait, 10)
    stop.set()
    with pytest.raises(APIConnectionError, match="stopped"):
        await asyncio.wait_for(sending, timeout=10)  # the deadline of a hang, not a measure
    assert len(script.requests) == 1, "no retry once stopped"
