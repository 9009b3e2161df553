"""The batch board against one JobView per job, side by side, at 100 jobs.

In Chromium (bench/board_page.html: the built front end against the fake model vitest uses):
the first paint and the main thread's time per status round (every running job moves on).
In the kernel (a real batch against the emulator, run in its own process): the comm messages
per job per minute and the process's CPU per minute while the jobs run, and the saved notebook's
widget state with thumbnails and without. Writes bench/results/board.json; nothing is asserted.
"""

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path
from typing import Any

from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_widgets import RUNS, STATIC, medians, run_in_page, site, write_results  # noqa: E402
from lab_harness import chromium  # noqa: E402  (bench_widgets put tests/browser on the path)

PAGE = HERE / "board_page.html"
RESULTS = HERE / "results" / "board.json"
JOBS = 100
DONE = 60  # completed with their images at first paint; the rest running
ROUNDS = 10


def _thumbnail() -> str:
    """A JPEG the size of the kernel's thumbnails (256 px), base64, as the page turns it into binary state."""
    picture = Image.new("RGB", (256, 256), (180, 120, 90))
    picture.paste((40, 90, 200), (64, 64, 192, 192))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=82)
    return base64.b64encode(buffer.getvalue()).decode()


def page_figures() -> tuple[str, dict[str, Any]]:
    """First paint and time per status round of a 100-job board and of 100 JobViews, in Chromium."""
    with site(page=PAGE) as url, chromium() as browser:
        arg = {
            "count": JOBS,
            "done": DONE,
            "urls": [f"{url}/img/{n:03d}.jpg" for n in range(400)],
            "thumbnail": _thumbnail(),
            "rounds": ROUNDS,
        }
        board = [run_in_page(browser, url, "arg => window.benchBoard(arg)", arg) for _ in range(RUNS)]
        views = [run_in_page(browser, url, "arg => window.benchJobViews(arg)", arg) for _ in range(RUNS)]
        return browser.version, {"board": medians(board), "job_views": medians(views)}


def main() -> dict[str, Any]:
    if not (STATIC / "board.js").is_file():
        sys.exit("The widgets are not built: run `npm run build` first.")
    version, page = page_figures()
    figures: dict[str, Any] = {"jobs": JOBS, "completed_at_first_paint": DONE, "page": page}
    return write_results(RESULTS, version, figures)


if __name__ == "__main__":
    main()
