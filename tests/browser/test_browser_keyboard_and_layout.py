"""The widgets as a keyboard user meets them in JupyterLab, and cards that do not jump.

One notebook, run once for the module: a running job's card (and a failing one's), a table of
this client's jobs, a gallery, and a 200-row table. Keys typed in our controls never reach the
notebook; Tab and Shift+Tab cross the whole windowed table with focus never on the page; a
card keeps its height when its job ends; the prompt shows on the card and in the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import nbformat
import pytest
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
from widget_steps import column_text, wait_until_loaded

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

NOTEBOOK = "keyboard_and_layout.ipynb"
PROMPT = "a ceramic mug on oak, morning light through a window, long soft shadows"
BIG_TABLE_ROWS = 200

CELLS = [
    f"""import productai_notebook as pai
client = pai.sandbox()
job = client.generate(model="seedream", image_url="https://example.com/mug.jpg", prompt={PROMPT!r},
                      num_images=2, aspect_ratio="4:3")
job""",
    """failing = client.generate(model="seedream", image_url="https://example.com/mug.jpg",
                          prompt="a mug #fail", num_images=2, aspect_ratio="4:3")
failing""",
    """table = pai.JobsTable(client)
table""",
    """gallery = pai.Gallery([job])
gallery""",
    # a table of 200 listed rows (an empty account of its own, so no live update replaces them)
    f"""from productai_notebook.api import ProductAI
from productai_notebook.emulator import Emulator
empty = Emulator(api_key="pk_test_empty").start()
big = pai.JobsTable(ProductAI(api_key=empty.api_key, base_url=empty.base_url))
display(big)  # first: showing a table draws its rows from its jobs (none), and these replace them
big.rows = [
    {{"job_id": f"job_{{n:03d}}", "status": "completed", "model": "seedream", "prompt": f"prompt {{n}}",
      "num_images": 1, "tokens_used": 3, "created_at": f"2024-01-15T10:{{n // 60:02d}}:{{n % 60:02d}}Z",
      "completed_at": None, "failed_at": None, "duration_seconds": 12}}
    for n in range({BIG_TABLE_ROWS})
]
big.total, big.has_more = {2 * BIG_TABLE_ROWS}, True""",
    # a job that stays pending (an emulator of its own, with ten-minute jobs): four images to come
    """slow = Emulator(api_key="pk_test_slow", job_seconds=(600, 600)).start()
pending = ProductAI(api_key=slow.api_key, base_url=slow.base_url).generate(
    model="seedream", image_url="https://example.com/mug.jpg", prompt="four to come", num_images=4)
