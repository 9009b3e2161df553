// The file name a downloaded image gets: `<job_id>_<n>.<ext>`, the rule of Python's job.download().
const UNSAFE = /[^A-Za-z0-9_.-]/g;
const KEPT_SUFFIXES = new Set([".jpg", ".jpeg", ".png", ".webp"]);
const SUFFIX_OF_TYPE = { "image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif" };

/** `<job_id>_<index>.<ext>`: the URL's extension when it is an image's, else the type's, else .jpg. */
export function imageFileName(jobId, index, url, mime) {
  let suffix = "";
  try {
    suffix = (/\.[^./]*$/.exec(new URL(url).pathname)?.[0] ?? "").toLowerCase();
  } catch {
    // not a URL (a data: image has no name): the type decides
  }
  if (!KEPT_SUFFIXES.has(suffix)) suffix = SUFFIX_OF_TYPE[String(mime ?? "").split(";")[0].trim()] ?? ".jpg";
  const stem = String(jobId ?? "").replace(UNSAFE, "_").replace(/^\.+/, "") || "job";
  return `${stem}_${index}${suffix}`;
}
