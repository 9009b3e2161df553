// The rows: only those in view are in the DOM (spacers keep the full height), each with a
// checkbox to tick it and a click (or Enter) to open its job beneath the table. Redraws keep
// the row elements that stay in view, so the row or checkbox the user is on keeps focus.
// For the keyboard the rows are one ARIA grid and one tab stop (a roving tabindex): arrows,
// Home/End and Page Up/Down move between rows (scrolling the window), Space ticks, Enter opens.
import { visibleRange } from "../lib/windowing.js";
import { h } from "../shared/dom.js";
import { COLUMNS } from "./columns.js";

// must match the row height and the scroll area's max-height in style.css: the windowing
// maths depends on them. The area is never taller, so a full window of rows always fills it
// (its measured height is no help: before rows exist it is only as tall as the header).
export const ROW_HEIGHT = 32;
const VIEWPORT_HEIGHT = 360;

function spacer() {
  return h("tr", { class: "pai-spacer", "aria-hidden": "true" }, h("td", { colspan: COLUMNS.length + 1 }));
}

function setHeight(row, height) {
  row.firstChild.style.height = `${height}px`; // through CSSOM: a strict style-src policy allows it
  row.hidden = height === 0;
}

function rowElement(row) {
  const checkbox = h("input", {
    type: "checkbox",
    class: "pai-row-select",
    tabindex: "-1", // reached with Space on its row: a row is one tab stop, not two
    "aria-label": `Select job ${row.job_id}`,
  });
  return h(
    "tr",
    { class: "pai-row", role: "row", "data-job-id": row.job_id, tabindex: "-1" },
    h("td", { class: "pai-select-col", role: "gridcell" }, checkbox),
    ...COLUMNS.map((column) => h("td", { class: column.numeric ? "pai-numeric" : null, role: "gridcell" }, column.cell(row))),
  );
}

// keys that move between rows: the new index from the current one (`page`: rows in a viewport)
const MOVES = {
  ArrowDown: (i) => i + 1,
  ArrowUp: (i) => i - 1,
  PageDown: (i, page) => i + page,
  PageUp: (i, page) => i - page,
  Home: () => 0,
  End: (_i, _page, count) => count - 1,
};

/** The element inside `tbody` that has focus, as {jobId, checkbox}; null when focus is elsewhere. */
function focusIn(tbody) {
  const active = document.activeElement;
  const row = active && tbody.contains(active) ? active.closest("tr.pai-row") : null;
  return row ? { jobId: row.dataset.jobId, checkbox: active !== row } : null;
}

/**
 * The scrolling table of `view.shown` rows under `thead`. `view.selected` is the set of
 * ticked ids; a tick calls onTick(). `update(force)` redraws the rows in view.
 */
