"""Remake the README's studio screenshot: a pack shot dropped, 2 prompts x 2 models, the cost before
sending, and the batch's board filled below, light theme.

    .venv/bin/python tests/browser/screenshot_studio.py [docs/studio.png]

Runs a notebook with the studio in JupyterLab (a temporary folder) against a local emulator and
crops the picture to that one output. Not a test: it writes into the repository, on purpose.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for the test's input files
from lab_harness import WIDGET_MS, chromium, jupyter_server, new_page, open_notebook, output, run_all_cells
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from test_browser_studio import KEY, NOTEBOOK, StudioPage, notebook

from productai_notebook.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]
MAX_BYTES = 300_000  # a committed file: keep the repository light


def pack_shot() -> bytes:
    """A product on a plain background, as a pack shot looks."""
    image = Image.new("RGB", (480, 360), "#f4f1ec")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((170, 70, 310, 300), radius=24, fill="#2f6f73")
    draw.rectangle((205, 40, 275, 75), fill="#c9a227")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def main(target: Path) -> None:
    with Emulator(api_key=KEY, plan="pro", credits=1_000, job_seconds=(1.0, 2.0), seed=5) as emulator, \
            jupyter_server(REPO / "notebooks") as server, chromium() as browser:
        (server.root_dir / NOTEBOOK).write_text(notebook(emulator.base_url))
        page = new_page(browser)
        open_notebook(page, server, NOTEBOOK)
        run_all_cells(page)
        studio = StudioPage(page, output(page, ".pai-studio"), emulator)
        studio.send("drop", ("bottle.png", "image/png", pack_shot(), 0))
        expect(studio.row("bottle.png")).to_have_attribute("data-state", "ready", timeout=WIDGET_MS)
        form = studio.studio
        prompts = "on a marble counter, soft morning light\nin a sunlit kitchen"
        form.get_by_label("Prompts, one per line").fill(prompts)
        form.get_by_label("seedream").check()
        form.get_by_label("Images per job").select_option("2")
        form.locator(".pai-studio-generate").click()
        board = form.locator(".pai-board")
        expect(board.locator(".pai-board-header .pai-fact-completed dd")).to_have_text("4", timeout=WIDGET_MS)
        expect(board.locator(".pai-board-image img")).to_have_count(8, timeout=WIDGET_MS)
        page.wait_for_timeout(500)  # the last thumbnails decode
        form.scroll_into_view_if_needed()
        page.mouse.move(0, 0)  # no hover highlight in the picture
        page.set_viewport_size({"width": 1280, "height": 1600})
        form.screenshot(path=str(target), animations="disabled", type="png")
    size = target.stat().st_size
    print(f"wrote {target} ({size // 1000} kB)")
    if size > MAX_BYTES:
        sys.exit(f"{target} is {size} bytes, over {MAX_BYTES}: crop it smaller before committing")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "studio.png")
