// The shape of a job's image tiles: its images' own, else the aspect ratio it was asked with.

/** A CSS aspect-ratio ("4 / 3"): from the first image's size, else the job's `aspect_ratio`, else square (the API's default). */
export function tileAspect(job) {
  const first = Array.isArray(job.images) ? job.images.find((image) => image && image.width > 0 && image.height > 0) : null;
  if (first) return `${first.width} / ${first.height}`;
  const asked = /^(\d+):(\d+)$/.exec(typeof job.aspect_ratio === "string" ? job.aspect_ratio : "");
  return asked ? `${asked[1]} / ${asked[2]}` : "1 / 1";
}
