"""The studio in JupyterLab, as a user works it: a PNG dropped and one pasted, bad files refused on
the file with no request, 2 prompts x 2 models x 2 images, the cost before sending equal to what
the account is charged, Generate, and the batch below the form, filled live."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from input_files import bomb, gif, png, truncated_png
from lab_harness import (
    WIDGET_MS,
    JupyterServer,
    new_page,
    notebook_state,
    open_notebook,
    output,
    run_all_cells,
)
from playwright.sync_api import Browser, Locator, Page, expect

from productai_notebook.api import ProductAI
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


def test_the_uploaded_images_are_listed_with_their_thumbnails(studio: StudioPage) -> None:
    page, form = studio.page, studio.studio
    form.locator(".pai-studio-assets-open").click()
    chooser = form.locator(".pai-studio-assets")
    assets = chooser.locator(".pai-studio-asset")
    expect(assets).to_have_count(2, timeout=WIDGET_MS)  # the two just uploaded, both chosen already
    expect(assets.locator("img")).to_have_count(2, timeout=WIDGET_MS)
    expect(chooser.locator('.pai-studio-asset[aria-pressed="true"]')).to_have_count(2)
    page.keyboard.press("Escape")
    expect(chooser).to_be_hidden()
    expect(form.locator(".pai-studio-assets-open")).to_be_focused()
    assert studio.emulator.requests(KEY)["routes"]["list_assets"] == 1


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


def test_the_form_is_filled_by_keyboard_and_no_key_reaches_the_notebook(studio: StudioPage) -> None:
    page, form = studio.page, studio.studio
    before = notebook_state(page)
    form.locator(".pai-studio-drop").focus()
    for key in ("a", "b", "d", "d", "m", "z"):  # the notebook's command keys
        page.keyboard.press(key)
    form.get_by_label("Prompts, one per line").focus()
    page.keyboard.type("on marble")
    page.keyboard.press("Enter")
    page.keyboard.type("on oak")
    form.get_by_label("nanobananapro").focus()
    page.keyboard.press("Space")
    form.get_by_label("Images per job").select_option("2")
    assert notebook_state(page) == before
    expect(form.locator(".pai-studio-prompt-count")).to_have_text("2 prompts")


def test_generate_shows_the_board_and_the_preview_is_what_the_account_is_charged(studio: StudioPage) -> None:
    page, form = studio.page, studio.studio
    cost = form.locator(".pai-studio-cost")
    expect(cost.locator(".pai-fact-jobs dd")).to_have_text("8")  # 2 inputs x 2 prompts x 2 models
    expect(cost.locator(".pai-fact-images dd")).to_have_text("16")
    credits = cost.locator(".pai-fact-credits dd")
    expect(credits).to_have_text("104 (1000 left)")  # 2 x 2 x 2 x (5 + 8)
    generate = form.locator(".pai-studio-generate")
    expect(generate).to_be_enabled()
    expect(form.locator(".pai-studio-why")).to_have_text("Ready.")
    generate.click()
    board = form.locator(".pai-board")
    expect(board.locator(".pai-board-header .pai-fact-completed dd")).to_have_text("8", timeout=WIDGET_MS)
    expect(board.locator(".pai-board-header .pai-fact-images dd")).to_have_text("16")
    # one tab per input, named by its file; each shows its 2 prompts x 2 models x 2 images
    expect(board.get_by_role("tab")).to_have_text(["lamp.png", "image.png"])
    expect(board.locator(".pai-board-image img")).to_have_count(8, timeout=WIDGET_MS)
    with ProductAI(api_key=KEY, base_url=studio.emulator.base_url) as client:
        assert 1_000 - client.me().generations == 104
    expect(board.locator(".pai-board-header .pai-fact-credits dd")).to_have_text("104")  # the board's "used"
    expect(credits).to_have_text("104 (896 left)", timeout=WIDGET_MS)  # the balance read after the batch
    assert page.locator(".jp-OutputArea-output .pai-studio").count() == 1  # the board is in the same output


def test_a_picked_image_downloads(studio: StudioPage) -> None:
    page, board = studio.page, studio.studio.locator(".pai-board")
    board.locator('.pai-board-stop[tabindex="0"]').focus()
    page.keyboard.press("Space")
    expect(board.locator('.pai-board-image[aria-selected="true"]')).to_have_count(1)
    with page.expect_download() as saving:
        board.locator(".pai-board-download").click()
    names = zipfile.ZipFile(io.BytesIO(Path(saving.value.path()).read_bytes())).namelist()
    images = [name for name in names if not name.startswith("manifest")]
    assert len(images) == 1 and images[0].endswith((".jpg", ".png", ".webp")), names


def test_at_700_px_the_form_fits_without_scrolling_sideways(studio: StudioPage) -> None:
    page, form = studio.page, studio.studio
    page.set_viewport_size({"width": 700, "height": 1000})
    try:
        page.wait_for_timeout(300)  # (JupyterLab lays out again)
        widths = form.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
        assert widths[0] <= widths[1], widths
        generate = form.locator(".pai-studio-generate")
        generate.scroll_into_view_if_needed()
        expect(generate).to_be_visible()
        box = generate.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 700
    finally:
        page.set_viewport_size({"width": 1280, "height": 1000})
