"""Batches at the rate limit: N jobs created at once on a Pro account (60 requests/min), waited on five ways.

Side by side, in one run, on emulators at the Pro limit with jobs of 10-30 s, for N = 1, 5, 30, 100:

- `jobs_page_sequential`: the Jobs page's own `wait_for_job` (its Python example, unchanged but for the
  host), called for one job after another;
- `jobs_page_threads`: the same function, one thread per job;
- `as_completed`: `client.jobs.as_completed(jobs)` in a plain script (no widget);
- `widgets`: a `JobView` per job, kept fresh in the background as in a notebook: seen = the view's status;
- `push`: jobs created with `webhook_url=` a local `WebhookReceiver` wired to the client, polling as fallback.

Every way creates its jobs the same way (`client.generate`, paced by the client) so the only difference is
the wait. For each: results in hand (a completed job's images or a failed job's error), lost (an exception
instead), wall time (first create to last result), requests and 429s as the emulator counted them, and the
lag from a job's completion on the server (`completed_at`) to the moment the client had it (median, p95).
`bound_seconds` is the bound the limit allows: the later of the last completion and the time the needed
requests (a create and a full read per job) take at the allowed rate (60 a minute).

Each (way, N) runs in a subprocess of its own (a fresh process: one engine per account per process), four
at a time. Writes bench/results/batches.json. Takes about 8 minutes.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "batches.json"
SIZES = (1, 5, 30, 100)
WAYS = ("jobs_page_sequential", "jobs_page_threads", "as_completed", "widgets", "push")
JOB_SECONDS = (10.0, 30.0)
PRO_LIMIT = 60
WINDOW_SECONDS = 60.0
DEADLINE_SECONDS = 600.0
AT_ONCE = 4  # subprocesses in flight: they mostly wait on the emulators' jobs
GENERATE = {"model": "nanobanana2", "prompt": "bench batch", "image_url": "https://example.com/p.png"}


def _jobs_page_wait_for_job(base_url: str) -> Callable[..., Any]:
    """The Jobs page's `wait_for_job`, as the tests quote it: unchanged but for the host."""
    quoted = ast.parse((HERE.parent / "tests" / "emulator" / "test_jobs_page_examples.py").read_text())
    texts = {
        node.targets[0].id: node.value.value
        for node in quoted.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
    }
    source = texts["PYTHON_EXAMPLE"].split("# Usage")[0].replace(texts["DOCS_HOST"], base_url)
    namespace: dict[str, Any] = {}
    exec(compile(source, "jobs_page_example", "exec"), namespace)  # noqa: S102 (the docs' own code)
    return namespace["wait_for_job"]


class Outcome:
    """What one way got: per job, when the client had its result, and what it was."""

    def __init__(self) -> None:
        self.seen_at: dict[str, float] = {}  # job id -> epoch when its full result was in hand
        self.status_seen_at: dict[str, float] = {}  # job id -> epoch when its end was first shown
        self.lost: dict[str, str] = {}  # job id -> the exception that took its place
        self._lock = threading.Lock()

    def got(self, job_id: str, status_only: bool = False) -> None:
        now = time.time()
        with self._lock:
            self.status_seen_at.setdefault(job_id, now)
            if not status_only:
                self.seen_at.setdefault(job_id, now)

    def lose(self, job_id: str, error: BaseException) -> None:
        with self._lock:
            self.lost.setdefault(job_id, f"{type(error).__name__}: {error}"[:120])


# -- the five ways -----------------------------------------------------------------------------


def jobs_page_sequential(client: Any, jobs: list[Any], outcome: Outcome) -> None:
    wait_for_job = _jobs_page_wait_for_job(client.base_url)
    for job in jobs:
        try:
            wait_for_job(job.id, client.api_key, timeout=DEADLINE_SECONDS)
            outcome.got(job.id)
        except Exception as error:
            outcome.lose(job.id, error)


def jobs_page_threads(client: Any, jobs: list[Any], outcome: Outcome) -> None:
    wait_for_job = _jobs_page_wait_for_job(client.base_url)

    def wait(job: Any) -> None:
        try:
            wait_for_job(job.id, client.api_key, timeout=DEADLINE_SECONDS)
            outcome.got(job.id)
        except Exception as error:
            outcome.lose(job.id, error)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        list(pool.map(wait, jobs))


def as_completed(client: Any, jobs: list[Any], outcome: Outcome) -> None:
    try:
        for job in client.jobs.as_completed(jobs, timeout=DEADLINE_SECONDS):
            outcome.got(job.id)
    except Exception as error:
        for job in jobs:
            if job.id not in outcome.seen_at:
                outcome.lose(job.id, error)


