"""The emulator's memory while it renders a job's images from the largest input it accepts.

Each case runs in a fresh subprocess (so its peak resident memory is its own): an Emulator in
that process takes one input as an uploaded asset, makes a 4-image job from it, and serves the 4
images to 4 clients at once. Pillow's pixel buffers are not Python objects (tracemalloc does not
see them), so the figure is the process's resident memory: its peak (Linux's VmHWM, restarted just
before the job) minus what it held then. Writes bench/results/input_memory.json; `main()` is what
bench/run.py calls.
"""

from __future__ import annotations

import io
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw

RESULTS = Path(__file__).parent / "results" / "input_memory.json"
EDGE = 5000  # 5000 x 5000 = the pixel budget, inputs.MAX_INPUT_PIXELS
CASES = {
    "no_input": "the drawn placeholder product: what rendering costs by itself",
    "png_rgba_5000": "a 5000x5000 RGBA PNG: decoded in full (100 MB of pixels), the worst accepted input",
    "jpeg_5000": "a 5000x5000 JPEG: decoded at reduced scale straight to the output size",
    "bomb_12000": "a 12000x12000 PNG: refused at upload (the figures are for the refusal)",
}


def _input(case: str) -> bytes | None:
    if case == "no_input":
        return None
    edge = 12000 if case == "bomb_12000" else EDGE
    mode = {"png_rgba_5000": "RGBA", "jpeg_5000": "RGB", "bomb_12000": "1"}[case]
    image = Image.new(
        mode, (edge, edge), (0, 200, 0, 255) if mode == "RGBA" else 0 if mode == "1" else (0, 200, 0)
    )
    if mode != "1":
        ImageDraw.Draw(image).ellipse(
            (edge // 4, edge // 8, 3 * edge // 4, 7 * edge // 8), fill=(230, 0, 230)
        )
    out = io.BytesIO()
    image.save(out, "JPEG" if case == "jpeg_5000" else "PNG")
    return out.getvalue()


def _status_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (its peak) of this process, from Linux's /proc."""
    with open("/proc/self/status") as status:
        kib = next(line.split()[1] for line in status if line.startswith(field + ":"))
    return int(kib) / 1024


def _restart_peak() -> float:
    """Make the peak the current resident size (ru_maxrss cannot: it even outlives exec)."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    return _status_mb("VmRSS")


def child(case: str, data_path: str) -> dict[str, Any]:
    """One case in this (fresh) process: upload, a 4-image job, its images fetched 4 at once."""
    from productai_notebook.emulator import Emulator

    data = Path(data_path).read_bytes() if data_path else None
    with Emulator(api_key="pk_bench_memory", job_seconds=(0.2, 0.2), rate_limit=10**9) as emu:
        with httpx.Client(
            base_url=emu.base_url + "/", headers={"Authorization": f"Bearer {emu.api_key}"}, timeout=120
        ) as http:
            body: dict[str, Any] = {"model": "seedream", "prompt": "bench", "num_images": 4}
            _restart_peak()
            started = time.perf_counter()
            if data is None:
                body["image_url"] = "https://example.com/p.png"
            else:
                upload = http.post("training-asset", files={"file": ("in.png", data)})
                if upload.status_code != 201:
                    return {
                        "input_kb": round(len(data) / 1024),
                        "status": upload.status_code,
                        "message": upload.json()["error"]["message"],
                        "refused_in_ms": round((time.perf_counter() - started) * 1000, 1),
                        "peak_rss_mb": round(_status_mb("VmHWM"), 1),
                    }
                body["asset_id"] = upload.json()["asset_id"]
            del data
            before = _restart_peak()
            job_id = http.post("generate", json=body).json()["job_id"]
            while (job := http.get(f"jobs/{job_id}").json())["status"] != "completed":
                time.sleep(0.05)
            started = time.perf_counter()
            sizes: list[int] = []
            fetchers = [
                threading.Thread(
                    target=lambda url=image["url"]: sizes.append(len(httpx.get(url, timeout=120).content))
                )
                for image in job["images"]
            ]
            for fetcher in fetchers:
                fetcher.start()
            for fetcher in fetchers:
                fetcher.join()
            render_ms = (time.perf_counter() - started) * 1000
    return {
        "images": len(sizes),
        "rss_before_job_mb": round(before, 1),
        "peak_rss_mb": round(_status_mb("VmHWM"), 1),
        "peak_growth_mb": round(_status_mb("VmHWM") - before, 1),
        "four_images_ms": round(render_ms),
    }


def main() -> dict[str, Any]:
    results: dict[str, Any] = {}
    for case, what in CASES.items():
        data = _input(case)
        path = RESULTS.parent / f".input_{case}"
        if data is not None:
            path.write_bytes(data)
        try:
            out = subprocess.run(
                [sys.executable, __file__, case, str(path) if data is not None else ""],
                capture_output=True,
                text=True,
                check=True,
                timeout=600,
            ).stdout
        finally:
            path.unlink(missing_ok=True)
        results[case] = {"input": what, "input_kb": round(len(data) / 1024) if data else 0, **json.loads(out)}
        print(case, results[case])
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "date": time.strftime("%Y-%m-%d"),
        "cases": results,
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps(child(sys.argv[1], sys.argv[2])))
    else:
        main()
