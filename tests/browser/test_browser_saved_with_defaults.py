"""A notebook its author ran and saved in JupyterLab with the default settings ("Save Widget State
Automatically" off: no widget state in the file), reopened the next day as the author would: trusted,
in a new JupyterLab, with a new kernel. Every widget output shows its HTML copy (thumbnails and
prompts), with a quiet hint, never "Error displaying widget: model not found"."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from lab_harness import WIDGET_MS, jupyter_server, new_page, open_notebook, run_all_cells
from playwright.sync_api import Browser, expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]

PROMPT = "the bottle on a marble counter"
CELLS = (
    "import productai_notebook as pai\n"
    "from productai_notebook.emulator import Emulator\n"
    "emulator = Emulator(job_seconds=(0.3, 0.6)).start()\n"
    "client = pai.ProductAI(api_key=emulator.api_key, base_url=emulator.base_url)\n"
    f"job = client.generate(model='nanobanana2', image_url='https://example.com/a.png', prompt={PROMPT!r},\n"
    "                      num_images=2)\n"
    "job",
    "_ = job.wait(timeout=60)\npai.Gallery([job])",
    "pai.JobsTable(client)",
)
HINT = "Settings > Save Widget State Automatically"


def test_your_notebook_saved_with_jupyterlabs_defaults_shows_every_output_as_its_html_copy(
    browser: Browser,
) -> None:
    with tempfile.TemporaryDirectory(prefix="pai-defaults-") as tmp:
        folder = Path(tmp)
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
        nbformat.write(notebook, folder / "mine.ipynb")

        # day 1: run it and save it, JupyterLab's defaults untouched
        with jupyter_server(folder, save_widget_state=False) as lab:
            page = new_page(browser)
            try:
                open_notebook(page, lab, "mine.ipynb")
                run_all_cells(page)
                expect(page.locator(".jp-OutputArea-output .pai-job .pai-thumb img")).to_have_count(
                    2, timeout=WIDGET_MS
                )
                expect(
                    page.locator(".jp-OutputArea-output .pai-explorer .pai-thumb img").first
                ).to_be_visible(timeout=WIDGET_MS)
                rows = page.locator(".jp-OutputArea-output .pai-table tr.pai-row")
                expect(rows).to_have_count(1, timeout=WIDGET_MS)
                page.locator(".jp-Notebook").first.click()
                page.keyboard.press("Control+s")
                expect(page.locator(".jp-mod-dirty")).to_have_count(0, timeout=WIDGET_MS)
            finally:
                page.close()
            saved = lab.root_dir / "mine.ipynb"
            written = nbformat.read(saved, as_version=4)
            assert "application/vnd.jupyter.widget-state+json" not in written.metadata.get("widgets", {})
            # the thumbnails are in the file: each widget output's HTML copy carries them
            copies = [
                o["data"]["text/html"]
                for c in written.cells
                for o in c.get("outputs", ())
                if "data" in o and "text/html" in o["data"]
            ]
            assert len(copies) == 3 and all("data:image/jpeg;base64," in html for html in copies[:2])
            shutil.copy(saved, folder / "mine.ipynb")

        # day 2: the author's own notebook (signed), a new JupyterLab, a new kernel, nothing run
        subprocess.run(
            [sys.executable, "-m", "jupyter", "trust", str(folder / "mine.ipynb")],
            check=True,
            capture_output=True,
        )
        with jupyter_server(folder, save_widget_state=False) as lab:
            page = new_page(browser)
            try:
                open_notebook(page, lab, "mine.ipynb")
                outputs = page.locator(".jp-OutputArea-output:has(.pai-html-copy)")
                expect(outputs).to_have_count(3, timeout=WIDGET_MS)
                expect(page.locator(".jp-OutputArea-output", has_text="model not found")).to_have_count(0)
                job = outputs.nth(0)
                expect(job.locator(".pai-job.pai-static")).to_contain_text("completed")
                expect(job).to_contain_text(PROMPT)  # the prompt, as text
                gallery = outputs.nth(1)
                expect(gallery).to_contain_text(PROMPT)
                table = outputs.nth(2)  # the jobs table's copy: a plain table
                expect(table.locator("table.pai-table tr.pai-row")).to_have_count(1)
                expect(table).to_contain_text(PROMPT)
                images = page.locator(".pai-html-copy .pai-thumb img")
                expect(images).to_have_count(4)
                sources = images.evaluate_all("l => l.map(i => i.complete && i.naturalWidth > 0 && i.src)")
                assert all(isinstance(s, str) and s.startswith("data:image/jpeg;base64,") for s in sources)
                # one quiet line per output, which says how to get the live widget back
                hints = page.locator(".jp-OutputArea-output .pai-html-copy-hint")
                expect(hints).to_have_count(3)
                expect(hints.first).to_contain_text(HINT)
                assert re.fullmatch(
                    r"1\d(\.\d+)?px|\d(\.\d+)?px", hints.first.evaluate("e => getComputedStyle(e).fontSize")
                )
                # Kernel > Shut Down Kernel: reopened below with no kernel at all
                page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Kernel$")).click()
                page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Shut Down Kernel$")).click()
                page.locator(".jp-Notebook-ExecutionIndicator[data-status=unknown]").first.wait_for(timeout=WIDGET_MS)
            finally:
                page.close()

            # a kernel that never makes it: the same copies (the kernel-less manager has no state to draw)
            page = new_page(browser)
            try:
                page.route(
                    "**/api/sessions**",
                    lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
                )
                page.goto(f"{lab.base_url}/lab/tree/mine.ipynb?reset")
                copies_shown = page.locator(".jp-OutputArea-output:has(.pai-html-copy)")
                expect(copies_shown).to_have_count(3, timeout=WIDGET_MS)
                expect(page.locator(".jp-OutputArea-output", has_text="model not found")).to_have_count(0)
                expect(page.locator(".jp-OutputArea-output", has_text="Loading widget")).to_have_count(0)
            finally:
                page.close()
