"""The driver carries out the scheduler's decisions, on a made-up clock, with no emulator and no sleeps.

Three widgets show three jobs while a batch's creates hold most of the window. A round shows the
first job's end; its read (only the images) waits behind the rounds the other two still need: its
widget says "queued" rather than look stuck, and `%productai budget` (`Budget.describe()`) counts it.
Once the creates leave the window the read goes and the widget is live again.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Any

from api_helpers import job_json

from productai_notebook.api import JobHandle, JobState
from productai_notebook.api._http import ClientSettings, RequestSpec
from productai_notebook.api.engine.account import Engine
from productai_notebook.api.engine.connection import LIVE, QUEUED, Connection
from productai_notebook.api.engine.driver import Driver
from productai_notebook.api.engine.scheduler import GATHER_SECONDS

WINDOW = 60.0
CREATES = 50  # of the Pro plan's 60 a window


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Server:
    """A `Sender` whose answers the test writes: every request is recorded and answered at once."""

    def __init__(self) -> None:
        self.states = {f"job_{n}": job_json(f"job_{n}", estimated_time_seconds=20) for n in range(3)}
        self.sent: list[str] = []
        self.results: list[str] = []  # the reads sent as a job's result (`pacing.RESULT`)

    settings = ClientSettings.resolve("sk_test", "https://api.example.test/v1", None, None, None, None)
    is_open = True

    def held_job(self, job_id: str) -> JobHandle | None:
        return None

    def send_in_background(
        self, spec: RequestSpec, stop: threading.Event, result: bool = False
    ) -> Future[Any]:
        self.sent.append(spec.path)
        if result:
            self.results.append(spec.path)
        answer: Future[Any] = Future()
        if spec.path == "jobs":
            # a listing: ended jobs as summaries (no images), running ones with their progress
            items = [{k: v for k, v in state.items() if k != "images"} for state in self.states.values()]
            page = {"jobs": items, "total": len(items), "limit": 100, "offset": 0, "has_more": False}
            answer.set_result(page)
        else:
            answer.set_result(self.states[spec.path.rsplit("/", 1)[-1]])
        return answer

    def end(self, job_id: str) -> None:
        image = {"url": f"https://cdn.example.test/{job_id}.png"}
        self.states[job_id] = job_json(job_id, status="completed", progress=100, images=[image])


async def settle() -> None:
    """Let the read tasks the step started take their (already given) answers."""
    for _ in range(20):
        await asyncio.sleep(0)


async def scenario() -> None:
    clock, server = Clock(), Server()
    engine = Engine(("https://api.example.test/v1", "digest"), clock=clock)
    engine.learn_plan("pro")
    for _ in range(CREATES):  # a batch's creates, sent just now
        engine.observe(engine.acquire(), None)
    driver = Driver(engine, asyncio.get_running_loop(), threading.Event(), max_backoff=30.0, clock=clock)
    shown: dict[str, list[Connection]] = {}
    jobs = []
    for job_id, state in server.states.items():
        job = JobHandle(JobState.parse(state))
        job.client = server
        jobs.append(job)
        shown[job_id] = []
        driver.follow(job, object(), poll_interval=None, shown=True, listener=shown[job_id].append)

    clock.now += GATHER_SECONDS
    server.end("job_0")
    await driver.step(clock.now)  # one round lists all three: job_0's end shows
    assert server.sent == ["jobs"]
    assert jobs[0].status == "completed" and jobs[0].state.is_summary, "the end shows before the images"

    await driver.step(clock.now)
    await settle()
    assert server.sent == ["jobs"], "the read of an end already shown waits behind the rounds"
    assert shown["job_0"] == [QUEUED], "its widget says queued, not loading"
    assert shown["job_1"] == [] and shown["job_2"] == [], "the running jobs stay live"
    budget = engine.budget()
    assert budget.reads_behind_rounds == 1
    assert "1 ended jobs' images, after the widgets' status checks" in budget.describe()

    clock.now += WINDOW  # the creates have left the window: room for the rounds and the read
    while f"jobs/{jobs[0].id}" not in server.sent:
        await driver.step(clock.now)
        await settle()
    assert jobs[0].images and not jobs[0].state.is_summary, "the images came with its read"
    assert server.results == [f"jobs/{jobs[0].id}"], "only the read of the ended job goes as its result"
    assert shown["job_0"] == [QUEUED, LIVE]
    await driver.step(clock.now)
    assert engine.budget().reads_behind_rounds == 0
    assert "waiting: nothing" in engine.budget().describe()


def test_a_held_read_shows_its_job_as_queued_and_the_budget_counts_it_until_it_goes():
    asyncio.run(scenario())
