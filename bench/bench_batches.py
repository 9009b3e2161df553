"""Batches at the rate limit: N jobs created at once on a Pro account (60 requests/min), waited on five ways.

Side by side, in one run, on emulators at the Pro limit with jobs of 10-30 s, for N = 1, 5, 30, 60, 100
(and `--free 20`: 20 jobs on a Free account, 10 requests/min):

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
`bound_seconds` is the sliding window's bound: the earliest time the requests the way needs (a create
per job from the start, a full read per job from its completion) can all have gone with at most the
limit in any window, each counted as the client's pacer counts it (from when it leaves until one
window after its answer; an answer on loopback is taken to come in ANSWER_SECONDS). `wall_over_bound` is
the wall time over it; `bound_as_sent_seconds` is the same bound for the requests the way really sent
(its listings too, as if they could go at any time).

`--window S` runs the emulators and the clients with an S-second rate window instead of 60 and scales
the jobs' durations by S/60, so the same schedule runs in a fraction of the time (the figures are in
those seconds; their ratios are what compare).

Each (way, N) runs in a subprocess of its own (a fresh process: one engine per account per process), four
at a time. Writes bench/results/batches.json.
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
SIZES = (1, 5, 30, 60, 100)
WAYS = ("jobs_page_sequential", "jobs_page_threads", "as_completed", "widgets", "push")
JOB_SECONDS = (10.0, 30.0)
PLAN_LIMITS = {"pro": 60, "free": 10}
WINDOW_SECONDS = 60.0
DEADLINE_SECONDS = 600.0
AT_ONCE = 4  # subprocesses in flight: they mostly wait on the emulators' jobs
# an answer on loopback: what a request adds to its window in the bound (the pacer counts to answer + window)
ANSWER_SECONDS = 0.02
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


def sliding_window_bound(releases: list[float], limit: int, window: float, answer: float = 0.0) -> float:
    """The earliest time the last of the requests can go, each no sooner than its release, with at most
    `limit` counted in any window; a request counts from when it leaves until `window` after its
    answer (`answer` seconds later), as the pacer counts it. Earliest release first is optimal: the
    requests are alike, so any schedule can be reordered into that one without ending later."""
    frees: list[float] = []  # when each sent request stops counting, in sending order
    last = 0.0
    for release in sorted(releases):
        at = release if len(frees) < limit else max(release, frees[-limit])
        frees.append(at + answer + window)
        last = at
    return last


def reserve_kept_bound(
    creates: int, reads: list[float], limit: int, window: float, answer: float = 0.0
) -> float:
    """The earliest time the last read can go when the background reads keep the user's reserve as the
    client's own pacer does (`pacing.Pacer`): `creates` of the user's calls at 0, then each read (a
    background request) no sooner than its release, in release order, when the pacer lets it go.

    Where the creates and reads fill the window, this is later than `sliding_window_bound`: the
    slots kept so that your next calls go within `USER_CALL_SECONDS` are lent to the last reads
    only that long before they free. What a way that sends only background reads can reach."""
    from productai_notebook.api.engine.pacing import BACKGROUND, FOREGROUND, Pacer

    pacer = Pacer(window)
    pacer.learn_limit(limit, "plan")
    now = 0.0
    for _ in range(creates):
        while (wait := pacer.wait_time(FOREGROUND, now)) > 0:
            now += wait
        pacer.answered(pacer.take(now), now + answer)
    last = 0.0
    for release in sorted(reads):
        now = max(now, release)
        while (wait := pacer.wait_time(BACKGROUND, now)) > 0:
            now += wait
        pacer.answered(pacer.take(now), now + answer)
        last = now
    return last


def _bound(ends: list[float], started: float, size: int, limit: int, window: float, extra: int = 0) -> float:
    """The bound of one run: a create per job from the start, a full read per job from its end, and
    `extra` other requests (listings) that may go any time."""
    releases = [0.0] * (size + extra) + [end - started for end in ends]
    return sliding_window_bound(releases, limit, window, ANSWER_SECONDS) + ANSWER_SECONDS


class UserCalls:
    """`--probe`: the user's own call (`client.me()`) every PROBE_SHARE of a window while the way
    waits, as a person running another cell would: how long each waited behind background work.
    The calls start once the creates left the window (before, a call waits behind the user's own
    creates, which is no background work's doing)."""

    PROBE_SHARE = 1 / 15

    def __init__(self, client: Any, window: float, after: float) -> None:
        self.waits: list[float] = []
        self._client, self._every, self._after = client, window * self.PROBE_SHARE, after
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> UserCalls:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        if self._stop.wait(self._after):
            return
        while not self._stop.wait(self._every):
            started = time.monotonic()
            self._client.me()
            self.waits.append(time.monotonic() - started)


def run_one(
    way: str, size: int, plan: str = "pro", window: float = WINDOW_SECONDS, probe: bool = False,
    keep_reserve: bool = False,
) -> dict[str, Any]:
    from productai_notebook.api import ProductAI
    from productai_notebook.emulator import Emulator

    scale = window / WINDOW_SECONDS
    job_seconds = (JOB_SECONDS[0] * scale, JOB_SECONDS[1] * scale)
    with Emulator(plan=plan, job_seconds=job_seconds, seed=size, rate_window=window) as emu:
        client = ProductAI(
            emu.api_key, base_url=emu.base_url, rate_window=window, images_first=not keep_reserve
        )
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
        probes = UserCalls(client, window, after=max(0.0, started + window - time.time()))
        if probe:
            with probes:
                globals()[way](client, jobs, outcome)
        else:
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
    limit, ended = PLAN_LIMITS[plan], [e for e in ends.values() if e]
    bound = _bound(ended, started, size, limit, window)
    reads = [end - started for end in ended]
    kept = reserve_kept_bound(size, reads, limit, window, ANSWER_SECONDS)
    bound_kept = kept + ANSWER_SECONDS if reads else 0.0
    others = sum(statuses.values()) - statuses.get("429", 0) - routes.get("generate", 0) - len(ended)
    return {
        "way": way,
        "jobs": size,
        "plan": plan,
        "window_seconds": window,
        "results_in_hand": len(outcome.seen_at),
        "lost": len(outcome.lost),
        "lost_examples": sorted(set(outcome.lost.values()))[:3],
        "wall_seconds": round(finished - started, 2),
        "create_seconds": round(created - started, 2),
        "bound_seconds": round(bound, 2),
        "wall_over_bound": round((finished - started) / bound, 2) if bound else None,
        # the same bound for the requests this way sent (its listings too, as if they could go any time)
        "bound_as_sent_seconds": round(_bound(ended, started, size, limit, window, max(0, others)), 2),
        # the bound when background reads keep the user's reserve (your next calls within 3 s), as the pacer
        "bound_reserve_kept_seconds": round(bound_kept, 2),
        "wall_over_bound_reserve_kept": round((finished - started) / bound_kept, 2) if bound_kept else None,
        "requests": sum(statuses.values()),
        "requests_by_route": routes,
        "job_reads_per_job": round(routes.get("get_job", 0) / size, 2),
        "http_429s": statuses.get("429", 0),
        "lag_seconds_median": _round(statistics.median(lags) if lags else None),
        "lag_seconds_p95": _round(_percentile(lags, 0.95)),
        "status_lag_seconds_median": _round(statistics.median(status_lags) if status_lags else None),
        "status_lag_seconds_p95": _round(_percentile(status_lags, 0.95)),
        # --probe: the user's own calls made while the way waited, and the longest any of them took
        "user_calls": len(probes.waits),
        "user_call_seconds_max": _round(max(probes.waits)) if probes.waits else None,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _in_subprocess(way: str, size: int, plan: str, window: float) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--one", way, str(size), "--plan", plan, "--window", str(window)],
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS + 300,
        check=False,
    )
    if done.returncode != 0:
        return {"way": way, "jobs": size, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(
    ways: tuple[str, ...] = WAYS,
    sizes: tuple[int, ...] = SIZES,
    free: tuple[int, ...] = (),
    window: float = WINDOW_SECONDS,
    at_once: int = AT_ONCE,
) -> None:
    runs = [(way, size, "pro") for size in sorted(sizes, reverse=True) for way in ways]
    runs += [(way, size, "free") for size in sorted(free, reverse=True) for way in ways]
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        results = list(pool.map(lambda run: _in_subprocess(*run, window), runs))
    results.sort(key=lambda r: (r.get("plan", "pro") != "pro", r["jobs"], WAYS.index(r["way"])))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "date": datetime.date.today().isoformat(),
                "plan_limits_per_window": PLAN_LIMITS,
                "window_seconds": window,
                "job_seconds": [seconds * window / WINDOW_SECONDS for seconds in JOB_SECONDS],
                "runs": results,
            },
            indent=2,
        )
        + "\n"
    )
    for r in results:
        print(
            f"{r.get('plan', '?'):4} N={r['jobs']:<3} {r['way']:20} wall {r.get('wall_seconds', '-'):>7} s"
            f"  bound {r.get('bound_seconds', '-'):>7} s  x{r.get('wall_over_bound', '-')}"
            f"  (reserve kept {r.get('bound_reserve_kept_seconds', '-'):>7} s"
            f"  x{r.get('wall_over_bound_reserve_kept', '-')})"
            f"  429s {r.get('http_429s', '-')}  in hand {r.get('results_in_hand', '-')}  {r.get('error', '')}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", nargs=2, metavar=("WAY", "N"), help="run one way for N jobs; print its JSON")
    parser.add_argument("--ways", nargs="*", default=list(WAYS))
    parser.add_argument("--sizes", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--free", nargs="*", type=int, default=[20], help="sizes on a Free account too")
    parser.add_argument("--plan", default="pro", choices=tuple(PLAN_LIMITS), help="with --one")
    parser.add_argument("--window", type=float, default=WINDOW_SECONDS, help="the rate window, seconds")
    parser.add_argument(
        "--at-once", type=int, default=AT_ONCE, help="runs in flight (widgets' thumbnails want the CPU)"
    )
    parser.add_argument("--probe", action="store_true", help="with --one: time your own calls meanwhile")
    parser.add_argument(
        "--keep-reserve", action="store_true", help="with --one: images_first=False (reads keep the reserve)"
    )
    args = parser.parse_args()
    if args.one:
        one = run_one(args.one[0], int(args.one[1]), args.plan, args.window, args.probe, args.keep_reserve)
        print(json.dumps(one))
    else:
        main(tuple(args.ways), tuple(args.sizes), tuple(args.free), args.window, args.at_once)
