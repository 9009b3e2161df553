"""The batch board in marimo (`marimo run`): it fills live, and a pick made by keyboard reaches Python."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator

import pytest
from marimo_harness import MarimoPage, marimo_page
from playwright.sync_api import Browser, expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

APP_MS = 90_000
APP = textwrap.dedent(
    '''
    import marimo

    app = marimo.App()


    @app.cell
    def _():
        import marimo as mo
        import productai_notebook as pai

        client = pai.sandbox()
        batch = client.batch(prompts=["on marble", "on sand"], models=["nanobanana2", "seedream"],
                             inputs=["https://example.com/shoe.jpg"], num_images=2)
        board = mo.ui.anywidget(pai.BatchBoard(batch))
        board
        return batch, board, mo


    @app.cell
    def _(batch, board, mo):
        board.value
        mo.md(f"{len(batch.winners)} winners in Python")
        return


    if __name__ == "__main__":
        app.run()
    '''
)


@pytest.fixture(scope="module")
def run(browser: Browser) -> Iterator[MarimoPage]:
    with marimo_page(browser, APP, ".pai-board") as run:
        yield run


def test_the_board_fills_live_and_a_keyboard_pick_reaches_python(run: MarimoPage) -> None:
    page, board = run.page, run.widget
    expect(board.locator(".pai-fact-completed dd")).to_have_text("4", timeout=APP_MS)
    expect(board.locator(".pai-board-image")).to_have_count(8, timeout=APP_MS)
    expect(page.get_by_text(re.compile(r"\d+ winners in Python"))).to_have_text("0 winners in Python")
    board.locator('.pai-board-stop[tabindex="0"]').focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    expect(board.locator('.pai-board-image[aria-selected="true"]')).to_have_count(1)
    winners = page.get_by_text(re.compile(r"\d+ winners in Python"))
    expect(winners).to_have_text("1 winners in Python", timeout=APP_MS)
