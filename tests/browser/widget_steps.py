"""What a user does with the widgets, and what they see, in terms of the DOM hooks of docs/ARCHITECTURE.md."""

from __future__ import annotations

import time
from dataclasses import dataclass

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

IMAGE_LOAD_MS = 60_000

# Records every progress value and status the first JobView shows, as the DOM changes: sampling
# from Python could miss a whole short job between two looks.
_WATCH_PROGRESS = """() => {
  window.__paiSeen = [];
  const look = () => {
    const job = document.querySelector(".jp-OutputArea-output .pai-job");
    if (!job) return;
    const bar = job.querySelector("[role=progressbar]");
    const progress = bar ? Number(bar.getAttribute("aria-valuenow")) : null;
    const seen = { status: job.dataset.status || "", progress };
    const last = window.__paiSeen[window.__paiSeen.length - 1];
    if (!last || last.status !== seen.status || last.progress !== seen.progress) window.__paiSeen.push(seen);
  };
  new MutationObserver(look).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["aria-valuenow", "data-status"],
  });
}"""


# The same record where the widget renders inside a shadow root (marimo): a document-wide observer
# sees nothing in there, so find the first JobView through open shadow roots, then observe it.
_WATCH_PROGRESS_IN_SHADOW = """() => {
  window.__paiSeen = [];
  const find = (root) => {
    const hit = root.querySelector(".pai-job");
    if (hit) return hit;
    for (const el of root.querySelectorAll("*")) {
      const inner = el.shadowRoot && find(el.shadowRoot);
      if (inner) return inner;
    }
    return null;
  };
  const look = (job) => {
    const bar = job.querySelector("[role=progressbar]");
    const progress = bar ? Number(bar.getAttribute("aria-valuenow")) : null;
    const seen = { status: job.dataset.status || "", progress };
    const last = window.__paiSeen[window.__paiSeen.length - 1];
    if (!last || last.status !== seen.status || last.progress !== seen.progress) window.__paiSeen.push(seen);
  };
  const start = () => {
    const job = find(document);
    if (!job) return requestAnimationFrame(start);
    look(job);
    new MutationObserver(() => look(job)).observe(job, {
      subtree: true, childList: true, attributes: true, attributeFilter: ["aria-valuenow", "data-status"],
    });
  };
  start();
}"""


@dataclass(frozen=True)
class Seen:
    status: str
    progress: int | None


def watch_progress(page: Page) -> None:
    """Start recording what the first JobView shows; call before running the notebook."""
    page.evaluate(_WATCH_PROGRESS)


def watch_progress_in_shadow(page: Page) -> None:
    """`watch_progress` for a host that renders widgets in a shadow root (marimo)."""
    page.evaluate(_WATCH_PROGRESS_IN_SHADOW)


def progress_seen(page: Page) -> list[Seen]:
    return [Seen(s["status"], s["progress"]) for s in page.evaluate("() => window.__paiSeen")]


def progress_rose(seen: list[Seen]) -> bool:
    """A later progress value was larger, or the job completed after showing less than 100%."""
    values = [s.progress for s in seen if s.progress is not None]
    rose = any(later > earlier for i, earlier in enumerate(values) for later in values[i + 1 :])
    finished_from_running = any(v < 100 for v in values) and bool(seen) and seen[-1].status == "completed"
    return rose or finished_from_running


def wait_until_loaded(page: Page, image: Locator) -> int:
    """Scroll a (lazy) image into view, wait until it has decoded, and return its natural width.

    The locator is found again on each look: a widget may redraw its images meanwhile (a display
    update, thumbnails arriving), and the element seen first is then gone.
    """
    deadline = time.monotonic() + IMAGE_LOAD_MS / 1000
    while True:
        try:
            image.scroll_into_view_if_needed(timeout=5_000)
            width = int(image.evaluate("img => img.complete ? img.naturalWidth : 0", timeout=5_000))
        except PlaywrightError:  # detached by a redraw: look again
            width = 0
        if width > 0:
            return width
        if time.monotonic() > deadline:
            raise AssertionError(f"the image {image} never loaded")
        page.wait_for_timeout(100)


def column_text(table: Locator, column: str) -> list[str]:
    """One column of a JobsTable's rows, top to bottom, found by its header `th[data-column]`."""
    return table.evaluate(
        """(table, column) => {
          const index = table.querySelector(`th[data-column="${column}"]`).cellIndex;
          return [...table.querySelectorAll("tr.pai-row")].map(row => row.cells[index].textContent.trim());
        }""",
        column,
    )


def row_ids(table: Locator) -> list[str]:
    return table.locator("tr.pai-row").evaluate_all("rows => rows.map(row => row.dataset.jobId)")
