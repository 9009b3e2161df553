"""What the client adds on top of HTTP, and how fast `jobs.iter` pages.

Two measurements against in-process emulators on loopback (see bench/README.md):

1. overhead: `client.jobs.fetch_state(id)` of a running job through `ProductAI` next to a raw
   `httpx.Client.get` of the same URL; the same through `AsyncProductAI` with 10 fetches in flight.
2. iteration: `ProductAI.jobs.iter()` over 1,000 jobs.

What the background work spends on many jobs at the rate limit is bench_batches.py's.

Writes bench/results/client.json. `main()` is what bench/run.py calls.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from productai_notebook.api import AsyncProductAI, ProductAI
from productai_notebook.emulator import Emulator

RESULTS = Path(__file__).parent / "results" / "client.json"

RUNS = 3  # each figure is the median of this many runs
FETCHES = 1500  # per overhead run; bounded further by FETCH_SECONDS
FETCH_SECONDS = 5.0
CONCURRENT_FETCHES = 10
LISTED_JOBS = 1000
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


# -- 2. iterating over many jobs -------------------------------------------------------------


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

    result: dict[str, Any] = {
        "benchmark": "productai-notebook client against in-process emulators over loopback",
        "date": datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "runs": RUNS,
        "fetch_state_sync": sync,
        f"fetch_state_async_{CONCURRENT_FETCHES}_concurrent": concurrent,
        "jobs_iter": iteration,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    _print_table(result)
    return result


def _print_table(result: dict[str, Any]) -> None:
    sync, conc = result["fetch_state_sync"], result[f"fetch_state_async_{CONCURRENT_FETCHES}_concurrent"]
    listing = result["jobs_iter"]
    rows = [
        ("fetch_state sync, req/s", sync["client_per_second"], f"raw httpx {sync['raw_httpx_per_second']}"),
        ("  client overhead, ms/request", sync["client_overhead_ms_per_request"], ""),
        (
            f"fetch_state async x{CONCURRENT_FETCHES}, req/s",
            conc["client_per_second"],
            f"raw httpx {conc['raw_httpx_per_second']}",
        ),
        ("  client overhead, ms/request", conc["client_overhead_ms_per_request"], ""),
        (f"jobs.iter over {listing['jobs']} jobs, s", listing["seconds"], f"{listing['pages']} pages"),
    ]
    for label, measured, compared in rows:
        print(f"{label:36} {measured!s:>9}   {compared}")


if __name__ == "__main__":
    main()
