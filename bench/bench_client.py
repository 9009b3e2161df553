"""What the client adds on top of HTTP, what the background tracker spends, and how fast `jobs.iter` pages.

Three measurements against in-process emulators on loopback (see bench/README.md):

1. overhead: `client.jobs.fetch_state(id)` of a running job through `ProductAI` next to a raw
   `httpx.Client.get` of the same URL; the same through `AsyncProductAI` with 10 fetches in flight.
2. tracker: 30 jobs of 4-8 s followed by a fresh default `Tracker`: polls, requests per job, and how
   long after each job really completed its observer heard of it; next to polling every job every 3 s.
3. iteration: `ProductAI.jobs.iter()` over 1,000 jobs.

Writes bench/results/client.json. `main()` is what bench/run.py calls.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import platform
import statistics
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from productai_notebook.api import AsyncProductAI, Job, ProductAI
from productai_notebook.api.tracking import Tracker
from productai_notebook.emulator import Emulator

RESULTS = Path(__file__).parent / "results" / "client.json"

RUNS = 3  # each figure is the median of this many runs
FETCHES = 1500  # per overhead run; bounded further by FETCH_SECONDS
FETCH_SECONDS = 5.0
CONCURRENT_FETCHES = 10
TRACKED_JOBS = 30
TRACKED_JOB_SECONDS = (4.0, 8.0)
NAIVE_POLL_SECONDS = 3.0
TRACKER_DEADLINE_SECONDS = 120.0  # the tracker shares 40 requests/min among 30 jobs: about a minute
LISTED_JOBS = 1000
BUDGET_BURST = 5  # the tracker's RequestBudget default: polls it may send at once
# the old tracker's own budget (40/min): the request engine paces to the account's limit now
DEFAULT_REQUESTS_PER_MINUTE = 40
UNLIMITED = 10**9  # the emulator's rate limit: only the client's own policy should shape these runs

GENERATE = {"model": "nanobanana2", "prompt": "bench", "image_url": "https://example.com/p.png"}


# -- 1. the client's overhead ------------------------------------------------------------------


def _per_second(fetch: Callable[[], object]) -> float:
    """Sequential fetches a second, over at most FETCHES calls or FETCH_SECONDS."""
    count = 0
    start = time.perf_counter()
    deadline = start + FETCH_SECONDS
    while count < FETCHES and time.perf_counter() < deadline:
        fetch()
        count += 1
    return count / (time.perf_counter() - start)


async def _per_second_concurrently(fetch: Callable[[], Awaitable[object]]) -> float:
    """Fetches a second with CONCURRENT_FETCHES in flight, over at most FETCHES calls or FETCH_SECONDS."""
    count = 0
    start = time.perf_counter()
    deadline = start + FETCH_SECONDS

    async def worker() -> None:
        nonlocal count
        while count < FETCHES and time.perf_counter() < deadline:
            count += 1
            await fetch()

    await asyncio.gather(*(worker() for _ in range(CONCURRENT_FETCHES)))
    return count / (time.perf_counter() - start)


def _median_rate(measure: Callable[[], float]) -> float:
    return round(statistics.median(measure() for _ in range(RUNS)), 1)


def _overhead_figures(rate_raw: float, rate_client: float) -> dict[str, float]:
    return {
        "raw_httpx_per_second": rate_raw,
        "client_per_second": rate_client,
        "raw_ms_per_request": round(1000 / rate_raw, 3),
        "client_ms_per_request": round(1000 / rate_client, 3),
        # the parsing + request policy, as added time per call (the emulator's share is in both)
        "client_overhead_ms_per_request": round(1000 / rate_client - 1000 / rate_raw, 3),
    }


def _sync_overhead(emu: Emulator, job_id: str) -> dict[str, float]:
    url = f"{emu.base_url}/jobs/{job_id}"
    with (
        httpx.Client(headers={"Authorization": f"Bearer {emu.api_key}"}) as raw,
        ProductAI(emu.api_key, base_url=emu.base_url) as client,
    ):

        def raw_get() -> None:
            raw.get(url).raise_for_status()

        def client_fetch() -> None:
            client.jobs.fetch_state(job_id)

        for fetch in (raw_get, client_fetch):  # warm the connections and code paths
            for _ in range(50):
                fetch()
        rate_raw = _median_rate(lambda: _per_second(raw_get))
        rate_client = _median_rate(lambda: _per_second(client_fetch))
    return _overhead_figures(rate_raw, rate_client)


async def _async_overhead(emu: Emulator, job_id: str) -> dict[str, float]:
    url = f"{emu.base_url}/jobs/{job_id}"
    async with (
        httpx.AsyncClient(headers={"Authorization": f"Bearer {emu.api_key}"}) as raw,
        AsyncProductAI(emu.api_key, base_url=emu.base_url) as client,
    ):

        async def raw_get() -> None:
            (await raw.get(url)).raise_for_status()

        async def client_fetch() -> None:
            await client.jobs.fetch_state(job_id)

        rates: dict[str, list[float]] = {"raw": [], "client": []}
        for fetch in (raw_get, client_fetch):  # warm up: open all the connections once
            await asyncio.gather(*(fetch() for _ in range(CONCURRENT_FETCHES * 5)))
        for _ in range(RUNS):
            rates["raw"].append(await _per_second_concurrently(raw_get))
            rates["client"].append(await _per_second_concurrently(client_fetch))
    return _overhead_figures(
        round(statistics.median(rates["raw"]), 1), round(statistics.median(rates["client"]), 1)
    )


# -- 2. the tracker under its budget ---------------------------------------------------------


class _CompletionWatch:
    """Notes the wall-clock moment each job's observer first sees it ended."""

    def __init__(self, jobs: list[Job]) -> None:
        self.seen_at: dict[str, float] = {}
        self._remaining = len(jobs)
        self._lock = threading.Lock()
        self.all_seen = threading.Event()
        for job in jobs:
            job.observe(self._on_change)

    def _on_change(self, job: Job) -> None:
        if not job.is_terminal:
            return
        now = time.time()
        with self._lock:
            if job.id in self.seen_at:
                return
            self.seen_at[job.id] = now
            self._remaining -= 1
            if self._remaining == 0:
                self.all_seen.set()


