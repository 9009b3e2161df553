// The thumbnail tile (a button holding a lazy image, a selection checkbox, a caption),
// shared by JobView's gallery and the Gallery explorer.
import { h } from "./dom.js";
import "./thumbs.css";

/** "1024 × 768", or "" when the size is unknown. */
export function sizeCaption(image) {
  return image.width && image.height ? `${image.width} × ${image.height}` : "";
}

/**
 * One tile of `image` ({key, url, jobId, index, width, height}), drawn from `sources` (its saved
 * thumbnail, else its URL, else the kernel's bytes). `onOpen(button)` runs when the thumbnail is
 * activated; `onToggle(checked)` when its checkbox changes. An unsafe URL with no thumbnail shows
 * a placeholder and is never loaded.
 */
export function thumbnailTile({ image, sources, alt, caption, tileClass, checkboxClass, selected, onOpen, onToggle }) {
  const button = h("button", { class: "pai-thumb", type: "button", "aria-label": `Open ${alt}` });
  const img = h("img", { alt, loading: "lazy", decoding: "async", width: image.width, height: image.height });
  button.append(
    sources.show(img, image, "thumbnail") ? img : h("span", { class: "pai-thumb-blocked", text: "Image unavailable" }),
  );
  button.addEventListener("click", () => onOpen(button));

  const checkbox = h("input", { type: "checkbox", class: checkboxClass, "aria-label": `Select ${alt}` });
  checkbox.checked = selected;
  checkbox.addEventListener("change", () => onToggle(checkbox.checked));

  const element = h(
    "figure",
    { class: `pai-tile ${tileClass}` },
    button,
    h("figcaption", { class: "pai-tile-caption" }, checkbox, h("span", { text: caption })),
  );
  return { element, button, checkbox };
}

/** The responsive grid the tiles sit in. */
export function thumbnailGrid(className, tiles) {
  return h("div", { class: `pai-grid ${className}` }, ...tiles.map((tile) => tile.element));
}

/** A tile the size of a thumbnail that is still being made: it keeps the image's place. */
export function placeholderTile(caption) {
  const element = h(
    "figure",
    { class: "pai-tile pai-tile-placeholder" },
    h("div", { class: "pai-thumb pai-thumb-placeholder" }),
    h("figcaption", { class: "pai-tile-caption" }, h("span", { text: caption })),
  );
  return { element };
}
