// The gallery's toolbar: group by, thumbnail size, how many are selected, and Compare.
import { GROUP_BY_OPTIONS } from "../lib/groups.js";
import { h } from "../shared/dom.js";
import { canCompare, compareHint } from "./compare.js";

const THUMB_MIN = 80;
const THUMB_MAX = 400;

/** A thumbnail edge Python accepts (80..400 px), 160 when the value is not a number. */
export function clampSize(value) {
  const size = Number(value);
  return Number.isFinite(size) ? Math.max(THUMB_MIN, Math.min(THUMB_MAX, Math.round(size))) : 160;
}

/** The toolbar; `resize(px)` is how the grid's thumbnails change size (live while dragging). */
export function galleryToolbar({ model, save, resize }) {
  const groupBy = h("select", { class: "pai-group-by", "aria-label": "Group by" });
  groupBy.replaceChildren(...GROUP_BY_OPTIONS.map((value) => h("option", { value, text: value })));
  const thumbSize = h("input", {
    class: "pai-thumb-size",
    type: "range",
    min: THUMB_MIN,
    max: THUMB_MAX,
    step: 10,
    "aria-label": "Thumbnail size",
  });
  const selectionCount = h("span", { class: "pai-selection-count pai-muted" });
  const compareButton = h("button", { class: "pai-compare-button", type: "button", text: "Compare" });
  const compareHintText = h("p", { class: "pai-compare-hint pai-muted", role: "status" });
  groupBy.addEventListener("change", () => save("group_by", groupBy.value));
  // resize live while dragging; tell Python once, when the user lets go
  thumbSize.addEventListener("input", () => resize(clampSize(thumbSize.value)));
  thumbSize.addEventListener("change", () => save("thumb_size", clampSize(thumbSize.value)));
  compareButton.addEventListener("click", () => save("compare", true));

  return {
    element: h(
      "div",
      { class: "pai-gallery-controls" },
      h("label", {}, "Group by ", groupBy),
      h("label", {}, "Size ", thumbSize),
      selectionCount,
      compareButton,
      compareHintText,
    ),
    showGrouping() {
      groupBy.value = GROUP_BY_OPTIONS.includes(model.get("group_by")) ? model.get("group_by") : "none";
    },
    showThumbSize() {
      const size = clampSize(model.get("thumb_size"));
      thumbSize.value = String(size);
      resize(size);
    },
    focusCompare: () => compareButton.focus(),
    showSelection(count) {
      selectionCount.textContent = count ? `${count} selected` : "";
      compareButton.disabled = !canCompare(count);
      compareHintText.textContent = compareHint(count); // visible, not only a tooltip
    },
  };
}
