// The gallery's grid: the items in titled groups of selectable thumbnails that open the lightbox.
import { groupItems } from "../lib/groups.js";
import { formatTimestamp } from "../lib/time.js";
import { h, plural } from "../shared/dom.js";
import { openLightbox } from "../shared/lightbox.js";
import { sizeCaption, thumbnailGrid, thumbnailTile } from "../shared/thumbs.js";

function altOf(item) {
  return `Image ${Number(item.index) + 1} of job ${item.job_id}`;
}

/** "job_abc #2 · seedream · 1024 × 768": which job an image came from, whole (the caption wraps). */
export function captionOf(item) {
  const size = sizeCaption(item).replaceAll(" ", "\u00a0"); // a size never splits across lines
  return [`${item.job_id} #${Number(item.index) + 1}`, item.model, size].filter(Boolean).join(" · ");
}

/** An item as the shared image sources name it: its key is the one Python's thumbnails use. */
export function imageOf(item) {
  return { ...item, jobId: item.job_id, index: Number(item.index) };
}

function slideOf(item) {
  return {
    image: imageOf(item),
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

/**
 * The grid inside `host` (where the lightbox opens), its images drawn from `sources`.
 * `show(items, groupBy, selected, emptyText)` draws it again (`emptyText` when there are no
 * items); `onToggle(key, checked)` runs when a checkbox (a tile's, or the lightbox's) changes.
 */
export function galleryGrid({ host, sources, onToggle }) {
  const element = h("div", { class: "pai-groups" });
  let checkboxes = new Map();
  let picked = new Set();
  const picks = {
    isPicked: (slide) => picked.has(slide.image.key),
    setPicked: (slide, checked) => onToggle(slide.image.key, checked),
  };
  let lightbox = null;

  function section(group, tiles) {
    return h(
      "section",
      { class: "pai-group", "data-group": group.key },
      h("h4", { class: "pai-group-title", text: `${group.title} (${plural(group.items.length, "image")})` }),
      thumbnailGrid("pai-items", tiles),
    );
  }

  // the item (and which of its two controls) that has focus, to give it back after a redraw
  function focusedItem() {
    const active = document.activeElement;
    const tile = active && element.contains(active) ? active.closest(".pai-item") : null;
    return tile ? { key: tile.dataset.key, checkbox: active.matches("input") } : null;
  }

  function restoreFocus(focused) {
    if (!focused || element.contains(document.activeElement)) return;
    const tile = [...element.querySelectorAll(".pai-item")].find((node) => node.dataset.key === focused.key);
    tile?.querySelector(focused.checkbox ? "input" : ".pai-thumb").focus({ preventScroll: true });
  }

  function show(items, groupBy, selected, emptyText) {
    lightbox?.close();
    picked = selected;
    const focused = focusedItem();
    const grouped = groupItems(items, groupBy);
    const slides = grouped.flatMap((group) => group.items).map(slideOf);
    checkboxes = new Map();
    let position = 0;
    const sections = grouped.map((group) => {
      const tiles = group.items.map((item) => {
        const index = position++;
        const tile = thumbnailTile({
          image: imageOf(item),
          sources,
          alt: altOf(item),
          caption: captionOf(item),
          tileClass: "pai-item",
          checkboxClass: "pai-item-select",
          selected: selected.has(item.key),
          onOpen: (button) => {
            lightbox = openLightbox({
              host, sources, slides, index, opener: button, picks, onClose: () => (lightbox = null),
            });
          },
          onToggle: (checked) => onToggle(item.key, checked),
        });
        tile.element.dataset.key = item.key;
        checkboxes.set(item.key, tile.checkbox);
        return tile;
      });
      return section(group, tiles);
    });
    const none = emptyText ? [h("p", { class: "pai-muted", text: emptyText })] : [];
    element.replaceChildren(...(items.length ? sections : none));
    restoreFocus(focused);
  }

  return {
    element,
    show,
    tick(selected) {
      picked = selected;
      checkboxes.forEach((checkbox, key) => (checkbox.checked = selected.has(key)));
      lightbox?.showPick();
    },
    close: () => lightbox?.close(),
  };
}
