"""The studio in marimo (`marimo run`): the form draws, an input given from Python is ready, the cost
shows before sending, Generate makes the batch, and a cell that reads the studio then shows its board,
which fills. (marimo draws only the widgets its cells show: the board cannot appear inside the studio,
which says so, and the page's word back makes marimo rerun the cell that shows it.)"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest
from marimo_harness import MarimoPage, marimo_page
from playwright.sync_api import Browser, expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

APP_MS = 90_000  # the app's cells and the sandbox's jobs, on a loaded 2-core machine
APP = textwrap.dedent(
    '''
    import marimo

    app = marimo.App()


    @app.cell
    def _():
        import marimo as mo
        from PIL import Image

        import productai_notebook as pai

        client = pai.sandbox()
        studio = pai.Studio(client)
        studio.add_input(Image.new("RGB", (256, 256), "navy"), name="bottle.png")
        studio.values = {"prompts": ["on marble", "on sand"], "models": ["nanobanana2", "seedream"],
                         "num_images": 2}
        studio_view = mo.ui.anywidget(studio)
        studio_view
        return mo, pai, studio, studio_view


    @app.cell
    def _(mo, pai, studio, studio_view):
        studio_view.value  # runs again on each change from the page
        made = studio.batch
        shown = mo.ui.anywidget(pai.BatchBoard(made)) if made is not None else None
        shown or mo.md("*No batch yet: press Generate.*")
        return


    if __name__ == "__main__":
        app.run()
    '''
)


@pytest.fixture(scope="module")
def run(browser: Browser) -> Iterator[MarimoPage]:
    with marimo_page(browser, APP, ".pai-studio") as run:
        expect(run.widget.locator(".pai-studio-generate")).to_be_visible(timeout=APP_MS)
        yield run


def test_the_form_shows_what_python_gave_it_and_its_cost(run: MarimoPage) -> None:
    studio = run.widget
    row = studio.locator('.pai-studio-input[data-name="bottle.png"]')
    expect(row).to_have_attribute("data-state", "ready", timeout=APP_MS)
    expect(studio.get_by_label("Prompts, one per line")).to_have_value("on marble\non sand")
    expect(studio.get_by_label("nanobanana2")).to_be_checked()
    expect(studio.get_by_label("seedream")).to_be_checked()
    expect(studio.get_by_label("Images per job")).to_have_value("2")
    # 1 input x 2 prompts x 2 models, 2 images each: (5 + 3) x 2 x 2 credits
    preview = studio.locator(".pai-studio-cost")
    expect(preview.locator(".pai-fact-jobs dd")).to_have_text("4")
    expect(preview.locator(".pai-fact-images dd")).to_have_text("8")
    expect(preview.locator(".pai-fact-credits dd")).to_contain_text("32 (")
    expect(studio.locator(".pai-studio-generate")).to_be_enabled()
    expect(run.page.get_by_text("No batch yet: press Generate.")).to_be_visible()


def test_generate_makes_the_batch_and_the_cell_reading_the_studio_shows_its_board(run: MarimoPage) -> None:
    page, studio = run.page, run.widget
    studio.locator(".pai-studio-generate").click()
    # the studio cannot draw the board inside itself here, and says where it is
    expect(studio.locator(".pai-studio-batch")).to_contain_text("show it from a cell", timeout=APP_MS)
    expect(studio.locator(".pai-board")).to_have_count(0)
    board = page.locator(".pai-board").first
    expect(board).to_be_visible(timeout=APP_MS)
    expect(page.get_by_text("No batch yet: press Generate.")).to_have_count(0)
    expect(board.locator(".pai-fact-completed dd")).to_have_text("4", timeout=APP_MS)
    expect(board.locator(".pai-board-image")).to_have_count(8, timeout=APP_MS)
