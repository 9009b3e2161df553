"""The request engine against the emulator over loopback: at the limit, under faults, against a vaguer server.

Windows are compressed (`rate_window=` on both sides), so "10 requests a minute" runs in seconds.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from productai_notebook.api import AsyncJob, AsyncProductAI, Job, ProductAI, ProductAIError
from productai_notebook.api.engine import tracker as tracking
from productai_notebook.api.engine.tracker import Tracker
from productai_notebook.contract import FAIL_MARKER
from productai_notebook.emulator import Emulator

KEY = "pk_test_engine"
WINDOW = 0.5  # seconds: the free plan's 10 requests per window
JOB_SECONDS = (0.3, 1.5)
FAULTS = "500:0.1,429:0.05,reset:0.02,slow:0.05@3s,garbage:0.02"
DEADLINE = 90  # generous: two loaded cores


@pytest.fixture
def tracker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Tracker]:
    """The process's tracker, as a page of widgets would have started it."""
    tracker = Tracker(min_interval=0.05, max_interval=0.5)
    monkeypatch.setattr(tracking, "_tracker", tracker)
    yield tracker
    tracker.close()


def prompt(n: int) -> str:
    return f"a mug {FAIL_MARKER}" if n % 10 == 3 else f"a mug {n}"


def generate(client: ProductAI, n: int) -> Job:
    """Create one job, trying again when a fault swallowed the answer (the test needs the handle)."""
    for _ in range(8):
        try:
            return client.generate(model="seedream", image_url="https://example.com/mug.jpg",
                                   prompt=prompt(n))
        except ProductAIError:
            continue
    raise AssertionError("eight creates in a row failed")


async def generate_async(client: AsyncProductAI, n: int) -> AsyncJob:
    for _ in range(8):
        try:
            return await client.generate(model="seedream", image_url="https://example.com/mug.jpg",
                                         prompt=prompt(n))
        except ProductAIError:
            continue
    raise AssertionError("eight creates in a row failed")


def expected_status(job: Job | AsyncJob) -> str:
    return "failed" if FAIL_MARKER in (job.prompt or "") else "completed"


def in_full(job: Job | AsyncJob) -> bool:
    """What a wait hands back: a completed job with its images, a failed one with its error."""
    return bool(job.images) if job.status == "completed" else job.error is not None


def test_at_ten_requests_a_window_tracked_and_waited_batches_never_see_a_429(tracker):
    with (
        Emulator(api_key=KEY, plan="free", rate_window=WINDOW, job_seconds=JOB_SECONDS, seed=3) as emu,
        ProductAI(KEY, base_url=emu.base_url, rate_window=WINDOW) as client,
    ):
        shown = [generate(client, n) for n in range(20)]
        for job in shown:
            tracker.track(job)  # as twenty JobViews would
        client.jobs.wait_all(shown, timeout=DEADLINE)
        in_a_script = [generate(client, n) for n in range(20)]
        client.jobs.wait_all(in_a_script, timeout=DEADLINE)
        counts = emu.requests()
    assert all(job.status == expected_status(job) and in_full(job) for job in shown + in_a_script)
    assert counts["statuses"].get("429", 0) == 0, counts
    # each job read alone about once, when it ended (a window too full for a listing round besides
    # those reads has none: each job is read at its expected end instead)
    assert counts["routes"]["get_job"] < 2 * 40, counts


def test_with_many_jobs_a_round_is_one_listing_not_a_read_per_job(tracker):
    with (
        Emulator(api_key=KEY, plan="enterprise", job_seconds=(1.0, 2.0), seed=4) as emu,
        ProductAI(KEY, base_url=emu.base_url) as client,
    ):
        jobs = [generate(client, n) for n in range(30)]
        client.jobs.wait_all(jobs, timeout=DEADLINE, poll_interval=0.1)
        counts = emu.requests()["routes"]
    assert all(in_full(job) for job in jobs)
    rounds = counts["list_jobs"]
    assert rounds >= 5, "jobs of 1-2 s asked about every 0.1 s: several rounds"
    assert counts["get_job"] <= len(jobs) + 2, "read alone only once ended (a lone first job aside)"


