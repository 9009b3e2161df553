"""The batch board against one JobView per job, side by side, at 100 jobs.

In Chromium (bench/widgets_page.html: the built front end against the fake model vitest uses):
the first paint and the main thread's time per status round (every running job moves on).
In the kernel (a real batch against the emulator, run in its own process): the comm messages
per job per minute and the process's CPU per minute while the jobs run, and the saved notebook's
widget state with thumbnails and without. Writes bench/results/board.json; nothing is asserted.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_widgets import RUNS, STATIC, medians, run_in_page, site  # noqa: E402
from lab_harness import chromium  # noqa: E402  (bench_widgets put tests/browser on the path)
from results_file import write_results  # noqa: E402

RESULTS = HERE / "results" / "board.json"
JOBS = 100
DONE = 60  # completed with their images at first paint; the rest running
ROUNDS = 10
BIG_BOARD_JOBS = 1_000
SAVED_JOBS = 30  # the issue's target: a 30-job board's saved size against 30 JobViews'
JOB_SECONDS = "20:40"  # long enough for several status rounds per job
LIVE_DEADLINE_SECONDS = 600


def _thumbnail() -> str:
    """A JPEG the size of the kernel's thumbnails (256 px), base64, as the page turns it into binary state."""
    picture = Image.new("RGB", (256, 256), (180, 120, 90))
    picture.paste((40, 90, 200), (64, 64, 192, 192))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=82)
    return base64.b64encode(buffer.getvalue()).decode()


