"""Remake the README screenshot of the batch board: 1 input x 2 prompts x 3 models, 2 images each, a
few picks, light theme.

    .venv/bin/python tests/browser/screenshot_board.py [docs/board.png]

Runs the batch in JupyterLab (against the sandbox) and crops the picture to the board. Not a test:
it writes into the repository, on purpose.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from lab_harness import WIDGET_MS, chromium, jupyter_server, new_page, open_notebook, run_all_cells
from playwright.sync_api import expect

REPO = Path(__file__).resolve().parents[2]
MAX_BYTES = 300_000  # a committed file: keep the repository light
SOURCE = """import productai_notebook as pai
client = pai.sandbox()
batch = client.batch(prompts=["on a marble table, soft daylight", "on wet sand at golden hour"],
                     models=["nanobanana2", "seedream", "kontext-pro"],
                     inputs=["https://example.com/bottle.png"], num_images=2, name="bottle-shots")
batch"""


def main(target: Path) -> None:
    with jupyter_server(REPO / "notebooks") as server, chromium() as browser:
        notebook = nbformat.v4.new_notebook()
        kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
        notebook.metadata["kernelspec"] = kernel
        notebook.cells = [nbformat.v4.new_code_cell(SOURCE)]
        nbformat.write(notebook, server.root_dir / "board.ipynb")
        page = new_page(browser)
        open_notebook(page, server, "board.ipynb")
        run_all_cells(page)
        board = page.locator(".jp-OutputArea-output .pai-board").first
        expect(board.locator(".pai-fact-completed dd")).to_have_text("6", timeout=WIDGET_MS)
        expect(board.locator(".pai-board-image img")).to_have_count(12, timeout=WIDGET_MS)
        loaded = "() => [...document.querySelectorAll('.pai-board-image img')].every((i) => i.naturalWidth)"
        page.wait_for_function(loaded)
        for n in (0, 5, 8):
            board.locator(".pai-board-pick").nth(n).click()
        board.scroll_into_view_if_needed()
        page.mouse.move(0, 0)  # no hover highlight in the picture
        page.evaluate("() => document.activeElement.blur()")
        board.locator(".pai-board-scroll").evaluate("scroll => { scroll.scrollLeft = 0; }")
        board.screenshot(path=str(target), animations="disabled")
    size = target.stat().st_size
    print(f"wrote {target} ({size // 1000} kB)")
    if size > MAX_BYTES:
        sys.exit(f"{target} is {size} bytes, over {MAX_BYTES}: crop it smaller before committing")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "board.png")
