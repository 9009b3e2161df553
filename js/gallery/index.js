// Gallery: the images of many jobs, grouped, sized, selectable, compared side by side.
import { GROUP_BY_OPTIONS, groupItems } from "../lib/groups.js";
import { formatTimestamp } from "../lib/time.js";
import { h, plural } from "../shared/dom.js";
import { openLightbox } from "../shared/lightbox.js";
import { sizeCaption, thumbnailGrid, thumbnailTile } from "../shared/thumbs.js";
import { canCompare, showCompare } from "./compare.js";
import "../shared/base.css";
import "./style.css";

const THUMB_MIN = 80;
const THUMB_MAX = 400;

function clampSize(value) {
  const size = Number(value);
  return Number.isFinite(size) ? Math.max(THUMB_MIN, Math.min(THUMB_MAX, Math.round(size))) : 160;
}

function altOf(item) {
  return `Image ${Number(item.index) + 1} of job ${item.job_id}`;
}

function slideOf(item) {
  return {
    url: item.url,
    alt: altOf(item),
    title: item.prompt || "",
    details: [
      ["job", "Job", item.job_id ?? "—"],
      ["model", "Model", item.model ?? "—"],
      ["prompt", "Prompt", item.prompt || "—"],
      ["size", "Size", sizeCaption(item) || "—"],
      ["created", "Created", formatTimestamp(item.created_at)],
    ],
  };
}

function render({ model, el }) {
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
  const compare = h("div", { class: "pai-compare", role: "region", "aria-label": "Compare images" });
  const groups = h("div", { class: "pai-groups" });
  const root = h(
    "div",
    { class: "pai-root pai-explorer" },
    h(
      "div",
      { class: "pai-gallery-controls" },
      h("label", {}, "Group by ", groupBy),
      h("label", {}, "Size ", thumbSize),
      selectionCount,
      compareButton,
    ),
    compare,
    groups,
  );
  el.append(root);

  let items = [];
  let checkboxes = new Map();
  let selected = new Set(model.get("selected_keys") || []);
  let lightbox = null;

  function save(name, value) {
    model.set(name, value);
    model.save_changes();
  }

  function selectedItems() {
    return items.filter((item) => selected.has(item.key));
  }

  function showSelection() {
    const count = selectedItems().length;
    selectionCount.textContent = count ? `${count} selected` : "";
    compareButton.disabled = !canCompare(count);
    compareButton.title = canCompare(count) ? "" : "Select 2 to 4 images to compare them";
    showCompareState();
  }

  function showCompareState() {
    const chosen = selectedItems();
    const open = Boolean(model.get("compare")) && canCompare(chosen.length);
    compare.hidden = !open;
    if (open) showCompare(compare, chosen, () => save("compare", false));
    else compare.replaceChildren();
  }

  function toggle(key, checked) {
    if (checked) selected.add(key);
    else selected.delete(key);
    save("selected_keys", [...selected]);
    // a compare that no longer has 2-4 images closes rather than showing something else
    if (model.get("compare") && !canCompare(selectedItems().length)) save("compare", false);
    showSelection();
  }

  function showItems() {
    lightbox?.close();
    items = (model.get("items") || []).filter((item) => item && typeof item === "object");
    const grouped = groupItems(items, model.get("group_by"));
    const ordered = grouped.flatMap((group) => group.items);
    const slides = ordered.map(slideOf);
    checkboxes = new Map();
    let position = 0;
    const sections = grouped.map((group) => {
      const tiles = group.items.map((item) => {
        const index = position++;
        const tile = thumbnailTile({
          image: item,
          alt: altOf(item),
          caption: [item.model, sizeCaption(item)].filter(Boolean).join(" · "),
          tileClass: "pai-item",
          checkboxClass: "pai-item-select",
          selected: selected.has(item.key),
          onOpen: (button) => {
            lightbox = openLightbox({ host: root, slides, index, opener: button, onClose: () => (lightbox = null) });
          },
          onToggle: (checked) => toggle(item.key, checked),
        });
        tile.element.dataset.key = item.key;
        checkboxes.set(item.key, tile.checkbox);
        return tile;
      });
      return h(
        "section",
        { class: "pai-group", "data-group": group.key },
        h("h4", { class: "pai-group-title", text: `${group.title} (${plural(group.items.length, "image")})` }),
        thumbnailGrid("pai-items", tiles),
      );
    });
    groups.replaceChildren(...(sections.length && items.length ? sections : [h("p", { class: "pai-muted", text: "No images yet." })]));
    groupBy.value = GROUP_BY_OPTIONS.includes(model.get("group_by")) ? model.get("group_by") : "none";
    showSelection();
  }

  function showThumbSize() {
    const size = clampSize(model.get("thumb_size"));
    thumbSize.value = String(size);
    root.style.setProperty("--pai-thumb-size", `${size}px`);
  }

  groupBy.addEventListener("change", () => save("group_by", groupBy.value));
  // resize live while dragging; tell Python once, when the user lets go
  thumbSize.addEventListener("input", () => root.style.setProperty("--pai-thumb-size", `${clampSize(thumbSize.value)}px`));
  thumbSize.addEventListener("change", () => save("thumb_size", clampSize(thumbSize.value)));
  compareButton.addEventListener("click", () => save("compare", true));
  compare.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      save("compare", false);
    }
  });

  model.on("change:items", showItems);
  model.on("change:group_by", showItems);
  model.on("change:thumb_size", showThumbSize);
  model.on("change:compare", showCompareState);
  model.on("change:selected_keys", () => {
    selected = new Set(model.get("selected_keys") || []);
    checkboxes.forEach((checkbox, key) => (checkbox.checked = selected.has(key)));
    showSelection();
  });
  showThumbSize();
  showItems();
  return () => lightbox?.close();
}

export default { render };