pending""",
]

# Records every height each job card has (by job id: JupyterLab may render an output again),
# with its status, as the DOM, the layout and the card's status change.
_WATCH_CARDS = """() => {
  window.__paiCards = {};
  const watched = new Set();
  const record = (card) => {
    if (!card.isConnected) return; // an output rendered again: its old card is gone
    const id = card.querySelector(".pai-job-id").textContent;
    const height = card.getBoundingClientRect().height;
    (window.__paiCards[id] ||= []).push({ status: card.dataset.status, height });
  };
  const resized = new ResizeObserver((entries) => entries.forEach((entry) => record(entry.target)));
  new MutationObserver((mutations) => {
    for (const card of document.querySelectorAll(".jp-OutputArea-output .pai-job")) {
      if (!watched.has(card)) {
        watched.add(card);
        resized.observe(card);
        record(card);
      }
    }
    // a card whose status changes without changing its height (the point) says so too
    for (const { type, target } of mutations) {
      if (type === "attributes" && watched.has(target)) record(target);
    }
  }).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"],
  });
}"""

# What has focus, in words a failure message can show.
_FOCUSED = """() => {
  const node = document.activeElement;
  const row = node.closest("tr.pai-row");
  const style = getComputedStyle(node);
  return {
    body: node === document.body,
    loadMore: node.classList.contains("pai-load-more"),
    row: row ? row.dataset.jobId : null,
    tag: node.tagName.toLowerCase(),
    ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
  };
}"""


@dataclass(frozen=True)
class Run:
    page: Page
    card: Locator
    failing_card: Locator
    table: Locator
    gallery: Locator
    big_table: Locator


def _write_notebook(lab: JupyterServer, name: str, cells: list[str]) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, lab.root_dir / name)


@pytest.fixture(scope="module")
def run(browser: Browser, lab: JupyterServer) -> Iterator[Run]:
    _write_notebook(lab, NOTEBOOK, CELLS)
    page = new_page(browser)
    open_notebook(page, lab, NOTEBOOK)
    page.evaluate(_WATCH_CARDS)
    run_all_cells(page)
    big_table = output(page, f".pai-table:has(tr.pai-row[data-job-id='job_{BIG_TABLE_ROWS - 1}'])")
    cards = page.locator(".jp-OutputArea-output .pai-job")
    expect(cards.first).to_have_attribute("data-status", "completed", timeout=WIDGET_MS)
    expect(cards.nth(1)).to_have_attribute("data-status", "failed", timeout=WIDGET_MS)
    yield Run(
        page=page,
        card=cards.first,
        failing_card=cards.nth(1),
        table=page.locator(".jp-OutputArea-output .pai-table").first,
        gallery=output(page, ".pai-explorer"),
        big_table=big_table,
    )
    page.close()


def test_a_card_keeps_its_height_when_its_job_completes_or_fails(run: Run) -> None:
    for image in run.card.locator(".pai-gallery img").all():
        wait_until_loaded(run.page, image)
    for card in (run.card, run.failing_card):
        job_id = card.locator(".pai-job-id").inner_text()
        seen = run.page.evaluate("id => window.__paiCards[id]", job_id)
        running = [s["height"] for s in seen if s["status"] in ("pending", "processing")]
        ended = [s["height"] for s in seen if s["status"] in ("completed", "failed")]
        assert running and ended, seen
        # the last height while running and every height after the end: the page below never moves
        assert all(abs(height - running[-1]) <= 1 for height in ended), seen
        assert running[-1] > 150, seen  # room for the images was there while the job ran


def test_the_prompt_shows_on_the_card_and_in_the_table(run: Run) -> None:
    prompt = run.card.locator(".pai-job-prompt")
    expect(prompt).to_have_text(PROMPT)
    expect(prompt).to_have_attribute("title", PROMPT)
    assert PROMPT in column_text(run.table, "prompt")


def test_keys_typed_in_our_controls_never_change_the_notebook(run: Run) -> None:
    page = run.page
    controls = {  # the selects last: their arrows change what the table and gallery show
        "the card's image checkbox": run.card.locator("input.pai-thumb-select").first,
        "a table row": run.table.locator("tr.pai-row").first,
        "a table row's checkbox": run.table.locator("input.pai-row-select").first,
        "a sort button": run.table.locator("th[data-column='model'] button"),
        "the gallery's size range": run.gallery.locator("input.pai-thumb-size"),
        "a gallery checkbox": run.gallery.locator("input.pai-item-select").first,
        "the gallery's group-by select": run.gallery.locator("select.pai-group-by"),
        "the table's model select": run.table.locator("select.pai-model-filter"),
        "the table's status select": run.table.locator("select.pai-status-filter"),
    }
    for name, control in controls.items():
        _type_notebook_keys(page, control, name)


def _type_notebook_keys(page: Page, control: Locator, name: str) -> None:
    """Focus `control`, type the notebook's command-mode keys, and see the notebook unchanged."""
    control.focus()
    before = notebook_state(page)
    for key in ("a", "b", "d", "d", "ArrowUp", "ArrowDown", "Enter", "m", "z"):  # (Escape: below)
        page.keyboard.press(key)
    after = notebook_state(page)
    assert after == before, f"keys in {name} changed the notebook: {before} -> {after}"
    assert not after["editing"], name


def test_notebook_7_keys_in_a_select_never_change_the_notebook(browser: Browser, lab: JupyterServer) -> None:
    # Notebook 7 reads the keys while they are captured, before they reach the widget
    _write_notebook(lab, "keys_notebook7.ipynb", [CELLS[0], CELLS[2]])
    page = new_page(browser)
    try:
        open_notebook(page, lab, "keys_notebook7.ipynb", ui="notebook")
        run_all_cells(page)
        _type_notebook_keys(page, output(page, "select.pai-status-filter"), "the table's status select")
    finally:
        page.close()