def _peak_polls_per_minute(samples: list[tuple[float, int]]) -> int:
    """The most polls in any 60 s window, from (monotonic time, polls so far) samples."""
    peak = 0
    for i, (start, polls_before) in enumerate(samples):
        later = [polls for when, polls in samples[i:] if when - start <= 60.0]
        peak = max(peak, later[-1] - polls_before)
    return peak


def _lags_if_polled_at_each_end(ends: list[float], start: float) -> list[float]:
    """The least lags the budget allows: each job polled once, the moment it ends, tokens permitting.

    Replays the tracker's token bucket (full at `start`) over the real completion times, so the
    gap between this and the measured lag is the scheduling's share, not the budget's.
    """
    rate = DEFAULT_REQUESTS_PER_MINUTE / 60.0
    tokens, stamp, lags = float(BUDGET_BURST), start, []
    for end in sorted(ends):
        at = max(end, stamp)
        tokens = min(float(BUDGET_BURST), tokens + (at - stamp) * rate)
        if tokens < 1:
            at += (1 - tokens) / rate
            tokens = 1.0
        tokens, stamp = tokens - 1, at
        lags.append(at - end)
    return lags


def _tracker_run() -> dict[str, Any]:
    with (
        Emulator(api_key="pk_bench", job_seconds=TRACKED_JOB_SECONDS, rate_limit=UNLIMITED) as emu,
        ProductAI(emu.api_key, base_url=emu.base_url) as client,
    ):
        jobs = [client.generate(**GENERATE) for _ in range(TRACKED_JOBS)]
        watch = _CompletionWatch(jobs)
        tracker = Tracker()  # the defaults a notebook gets: 40 requests/min, 2-5 s polls
        samples: list[tuple[float, int]] = [(time.monotonic(), 0)]
        try:
            start, started_at = time.monotonic(), time.time()
            for job in jobs:
                tracker.track(job)
            deadline = start + TRACKER_DEADLINE_SECONDS
            while not watch.all_seen.wait(0.5) and time.monotonic() < deadline:
                samples.append((time.monotonic(), tracker.polls))
            samples.append((time.monotonic(), tracker.polls))
            elapsed = time.monotonic() - start
            polls = tracker.polls
        finally:
            tracker.close()

    durations = [
        (job.completed_at - job.created_at).total_seconds()
        for job in jobs
        if job.completed_at and job.created_at
    ]
    lags = [
        watch.seen_at[job.id] - job.completed_at.timestamp()
        for job in jobs
        if job.id in watch.seen_at and job.completed_at is not None
    ]
    naive_polls = sum(durations) / NAIVE_POLL_SECONDS
    ends = [job.completed_at.timestamp() for job in jobs if job.completed_at is not None]
    least_lags = _lags_if_polled_at_each_end(ends, started_at)
    return {
        "jobs": TRACKED_JOBS,
        "job_seconds": list(TRACKED_JOB_SECONDS),
        "requests_per_minute_budget": DEFAULT_REQUESTS_PER_MINUTE,
        "jobs_seen_completed": len(lags),
        "seconds_until_all_seen": round(elapsed, 1),
        "polls": polls,
        "requests_per_job": round(polls / TRACKED_JOBS, 2),
        "peak_polls_in_any_minute": _peak_polls_per_minute(samples),
        "completion_lag_seconds_median": round(statistics.median(lags), 2) if lags else None,
        "completion_lag_seconds_max": round(max(lags), 2) if lags else None,
        "least_lag_the_budget_allows": {
            "completion_lag_seconds_median": round(statistics.median(least_lags), 2),
            "completion_lag_seconds_max": round(max(least_lags), 2),
        },
        "naive_every_3s": {
            "polls": round(naive_polls, 1),
            "requests_per_job": round(naive_polls / TRACKED_JOBS, 2),
            "requests_per_minute_while_all_run": round(TRACKED_JOBS * 60 / NAIVE_POLL_SECONDS),
            "completion_lag_seconds_median": NAIVE_POLL_SECONDS / 2,
        },
    }


