"""A 1,000-job batch against an emulator with a high limit: the kernel's memory per job, the
manifest's size, the bytes written to it per create, and how long the creates and the whole batch take.

The emulator runs in its own process, so the figures are the client's (the kernel's) alone:
`tracemalloc` measures the Python objects the batch holds once every job ended (its entries, the
job handles with their states, the follows), and the resident memory growth is given beside it.
Writes bench/results/batch_scale.json; `main()` is what bench/run.py calls. Not asserted.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "batch_scale.json"
JOBS = int(os.environ.get("BENCH_BATCH_JOBS", "1000"))
KEY = "pk_bench_batch_scale"
LIMIT = 100_000  # requests a minute: the rate limit never paces this run


def _rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _emulator(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "productai_notebook.emulator", "--port", str(port), "--api-key", KEY,
         "--plan", "enterprise", "--rate-limit", str(LIMIT), "--job-seconds", "1:3", "--memory"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _wait_ready(base_url: str) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base_url}/me", headers={"Authorization": f"Bearer {KEY}"}, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the emulator did not start")


def measure(jobs: int = JOBS) -> dict[str, Any]:
    from productai_notebook.api import ProductAI, get_tracker
    from productai_notebook.api.batches.manifest import bytes_written

    port = _free_port()
    server = _emulator(port)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(base_url)
        folder = Path(tempfile.mkdtemp(prefix="bench-batch-"))
        prompts = [f"scene {n}" for n in range(jobs // 2)]
        with ProductAI(api_key=KEY, base_url=base_url, requests_per_minute=LIMIT) as client:
            client.me()
            get_tracker()  # (its thread and loop are not the batch's)
            gc.collect()
            rss_before = _rss_bytes()
            tracemalloc.start()
            written_before = bytes_written()
            started = time.perf_counter()
            batch = client.batch(inputs="https://example.com/mug.jpg", prompts=prompts,
                                 models=["seedream", "nanobanana"], name="scale", batch_dir=folder)
            returned = time.perf_counter() - started
            while any(entry.stage in ("queued", "sending") for entry in batch.entries):
                time.sleep(0.05)
            sent = time.perf_counter() - started
            batch.wait(timeout=600)
            ended = time.perf_counter() - started
            written = bytes_written() - written_before  # (every job ended: the worker compacted at its end)
            gc.collect()
            held, _peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rss_growth = _rss_bytes() - rss_before
            manifest = batch.manifest_path.stat().st_size
            counts = batch.counts()
        return {
            "jobs": len(batch),
            "completed": counts["completed"],
            "seconds_until_batch_returned": round(returned, 3),
            "seconds_until_every_create_sent": round(sent, 1),
            "seconds_until_every_job_ended": round(ended, 1),
            "python_bytes_per_job": round(held / len(batch)),
            "rss_growth_bytes_per_job": round(rss_growth / len(batch)),
            "manifest_bytes": manifest,
            "manifest_bytes_per_job": round(manifest / len(batch)),
            "manifest_bytes_written": written,
            "manifest_bytes_written_per_create": round(written / len(batch)),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    figures = measure()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "what": __doc__.split("\n\n")[0],
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        **figures,
    }, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
