"""Lost creates under the fault mix: how many of 100 creates come back as their jobs, none made twice.

An emulator with the issue's fault mix plus the faults that strike after the job is stored
(a reset, a 502, an answer held past the client's read timeout), so a careless resend shows as a
second job. 100 creates, each with its own prompt, from 5 threads (`ProductAI`) and gathered at
once (`AsyncProductAI`), each way on a fresh account. For each: jobs returned, errors by kind
(and whether each JobMayExistError names its candidates), jobs the emulator holds, prompts made
twice (a create paid twice), requests by route, wall time.

The client's read timeout is 5 s and the held answers 8 s, so a timeout strikes with the job made;
the emulator's rate limit is lifted (the faults are the subject; the injected 429s stay).
Writes bench/results/lost_creates.json.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime
import json
import os
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "lost_creates.json"
FAULTS = "500:0.1,429:0.05,reset:0.02,slow:0.05@3s,garbage:0.02"
AFTER_STORE = "reset_after:0.02,502_after:0.02,timeout_after:0.02@8s"
CREATES = 100
THREADS = 5
READ_TIMEOUT = 5.0
GENERATE = {"model": "nanobanana2", "image_url": "https://example.com/shoe.jpg"}


class Tally:
    def __init__(self) -> None:
        self.jobs: list[str] = []
        self.errors: collections.Counter[str] = collections.Counter()
        self.unnamed = 0  # JobMayExistError without candidates
        self.examples: list[str] = []

    def got(self, outcome: Any) -> None:
        from productai_notebook.api import JobMayExistError

        if isinstance(outcome, BaseException):
            self.errors[type(outcome).__name__] += 1
            if isinstance(outcome, JobMayExistError) and not outcome.candidates:
                self.unnamed += 1
            if len(self.examples) < 3:
                self.examples.append(str(outcome)[:300])
        else:
            self.jobs.append(outcome.id)


def _threads(base_url: str, key: str, tally: Tally) -> None:
    from productai_notebook.api import ProductAI

    with ProductAI(key, base_url=base_url, timeout=READ_TIMEOUT) as client:

        def create(n: int) -> Any:
            try:
                return client.generate(**GENERATE, prompt=f"bench {n}")
            except Exception as error:
                return error

        with ThreadPoolExecutor(THREADS) as pool:
            for outcome in pool.map(create, range(CREATES)):
                tally.got(outcome)


async def _gathered(base_url: str, key: str, tally: Tally) -> None:
    from productai_notebook.api import AsyncProductAI

    async with AsyncProductAI(key, base_url=base_url, timeout=READ_TIMEOUT) as client:
        creates = (client.generate(**GENERATE, prompt=f"bench {n}") for n in range(CREATES))
        for outcome in await asyncio.gather(*creates, return_exceptions=True):
            tally.got(outcome)


def run(way: str, faults: str, seed: int) -> dict[str, Any]:
    from productai_notebook.emulator import Emulator

    with Emulator(faults=faults, seed=seed, rate_limit=100_000, job_seconds=(1.0, 2.0)) as emu:
        key = f"pk_test_lost_{way}"
        emu.add_account(key, plan="enterprise", credits=1_000_000)
        tally = Tally()
        started = time.monotonic()
        if way == "threads":
            _threads(emu.base_url, key, tally)
        else:
            asyncio.run(_gathered(emu.base_url, key, tally))
        wall = time.monotonic() - started
        prompts = emu.prompts_made(key)
        counts = emu.requests(key)
    twice = [prompt for prompt, n in collections.Counter(prompts).items() if n > 1]
    return {
        "way": way,
        "creates": CREATES,
        "jobs_returned": len(tally.jobs),
        "distinct_jobs_returned": len(set(tally.jobs)),
        "raised": dict(tally.errors),
        "job_may_exist_without_candidates": tally.unnamed,
        "jobs_on_the_emulator": len(prompts),
        "prompts_made_twice": len(twice),
        "requests_by_route": counts["routes"],
        "answers_by_status": counts["statuses"],
        "wall_seconds": round(wall, 1),
        "error_examples": tally.examples,
    }


def main(seed: int = 0) -> None:
    faults = f"{FAULTS},{AFTER_STORE}"
    runs = [run("threads", faults, seed), run("gathered", faults, seed)]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "date": datetime.date.today().isoformat(),
                "faults": faults,
                "threads": THREADS,
                "read_timeout_seconds": READ_TIMEOUT,
                "seed": seed,
                "runs": runs,
            },
            indent=2,
        )
        + "\n"
    )
    for r in runs:
        print(
            f"{r['way']:9} {r['jobs_returned']}/{r['creates']} jobs "
            f"({r['distinct_jobs_returned']} distinct), "
            f"raised {r['raised']}, on the emulator {r['jobs_on_the_emulator']}, "
            f"made twice {r['prompts_made_twice']}, {r['wall_seconds']} s"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    main(parser.parse_args().seed)