# -- 3. iterating over many jobs -------------------------------------------------------------


def _iteration() -> dict[str, Any]:
    pages = 0

    def count(request: httpx.Request) -> None:
        nonlocal pages
        if request.url.path.endswith("/jobs"):
            pages += 1

    # jobs that end at once: a history of completed jobs, each listed with its images
    with (
        Emulator(api_key="pk_bench", job_seconds=(0, 0), rate_limit=UNLIMITED) as emu,
        httpx.Client(event_hooks={"request": [count]}) as http,
    ):
        client = ProductAI(emu.api_key, base_url=emu.base_url, http_client=http)
        for _ in range(LISTED_JOBS):
            client.generate(**GENERATE)
        times, listed = [], 0
        for _ in range(RUNS):
            pages = 0
            start = time.perf_counter()
            listed = sum(1 for _ in client.jobs.iter())
            times.append(time.perf_counter() - start)
    return {
        "jobs": listed,
        "pages": pages,
        "seconds": round(statistics.median(times), 3),
        "jobs_per_second": round(listed / statistics.median(times), 1),
    }


# -- the run ----------------------------------------------------------------------------------


def main() -> dict[str, Any]:
    # jobs that run for an hour, so every fetch reads a job still processing
    with Emulator(api_key="pk_bench", job_seconds=(3600, 3600), rate_limit=UNLIMITED) as emu:
        with ProductAI(emu.api_key, base_url=emu.base_url) as client:
            job_id = client.generate(**GENERATE).id
        sync = _sync_overhead(emu, job_id)
        concurrent = asyncio.run(_async_overhead(emu, job_id))
    iteration = _iteration()
    tracker = _tracker_run()

    result: dict[str, Any] = {
        "benchmark": "productai-notebook client against in-process emulators over loopback",
        "date": datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "runs": RUNS,
        "fetch_state_sync": sync,
        f"fetch_state_async_{CONCURRENT_FETCHES}_concurrent": concurrent,
        "tracker": tracker,
        "jobs_iter": iteration,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    _print_table(result)
    return result


def _print_table(result: dict[str, Any]) -> None:
    sync, conc = result["fetch_state_sync"], result[f"fetch_state_async_{CONCURRENT_FETCHES}_concurrent"]
    tracker, listing = result["tracker"], result["jobs_iter"]
    naive, least = tracker["naive_every_3s"], tracker["least_lag_the_budget_allows"]
    rows = [
        ("fetch_state sync, req/s", sync["client_per_second"], f"raw httpx {sync['raw_httpx_per_second']}"),
        ("  client overhead, ms/request", sync["client_overhead_ms_per_request"], ""),
        (
            f"fetch_state async x{CONCURRENT_FETCHES}, req/s",
            conc["client_per_second"],
            f"raw httpx {conc['raw_httpx_per_second']}",
        ),
        ("  client overhead, ms/request", conc["client_overhead_ms_per_request"], ""),
        (f"tracker, {tracker['jobs']} jobs: polls", tracker["polls"], f"every 3 s: {naive['polls']}"),
        (
            "  peak requests in a minute",
            tracker["peak_polls_in_any_minute"],
            f"every 3 s: {naive['requests_per_minute_while_all_run']}",
        ),
        (
            "  completion lag median, s",
            tracker["completion_lag_seconds_median"],
            f"budget's least: {least['completion_lag_seconds_median']}",
        ),
        (
            "  completion lag max, s",
            tracker["completion_lag_seconds_max"],
            f"budget's least: {least['completion_lag_seconds_max']}",
        ),
        (f"jobs.iter over {listing['jobs']} jobs, s", listing["seconds"], f"{listing['pages']} pages"),
    ]
    for label, measured, compared in rows:
        print(f"{label:36} {measured!s:>9}   {compared}")


if __name__ == "__main__":
    main()
