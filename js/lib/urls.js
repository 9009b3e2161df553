// Only these URLs may reach an img src or a link href: anything else (javascript:,
// vbscript:, blob:, relative paths, data: that is not an image) is dropped.
const ALLOWED_PROTOCOLS = new Set(["http:", "https:"]);

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
  if (url.protocol === "data:" && /^image\//i.test(url.pathname)) return url.href;
  return null;
}

/** A file name for a download link: the last path segment, or one made from the job. */
export function downloadName(url, fallback) {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "data:") {
      const last = parsed.pathname.split("/").filter(Boolean).pop();
      if (last) return decodeURIComponent(last);
    }
  } catch {
    // not a URL: fall through to the fallback name
  }
  return fallback;
}
