"""notebooks/quickstart.ipynb as a user runs it, in JupyterLab and in Notebook 7: Run All, watch the
job's progress, see its gallery, open an image large, tick one and read it back in Python."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from lab_harness import (
    WIDGET_MS,
    JupyterServer,
    cell_with_source,
    new_page,
    open_notebook,
    rerun_cell,
    run_all_cells,
)
from playwright.sync_api import Browser, Locator, Page, expect
from widget_steps import Seen, progress_rose, progress_seen, wait_until_loaded, watch_progress

from productai_notebook.sandbox import SANDBOX_API_KEY

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

NOTEBOOK = "quickstart.ipynb"


@dataclass(frozen=True)
class QuickstartRun:
    page: Page
    job: Locator  # the first JobView, the one `job` displays
    progress: list[Seen]


@pytest.fixture(scope="module", params=["lab", "notebook"], ids=["jupyterlab", "notebook7"])
def quickstart(
    request: pytest.FixtureRequest, browser: Browser, lab: JupyterServer
) -> Iterator[QuickstartRun]:
    page = new_page(browser)
    open_notebook(page, lab, NOTEBOOK, ui=request.param)
    watch_progress(page)
    run_all_cells(page)
    job = page.locator(".jp-OutputArea-output .pai-job").first
    expect(job).to_have_attribute("data-status", "completed", timeout=WIDGET_MS)
    yield QuickstartRun(page=page, job=job, progress=progress_seen(page))
    page.close()


def test_progress_rises_while_the_job_runs(quickstart: QuickstartRun) -> None:
    assert progress_rose(quickstart.progress), f"progress as shown: {quickstart.progress}"


def test_the_gallery_shows_the_generated_images(quickstart: QuickstartRun) -> None:
    thumbs = quickstart.job.locator(".pai-gallery .pai-thumb")
    expect(thumbs).to_have_count(3)  # the notebook asks for num_images=3
    assert wait_until_loaded(quickstart.page, thumbs.first.locator("img")) > 0


def test_a_thumbnail_opens_large_and_escape_closes_it(quickstart: QuickstartRun) -> None:
    page = quickstart.page
    quickstart.job.locator(".pai-thumb").first.click()
    lightbox = quickstart.job.locator(".pai-lightbox")
    expect(lightbox).to_be_visible()
    assert wait_until_loaded(page, lightbox.locator(".pai-lightbox-img")) > 0
    page.keyboard.press("Escape")
    expect(lightbox).to_be_hidden()


def test_the_ticked_image_is_the_one_python_uses(quickstart: QuickstartRun) -> None:
    page = quickstart.page
    gallery = quickstart.job.locator(".pai-gallery")
    gallery.locator(".pai-thumb").nth(1).click()  # the grid shows a thumbnail; the lightbox, then, the image
    large = quickstart.job.locator(".pai-lightbox-img")
    expect(large).to_have_attribute("src", re.compile(r"^http"), timeout=WIDGET_MS)
    url = large.get_attribute("src")
    assert url
    page.keyboard.press("Escape")
    gallery.locator("input.pai-thumb-select").nth(1).check()

    text = rerun_cell(page, cell_with_source(page, "job.selected"), expected_text="1 selected")
    assert url in text


def test_the_api_key_never_reaches_the_page(quickstart: QuickstartRun) -> None:
    assert SANDBOX_API_KEY not in quickstart.page.content()
