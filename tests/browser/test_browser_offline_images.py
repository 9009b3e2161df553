"""Images that reach the browser when their URL cannot: the emulator's origin blocked for the page
(as for a browser away from the kernel's machine), and a saved notebook reopened after its kernel
and emulator are gone: untrusted with no kernel at all (its HTML copy), and trusted with a new kernel
(the widgets from their saved state, as nbclient or JupyterLab with "Save Widget State Automatically"
saved it), and trusted with no kernel at all (the widgets again, drawn by productai-notebook's
JupyterLab extension: JupyterLab's own widget manager draws nothing but "Loading widget..." then),
in JupyterLab and in Notebook 7."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from lab_harness import WIDGET_MS, JupyterServer, kernel_answering, new_page, open_notebook, run_all_cells
from nbclient import NotebookClient
from playwright.sync_api import Browser, Locator, Page, expect
from widget_steps import wait_until_loaded

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class BlockedRun:
    page: Page
    job: Locator  # the JobView `job` displays


@pytest.fixture(scope="module")
def blocked(browser: Browser, lab: JupyterServer) -> Iterator[BlockedRun]:
    page = new_page(browser)
    # every image host (the sandbox emulator on the kernel's loopback) is out of the page's reach
    page.route(lambda url: not url.startswith(lab.base_url), lambda route: route.abort())
    open_notebook(page, lab, "quickstart.ipynb")
    run_all_cells(page)
    job = page.locator(".jp-OutputArea-output .pai-job").first
    expect(job).to_have_attribute("data-status", "completed", timeout=WIDGET_MS)
    yield BlockedRun(page=page, job=job)
    page.close()


def test_every_thumbnail_shows_though_the_image_host_is_blocked(blocked: BlockedRun) -> None:
    images = blocked.job.locator(".pai-gallery .pai-thumb img")
    expect(images).to_have_count(3)
    for n in range(3):
        assert 0 < wait_until_loaded(blocked.page, images.nth(n)) <= 256  # a thumbnail, not the image
    # drawn from the thumbnails saved in the widget state (as data: URLs), not from the blocked host
    sources = images.evaluate_all("l => l.map(i => i.src)")
    assert all(src.startswith("data:image/jpeg;base64,") for src in sources)
    # the output was brought up to date once the job ended: still one view in it, not two
    output = blocked.page.locator(".jp-OutputArea-output:has(.pai-job)").first
    expect(output.locator(".pai-job")).to_have_count(1)


def test_the_lightbox_shows_the_full_image_and_downloads_it(blocked: BlockedRun) -> None:
    page, job = blocked.page, blocked.job
    job.locator(".pai-thumb").first.click()
    lightbox = job.locator(".pai-lightbox")
    full = lightbox.locator(".pai-lightbox-img")
    # the thumbnail at once, then the full image, its bytes sent by the kernel
    page.wait_for_function("img => img.complete && img.naturalWidth === 1024", arg=full.element_handle(),
                           timeout=WIDGET_MS)
    job_id = job.locator(".pai-job-id").inner_text()
    with page.expect_download() as saving:
        lightbox.locator(".pai-download").click()
    assert saving.value.suggested_filename == f"{job_id}_0.jpg"
    page.keyboard.press("Escape")


@pytest.fixture(scope="module")
def saved(lab: JupyterServer) -> nbformat.NotebookNode:
    """A notebook run headless (nbclient) and saved, its emulator stopped: the image URLs are dead."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in (
        "import productai_notebook as pai\n"
        "from productai_notebook.emulator import Emulator\n"
        "emulator = Emulator(job_seconds=(0.4, 0.8)).start()\n"
        "client = pai.ProductAI(api_key=emulator.api_key, base_url=emulator.base_url)",
        "job = client.generate(model='nanobanana2', image_url='https://example.com/a.png', prompt='a',\n"
        "                      num_images=2)\n"
        "job",
        "pai.Gallery([job])",
        "_ = job.wait(timeout=60)",
        # a cell of its own: before a cell runs, the views of the ended job get their thumbnails
        "emulator.stop()",  # the image URLs die with it
    )]
    NotebookClient(notebook, kernel_name="python3", timeout=120,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return notebook


def _save(notebook: nbformat.NotebookNode, lab: JupyterServer, name: str, trusted: bool) -> None:
    copy = nbformat.from_dict(notebook)
    # trust goes by content: a copy that differs in one field is trusted apart from the other
    copy.metadata["title"] = name
    path = lab.root_dir / name
    nbformat.write(copy, path)
    if trusted:  # as if its owner had run and saved it: `jupyter trust` signs it
        subprocess.run([sys.executable, "-m", "jupyter", "trust", str(path)], check=True, capture_output=True)


def _block_kernels(page: Page) -> None:
    """No kernel can start: the notebook shows only what it saved."""
    page.route("**/api/sessions**",
               lambda route: route.abort() if route.request.method == "POST" else route.continue_())


def _dismiss_kernel_dialogs(page: Page) -> None:
    """Escape the dialogs JupyterLab shows for want of a kernel ("Error Starting Kernel", then
    "Select Kernel"), as a user who has none would: the notebook stays without one."""
    dialog = page.locator(".jp-Dialog").first
    while True:
        title = dialog.locator(".jp-Dialog-header").inner_text(timeout=WIDGET_MS)
        dialog.press("Escape")
        expect(page.locator(".jp-Dialog", has_text=title)).to_have_count(0)
        if "Select Kernel" in title:
            return


def _expect_thumbnails(page: Page, images: Locator, count: int = 4) -> None:
    """`count` images (by default two in the job, two in the gallery), drawn from the saved thumbnails."""
    expect(images).to_have_count(count, timeout=WIDGET_MS)
    for n in range(count):
        assert 0 < wait_until_loaded(page, images.nth(n)) <= 256
    sources = images.evaluate_all("l => l.map(i => i.src)")
    assert all(src.startswith("data:image/jpeg;base64,") for src in sources)


def _expect_widgets_from_saved_state(page: Page) -> Locator:
    """The widgets themselves (drawn by their front-end code from their saved state), not the HTML
    copy, with their thumbnails; returns the JobView."""
    job = page.locator(".jp-OutputArea-output .pai-job:not(.pai-static)[data-status=completed]")
    expect(job).to_have_count(1, timeout=WIDGET_MS)
    expect(page.locator(".jp-OutputArea-output .pai-explorer")).to_have_count(1)  # the Gallery
    expect(page.locator(".jp-OutputArea-output .pai-static")).to_have_count(0)
    _expect_thumbnails(page, page.locator(".jp-OutputArea-output .pai-thumb img"))
    return job


def test_a_notebook_sent_to_someone_shows_its_thumbnails_without_a_kernel(
    browser: Browser, lab: JupyterServer, saved: nbformat.NotebookNode
) -> None:
    _save(saved, lab, "sent.ipynb", trusted=False)
    page = new_page(browser)
    try:
        _block_kernels(page)
        page.goto(f"{lab.base_url}/lab/tree/sent.ipynb?reset")
        # untrusted: each output's saved HTML copy, finished, its thumbnails inside it
        # (the page's sanitizer drops its data- attributes: the status is read as text)
        expect(page.locator(".jp-OutputArea-output .pai-job.pai-static", has_text="completed")).to_have_count(
            1, timeout=WIDGET_MS)
        _expect_thumbnails(page, page.locator(".jp-OutputArea-output .pai-thumb img"))
    finally:
        page.close()


def test_your_own_notebook_reopened_with_a_new_kernel_draws_its_widgets_from_their_saved_state(
    browser: Browser, lab: JupyterServer, saved: nbformat.NotebookNode
) -> None:
    _save(saved, lab, "own.ipynb", trusted=True)
    page = new_page(browser)
    try:
        # the kernel that ran it, and its emulator, are gone; JupyterLab starts a new one, which runs nothing
        open_notebook(page, lab, "own.ipynb")
        _expect_widgets_from_saved_state(page)
    finally:
        page.close()


def test_your_own_notebook_reopened_with_no_kernel_draws_its_widgets_from_their_saved_state(
    browser: Browser, lab: JupyterServer, saved: nbformat.NotebookNode
) -> None:
    kept = nbformat.from_dict(saved)
    # a cell not run: for a kernel started later
    kept.cells.append(nbformat.v4.new_code_cell("import ipywidgets\nipywidgets.IntSlider(value=7)"))
    _save(kept, lab, "kept.ipynb", trusted=True)
    page = new_page(browser)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    warnings: list[str] = []  # the extension's, were the widget manager extension not as it expects
    page.on("console", lambda m: warnings.append(m.text) if "productai-notebook" in m.text else None)
    try:
        _block_kernels(page)
        # and the image host out of reach, as for anyone but the machine that ran it
        page.route(lambda url: not url.startswith(lab.base_url), lambda route: route.abort())
        page.goto(f"{lab.base_url}/lab/tree/kept.ipynb?reset")
        # drawn by productai-notebook's JupyterLab extension (without it: "Loading widget..." for good)
        job = _expect_widgets_from_saved_state(page)
        expect(page.locator(".jp-OutputArea-output", has_text="Loading widget")).to_have_count(0)
        _dismiss_kernel_dialogs(page)
        # no comm to a kernel: looking through the images still works, and throws nothing
        errors.clear()  # (the widget manager extension's own complaint about the missing kernel)
        job.locator(".pai-thumb").first.click()
        lightbox = job.locator(".pai-lightbox")
        expect(lightbox.locator(".pai-lightbox-counter")).to_have_text("1 of 2")
        page.keyboard.press("ArrowRight")
        expect(lightbox.locator(".pai-lightbox-counter")).to_have_text("2 of 2")
        assert wait_until_loaded(page, lightbox.locator(".pai-lightbox-img")) > 0  # its saved thumbnail
        lightbox.locator(".pai-download").click()
        # no image host, no kernel: it says so at once (not after the wait for a kernel's answer)
        expect(lightbox.locator(".pai-copy-status")).to_contain_text("Could not download", timeout=5_000)
        page.keyboard.press("Escape")
        expect(lightbox).to_have_count(0)
        tick = page.locator(".jp-OutputArea-output .pai-explorer input[type=checkbox]").first
        tick.check()  # a selection, which Python would be told of
        expect(tick).to_be_checked()
        assert errors == []
        assert warnings == []

        # a kernel started afterwards (the toolbar's "No Kernel", then Select): the widgets it makes draw too
        page.unroute("**/api/sessions**")
        with kernel_answering(page, "kept.ipynb"):
            page.locator(".jp-NotebookPanel-toolbar .jp-Toolbar-kernelName").first.click()
            page.locator(".jp-Dialog .jp-mod-accept").click()
        page.locator(".jp-Notebook .jp-CodeCell").last.locator(".jp-InputArea-prompt").click()
        page.keyboard.press("Shift+Enter")
        expect(page.locator(".jp-OutputArea-output .widget-slider")).to_have_count(1, timeout=WIDGET_MS)
        expect(job).to_have_count(1)  # and the saved ones stay
        assert errors == []
    finally:
        page.close()


def test_notebook_7_draws_the_widgets_of_a_notebook_reopened_with_no_kernel_too(
    browser: Browser, lab: JupyterServer, saved: nbformat.NotebookNode
) -> None:
    _save(saved, lab, "kept7.ipynb", trusted=True)
    page = new_page(browser)
    try:
        _block_kernels(page)
        page.goto(f"{lab.base_url}/notebooks/kept7.ipynb")  # the same extension, loaded by Notebook 7
        _expect_widgets_from_saved_state(page)
    finally:
        page.close()


def test_a_notebook_run_and_saved_in_jupyterlab_draws_its_widgets_again_after_its_kernel_is_gone(
    browser: Browser, lab: JupyterServer
) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "import productai_notebook as pai\n"
        "from productai_notebook.emulator import Emulator\n"
        "emulator = Emulator(job_seconds=(0.3, 0.6)).start()\n"
        "client = pai.ProductAI(api_key=emulator.api_key, base_url=emulator.base_url)\n"
        "job = client.generate(model='nanobanana2', image_url='https://example.com/a.png', prompt='a',\n"
        "                      num_images=2)\n"
        "job"
    )]
    path = lab.root_dir / "live.ipynb"
    nbformat.write(notebook, path)
    page = new_page(browser)
    try:
        open_notebook(page, lab, "live.ipynb")
        run_all_cells(page)
        images = page.locator(".jp-OutputArea-output .pai-job .pai-thumb img")
        expect(images).to_have_count(2, timeout=WIDGET_MS)
        expect(images.first).to_have_attribute("src", re.compile(r"^data:image/jpeg"), timeout=WIDGET_MS)
        page.locator(".jp-Notebook").first.click()  # File > Save, by its shortcut
        page.keyboard.press("Control+s")
        expect(page.locator(".jp-mod-dirty")).to_have_count(0, timeout=WIDGET_MS)
        saved = nbformat.read(path, as_version=4)
        assert "application/vnd.jupyter.widget-state+json" in saved.metadata.get("widgets", {})
        # Kernel > Shut Down Kernel: the kernel, its emulator and the image URLs are gone
        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Kernel$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Shut Down Kernel$")).click()
        page.locator(".jp-Notebook-ExecutionIndicator[data-status=unknown]").first.wait_for(timeout=WIDGET_MS)
    finally:
        page.close()
    lab.wait_until_kernel_gone("live.ipynb")  # reopened the next day, not into the kernel still dying

    page = new_page(browser)
    try:
        open_notebook(page, lab, "live.ipynb")  # with a new kernel, which runs nothing
        job = page.locator(".jp-OutputArea-output .pai-job:not(.pai-static)[data-status=completed]")
        expect(job).to_have_count(1, timeout=WIDGET_MS)
        _expect_thumbnails(page, job.locator(".pai-thumb img"), count=2)
    finally:
        page.close()