def _press_until(page: Page, key: str, done: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """Press `key` until `done(what has focus)`; every stop on the way, none of them the page itself."""
    path: list[dict[str, Any]] = []
    for _ in range(3 * BIG_TABLE_ROWS):
        page.keyboard.press(key)
        path.append(page.evaluate(_FOCUSED))
        assert not path[-1]["body"], f"{key}: focus fell to the page after {path[-3:-1]}"
        if done(path[-1]):
            return path
    raise AssertionError(f"{key} never got there: last stops {path[-3:]}")


def test_the_table_is_one_tab_stop_and_arrows_cross_its_200_rows(run: Run) -> None:
    page, table = run.page, run.big_table
    first = table.locator("tr.pai-row").first
    first_id = first.get_attribute("data-job-id")
    last_id = "job_000" if first_id != "job_000" else f"job_{BIG_TABLE_ROWS - 1:03d}"  # newest first
    first.focus()
    down = _press_until(page, "ArrowDown", lambda focused: focused["row"] == last_id)
    assert len({stop["row"] for stop in down if stop["row"]}) == BIG_TABLE_ROWS - 1  # every row on the way
    assert all(stop["ring"] for stop in down), [stop for stop in down if not stop["ring"]][:3]  # seen
    page.keyboard.press("Tab")  # one tab stop: out of the rows at once, to the next control
    assert page.evaluate(_FOCUSED)["loadMore"]
    page.keyboard.press("Shift+Tab")  # back to the row it left, not the first
    assert page.evaluate(_FOCUSED)["row"] == last_id
    page.keyboard.press("Home")
    assert page.evaluate(_FOCUSED)["row"] == first_id


def test_escape_closes_compare_then_hands_focus_back_to_the_cell(run: Run) -> None:
    page, gallery = run.page, run.gallery
    for box in gallery.locator("input.pai-item-select").all()[:2]:
        box.check()
    gallery.locator(".pai-compare-button").click()
    expect(gallery.locator(".pai-compare")).to_be_visible()
    gallery.locator(".pai-thumb").first.focus()  # focus outside the compare region
    page.keyboard.press("Escape")
    expect(gallery.locator(".pai-compare")).to_be_hidden()
    expect(gallery.locator(".pai-thumb").first).to_be_focused()
    page.keyboard.press("Escape")  # out of the widget, into its cell: the notebook's keys work again
    focused = page.evaluate("() => ({ inWidget: !!document.activeElement.closest('.pai-root'),"
                            " inNotebook: !!document.activeElement.closest('.jp-Notebook') })")
    assert focused == {"inWidget": False, "inNotebook": True}


def test_escape_then_shift_enter_runs_the_cell_of_a_table_row(run: Run) -> None:
    page = run.page
    cell = page.locator(".jp-Notebook .jp-CodeCell", has=run.big_table).first
    before = cell.locator(".jp-InputArea-prompt").inner_text()
    run.big_table.locator("tr.pai-row").first.focus()
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Enter")
    expect(cell.locator(".jp-InputArea-prompt")).not_to_have_text(before, timeout=WIDGET_MS)


def test_with_the_file_browser_open_at_1280_px_the_table_says_more_columns_are_there(run: Run) -> None:
    page = run.page
    page.set_viewport_size({"width": 1280, "height": 1000})
    if not page.locator(".jp-FileBrowser").is_visible():  # (JupyterLab opens it by default)
        page.keyboard.press("Control+Shift+F")
    try:
        expect(page.locator(".jp-FileBrowser")).to_be_visible()
        # every job again (the keys test above may have moved the filters), the long prompt among them
        run.table.locator("select.pai-status-filter").select_option("all")
        run.table.locator("select.pai-model-filter").select_option("all")
        run.table.scroll_into_view_if_needed()
        scroller = run.table.locator(".pai-table-scroll")
        sizes = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
        hint = run.table.locator(".pai-more-columns")
        if sizes[0] > sizes[1] + 1:  # some columns are cut off
            expect(hint).to_be_visible()
            scroller.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
            expect(hint).to_be_hidden()
        else:
            expect(hint).to_be_hidden()
        assert sizes[0] > sizes[1] + 1, f"the table fits at 1280 px with the file browser: {sizes}"
    finally:
        page.set_viewport_size({"width": 1280, "height": 1000})


def _tile_rows(card: Locator) -> list[int]:
    """How many tiles each row of the card's image grid holds, top to bottom."""
    tops = card.locator(".pai-grid .pai-tile").evaluate_all(
        "tiles => tiles.map((t) => Math.round(t.getBoundingClientRect().top))")
    return [tops.count(top) for top in sorted(set(tops))]


def test_at_700_px_a_pending_job_shows_tiles_side_by_side_and_a_failed_one_no_blank_room(run: Run) -> None:
    page = run.page
    pending = page.locator(".jp-OutputArea-output .pai-job", has_text="four to come").first
    page.set_viewport_size({"width": 700, "height": 1000})
    try:
        pending.scroll_into_view_if_needed()
        rows = _tile_rows(pending)
        assert sum(rows) == 4 and max(rows) > 1, rows
        run.failing_card.scroll_into_view_if_needed()
        error_box = run.failing_card.locator(".pai-job-error").bounding_box()
        room = run.failing_card.locator(".pai-job-failed-stack").bounding_box()
        assert error_box and room
        blank = room["height"] - error_box["height"]
        assert blank < 200, (rows, room, error_box)  # one row of small tiles, not a tall strip
    finally:
        page.set_viewport_size({"width": 1280, "height": 1000})
