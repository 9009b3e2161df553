// Under the table: the totals of the rows shown, and the pager ("20 of 156", Load more).
import { totalsOf } from "../lib/rows.js";
import { h, plural } from "../shared/dom.js";

/** The footer; `update(shown)` counts the rows in view and what Python has loaded. */
export function tableFooter({ model }) {
  const totals = h("div", { class: "pai-totals" });
  const pagerText = h("span", { class: "pai-pager-count" });
  const loadMore = h("button", { class: "pai-load-more", type: "button", text: "Load more" });
  loadMore.addEventListener("click", () => {
    if (loadMore.getAttribute("aria-disabled") !== "true") model.send({ type: "load_more" });
  });
  return {
    element: h("div", { class: "pai-table-footer" }, totals, h("div", { class: "pai-pager" }, pagerText, loadMore)),
    update(shown) {
      const sum = totalsOf(shown);
      // "credits": what the API's docs call tokens_used
      totals.textContent = `${plural(sum.jobs, "job")} · ${plural(sum.images, "image")} · ${plural(sum.credits, "credit")}`;
      const loaded = (model.get("rows") || []).length;
      const total = Math.max(Number(model.get("total")) || 0, loaded);
      pagerText.textContent = `${loaded} of ${total}`;
      // aria-disabled, not disabled: a disabled button drops the keyboard focus to the page
      const off = !model.get("has_more") || Boolean(model.get("loading"));
      loadMore.setAttribute("aria-disabled", off ? "true" : "false");
    },
  };
}
