"""The batch board in JupyterLab: a batch of 1 input x 2 prompts x 2 models, 2 images each, shows as
one output that fills live; picks made by keyboard alone reach `batch.winners`; "Download picks"
saves them; no key typed in the board changes the notebook.

The notebook runs once for the module; the tests then act on it in file order.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import nbformat
import pytest
from lab_harness import (
    WIDGET_MS,
    JupyterServer,
    cell_with_source,
    new_page,
    notebook_state,
    open_notebook,
    output,
    rerun_cell,
    run_all_cells,
)
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

NOTEBOOK = "board.ipynb"
CELLS = [
    """import productai_notebook as pai
client = pai.sandbox()
batch = client.batch(prompts=["on marble", "on sand"], models=["nanobanana2", "seedream"],
                     inputs=["https://example.com/shoe.jpg"], num_images=2)
batch""",
    """jobs = [entry.job for entry in batch.entries]
print("winners:", [(jobs.index(job), job.images.index(image)) for job, image in batch.winners])""",
]

# Every text the header's counts show, in order, as the board fills.
_WATCH_COUNTS = """() => {
  window.__paiCounts = [];
  new MutationObserver(() => {
    const header = document.querySelector(".jp-OutputArea-output .pai-board-header .pai-facts");
    if (!header) return;
    const text = [...header.querySelectorAll(".pai-fact")].map((f) => f.textContent).join(" ");
    if (window.__paiCounts.at(-1) !== text) window.__paiCounts.push(text);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""

@dataclass(frozen=True)
class BoardRun:
    page: Page
    board: Locator


@pytest.fixture(scope="module")
def run(browser: Browser, lab: JupyterServer) -> Iterator[BoardRun]:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nbformat.write(notebook, lab.root_dir / NOTEBOOK)
    page = new_page(browser)
    open_notebook(page, lab, NOTEBOOK)
    page.evaluate(_WATCH_COUNTS)
    run_all_cells(page)
    board = output(page, ".pai-board")
    yield BoardRun(page=page, board=board)
    page.close()


def fact(board: Locator, name: str) -> Locator:
    return board.locator(f".pai-board-header .pai-fact-{name} dd")


def wait_until_settled(page: Page, board: Locator) -> None:
    """Every job ended and every thumbnail in: the output was brought up to date once (JupyterLab
    draws it again then), so focus given now stays where it was put."""
    expect(fact(board, "completed")).to_have_text("4", timeout=WIDGET_MS)
    thumbnails = board.locator('.pai-board-image img[src^="data:"]')
    expect(thumbnails).to_have_count(8, timeout=WIDGET_MS)
    page.wait_for_timeout(1500)  # the redraw that follows the last thumbnail


def test_the_batch_is_one_output_that_fills_live_with_the_right_counts(run: BoardRun) -> None:
    page, board = run.page, run.board
    expect(fact(board, "completed")).to_have_text("4", timeout=WIDGET_MS)
    expect(board.locator(".pai-board-image img")).to_have_count(8, timeout=WIDGET_MS)
    assert [fact(board, name).inner_text() for name in ("running", "queued", "failed", "images")] == [
        "0", "0", "0", "8"
    ]  # fmt: skip
    assert int(fact(board, "credits").inner_text()) > 0
    assert page.locator(".jp-OutputArea-output .pai-board").count() == 1
    assert page.locator(".jp-OutputArea-output .pai-job").count() == 0  # no card per job
    seen = page.evaluate("() => window.__paiCounts")
    assert any("Completed0" in text for text in seen), seen  # it showed before the jobs ended
    assert len(seen) >= 3, seen  # and changed as they did
    # prompts as rows, models as columns
    assert board.locator(".pai-board-rowhead").all_inner_texts() == ["on marble", "on sand"]
    assert board.locator(".pai-board-colhead").all_inner_texts() == ["nanobanana2", "seedream"]


def test_picks_made_by_keyboard_alone_reach_batch_winners_and_no_key_changes_the_notebook(
    run: BoardRun,
) -> None:
    page, board = run.page, run.board
    wait_until_settled(page, board)
    board.locator('.pai-board-stop[tabindex="0"]').focus()  # (JupyterLab makes its cell the active one)
    before = notebook_state(page)
    for key in ("a", "b", "d", "d", "m", "z", "y", "Shift+m"):  # the notebook's command keys
        page.keyboard.press(key)
    page.keyboard.press("Space")  # job 0, image 1
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")  # job 1 (seedream), image 2
    page.keyboard.press("ArrowDown")  # on sand, seedream, image 2
    page.keyboard.press("Enter")  # the lightbox, walking the whole batch
    lightbox = board.locator(".pai-lightbox")
    expect(lightbox.locator(".pai-lightbox-counter")).to_have_text("8 of 8")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Space")  # job 3, image 1
    page.keyboard.press("Escape")
    expect(lightbox).to_have_count(0)
    assert notebook_state(page) == before
    expect(board.locator('.pai-board-image[aria-selected="true"]')).to_have_count(3)
    # (waits for this text: the cell's earlier output, "winners: []", stays until it ran again)
    winners = cell_with_source(page, "batch.winners")
    rerun_cell(page, winners, expected_text="winners: [(0, 0), (1, 1), (3, 0)]")


def test_download_picks_saves_them_in_one_zip(run: BoardRun) -> None:
    page, board = run.page, run.board
    expect(board.locator('.pai-board-image[aria-selected="true"]')).to_have_count(3, timeout=WIDGET_MS)
    with page.expect_download() as saving:
        board.locator(".pai-board-download").click()
    download = saving.value
    assert download.suggested_filename.endswith("_picks.zip")
    names = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())).namelist()  # noqa: SIM115
    assert len([name for name in names if not name.startswith("manifest")]) == 3, names
    expect(board.locator(".pai-board-said")).to_have_text(f"Saved {download.suggested_filename}")


def test_escape_hands_focus_back_to_the_cell(run: BoardRun) -> None:
    page, board = run.page, run.board
    board.locator('.pai-board-stop[tabindex="0"]').focus()
    page.keyboard.press("Escape")
    focused = page.evaluate(
        "() => ({ inBoard: Boolean(document.activeElement.closest('.pai-board')),"
        " inNotebook: Boolean(document.activeElement.closest('.jp-Notebook')) })"
    )
    assert focused == {"inBoard": False, "inNotebook": True}
    assert not notebook_state(page)["editing"]


def test_a_pick_after_it_settled_redraws_the_output_from_the_next_cell_and_the_lightbox_stays_open(
    run: BoardRun,
) -> None:
    page, board = run.page, run.board
    board.locator('.pai-board-stop[aria-label="Image 2 of on sand · nanobanana2"]').focus()  # job 2
    page.keyboard.press("Enter")
    counter = board.locator(".pai-lightbox .pai-lightbox-counter")
    expect(counter).to_have_text("6 of 8")
    page.keyboard.press("Space")
    page.evaluate("() => { document.querySelector('.jp-OutputArea-output .pai-board').dataset.old = '1'; }")
    # the next cell run puts the pick in the saved copy's HTML: JupyterLab draws the output again
    rerun_cell(page, cell_with_source(page, "batch.winners"), expected_text="(2, 1)")
    redrawn = "() => document.querySelector('.jp-OutputArea-output .pai-board:not([data-old])')"
    page.wait_for_function(redrawn, timeout=WIDGET_MS)
    expect(counter).to_have_text("6 of 8")  # the new view took up the old one's lightbox
    assert not page.evaluate("() => Boolean(document.activeElement.closest('.pai-board'))")  # nor the focus
    assert page.locator(".jp-OutputArea-output .pai-board").count() == 1


def test_in_notebook_7_keyboard_picks_reach_batch_winners_and_no_key_changes_the_notebook(
    browser: Browser, lab: JupyterServer
) -> None:
    # Notebook 7 reads keys while they are captured, before the widget sees them: its own run
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nbformat.write(notebook, lab.root_dir / "board_notebook7.ipynb")
    page = new_page(browser)
    try:
        open_notebook(page, lab, "board_notebook7.ipynb", ui="notebook")
        run_all_cells(page)
        board = output(page, ".pai-board")
        wait_until_settled(page, board)
        board.locator('.pai-board-stop[tabindex="0"]').focus()
        before = notebook_state(page)
        for key in ("a", "b", "d", "d", "m", "z", "y", "Shift+m"):  # the notebook's command keys
            page.keyboard.press(key)
        page.keyboard.press("Space")  # job 0, image 1
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")  # on sand, nanobanana2: job 2, image 1
        assert notebook_state(page) == before
        expect(board.locator('.pai-board-image[aria-selected="true"]')).to_have_count(2)
        rerun_cell(page, cell_with_source(page, "batch.winners"), expected_text="winners: [(0, 0), (2, 0)]")
    finally:
        page.close()
