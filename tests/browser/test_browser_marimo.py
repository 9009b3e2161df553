"""notebooks/quickstart_marimo.py as a marimo user runs it (`marimo run`): the job's progress moves while
it runs, its gallery appears, a ticked image reaches Python, and the jobs table lists the job."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from marimo_harness import marimo_page
from playwright.sync_api import Browser, Locator, Page, expect
from widget_steps import Seen, progress_rose, progress_seen, wait_until_loaded, watch_progress_in_shadow

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

APP = Path(__file__).resolve().parents[2] / "notebooks" / "quickstart_marimo.py"
APP_MS = 60_000  # the app's cells and the sandbox job (4-8 s), on a loaded 2-core machine


@dataclass(frozen=True)
class MarimoRun:
    page: Page
    job: Locator  # the JobView
    progress: list[Seen]


@pytest.fixture(scope="module")
def quickstart(browser: Browser) -> Iterator[MarimoRun]:
    with marimo_page(browser, APP, ".pai-job") as run:
        watch_progress_in_shadow(run.page)
        expect(run.widget).to_have_attribute("data-status", "completed", timeout=APP_MS)
        yield MarimoRun(page=run.page, job=run.widget, progress=progress_seen(run.page))


def test_progress_moves_while_the_job_runs(quickstart: MarimoRun) -> None:
    # Updated from the tracker's background thread, after the job's cell had returned.
    assert progress_rose(quickstart.progress), f"progress as shown: {quickstart.progress}"


def test_the_gallery_fills_in_and_a_ticked_image_reaches_python(quickstart: MarimoRun) -> None:
    page = quickstart.page
    gallery = page.locator(".pai-explorer").first
    items = gallery.locator(".pai-item")
    expect(items).to_have_count(3, timeout=APP_MS)  # the notebook asks for num_images=3
    assert wait_until_loaded(page, items.first.locator("img")) > 0
    job_id, index = (items.nth(1).get_attribute("data-key") or "").rsplit(":", 1)

    items.nth(1).locator("input.pai-item-select").check()

    # The cell that reads `gallery.selected` runs again and prints what Python got.
    chosen = page.get_by_text(re.compile(r"\d+ selected in the gallery"))
    expect(chosen).to_have_text("1 selected in the gallery", timeout=APP_MS)
    expect(page.get_by_text(f"{job_id} image {int(index) + 1}:")).to_be_visible()


def test_the_jobs_table_lists_the_completed_job(quickstart: MarimoRun) -> None:
    job_id = quickstart.job.locator(".pai-job-id").inner_text()
    row = quickstart.page.locator(f'tr.pai-row[data-job-id="{job_id}"]')
    expect(row).to_be_visible(timeout=APP_MS)
    expect(row).to_contain_text("completed")


def test_a_clicked_row_shows_its_job_beneath_the_table(quickstart: MarimoRun) -> None:
    page = quickstart.page
    job_id = quickstart.job.locator(".pai-job-id").inner_text()
    expect(page.get_by_text("Click a row of the table to see its job here.")).to_be_visible(timeout=APP_MS)
    page.locator(f'tr.pai-row[data-job-id="{job_id}"]').click()
    # the cell that reads `table.opened_id` runs again and shows that job's own view
    opened = page.locator(".pai-job").nth(1)
    expect(opened.locator(".pai-job-id")).to_have_text(job_id, timeout=APP_MS)
    expect(opened).to_have_attribute("data-status", "completed", timeout=APP_MS)


def test_the_lightbox_image_is_centred(quickstart: MarimoRun) -> None:
    page = quickstart.page
    gallery = page.locator(".pai-explorer").first
    # a short window: the image (at most 70 % of its height) is narrower than its prompt's line
    page.set_viewport_size({"width": 1280, "height": 500})
    try:
        gallery.locator(".pai-thumb").first.click()
        image = gallery.locator(".pai-lightbox-img")
        assert wait_until_loaded(page, image) > 0
        figure = gallery.locator(".pai-lightbox-figure").bounding_box()
        shown = image.bounding_box()
        assert figure and shown and shown["width"] < figure["width"] - 20, (figure, shown)
        centre = lambda box: box["x"] + box["width"] / 2  # noqa: E731
        assert abs(centre(shown) - centre(figure)) <= 2, (figure, shown)
        page.keyboard.press("Escape")
        expect(gallery.locator(".pai-lightbox")).to_have_count(0)
    finally:
        page.set_viewport_size({"width": 1280, "height": 1000})
