// The completed view: the images as selectable thumbnails that open the lightbox,
// with the credits used and how long generation took.
import { formatDuration, formatTimestamp, secondsBetween } from "../lib/time.js";
import { facts, h, plural } from "../shared/dom.js";
import { openLightbox } from "../shared/lightbox.js";
import { sizeCaption, thumbnailGrid, thumbnailTile } from "../shared/thumbs.js";
import { tileAspect } from "./aspect.js";
import { imagePlaceholders } from "./placeholders.js";

function imagesOf(job) {
  return Array.isArray(job.images) ? job.images.filter((image) => image && typeof image === "object") : [];
}

/** The images of `job` as the shared image sources name them (the key is the index, as Python's). */
function sourcesOf(job, images) {
  return images.map((image, index) => ({ ...image, key: String(index), jobId: job.job_id, index }));
}

/** A completed job whose images are still being read (a listing told its end): its placeholders, saying so. */
function imagesComing(job) {
  const placeholders = imagePlaceholders();
  placeholders.show(job);
  const note = h("p", { class: "pai-muted pai-images-coming", role: "status", text: "Completed: loading its images…" });
  return h("div", { class: "pai-job-images-coming" }, note, placeholders.element);
}

/**
 * {element, update(job), showSelection(indices), destroy()}. `onSelect(indices)` runs when
 * the user ticks or unticks an image; `host` is where the lightbox opens; `sources` draws images.
 */
export function createResultView({ host, sources, onSelect }) {
  const element = h("div", { class: "pai-job-result" });
  const selectionNote = h("span", { class: "pai-selection-count pai-muted" });
  let shownImages = null;
  let tiles = [];
  let selected = new Set();
  let lightbox = null;

  function describeSelection() {
    selectionNote.textContent = selected.size ? `${selected.size} selected` : "";
  }

  function toggle(index, checked) {
    if (checked === selected.has(index)) return;
    if (checked) selected.add(index);
    else selected.delete(index);
    describeSelection();
    lightbox?.showPick();
    onSelect([...selected]); // in pick order: the job's picks are kept in the order they were made
  }

  const picks = {
    isPicked: (slide) => selected.has(slide.image.index),
    setPicked: (slide, checked) => {
      tiles[slide.image.index].checkbox.checked = checked;
      toggle(slide.image.index, checked);
    },
  };

  function slidesOf(job, images) {
    return sourcesOf(job, images).map((image, index) => ({
      image,
      url: image.url,
      alt: `Image ${index + 1} of job ${job.job_id ?? ""}`.trim(),
      title: `Image ${index + 1} · ${sizeCaption(image)}`,
      details: [["job", "Job", job.job_id ?? "—"], ["model", "Model", job.model ?? "—"]],
    }));
  }

  function update(job) {
    const images = imagesOf(job);
    // a completed job never changes; the same state re-sent must not rebuild (and lose focus)
    const coming = job.images_coming === true && !images.length;
    const signature = JSON.stringify([job.job_id, images, coming]);
    if (signature === shownImages) return;
    shownImages = signature;
    lightbox?.close();
    const slides = slidesOf(job, images);
    tiles = sourcesOf(job, images).map((image, index) =>
      thumbnailTile({
        image,
        sources,
        alt: `Image ${index + 1}`,
        caption: sizeCaption(image),
        tileClass: "pai-job-tile",
        checkboxClass: "pai-thumb-select",
        selected: selected.has(index),
        onOpen: (button) => {
          lightbox = openLightbox({
            host, sources, slides, index, opener: button, picks, onClose: () => (lightbox = null),
          });
        },
        onToggle: (checked) => toggle(index, checked),
      }),
    );
    const summary = facts([
      ["images", "Images", coming ? "loading…" : String(images.length)],
      ["credits", "Credits used", job.tokens_used == null ? "—" : String(job.tokens_used)],
      ["duration", "Took", formatDuration(secondsBetween(job.created_at || job.started_at, job.completed_at))],
      ["model", "Model", job.model || "—"],
      ["completed", "Completed", formatTimestamp(job.completed_at)],
    ]);
    const gallery = images.length
      ? thumbnailGrid("pai-gallery", tiles)
      : coming
        ? imagesComing(job)
        : h("p", { class: "pai-muted", text: `Completed with ${plural(0, "image")}.` });
    gallery.style.setProperty("--pai-thumb-aspect", tileAspect(job)); // the shape its placeholders had
    element.replaceChildren(gallery, h("div", { class: "pai-job-summary" }, summary, selectionNote));
    describeSelection();
  }

  function showSelection(indices) {
    selected = new Set(Array.isArray(indices) ? indices : []);
    tiles.forEach((tile, index) => (tile.checkbox.checked = selected.has(index)));
    describeSelection();
    lightbox?.showPick();
  }

  return { element, update, showSelection, destroy: () => lightbox?.close() };
}
