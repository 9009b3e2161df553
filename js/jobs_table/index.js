// JobsTable: the %productai jobs list. Sorting and the model filter work over the loaded
// rows here; the status filter and "Load more" ask Python for other rows. Only the rows in
// view are in the DOM, so thousands of jobs stay cheap.
import { filterRows, sortRows } from "../lib/rows.js";
import { h } from "../shared/dom.js";
import { keepKeysFromNotebook } from "../shared/keys.js";
import { saver, sayShown } from "../shared/model.js";
import { tableBody } from "./body.js";
import { tableControls } from "./filters.js";
import { tableFooter } from "./footer.js";
import { tableHeader } from "./header.js";
import "../shared/base.css";
import "./style.css";

export { ROW_HEIGHT } from "./body.js";

const ROW_INPUTS = ["rows", "sort_by", "sort_descending", "status_filter", "model_filter"];

/** The rows to show, sorted and filtered; recomputed only when one of its inputs changed. */
function shownRows(model) {
  let inputs = null;
  let shown = [];
  return () => {
    const now = ROW_INPUTS.map((name) => model.get(name));
    if (inputs && now.every((value, i) => value === inputs[i])) return { shown, changed: false };
    inputs = now;
    const [rows, sortBy, descending, status, modelName] = now;
    const filtered = filterRows(rows || [], { status: status || "all", model: modelName || "all" });
    shown = sortBy ? sortRows(filtered, sortBy, Boolean(descending)) : filtered;
    return { shown, changed: true };
  };
}

function render({ model, el }) {
  const save = saver(model);
  sayShown(model);
  const view = { shown: [], selected: new Set(model.get("selected_ids") || []) };
  const computeShown = shownRows(model);
  const controls = tableControls({ model, save });
  const header = tableHeader({ model, save });
  const footer = tableFooter({ model });
  const showSelection = () => controls.showSelection(view.shown.filter((row) => view.selected.has(row.job_id)).length);
  const body = tableBody({ model, save, view, thead: header.element, onTick: showSelection });
  const error = h("div", { class: "pai-table-error pai-alert", role: "alert" });
  const empty = h("p", { class: "pai-empty pai-muted", text: "No jobs to show." });
  const root = keepKeysFromNotebook(
    h("div", { class: "pai-root pai-table" }, controls.element, error, body.element, empty, footer.element),
  );
  el.append(root);

  function refresh() {
    const { shown, changed } = computeShown();
    view.shown = shown;
    controls.update();
    header.update();
    empty.hidden = shown.length > 0 || Boolean(model.get("loading"));
    body.update(changed);
    footer.update(shown);
    showSelection();
  }

  function showStatus() {
    root.setAttribute("aria-busy", model.get("loading") ? "true" : "false");
    const message = model.get("error") || "";
    error.textContent = message;
    error.hidden = !message;
    refresh();
  }

  for (const name of [...ROW_INPUTS, "total", "has_more"]) model.on(`change:${name}`, refresh);
  model.on("change:loading", showStatus);
  model.on("change:error", showStatus);
  model.on("change:opened_id", () => body.update(true));
  model.on("change:selected_ids", () => {
    view.selected = new Set(model.get("selected_ids") || []);
    body.update(true);
    showSelection();
  });
  showStatus();
}

export default { render };
