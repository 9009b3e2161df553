// The room a job's images take before they exist: one placeholder tile per image it asked for,
// in the shape it asked for, in the same grid as the finished thumbnails.
import { h } from "../shared/dom.js";
import { placeholderTile, thumbnailGrid } from "../shared/thumbs.js";
import { tileAspect } from "./aspect.js";

/** {element, show(job)}: show() redraws only when the count or the shape changed. */
export function imagePlaceholders() {
  const element = h("div", { class: "pai-job-placeholders", "aria-hidden": "true" });
  let drawnFor = null;
  return {
    element,
    show(job) {
      const count = Math.max(1, Number(job.num_images) || 1);
      const aspect = tileAspect(job);
      if (drawnFor === `${count}:${aspect}`) return;
      drawnFor = `${count}:${aspect}`;
      const tiles = Array.from({ length: count }, (_, i) => placeholderTile(`Image ${i + 1} of ${count}`));
      const grid = thumbnailGrid("pai-gallery", tiles);
      grid.style.setProperty("--pai-thumb-aspect", aspect);
      element.replaceChildren(grid);
    },
  };
}
