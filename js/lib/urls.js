// Only these URLs may reach an img src or a link href: http(s), and data: of a raster image.
// Anything else (javascript:, vbscript:, blob:, relative paths, data: that is not a raster
// image) is dropped: an SVG can carry script, and opened as a link target it runs.
const ALLOWED_PROTOCOLS = new Set(["http:", "https:"]);
const RASTER_DATA = /^image\/(png|jpeg|webp|gif)[;,]/i;

/** The URL, normalised, when it is safe to load as an image; otherwise null. */
export function safeImageUrl(value) {
  if (typeof value !== "string" || value === "") return null;
  let url;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (ALLOWED_PROTOCOLS.has(url.protocol)) return url.href;
  if (url.protocol === "data:" && RASTER_DATA.test(url.pathname)) return url.href;
  return null;
}
