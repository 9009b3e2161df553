"""notebooks/explore.ipynb in JupyterLab: the jobs table sorts, filters and opens a job; the gallery
compares two ticked images and Python reads the selection.

The notebook runs once for the module (a batch of jobs takes a while); the tests then act on it
in file order, each on a part of the page the others leave alone.
"""

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
    output,
    rerun_cell,
    run_all_cells,
)
from playwright.sync_api import Browser, Locator, Page, expect
from widget_steps import column_text, row_ids, wait_until_loaded

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

NOTEBOOK = "explore.ipynb"


@dataclass(frozen=True)
class ExploreRun:
    page: Page
    table_output: Locator  # the output of the `%productai jobs` cell: the table and what opens beneath it
    table: Locator
    gallery: Locator


@pytest.fixture(scope="module")
def explore(browser: Browser, lab: JupyterServer) -> Iterator[ExploreRun]:
    page = new_page(browser)
    open_notebook(page, lab, NOTEBOOK)
    run_all_cells(page)
    table = output(page, ".pai-table")
    expect(table.locator("tr.pai-row").first).to_be_visible(timeout=WIDGET_MS)
    gallery = output(page, ".pai-explorer")
    expect(gallery.locator(".pai-item").first).to_be_attached(timeout=WIDGET_MS)
    table_output = page.locator(".jp-OutputArea", has=page.locator(".pai-table")).first
    yield ExploreRun(page=page, table_output=table_output, table=table, gallery=gallery)
    page.close()


def test_clicking_a_column_header_sorts_the_rows(explore: ExploreRun) -> None:
    header = explore.table.locator('th[data-column="model"]')
    before_sort = header.get_attribute("aria-sort")
    before_rows = row_ids(explore.table)
    header.click()
    expect(header).not_to_have_attribute("aria-sort", before_sort or "none")
    expect(header).to_have_attribute("aria-sort", "ascending")
    models = column_text(explore.table, "model")
    assert models == sorted(models)
    assert row_ids(explore.table) != before_rows
    assert sorted(row_ids(explore.table)) == sorted(before_rows)  # the same jobs, reordered


def test_clicking_a_row_opens_that_job_beneath_the_table(explore: ExploreRun) -> None:
    row = explore.table.locator("tr.pai-row").first
    job_id = row.get_attribute("data-job-id")
    row.locator("td").last.click()  # a cell, not the row's checkbox
    opened = explore.table_output.locator(".pai-job")
    expect(opened).to_be_visible(timeout=WIDGET_MS)
    expect(opened).to_contain_text(job_id or "<no job id>")


def test_choosing_a_status_shows_only_jobs_with_that_status(explore: ExploreRun) -> None:
    explore.table.locator("select.pai-status-filter").select_option("failed")
    explore.page.wait_for_function(
        """table => {
          const index = table.querySelector('th[data-column="status"]').cellIndex;
          const rows = [...table.querySelectorAll("tr.pai-row")];
          return rows.length > 0 && rows.every(row => row.cells[index].textContent.trim() === "failed");
        }""",
        arg=explore.table.element_handle(),
        timeout=WIDGET_MS,
    )
    assert set(column_text(explore.table, "status")) == {"failed"}


def test_two_ticked_images_compare_side_by_side_and_python_reads_them(explore: ExploreRun) -> None:
    page, gallery = explore.page, explore.gallery
    items = gallery.locator(".pai-item[data-key]")
    for n in range(2):
        items.nth(n).locator("input.pai-item-select").check()

    gallery.locator(".pai-compare-button").click()
    compare = gallery.locator(".pai-compare")
    expect(compare).to_be_visible()
    expect(compare.locator("img")).to_have_count(2)
    assert wait_until_loaded(page, compare.locator("img").first) > 0
    # the grid shows thumbnails; compare shows them at once, then the images themselves, by their URLs
    for n in range(2):
        expect(compare.locator("img").nth(n)).to_have_attribute("src", re.compile(r"^http"), timeout=60_000)
    urls = compare.locator("img").evaluate_all("imgs => imgs.map(img => img.getAttribute('src'))")

    text = rerun_cell(page, cell_with_source(page, "gallery.selected"), expected_text=str(urls[0]))
    assert all(str(url) in text for url in urls)


def test_at_700px_compare_uses_the_width_and_says_why_it_is_off(explore: ExploreRun) -> None:
    page, gallery = explore.page, explore.gallery
    page.set_viewport_size({"width": 700, "height": 1000})
    try:
        boxes = gallery.locator("input.pai-item-select")
        for n in range(4):
            boxes.nth(n).check()
        if not gallery.locator(".pai-compare").is_visible():
            gallery.locator(".pai-compare-button").click()
        compare = gallery.locator(".pai-compare")
        expect(compare.locator("img")).to_have_count(4)
        widths = compare.locator("img").evaluate_all("imgs => imgs.map(i => i.getBoundingClientRect().width)")
        assert min(widths) >= 200, f"compared images at 700px: {widths}"  # wider than a thumbnail
        # a job id never breaks mid-word: it stays on one line
        ids = compare.locator("figcaption code")
        lines = ids.evaluate_all("ids => ids.map(id => id.getClientRects().length)")
        assert set(lines) == {1}, lines
        boxes.nth(4).check()
        hint = gallery.locator(".pai-compare-hint")
        expect(hint).to_have_text("Compare takes at most 4 images: 5 are ticked.")
        expect(gallery.locator(".pai-compare-button")).to_be_disabled()
    finally:
        page.set_viewport_size({"width": 1280, "height": 1000})
