// The header row: one sortable cell per column, marked with aria-sort.
import { h } from "../shared/dom.js";
import { COLUMNS } from "./columns.js";

/** The table's <thead>; a click sorts by that column, a second click reverses it. */
export function tableHeader({ model, save }) {
  const cells = COLUMNS.map((column) =>
    h(
      "th",
      { scope: "col", "data-column": column.key, class: column.numeric ? "pai-numeric" : null },
      h("button", { type: "button", class: "pai-sort", text: column.label }),
    ),
  );
  for (const th of cells) {
    th.addEventListener("click", () => {
      const key = th.dataset.column;
      const descending = key === model.get("sort_by") ? !model.get("sort_descending") : false;
      save("sort_descending", descending);
      save("sort_by", key);
    });
  }
  const selectHeader = h("th", { scope: "col", class: "pai-select-col", "aria-label": "Selected" });
  return {
    element: h("thead", {}, h("tr", { "aria-rowindex": "1" }, selectHeader, ...cells)),
    update() {
      const sortBy = model.get("sort_by");
      const direction = model.get("sort_descending") ? "descending" : "ascending";
      for (const th of cells) th.setAttribute("aria-sort", th.dataset.column === sortBy ? direction : "none");
    },
  };
}
