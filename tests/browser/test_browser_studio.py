"""The studio in JupyterLab, as a user works it: a PNG dropped and one pasted, bad files refused on
the file with no request, 2 prompts x 2 models x 2 images, the cost before sending equal to what
the account is charged, Generate, and the batch below the form, filled live."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from input_files import bomb, gif, png, truncated_png
from lab_harness import WIDGET_MS, JupyterServer, new_page, open_notebook, output, run_all_cells
from playwright.sync_api import Browser, Locator, Page, expect

from productai_notebook.emulator import Emulator

pytestmark = [pytest.mark.browser, pytest.mark.timeout(400)]

KEY = "pk_test_studio_browser"
NOTEBOOK = "studio_under_test.ipynb"

# Files reach the page as a browser hands them over: in a DataTransfer, on a drop or a paste event.
_SEND_FILES = """([selector, kind, files]) => {
  const transfer = new DataTransfer();
  for (const [name, mime, data, padTo] of files) {
    const head = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const bytes = new Uint8Array(Math.max(padTo, head.length));
    bytes.set(head);
    transfer.items.add(new File([bytes], name, { type: mime }));
  }
  const target = document.querySelector(selector);
  const event = kind === "drop"
    ? new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true })
    : new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
}"""


def notebook(base_url: str) -> str:
    cells = [
        "import productai_notebook as pai\n"
        f"client = pai.ProductAI(api_key={KEY!r}, base_url={base_url!r})\n"
        "studio = pai.Studio(client)\n"
        "studio",
    ]
    return json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": s}
                  for s in cells],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    })


@dataclass
class StudioPage:
    page: Page
    studio: Locator
    emulator: Emulator

    def send(self, kind: str, *files: tuple[str, str, bytes, int]) -> None:
        encoded = [[name, mime, base64.b64encode(data).decode(), pad] for name, mime, data, pad in files]
        self.page.evaluate(_SEND_FILES, [".jp-OutputArea-output .pai-studio-drop", kind, encoded])

    def row(self, name: str) -> Locator:
        return self.studio.locator(f'.pai-studio-input[data-name="{name}"]')

    def uploads(self) -> int:
        return self.emulator.requests(KEY)["routes"].get("upload_asset", 0)


@pytest.fixture(scope="module")
def studio(browser: Browser, lab: JupyterServer) -> Iterator[StudioPage]:
    with Emulator(api_key=KEY, plan="pro", credits=1_000, job_seconds=(1.0, 3.0), seed=3) as emulator:
        (lab.root_dir / NOTEBOOK).write_text(notebook(emulator.base_url))
        page = new_page(browser)
        open_notebook(page, lab, NOTEBOOK)
        run_all_cells(page)
        found = output(page, ".pai-studio")
        expect(found.locator(".pai-studio-generate")).to_be_visible(timeout=WIDGET_MS)
        yield StudioPage(page, found, emulator)
        page.close()


def test_a_dropped_png_and_a_pasted_one_are_uploaded_and_ready(studio: StudioPage) -> None:
    studio.send("drop", ("lamp.png", "image/png", png((64, 48)), 0))
    studio.send("paste", ("image.png", "image/png", png((40, 40), "navy"), 0))
    for name in ("lamp.png", "image.png"):
        expect(studio.row(name)).to_have_attribute("data-state", "ready", timeout=WIDGET_MS)
        expect(studio.row(name).locator("img")).to_be_visible()  # its thumbnail, made in the kernel
    assert studio.uploads() == 2


@pytest.mark.parametrize(("name", "mime", "make", "pad", "words"), [
    ("anim.gif", "image/gif", gif, 0, "is a GIF image: the API takes JPEG, PNG or WebP"),
    ("huge.png", "image/png", lambda: png()[:64], 12 * 1024 * 1024, "is 12.0 MB: input images may be at"),
    ("cut.png", "image/png", truncated_png, 0, "is a damaged or truncated PNG"),
    ("bomb.png", "image/png", bomb, 0, "decompression bomb"),
], ids=["gif", "12MB", "truncated", "bomb"])
def test_a_bad_file_shows_its_error_inline_and_no_request_carries_it(studio, name, mime, make, pad, words):
    before = studio.uploads()
    studio.send("drop", (name, mime, make(), pad))
    row = studio.row(name)
    expect(row).to_have_attribute("data-state", "refused", timeout=WIDGET_MS)
    expect(row.locator(".pai-studio-input-reason")).to_contain_text(words)
    assert studio.uploads() == before
    row.locator(".pai-studio-input-remove").click()
    expect(row).to_have_count(0)