def widgets(client: Any, jobs: list[Any], outcome: Outcome) -> None:
    from productai_notebook.notebook.job_view import JobView

    done = threading.Event()
    views = []

    def watch(job: Any, view: Any) -> None:
        def changed(change: dict[str, Any]) -> None:
            state = change["new"]
            if state.get("status") in ("completed", "failed"):
                outcome.got(job.id, status_only=True)
                if state.get("images") or state.get("error"):
                    outcome.got(job.id)
            if len(outcome.seen_at) == len(jobs):
                done.set()

        view.observe(changed, names="job")

    for job in jobs:
        view = JobView.for_job(job)
        watch(job, view)
        views.append(view)
    if not done.wait(DEADLINE_SECONDS):
        for job in jobs:
            if job.id not in outcome.seen_at:
                outcome.lose(job.id, TimeoutError("the view never showed the result"))


def push(client: Any, jobs: list[Any], outcome: Outcome) -> None:
    # the jobs were made with webhook_url= a receiver that pushes each delivery into their handles
    as_completed(client, jobs, outcome)


# -- one run -----------------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _bound(completions: list[float], started: float, needed_requests: int) -> float:
    """The bound the limit allows: the later of the last completion and the time the needed requests
    take at the allowed rate (a create and a full read per job, at PRO_LIMIT a minute)."""
    by_rate = needed_requests * WINDOW_SECONDS / PRO_LIMIT
    return max(max(completions) - started if completions else 0.0, by_rate)


def run_one(way: str, size: int) -> dict[str, Any]:
    from productai_notebook.api import ProductAI
    from productai_notebook.emulator import Emulator

    with Emulator(plan="pro", job_seconds=JOB_SECONDS, seed=size) as emu:
        client = ProductAI(emu.api_key, base_url=emu.base_url)
        receiver = None
        extra: dict[str, Any] = {}
        if way == "push":
            from productai_notebook.api.webhooks import WebhookReceiver

            receiver = WebhookReceiver.for_client(client).start()
            extra["webhook_url"] = receiver.url
        outcome = Outcome()
        started = time.time()
        jobs = []
        for _ in range(size):
            job = client.generate(**GENERATE, **extra)
            if receiver is not None:  # pushed: the handle has the result the moment it is delivered
                job.observe(lambda job: job.is_terminal and (job.images or job.error) and outcome.got(job.id))
            jobs.append(job)
        created = time.time()
        globals()[way](client, jobs, outcome)
        finished = time.time()
        if receiver is not None:
            receiver.stop()
        counts = emu.requests()
        ends = {}
        for job in jobs:
            state = client.jobs.fetch_state(job.id)  # not counted: read after the counts were taken
            end = state.completed_at or state.failed_at
            ends[job.id] = end.timestamp() if end else None
        client.close()
    lags = [outcome.seen_at[j] - end for j, end in ends.items() if j in outcome.seen_at and end]
    status_lags = [
        outcome.status_seen_at[j] - end for j, end in ends.items() if j in outcome.status_seen_at and end
    ]
    statuses = counts["statuses"]
    routes = counts["routes"]
    return {
        "way": way,
        "jobs": size,
        "results_in_hand": len(outcome.seen_at),
        "lost": len(outcome.lost),
        "lost_examples": sorted(set(outcome.lost.values()))[:3],
        "wall_seconds": round(finished - started, 2),
        "create_seconds": round(created - started, 2),
        "bound_seconds": round(_bound([e for e in ends.values() if e], started, 2 * size), 2),
        "requests": sum(statuses.values()),
        "requests_by_route": routes,
        "job_reads_per_job": round(routes.get("get_job", 0) / size, 2),
        "http_429s": statuses.get("429", 0),
        "lag_seconds_median": _round(statistics.median(lags) if lags else None),
        "lag_seconds_p95": _round(_percentile(lags, 0.95)),
        "status_lag_seconds_median": _round(statistics.median(status_lags) if status_lags else None),
        "status_lag_seconds_p95": _round(_percentile(status_lags, 0.95)),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _in_subprocess(way: str, size: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--one", way, str(size)],
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS + 300,
        check=False,
    )
    if done.returncode != 0:
        return {"way": way, "jobs": size, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(ways: tuple[str, ...] = WAYS, sizes: tuple[int, ...] = SIZES) -> None:
    runs = [(way, size) for size in sorted(sizes, reverse=True) for way in ways]
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        results = list(pool.map(lambda run: _in_subprocess(*run), runs))
    results.sort(key=lambda r: (r["jobs"], WAYS.index(r["way"])))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "date": datetime.date.today().isoformat(),
                "plan_limit_per_minute": PRO_LIMIT,
                "job_seconds": JOB_SECONDS,
                "runs": results,
            },
            indent=2,
        )
        + "\n"
    )
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", nargs=2, metavar=("WAY", "N"), help="run one way for N jobs; print its JSON")
    parser.add_argument("--ways", nargs="*", default=list(WAYS))
    parser.add_argument("--sizes", nargs="*", type=int, default=list(SIZES))
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]))))
    else:
        main(tuple(args.ways), tuple(args.sizes))
