// The rows: only those in view are in the DOM (spacers keep the full height), each with a
// checkbox to tick it and a click (or Enter) to open its job beneath the table.
import { visibleRange } from "../lib/windowing.js";
import { h } from "../shared/dom.js";
import { COLUMNS } from "./columns.js";

// must match the row height and the scroll area's max-height in style.css: the windowing
// maths depends on them. The area is never taller, so a full window of rows always fills it
// (its measured height is no help: before rows exist it is only as tall as the header).
export const ROW_HEIGHT = 32;
const VIEWPORT_HEIGHT = 360;

function spacer(height) {
  const cell = h("td", { colspan: COLUMNS.length + 1 });
  cell.style.height = `${height}px`; // through CSSOM: a strict style-src policy allows it
  return h("tr", { class: "pai-spacer", "aria-hidden": "true" }, cell);
}

function rowElement(row, index, { ticked, opened }) {
  const checkbox = h("input", { type: "checkbox", class: "pai-row-select", "aria-label": `Select job ${row.job_id}` });
  checkbox.checked = ticked;
  return h(
    "tr",
    {
      class: opened ? "pai-row pai-row-open" : "pai-row",
      "data-job-id": row.job_id,
      "aria-rowindex": index + 2,
      "aria-selected": opened ? "true" : "false",
      tabindex: "0",
    },
    h("td", { class: "pai-select-col" }, checkbox),
    ...COLUMNS.map((column) => h("td", { class: column.numeric ? "pai-numeric" : null }, column.cell(row))),
  );
}

/**
 * The scrolling table of `view.shown` rows under `thead`. `view.selected` is the set of
 * ticked ids; a tick calls onTick(). `update(force)` redraws the rows in view.
 */
export function tableBody({ model, save, view, thead, onTick }) {
  const tbody = h("tbody");
  const table = h("table", { class: "pai-jobs" }, thead, tbody);
  const scroller = h("div", { class: "pai-table-scroll" }, table);
  let windowFor = null;

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
    const openedId = model.get("opened_id");
    const rows = view.shown
      .slice(range.start, range.end)
      .map((row, i) =>
        rowElement(row, range.start + i, { ticked: view.selected.has(row.job_id), opened: row.job_id === openedId }),
      );
    tbody.replaceChildren(spacer(range.before), ...rows, spacer(range.after));
  }

  function open(jobId) {
    save("opened_id", model.get("opened_id") === jobId ? null : jobId);
  }

  scroller.addEventListener("scroll", () => update());
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
  tbody.addEventListener("keydown", (event) => {
    const row = event.target.closest("tr.pai-row");
    if (row && event.target === row && event.key === "Enter") open(row.dataset.jobId);
  });
  return { element: scroller, update };
}
