// JobsTable: the %productai jobs list. Sorting and the model filter work over the loaded
// rows here; the status filter and "Load more" ask Python for other rows. Only the rows in
// view are in the DOM, so thousands of jobs stay cheap.
import { filterRows, modelsIn, sortRows, totalsOf } from "../lib/rows.js";
import { STATUS_FILTERS } from "../lib/statuses.js";
import { visibleRange } from "../lib/windowing.js";
import { h, plural } from "../shared/dom.js";
import { COLUMNS } from "./columns.js";
import "../shared/base.css";
import "./style.css";

// must match the row height and the scroll area's max-height in style.css: the windowing
// maths depends on them. The area is never taller, so a full window of rows always fills it
// (its measured height is no help: before rows exist it is only as tall as the header).
export const ROW_HEIGHT = 32;
const VIEWPORT_HEIGHT = 360;

function options(select, values, current) {
  const list = values.includes(current) ? values : [...values, current];
  // rebuilding the options of an open select would close it under the user's pointer
  if (select.dataset.options !== list.join("\n")) {
    select.dataset.options = list.join("\n");
    select.replaceChildren(...list.map((value) => h("option", { value, text: value })));
  }
  select.value = current;
}

function render({ model, el }) {
  const statusFilter = h("select", { class: "pai-status-filter", "aria-label": "Status" });
  const modelFilter = h("select", { class: "pai-model-filter", "aria-label": "Model" });
  const showImages = h("button", { class: "pai-show-images", type: "button", text: "Show images" });
  const loading = h("span", { class: "pai-loading pai-muted", role: "status", text: "Loading…" });
  const error = h("div", { class: "pai-table-error pai-alert", role: "alert" });
  const headers = COLUMNS.map((column) =>
    h(
      "th",
      { scope: "col", "data-column": column.key, class: column.numeric ? "pai-numeric" : null },
      h("button", { type: "button", class: "pai-sort", text: column.label }),
    ),
  );
  const tbody = h("tbody");
  const table = h(
    "table",
    { class: "pai-jobs" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col", class: "pai-select-col", "aria-label": "Selected" }), ...headers)),
    tbody,
  );
  const scroller = h("div", { class: "pai-table-scroll" }, table);
  const empty = h("p", { class: "pai-empty pai-muted", text: "No jobs to show." });
  const totals = h("div", { class: "pai-totals" });
  const pagerText = h("span", { class: "pai-pager-count" });
  const loadMore = h("button", { class: "pai-load-more", type: "button", text: "Load more" });
  const root = h(
    "div",
    { class: "pai-root pai-table" },
    h(
      "div",
      { class: "pai-table-controls" },
      h("label", {}, "Status ", statusFilter),
      h("label", {}, "Model ", modelFilter),
      showImages,
      loading,
    ),
    error,
    scroller,
    empty,
    h("div", { class: "pai-table-footer" }, totals, h("div", { class: "pai-pager" }, pagerText, loadMore)),
  );
  el.append(root);

  let shown = [];
  let shownFor = null;
  let windowFor = null;
  let selected = new Set(model.get("selected_ids") || []);

  // sort + filter again only when an input changed: change events can repeat
  function computeShown() {
    const rows = model.get("rows") || [];
    const inputs = [rows, model.get("sort_by"), model.get("sort_descending"), model.get("status_filter"), model.get("model_filter")];
    if (shownFor && inputs.every((value, i) => value === shownFor[i])) return false;
    shownFor = inputs;
    const filtered = filterRows(rows, { status: inputs[3] || "all", model: inputs[4] || "all" });
    shown = inputs[1] ? sortRows(filtered, inputs[1], Boolean(inputs[2])) : filtered;
    return true;
  }

  function rowElement(row, index) {
    const checkbox = h("input", { type: "checkbox", class: "pai-row-select", "aria-label": `Select job ${row.job_id}` });
    checkbox.checked = selected.has(row.job_id);
    const opened = row.job_id === model.get("opened_id");
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

  function spacer(height) {
    const cell = h("td", { colspan: COLUMNS.length + 1 });
    cell.style.height = `${height}px`; // through CSSOM: a strict style-src policy allows it
    return h("tr", { class: "pai-spacer", "aria-hidden": "true" }, cell);
  }

  function renderWindow(force = false) {
    const range = visibleRange({
      scrollTop: scroller.scrollTop,
      viewportHeight: VIEWPORT_HEIGHT,
      rowHeight: ROW_HEIGHT,
      count: shown.length,
    });
    const key = `${range.start}:${range.end}:${shown.length}`;
    if (!force && key === windowFor) return;
    windowFor = key;
    const rows = shown.slice(range.start, range.end).map((row, i) => rowElement(row, range.start + i));
    tbody.replaceChildren(spacer(range.before), ...rows, spacer(range.after));
  }

  function showHeaders() {
    const sortBy = model.get("sort_by");
    for (const th of headers) {
      const active = th.dataset.column === sortBy;
      th.setAttribute("aria-sort", active ? (model.get("sort_descending") ? "descending" : "ascending") : "none");
    }
  }

  function showFooter() {
    const sum = totalsOf(shown);
    totals.textContent = `${plural(sum.jobs, "job")} · ${plural(sum.images, "image")} · ${plural(sum.tokens, "token")}`;
    const loaded = (model.get("rows") || []).length;
    const total = Math.max(Number(model.get("total")) || 0, loaded);
    pagerText.textContent = `${loaded} of ${total}`;
    loadMore.disabled = !model.get("has_more") || Boolean(model.get("loading"));
    // Python shows the ticked jobs' images, or every loaded job's when none is ticked
    showImages.textContent = selected.size ? `Show images (${plural(selected.size, "job")})` : "Show images (all jobs)";
  }

  function refresh() {
    const changed = computeShown();
    options(statusFilter, STATUS_FILTERS, model.get("status_filter") || "all");
    options(modelFilter, ["all", ...modelsIn(model.get("rows") || [])], model.get("model_filter") || "all");
    showHeaders();
    table.setAttribute("aria-rowcount", String(shown.length + 1));
    empty.hidden = shown.length > 0 || Boolean(model.get("loading"));
    renderWindow(changed);
    showFooter();
  }

  function showStatus() {
    const busy = Boolean(model.get("loading"));
    root.setAttribute("aria-busy", busy ? "true" : "false");
    loading.hidden = !busy;
    const message = model.get("error") || "";
    error.textContent = message;
    error.hidden = !message;
    refresh();
  }

  function save(name, value) {
    model.set(name, value);
    model.save_changes();
  }

  function open(jobId) {
    save("opened_id", model.get("opened_id") === jobId ? null : jobId);
  }

  headers.forEach((th) =>
    th.addEventListener("click", () => {
      const key = th.dataset.column;
      const descending = key === model.get("sort_by") ? !model.get("sort_descending") : false;
      save("sort_descending", descending);
      save("sort_by", key);
    }),
  );
  statusFilter.addEventListener("change", () => save("status_filter", statusFilter.value));
  modelFilter.addEventListener("change", () => save("model_filter", modelFilter.value));
  loadMore.addEventListener("click", () => model.send({ type: "load_more" }));
  showImages.addEventListener("click", () => model.send({ type: "show_images" }));
  scroller.addEventListener("scroll", () => renderWindow());
  tbody.addEventListener("change", (event) => {
    const row = event.target.closest("tr.pai-row");
    if (!row || !event.target.matches("input.pai-row-select")) return;
    if (event.target.checked) selected.add(row.dataset.jobId);
    else selected.delete(row.dataset.jobId);
    save("selected_ids", [...selected]);
  });
  tbody.addEventListener("click", (event) => {
    const row = event.target.closest("tr.pai-row");
    if (row && !event.target.closest("input")) open(row.dataset.jobId);
  });
  tbody.addEventListener("keydown", (event) => {
    const row = event.target.closest("tr.pai-row");
    if (row && event.target === row && event.key === "Enter") open(row.dataset.jobId);
  });

  for (const name of ["rows", "total", "has_more", "sort_by", "sort_descending", "status_filter", "model_filter"]) {
    model.on(`change:${name}`, refresh);
  }
  model.on("change:loading", showStatus);
  model.on("change:error", showStatus);
  model.on("change:opened_id", () => renderWindow(true));
  model.on("change:selected_ids", () => {
    selected = new Set(model.get("selected_ids") || []);
    renderWindow(true);
    showFooter();
  });
  showStatus();
}

export default { render };
