// The board's picks: one selection per image, kept on each job (its `picks`, in the order they
// were picked), the same selection `job.picks` and `batch.winners` read in Python.

/** `picks` with image `index` added (at the end: the order of picking) or removed. */
export function withPick(picks, index, picked) {
  const rest = (Array.isArray(picks) ? picks : []).filter((n) => n !== index);
  return picked ? [...rest, index] : rest;
}

/** True when image `index` of `cell` is picked. */
export function isPicked(cell, index) {
  return Array.isArray(cell?.picks) && cell.picks.includes(index);
}

/** Every image of the batch in the batch's order, as {cell, index}: what the lightbox walks. */
export function batchImages(cells) {
  const all = [];
  cells.forEach((cell, position) => {
    const images = Array.isArray(cell?.images) ? cell.images : [];
    images.forEach((_, index) => all.push({ cell: position, index }));
  });
  return all;
}

/** The picked images in the batch's order (by job, then in each job's pick order), as {cell, index}. */
export function pickedImages(cells) {
  const picked = [];
  cells.forEach((cell, position) => {
    const count = Array.isArray(cell?.images) ? cell.images.length : 0;
    for (const index of Array.isArray(cell?.picks) ? cell.picks : []) {
      if (index >= 0 && index < count) picked.push({ cell: position, index });
    }
  });
  return picked;
}

/** The picks as "<job_id>:<n>" keys, in the batch's order then each job's pick order (what Python reads). */
export function pickedKeys(cells) {
  return pickedImages(cells).map(({ cell, index }) => `${cells[cell].job_id}:${index}`);
}
