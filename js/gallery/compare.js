// The side-by-side compare of 2-4 picked images, each with its caption and a checkbox to unpick
// it (the losers drop out; the winners stay picked everywhere).
import { h } from "../shared/dom.js";
import { sizeCaption } from "../shared/thumbs.js";
import { imageOf } from "./grid.js";

export const COMPARE_MIN = 2;
export const COMPARE_MAX = 4;

/** True when this many selected images can be compared. */
export function canCompare(count) {
  return count >= COMPARE_MIN && count <= COMPARE_MAX;
}

/** Why Compare is off for this many ticked images, in words; "" when it is on. */
export function compareHint(count) {
  if (count > COMPARE_MAX) return `Compare takes at most ${COMPARE_MAX} images: ${count} are ticked.`;
  if (count === 0) return `Tick ${COMPARE_MIN} to ${COMPARE_MAX} images to compare them.`;
  if (count < COMPARE_MIN) return `Tick ${COMPARE_MIN - count} more to compare.`;
  return "";
}

function figure(item, sources, onToggle) {
  const alt = `Image ${Number(item.index) + 1} of job ${item.job_id}`;
  const img = h("img", { alt, decoding: "async" });
  const shown = sources.show(img, imageOf(item), "full");
  return h(
    "figure",
    { class: "pai-compare-item", "data-key": item.key },
    shown ? img : h("span", { class: "pai-thumb-blocked", text: "Image unavailable" }),
    h(
      "figcaption",
      {},
      h("code", { text: item.job_id }),
      h("span", { text: ` · ${item.model ?? ""} · ${sizeCaption(item)}` }),
      h("p", { class: "pai-compare-prompt", text: item.prompt || "" }),
      pickControl(item, alt, onToggle),
    ),
  );
}

function pickControl(item, alt, onToggle) {
  const box = h("input", { type: "checkbox", class: "pai-compare-pick", "aria-label": `Pick ${alt}` });
  box.checked = true; // the compare shows the picked images
  box.addEventListener("change", () => onToggle(item.key, box.checked));
  return h("label", { class: "pai-compare-pick-label" }, box, " Picked");
}

/** Fills `container` with the given items side by side, and a button that calls onClose;
 * `onToggle(key, checked)` runs when an item's pick checkbox changes. */
export function showCompare(container, items, sources, onClose, onToggle = () => {}) {
  const close = h("button", { class: "pai-compare-close", type: "button", text: "Close compare" });
  close.addEventListener("click", onClose);
  const row = h("div", { class: "pai-compare-row" }, ...items.map((item) => figure(item, sources, onToggle)));
  container.replaceChildren(
    h("div", { class: "pai-compare-bar" }, h("strong", { text: `Comparing ${items.length} images` }), close),
    row,
  );
}

/**
 * The compare region: `show(items, open)` fills it with the items when open, else empties and
 * hides it; `returnFocus()` runs when it closes with focus inside, so focus never drops to the page.
 */
export function comparePanel({ sources, onClose, returnFocus, onToggle }) {
  const element = h("div", { class: "pai-compare", role: "region", "aria-label": "Compare images" });
  element.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      onClose();
    }
  });
  return {
    element,
    show(items, open) {
      const hadFocus = element.contains(document.activeElement);
      element.hidden = !open;
      if (open) showCompare(element, items, sources, onClose, onToggle);
      else element.replaceChildren();
      if (hadFocus && !element.contains(document.activeElement)) returnFocus();
    },
  };
}