def test_a_hundred_jobs_waited_through_faults_all_come_back_in_their_end_state(tracker):
    with (
        Emulator(api_key=KEY, plan="enterprise", rate_window=1.0, job_seconds=JOB_SECONDS, seed=5,
                 faults=FAULTS) as emu,
        ProductAI(KEY, base_url=emu.base_url, rate_window=1.0, max_retries=3) as client,
        ThreadPoolExecutor(10) as pool,
    ):
        jobs = list(pool.map(lambda n: generate(client, n), range(100)))
        done = client.jobs.wait_all(jobs, timeout=DEADLINE)
    assert [job.status for job in done] == [expected_status(job) for job in jobs]
    assert all(in_full(job) for job in done)


async def test_a_hundred_jobs_awaited_through_faults_all_come_back_in_their_end_state(tracker):
    with Emulator(api_key=KEY, plan="enterprise", rate_window=1.0, job_seconds=JOB_SECONDS, seed=6,
                  faults=FAULTS) as emu:
        async with AsyncProductAI(KEY, base_url=emu.base_url, rate_window=1.0, max_retries=3) as client:
            limit = asyncio.Semaphore(10)

            async def one(n: int) -> AsyncJob:
                async with limit:
                    return await generate_async(client, n)

            jobs = await asyncio.gather(*(one(n) for n in range(100)))
            ended = [job async for job in client.jobs.as_completed(jobs, timeout=DEADLINE)]
    assert sorted(job.id for job in ended) == sorted(job.id for job in jobs)
    wrong = [(job, job.prompt) for job in ended if not (job.status == expected_status(job) and in_full(job))]
    assert not wrong


def test_without_rate_headers_and_with_shuffled_lists_everything_still_finishes(tracker):
    with (
        Emulator(api_key=KEY, plan="free", rate_window=WINDOW, job_seconds=JOB_SECONDS, seed=7,
                 rate_limit_headers=False, list_order="shuffled", list_progress=False,
                 estimate_error=0.5) as emu,
        ProductAI(KEY, base_url=emu.base_url, rate_window=WINDOW, max_retries=5) as client,
    ):
        shown = [generate(client, n) for n in range(8)]
        for job in shown:
            tracker.track(job)
        waited = [generate(client, n) for n in range(8, 16)]
        client.jobs.wait_all(shown + waited, timeout=DEADLINE)
    assert all(job.status == expected_status(job) and in_full(job) for job in shown + waited)
    budget = client.budget()
    assert (budget.limit, budget.source) == (10, "plan"), "no headers: the plan's limit, read after a 429"


def test_a_batch_that_fills_the_window_still_shows_its_images_at_once(tracker):
    # 56 creates of the Pro plan's 60 a minute: below the reserve background polls leave the user.
    # The two jobs widgets show are read for their images (the user's own request) at their end,
    # while the creates still fill the window: no image waits a minute for them to leave.
    with (
        Emulator(api_key=KEY, plan="pro", job_seconds=(0.3, 0.6), seed=8) as emu,
        ProductAI(KEY, base_url=emu.base_url) as client,
    ):
        jobs = [generate(client, n) for n in range(56)]
        shown = jobs[:2]
        for job in shown:
            tracker.follow(job, shown=True)  # as two JobViews would
        shown_in_full = threading.Event()
        for job in shown:
            job.observe(lambda _: all(in_full(j) for j in shown) and shown_in_full.set())
        assert shown_in_full.wait(DEADLINE), "the shown jobs' images never came"
        held = client.budget().used
        counts = emu.requests()
    assert held >= 56 + 2, "the two reads went while every create still held its slot"
    assert counts["statuses"].get("429", 0) == 0, counts
