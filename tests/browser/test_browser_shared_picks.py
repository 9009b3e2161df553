"""One selection per image, in JupyterLab: a tick in one view of a job shows in its other view and in
a Gallery of it, the lightbox picks too, and `batch.winners` reads them all."""

from __future__ import annotations

import nbformat
import pytest
from lab_harness import (
    WIDGET_MS,
    JupyterServer,
    cell_with_source,
    open_notebook,
    output,
    rerun_cell,
    run_all_cells,
)
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

NOTEBOOK = "shared_picks.ipynb"
CELLS = [
    """import productai_notebook as pai
client = pai.sandbox()
batch = client.batch(prompts="a lamp on oak", models="nanobanana", inputs="https://example.com/lamp.jpg",
                     num_images=3, name="shared-picks").wait(timeout=120)
job = batch.jobs[0]
job""",
    "job  # a second view of the same job",
    "pai.Gallery(batch.jobs)",
    """print("winners:", [job.images.index(image) for _, image in batch.winners])""",
]


def test_a_tick_in_one_view_shows_in_the_others_and_in_batch_winners(page: Page, lab: JupyterServer) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nbformat.write(notebook, lab.root_dir / NOTEBOOK)
    open_notebook(page, lab, NOTEBOOK)
    run_all_cells(page)
    gallery = output(page, ".pai-explorer")
    views = page.locator(".jp-OutputArea-output .pai-job")
    expect(views).to_have_count(2, timeout=WIDGET_MS)
    first, second = (views.nth(n).locator("input.pai-thumb-select") for n in range(2))
    expect(first).to_have_count(3, timeout=WIDGET_MS)
    expect(second).to_have_count(3, timeout=WIDGET_MS)
    ticks = gallery.locator("input.pai-item-select")
    expect(ticks).to_have_count(3, timeout=WIDGET_MS)

    first.nth(1).check()  # image 2, in the first view

    expect(second.nth(1)).to_be_checked()
    expect(ticks.nth(1)).to_be_checked()

    gallery.locator(".pai-item .pai-thumb").nth(2).click()  # image 3 in the gallery's lightbox
    gallery.locator(".pai-lightbox-pick").check()
    page.keyboard.press("Escape")

    expect(first.nth(2)).to_be_checked()
    expect(second.nth(2)).to_be_checked()
    assert [first.nth(n).is_checked() for n in range(3)] == [False, True, True]
    text = rerun_cell(page, cell_with_source(page, "batch.winners"), expected_text="winners:")
    assert "winners: [1, 2]" in text
