"""How many `GET /v1/jobs/{id}` a second the emulator serves here, so it is never a client benchmark's limit.

Writes bench/results/emulator.json. `main()` is what bench/run.py calls.
"""

from __future__ import annotations

import json
import os
import platform
import threading
import time
from pathlib import Path

import httpx

from productai_notebook.emulator import Emulator

REQUESTS = 2000  # per measurement: a bounded loop, a few seconds on a 2-core machine
THREADS = 4
RESULTS = Path(__file__).parent / "results" / "emulator.json"


def _poll(base_url: str, key: str, job_id: str, count: int) -> None:
    with httpx.Client(
        base_url=base_url + "/", headers={"Authorization": f"Bearer {key}"}, timeout=30
    ) as http:
        for _ in range(count):
            http.get(f"jobs/{job_id}").raise_for_status()


def _rate(run: object, total: int) -> float:
    start = time.perf_counter()
    run()  # type: ignore[operator]
    return total / (time.perf_counter() - start)


def main() -> dict[str, object]:
    with Emulator(api_key="pk_bench", job_seconds=(0.1, 0.1), rate_limit=10**9) as emu:
        with httpx.Client(base_url=emu.base_url + "/", headers={"Authorization": "Bearer pk_bench"}) as http:
            job_id = http.post(
                "generate",
                json={"model": "nanobanana2", "prompt": "bench", "image_url": "https://example.com/p.png"},
            ).json()["job_id"]
            _poll(emu.base_url, emu.api_key, job_id, 100)  # warm up

        one_client = _rate(lambda: _poll(emu.base_url, emu.api_key, job_id, REQUESTS), REQUESTS)

        def many_clients() -> None:
            threads = [
                threading.Thread(target=_poll, args=(emu.base_url, emu.api_key, job_id, REQUESTS // THREADS))
                for _ in range(THREADS)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        concurrent = _rate(many_clients, REQUESTS // THREADS * THREADS)

    result: dict[str, object] = {
        "benchmark": "emulator GET /v1/jobs/{id} over loopback (httpx keep-alive, client in-process)",
        "requests_per_second_one_client": round(one_client, 1),
        f"requests_per_second_{THREADS}_clients": round(concurrent, 1),
        "requests": REQUESTS,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
