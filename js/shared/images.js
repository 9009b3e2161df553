// Where a widget's images come from, written once for every grid, the lightbox and compare:
// the small thumbnail the kernel saved in the widget state when there is one, else the image's
// URL (the lightbox and compare show the thumbnail at once and the full image once it loaded);
// when the browser cannot load that URL (the kernel's loopback seen from another machine, an
// expired link, a blocked host) the kernel sends the bytes instead. Downloads fetch
// the bytes the same way and save them as `<job_id>_<n>.<ext>`, like Python's job.download().
import { imageFileName } from "../lib/filenames.js";
import { safeImageUrl } from "../lib/urls.js";
import { h } from "./dom.js";
import { kernelRequests } from "./model.js";

// Bytes from the kernel become an image only as one of these (the kernel sniffs them with Pillow).
const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/webp", "image/gif"]);

/**
 * A saved thumbnail's bytes (binary widget state arrives as a DataView) as a data: URL: a grid of
 * hundreds draws at once this way, where an object URL each costs Chromium ~0.45 ms (a Blob and a
 * registration with the browser process), 150 ms before the first frame of a 400-image Gallery.
 */
export function jpegDataUrl(data) {
  const bytes = ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/jpeg;base64,${btoa(text)}`;
}

/**
 * Image sources of one rendered view. An image is {key, url, jobId, index}: `key` names it to the
 * kernel (the widget's own key: JobView's index, the Gallery's "<job_id>:<index>").
 * `show(img, image, size)` fills an <img>: size "thumbnail" (grids) or "full" (lightbox, compare).
 * `save(image)` downloads it and resolves to the file name. `close()` revokes every object URL.
 */
export function imageSources(model) {
  const kernel = kernelRequests(model);
  const madeUrls = new Set();
  const thumbnailUrls = new Map(); // key -> {bytes, url}
  const shown = new Map(); // img -> {image, size, triedKernel}

  function objectUrl(bytes, type) {
    const url = URL.createObjectURL(new Blob([bytes], { type }));
    madeUrls.add(url);
    return url;
  }

  /** The saved thumbnail of `key` as a data: URL, or null. */
  function thumbnail(key) {
    const bytes = (model.get("thumbnails") || {})[key];
    const known = thumbnailUrls.get(key);
    if (known && known.bytes === bytes) return known.url;
    if (!bytes) {
      thumbnailUrls.delete(key);
      return null;
    }
    const url = jpegDataUrl(bytes);
    thumbnailUrls.set(key, { bytes, url });
    return url;
  }

  async function fromKernel(image, size) {
    const { content, buffers } = await kernel.ask("image", { key: image.key, size });
    if (!IMAGE_TYPES.has(content.mime) || !buffers[0]) throw new Error("the kernel sent no image");
    return { bytes: buffers[0], type: content.mime, name: content.filename };
  }

  function firstSource(image, size) {
    const url = safeImageUrl(image.url);
    return size === "thumbnail" ? thumbnail(image.key) ?? url : url ?? thumbnail(image.key);
  }

  async function onError(img) {
    const entry = shown.get(img);
    if (!entry) return;
    const { image, size } = entry;
    if (entry.triedKernel) {
      // the kernel is gone too (a reopened notebook): the saved thumbnail beats a broken image
      const saved = thumbnail(image.key);
      if (saved && img.getAttribute("src") !== saved) img.setAttribute("src", saved);
      else img.dataset.unavailable = "";
      return;
    }
    entry.triedKernel = true;
    try {
      const got = await fromKernel(image, size);
      if (shown.get(img) === entry) img.setAttribute("src", objectUrl(got.bytes, got.type));
    } catch {
      if (shown.get(img) === entry) onError(img);
    }
  }

  /** The full image replaces the thumbnail `img` shows once it has loaded (from its URL, else the kernel). */
  function upgrade(img, entry, url) {
    const full = new Image();
    const current = () => shown.get(img) === entry;
    full.addEventListener("load", () => current() && img.setAttribute("src", url));
    full.addEventListener("error", async () => {
      try {
        const got = await fromKernel(entry.image, "full");
        if (current()) img.setAttribute("src", objectUrl(got.bytes, got.type));
      } catch {
        // the thumbnail stays: better than no image
      }
    });
    full.src = url;
  }

  /** Fills `img` with `image`; false when the image has no source it may load (an unsafe URL). */
  function show(img, image, size) {
    const entry = { image, size, triedKernel: false };
    if (!shown.has(img)) img.addEventListener("error", () => onError(img));
    shown.set(img, entry);
    delete img.dataset.unavailable;
    const saved = thumbnail(image.key);
    const url = safeImageUrl(image.url);
    if (size === "full" && saved && url) {
      img.setAttribute("src", saved); // at once, sharp once the full image is in
      upgrade(img, entry, url);
      return true;
    }
    const source = firstSource(image, size);
    if (source) img.setAttribute("src", source);
    else img.removeAttribute("src");
    return Boolean(source);
  }

  /** The thumbnails arrived (or changed): grids that show a URL move to the saved thumbnail. */
  function showThumbnails() {
    for (const [img, entry] of shown) {
      if (!img.isConnected) shown.delete(img);
      else if (entry.size === "thumbnail") {
        const saved = thumbnail(entry.image.key);
        if (saved && img.getAttribute("src") !== saved) img.setAttribute("src", saved);
      }
    }
  }
  model.on("change:thumbnails", showThumbnails);

  async function fetchBytes(image) {
    const url = safeImageUrl(image.url);
    if (url && !url.startsWith("data:")) {
      try {
        const response = await fetch(url, { credentials: "omit" });
        if (response.ok) {
          const blob = await response.blob();
          if (IMAGE_TYPES.has(blob.type)) return { bytes: blob, type: blob.type };
        }
      } catch {
        // cross-origin without CORS, or unreachable: the kernel fetches it
      }
    }
    return fromKernel(image, "full");
  }

  /** Downloads the full image; resolves to the file name, rejects when neither host nor kernel has it. */
  async function save(image) {
    const got = await fetchBytes(image);
    const name = got.name || imageFileName(image.jobId, image.index, image.url, got.type);
    const url = objectUrl(got.bytes, got.type);
    const link = h("a", { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    return name;
  }

  function close() {
    model.off("change:thumbnails", showThumbnails);
    kernel.close();
    shown.clear();
    thumbnailUrls.clear();
    for (const url of madeUrls) URL.revokeObjectURL(url);
    madeUrls.clear();
  }

  return { show, thumbnail, save, close };
}
