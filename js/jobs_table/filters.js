// The controls above the table: the status and model filters, "Show images" and the loading note.
import { modelFilterNote, modelsIn } from "../lib/rows.js";
import { STATUS_FILTERS } from "../lib/statuses.js";
import { h, plural } from "../shared/dom.js";

function options(select, values, current) {
  const list = values.includes(current) ? values : [...values, current];
  // rebuilding the options of an open select would close it under the user's pointer
  if (select.dataset.options !== list.join("\n")) {
    select.dataset.options = list.join("\n");
    select.replaceChildren(...list.map((value) => h("option", { value, text: value })));
  }
  select.value = current;
}

/** The controls; `update()` follows the model, `showSelection(count)` the ticked jobs in view. */
export function tableControls({ model, save }) {
  const statusFilter = h("select", { class: "pai-status-filter", "aria-label": "Status" });
  const modelFilter = h("select", { class: "pai-model-filter", "aria-label": "Model" });
  const showImages = h("button", { class: "pai-show-images", type: "button", text: "Show images" });
  const loading = h("span", { class: "pai-loading pai-muted", role: "status", text: "Loading…" });
  const filterNote = h("p", { class: "pai-filter-note pai-muted", role: "status" });
  const element = h(
    "div",
    { class: "pai-table-controls" },
    h("label", {}, "Status ", statusFilter),
    h("label", {}, "Model ", modelFilter),
    showImages,
    loading,
    filterNote,
  );
  statusFilter.addEventListener("change", () => save("status_filter", statusFilter.value));
  modelFilter.addEventListener("change", () => save("model_filter", modelFilter.value));
  showImages.addEventListener("click", () => model.send({ type: "show_images" }));

  return {
    element,
    update() {
      options(statusFilter, STATUS_FILTERS, model.get("status_filter") || "all");
      options(modelFilter, ["all", ...modelsIn(model.get("rows") || [])], model.get("model_filter") || "all");
      loading.hidden = !model.get("loading");
      filterNote.textContent = modelFilterNote({
        model: model.get("model_filter"),
        loaded: (model.get("rows") || []).length,
        total: model.get("total"),
        hasMore: Boolean(model.get("has_more")),
      });
      filterNote.hidden = !filterNote.textContent;
    },
    showSelection(count) {
      // Python shows the ticked jobs in view, or every job in view when none is ticked
      showImages.textContent = count ? `Show images (${plural(count, "job")})` : "Show images (all jobs)";
    },
  };
}
