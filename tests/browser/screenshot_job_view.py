"""Remake the README screenshot: the quickstart's finished JobView, gallery visible, light theme.

    .venv/bin/python tests/browser/screenshot_job_view.py [docs/job_view.png]

Runs notebooks/quickstart.ipynb in JupyterLab (a temporary copy) and crops the picture to that
one output. Not a test: it writes into the repository, on purpose.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lab_harness import WIDGET_MS, chromium, jupyter_server, new_page, open_notebook, run_all_cells
from playwright.sync_api import expect
from widget_steps import wait_until_loaded

REPO = Path(__file__).resolve().parents[2]
MAX_BYTES = 300_000  # a committed file: keep the repository light


def main(target: Path) -> None:
    with jupyter_server(REPO / "notebooks") as server, chromium() as browser:
        page = new_page(browser)
        open_notebook(page, server, "quickstart.ipynb")
        run_all_cells(page)
        job = page.locator(".jp-OutputArea-output .pai-job").first
        expect(job).to_have_attribute("data-status", "completed", timeout=WIDGET_MS)
        images = job.locator(".pai-gallery .pai-thumb img")
        for n in range(images.count()):
            wait_until_loaded(page, images.nth(n))
        job.scroll_into_view_if_needed()
        page.mouse.move(0, 0)  # no hover highlight in the picture
        job.screenshot(path=str(target), animations="disabled")
    size = target.stat().st_size
    print(f"wrote {target} ({size // 1000} kB)")
    if size > MAX_BYTES:
        sys.exit(f"{target} is {size} bytes, over {MAX_BYTES}: crop it smaller before committing")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "job_view.png")