export function tableBody({ model, save, view, thead, onTick }) {
  const top = spacer();
  const bottom = spacer();
  const tbody = h("tbody", {}, top, bottom);
  const table = h("table", { class: "pai-jobs", role: "grid", "aria-label": "Jobs" }, thead, tbody);
  // focusable itself, so focus has somewhere to stay when the focused row scrolls out of the window
  const scroller = h("div", { class: "pai-table-scroll", tabindex: "-1" }, table);
  // columns cut off at the right (a narrow notebook, the file browser open) are said to be there
  const moreColumns = h("div", { class: "pai-more-columns", "aria-hidden": "true", text: "More columns →" });
  const frame = h("div", { class: "pai-table-frame" }, scroller, moreColumns);
  // the row elements in the DOM, by job id, with the row data each was drawn from (as JSON)
  let drawn = new Map();
  let windowFor = null;
  // the job whose row holds the table's one tab stop (the first row in view when it is not drawn)
  let active = null;

  function elementFor(row, data) {
    const known = drawn.get(row.job_id);
    return known && known.data === data ? known.element : rowElement(row);
  }

  function update(force = false) {
    table.setAttribute("aria-rowcount", String(view.shown.length + 1));
    const range = visibleRange({
      scrollTop: scroller.scrollTop,
      viewportHeight: VIEWPORT_HEIGHT,
      rowHeight: ROW_HEIGHT,
      count: view.shown.length,
    });
    const key = `${range.start}:${range.end}:${view.shown.length}`;
    if (!force && key === windowFor) return;
    windowFor = key;
    const focused = focusIn(tbody);
    const openedId = model.get("opened_id");
    const next = new Map();
    view.shown.slice(range.start, range.end).forEach((row, i) => {
      const data = JSON.stringify(row);
      const element = elementFor(row, data);
      element.setAttribute("aria-rowindex", String(range.start + i + 2)); // the header is row 1
      element.setAttribute("aria-selected", row.job_id === openedId ? "true" : "false");
      element.classList.toggle("pai-row-open", row.job_id === openedId);
      element.querySelector("input.pai-row-select").checked = view.selected.has(row.job_id);
      next.set(row.job_id, { data, element });
    });
    for (const [jobId, { element }] of drawn) {
      if (next.get(jobId)?.element !== element) element.remove();
    }
    // insert in order, moving only what is out of place: a moved (re-inserted) element loses focus
    let cursor = top.nextSibling;
    for (const { element } of next.values()) {
      if (element === cursor) cursor = cursor.nextSibling;
      else tbody.insertBefore(element, cursor);
    }
    drawn = next;
    setHeight(top, range.before);
    setHeight(bottom, range.after);
    if (!drawn.has(active)) active = drawn.keys().next().value ?? null;
    for (const [jobId, { element }] of drawn) element.tabIndex = jobId === active ? 0 : -1;
    restoreFocus(focused);
    showMoreColumns();
  }

  function showMoreColumns() {
    moreColumns.hidden = scroller.scrollLeft + scroller.clientWidth >= scroller.scrollWidth - 1;
  }

  // the row at `index` of the shown rows scrolled into view (below the sticky header), drawn, focused
  function focusRow(index) {
    const count = view.shown.length;
    if (count === 0) return;
    const target = Math.max(0, Math.min(count - 1, index));
    const rowTop = target * ROW_HEIGHT;
    const room = VIEWPORT_HEIGHT - ROW_HEIGHT; // the header row takes the top of the viewport
    if (rowTop < scroller.scrollTop) scroller.scrollTop = rowTop;
    else if (rowTop + ROW_HEIGHT > scroller.scrollTop + room) scroller.scrollTop = rowTop + ROW_HEIGHT - room;
    active = view.shown[target].job_id;
    update(true);
    drawn.get(active)?.element.focus({ preventScroll: true });
  }

  // focus fell out with a redrawn row: put it on the same job's row (or checkbox), or on the table
  function restoreFocus(focused) {
    if (!focused || tbody.contains(document.activeElement)) return;
    const row = drawn.get(focused.jobId)?.element;
    const target = row ? (focused.checkbox ? row.querySelector("input.pai-row-select") : row) : scroller;
    target.focus({ preventScroll: true });
  }

  function open(jobId) {
    save("opened_id", model.get("opened_id") === jobId ? null : jobId);
  }

  scroller.addEventListener("scroll", () => {
    update();
    showMoreColumns();
  });
  // the notebook narrows or widens (a side panel opens, the window resizes)
  if (typeof ResizeObserver === "function") new ResizeObserver(showMoreColumns).observe(scroller);
  tbody.addEventListener("change", (event) => {
    const row = event.target.closest("tr.pai-row");
    if (!row || !event.target.matches("input.pai-row-select")) return;
    if (event.target.checked) view.selected.add(row.dataset.jobId);
    else view.selected.delete(row.dataset.jobId);
    save("selected_ids", [...view.selected]);
    onTick();
  });
  tbody.addEventListener("click", (event) => {
    const row = event.target.closest("tr.pai-row");
    if (row && !event.target.closest("input")) open(row.dataset.jobId);
  });
  tbody.addEventListener("focusin", (event) => {
    const row = event.target.closest("tr.pai-row");
    if (!row || row.dataset.jobId === active) return;
    drawn.get(active)?.element.setAttribute("tabindex", "-1");
    active = row.dataset.jobId;
    row.tabIndex = 0; // a clicked row keeps the tab stop
  });
  tbody.addEventListener("keydown", (event) => {
    const row = event.target.closest("tr.pai-row");
    if (!row || event.ctrlKey || event.metaKey || event.altKey) return;
    const move = MOVES[event.key];
    if (move) {
      event.preventDefault(); // the arrows would scroll the page
      const index = view.shown.findIndex((shown) => shown.job_id === row.dataset.jobId);
      focusRow(move(index, Math.floor(VIEWPORT_HEIGHT / ROW_HEIGHT) - 1, view.shown.length));
    } else if (event.target === row && event.key === "Enter") {
      event.preventDefault();
      open(row.dataset.jobId);
    } else if (event.target === row && event.key === " ") {
      event.preventDefault(); // Space would scroll the page
      row.querySelector("input.pai-row-select").click(); // ticks it, as Space on a checkbox does
    }
  });
  return { element: frame, update };
}
