"""A listing's news that a followed job ended reaches its handle at once; a wait still yields only
full jobs (a completed one with its images), except a failed one whose listing carries its error.

Every `GET /v1/jobs/{id}` is held back (as a budget spent on creates would hold it), so what the
handles and waits show comes from the listings alone until the test lets the reads go.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from held_reads import HeldReads
from notebook_waits import wait_until

from productai_notebook.api import Job, ProductAI
from productai_notebook.api.engine.waits import JobsWait
from productai_notebook.contract import FAIL_MARKER
from productai_notebook.emulator import Emulator

DEADLINE = 60.0  # generous: two loaded cores
# a lone job is read at its own pace: slow enough that the jobs handed over together are never
# read one by one before the first round lists them all (a round is due at once)
PACE = (0.5, 1.0)


@pytest.fixture
def held() -> Iterator[HeldReads]:
    held = HeldReads()
    yield held
    held.release()


@pytest.fixture
def emulator_fast(api_key: str) -> Iterator[Emulator]:
    with Emulator(api_key=api_key, plan="enterprise", job_seconds=(0.3, 0.6), seed=5) as emu:
        yield emu


@pytest.fixture
def held_client(emulator_fast: Emulator, api_key: str, held: HeldReads) -> Iterator[ProductAI]:
    http = held.client()
    with ProductAI(api_key=api_key, base_url=emulator_fast.base_url, http_client=http) as client:
        yield client
    held.release()
    http.close()


def generate(client: ProductAI, prompt: str = "a mug") -> Job:
    return client.generate(model="nanobanana2", image_url="https://example.com/mug.jpg", prompt=prompt)


def ended_on_the_server(client: ProductAI, jobs: list[Job]) -> None:
    """Until every job ended (asked through listings, which nothing holds): one round tells them all."""
    ids = {job.id for job in jobs}
    wait_until(lambda: ids <= {s.job_id for s in client.jobs.list().jobs if s.is_terminal}, "the jobs to end")


def test_a_listed_end_shows_at_once_but_a_wait_yields_the_job_only_with_its_images(
    held_client, held, emulator_fast, process_tracker
):
    # two jobs: a round needs two followed, so the first round lists both (while a read is under way
    # the rounds pause, the budget going to results first: a third could be left unlisted)
    jobs = [generate(held_client, f"a mug {n}") for n in range(2)]
    ended_on_the_server(held_client, jobs)
    waiting = JobsWait(jobs, timeout=DEADLINE, poll_interval=PACE, now=time.monotonic(), wake=lambda: None)
    try:
        wait_until(lambda: all(job.status == "completed" for job in jobs), "the listing to tell every end")
        # the end came from a listing: no read of any job reached the API, and no image is known yet
        assert emulator_fast.requests()["routes"].get("get_job", 0) == 0
        assert all(job.state.is_summary and not job.images for job in jobs)
        assert waiting.ended() == [], "a wait yielded a listed summary, a job without its images"
        held.release()
        yielded: list[Job] = []
        wait_until(lambda: yielded.extend(waiting.ended()) or len(yielded) == len(jobs), "the full reads")
    finally:
        waiting.close()
    assert all(job.images for job in yielded), "each job yielded with its images"
    # (the reads queue on the engine's few worker threads: some are asked only once let go)
    assert emulator_fast.requests()["routes"].get("get_job", 0) == len(jobs), "each ended job read once"


def test_a_failed_job_whose_listing_carries_its_error_is_yielded_without_a_read(
    held_client, emulator_fast, process_tracker
):
    failing = generate(held_client, f"a mug {FAIL_MARKER}")
    running = [generate(held_client, "a mug")]
    ended_on_the_server(held_client, [failing, *running])
    yielded = []
    for job in held_client.jobs.as_completed([failing, *running], timeout=DEADLINE, poll_interval=PACE):
        yielded.append(job)
        break  # the completed jobs' reads are held: only the failed one can come out
    assert yielded == [failing]
    assert failing.status == "failed" and failing.error is not None
    assert failing.error.code == "generation_failed" and failing.error.message
    assert emulator_fast.requests()["routes"].get("get_job", 0) == 0, "its error came from the listing"
    assert not any(job.images for job in running), "the completed ones still wait for their images"
