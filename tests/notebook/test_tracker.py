"""The background tracker: keeps jobs fresh on its own thread, stops when they end or nobody looks."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from notebook_waits import free_port, wait_until

from productai_notebook.api import Job, ProductAI
from productai_notebook.api.engine.tracker import IDLE, LIVE, RECONNECTING, Tracker, get_tracker
from productai_notebook.emulator import Emulator

FAST = {"min_interval": 0.05, "max_interval": 0.2}


@pytest.fixture
def tracker() -> Iterator[Tracker]:
    tracker = Tracker(**FAST)
    yield tracker
    tracker.close()


def generate(client: ProductAI, prompt: str = "a bottle on marble") -> Job:
    return client.generate(model="nanobanana2", image_url="https://example.com/bottle.jpg",
                           prompt=prompt, num_images=2)


def test_a_tracked_job_completes_without_anyone_waiting_and_polling_stops(client, tracker):
    job = generate(client)
    finished = threading.Event()
    job.observe(lambda j: j.is_terminal and finished.set())
    tracker.track(job)
    assert tracker.connection_state(job) == LIVE
    assert finished.wait(60), "the tracker never brought the job to its end"
    assert job.status == "completed" and len(job.images) == 2
    wait_until(lambda: not tracker.is_following(job), "the poll loop to end")
    assert tracker.connection_state(job) == IDLE
    polls = tracker.polls
    tracker.track(job)  # a finished job is never polled again
    assert not tracker.is_following(job) and tracker.polls == polls


def test_polling_stops_once_every_holder_untracked(client, tracker):
    job = generate(client)
    untrack_first = tracker.track(job)
    untrack_second = tracker.track(job)
    untrack_first()
    assert tracker.is_following(job), "one view still shows the job"
    untrack_second()
    untrack_second()  # idempotent
    wait_until(lambda: not tracker.is_following(job), "the poll loop to stop")
    assert tracker.connection_state(job) == IDLE


def test_a_failed_job_is_followed_to_its_error(client, tracker):
    job = generate(client, prompt="a bottle #fail")
    tracker.track(job)
    wait_until(lambda: job.is_terminal, "the job to fail")
    assert job.status == "failed" and job.error is not None and job.error.code == "generation_failed"


class _Forwarder(socketserver.ThreadingTCPServer):
    """A loopback TCP relay to the emulator: the 'network' that comes back."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.target = target
        super().__init__(("127.0.0.1", port), _Relay)


class _Relay(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        upstream = socket.create_connection(self.server.target, timeout=30)  # type: ignore[attr-defined]

        def pump(source: socket.socket, sink: socket.socket) -> None:
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass
            finally:
                sink.close()

        back = threading.Thread(target=pump, args=(upstream, self.request), daemon=True)
        back.start()
        pump(self.request, upstream)
        back.join(30)


def test_an_unreachable_api_shows_reconnecting_then_recovers_by_itself(client, emulator, api_key, tracker):
    job = generate(client)
    port = free_port()  # nothing listens here yet: the API is "down"
    target = urlsplit(emulator.base_url)
    with ProductAI(api_key=api_key, base_url=f"http://127.0.0.1:{port}/v1") as far_client:
        far_job = Job(far_client, job.state)
        connections: list[str] = []
        tracker.track(far_job, on_connection=connections.append)
        wait_until(lambda: tracker.connection_state(far_job) == RECONNECTING, "the reconnecting state")
        assert far_job.status == "pending"
        with _Forwarder(port, (target.hostname, target.port)) as relay:
            threading.Thread(target=relay.serve_forever, daemon=True).start()
            wait_until(lambda: far_job.is_terminal, "the job to complete once the API is back")
            relay.shutdown()
    assert far_job.status == "completed"
    assert connections[0] == RECONNECTING and LIVE in connections and connections[-1] == IDLE


def test_one_budget_spreads_polls_over_many_jobs(client):
    tracker = Tracker(**FAST)
    try:
        jobs = [generate(client) for _ in range(3)]
        for job in jobs:
            tracker.track(job)
        wait_until(lambda: all(job.is_terminal for job in jobs), "three jobs to end")
        assert all(job.status == "completed" for job in jobs)
    finally:
        tracker.close()


def trackers_running() -> int:
    return sum(thread.name == "productai-tracker" for thread in threading.enumerate())


def test_the_process_has_one_tracker_and_close_joins_its_thread(client):
    first = get_tracker()
    assert get_tracker() is first
    job = generate(client)
    first.track(job)
    running = trackers_running()
    first.close()
    assert trackers_running() == running - 1, "close() ended the tracker's thread"
    assert "pk_" not in repr(first)
    assert get_tracker() is not first, "a closed tracker is replaced on next use"


def test_shown_jobs_get_their_progress_read_when_the_listings_carry_none(api_key, tracker):
    with Emulator(api_key=api_key, plan="enterprise", job_seconds=(1.5, 2.5), seed=11,
                  list_progress=False) as emu, ProductAI(api_key=api_key, base_url=emu.base_url) as client:
        jobs = [generate(client) for _ in range(3)]
        moving: set[str] = set()
        for job in jobs:
            job.observe(lambda j: 0 < j.progress < 100 and moving.add(j.id))
            tracker.track(job)
        wait_until(lambda: all(job.is_terminal for job in jobs), "three jobs to end")
        routes = emu.requests()["routes"]
    # (the last job running is read alone anyway: the others' bars moved by their own reads)
    assert len(moving) == len(jobs), "every shown bar moved before its end"
    assert routes["list_jobs"] > 0