def page_figures() -> tuple[str, dict[str, Any]]:
    """First paint and time per status round of a 100-job board and of 100 JobViews, in Chromium."""
    with site() as url, chromium() as browser:
        arg = {
            "count": JOBS,
            "done": DONE,
            "urls": [f"{url}/img/{n:03d}.jpg" for n in range(400)],
            "thumbnail": _thumbnail(),
            "rounds": ROUNDS,
        }
        board = [run_in_page(browser, url, "arg => window.benchBoard(arg)", arg) for _ in range(RUNS)]
        views = [run_in_page(browser, url, "arg => window.benchJobViews(arg)", arg) for _ in range(RUNS)]
        # the same board at ten times the jobs: its rows are windowed
        big = {**arg, "count": BIG_BOARD_JOBS, "done": BIG_BOARD_JOBS * DONE // JOBS}
        board_big = [run_in_page(browser, url, "arg => window.benchBoard(arg)", big) for _ in range(RUNS)]
        figures = {
            "board": medians(board),
            "job_views": medians(views),
            f"board_{BIG_BOARD_JOBS}": medians(board_big),
        }
        return browser.version, figures


@contextmanager
def emulator() -> Iterator[tuple[str, str]]:
    """The emulator in a process of its own (its CPU is not the kernel's): (base URL, API key)."""
    key = f"pk_bench_{uuid.uuid4().hex}"
    port = _free_port()
    command = [sys.executable, "-m", "productai_notebook.emulator", "--port", str(port), "--api-key", key,
               "--plan", "enterprise", "--credits", "1000000", "--job-seconds", JOB_SECONDS]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_up(base_url, key)
        yield base_url, key
    finally:
        server.terminate()
        server.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(base_url: str, key: str) -> None:
    from productai_notebook.api import ProductAI, ProductAIError

    deadline = time.monotonic() + 30
    with ProductAI(api_key=key, base_url=base_url, max_retries=0) as client:
        while True:
            try:
                client.me()
                return
            except ProductAIError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


@contextmanager
def counted_messages() -> Iterator[Counter[str]]:
    """Every comm message a widget sends (state updates and custom messages), by widget class."""
    import ipywidgets

    sent: Counter[str] = Counter()
    original = ipywidgets.Widget._send

    def counting(widget: Any, msg: Any, buffers: Any = None) -> None:
        if widget.comm is not None:
            sent[type(widget).__name__] += 1
        original(widget, msg, buffers)

    ipywidgets.Widget._send = counting
    try:
        yield sent
    finally:
        ipywidgets.Widget._send = original


def saved_bytes(widget: Any) -> int:
    """What a saved notebook keeps of `widget`: its state (binary as base64) and its output's copies."""
    from ipywidgets.widgets.widget import _remove_buffers

    state, _paths, buffers = _remove_buffers(widget.get_state())
    data, _metadata = widget._bundle()
    encoded = sum(len(base64.b64encode(bytes(buffer))) for buffer in buffers)
    return len(json.dumps(state)) + encoded + len(data.get("text/html", "")) + len(data.get("text/plain", ""))


def _prompts(count: int) -> list[str]:
    return [f"prompt {n}: the product on a marble table, soft daylight" for n in range(count // 4)]


MODELS = ["nanobanana2", "seedream", "kontext-pro", "gpt-high"]


def live_figures(client: Any, batch_dir: Path) -> dict[str, Any]:
    """A 100-job board against 100 JobViews while their jobs run: comm messages and CPU per minute."""
    from productai_notebook import BatchBoard, JobView

    figures = {}
    for kind in ("board", "job_views"):
        with counted_messages() as sent:
            cpu, start = time.process_time(), time.monotonic()
            batch = client.batch(prompts=_prompts(JOBS), models=MODELS, inputs=["https://example.com/shoe.jpg"],
                                 num_images=2, batch_dir=batch_dir)  # fmt: skip
            views: list[Any] = []
            if kind == "board":
                views.append(BatchBoard(batch))
            while not batch.done and time.monotonic() - start < LIVE_DEADLINE_SECONDS:
                if kind == "job_views":  # a view per job as its create returns, as `display(job)` would
                    views.extend(JobView(job) for job in list(batch)[len(views) :])
                time.sleep(0.2)
            minutes = (time.monotonic() - start) / 60
            cpu_seconds = time.process_time() - cpu
            for view in views:
                view.close()
        messages = sent["BatchBoard" if kind == "board" else "JobView"]
        figures[kind] = {
            "live_minutes": round(minutes, 2),
            "comm_messages": messages,
            "comm_messages_per_job_per_minute": round(messages / JOBS / minutes, 2),
            "kernel_cpu_seconds_per_minute": round(cpu_seconds / minutes, 2),
        }
    return figures


def saved_figures(client: Any, batch_dir: Path, count: int) -> dict[str, Any]:
    """The saved size of a finished `count`-job board and of as many JobViews, thumbnails on and off."""
    from productai_notebook import BatchBoard, JobView, config

    batch = client.batch(prompts=_prompts(count), models=MODELS, inputs=["https://example.com/shoe.jpg"],
                         num_images=2, batch_dir=batch_dir).wait(timeout=LIVE_DEADLINE_SECONDS)  # fmt: skip
    figures = {}
    for thumbnails in (True, False):
        config.thumbnails = thumbnails
        board = BatchBoard(batch)
        views = [JobView(job) for job in batch]
        board._finish(30)
        for view in views:
            view._finish(30)
        board._live.show_now()
        for view in views:
            view._live.show_now()
        label = "with_thumbnails" if thumbnails else "without_thumbnails"
        views_kb = sum(saved_bytes(view) for view in views) / 1024
        figures[label] = {"board_kb": round(saved_bytes(board) / 1024, 1), "job_views_kb": round(views_kb, 1)}
        board.close()
        for view in views:
            view.close()
    config.thumbnails = True
    return figures


def kernel_figures() -> dict[str, Any]:
    from productai_notebook.api import ProductAI

    with emulator() as (base_url, key), tempfile.TemporaryDirectory(prefix="pai-bench-batches-") as folder:
        with ProductAI(api_key=key, base_url=base_url) as client:
            return {
                "live": live_figures(client, Path(folder)),
                f"saved_{SAVED_JOBS}_jobs": saved_figures(client, Path(folder), SAVED_JOBS),
                f"saved_{JOBS}_jobs": saved_figures(client, Path(folder), JOBS),
            }


def main() -> dict[str, Any]:
    if not (STATIC / "board.js").is_file():
        sys.exit("The widgets are not built: run `npm run build` first.")
    version, page = page_figures()
    figures: dict[str, Any] = {"jobs": JOBS, "completed_at_first_paint": DONE, "page": page}
    if os.environ.get("PRODUCTAI_BENCH_PAGE_ONLY") != "1":
        figures["kernel"] = {"job_seconds": JOB_SECONDS, **kernel_figures()}
    return write_results(RESULTS, {"chromium": version, "runs": RUNS, **figures})


if __name__ == "__main__":
    main()
