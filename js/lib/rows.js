// Sorting, filtering and totals of the jobs table, over plain row objects.
import { parseTime } from "./time.js";

const TIME_COLUMNS = new Set(["created_at", "completed_at", "failed_at"]);

/** The images a job made: its count once completed, none when it failed, null while it runs. */
export function imagesMade(row) {
  if (row.status === "completed") return Number(row.num_images) || 0;
  if (row.status === "failed") return 0;
  return null;
}

function sortValue(row, key) {
  if (key === "num_images") return imagesMade(row); // the Images column counts images made
  const value = row[key];
  if (TIME_COLUMNS.has(key)) return parseTime(value);
  if (value === undefined || value === "") return null;
  return value;
}

function compareValues(a, b) {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** A sorted copy; missing values always go last, ties keep their order. */
export function sortRows(rows, key, descending) {
  const direction = descending ? -1 : 1;
  return rows
    .map((row, position) => ({ row, position, value: sortValue(row, key) }))
    .sort((a, b) => {
      if (a.value === null && b.value === null) return a.position - b.position;
      if (a.value === null) return 1;
      if (b.value === null) return -1;
      return direction * compareValues(a.value, b.value) || a.position - b.position;
    })
    .map(({ row }) => row);
}

/** Rows matching the status and model filters ("all" matches everything). */
export function filterRows(rows, { status = "all", model = "all" } = {}) {
  return rows.filter(
    (row) => (status === "all" || row.status === status) && (model === "all" || row.model === model),
  );
}

/** The models present in the rows, sorted, for the model filter. */
export function modelsIn(rows) {
  return [...new Set(rows.map((row) => row.model).filter(Boolean))].sort();
}

/** Jobs, images made (failed and running jobs made none yet) and credits (tokens_used) of the rows. */
export function totalsOf(rows) {
  let images = 0;
  let credits = 0;
  for (const row of rows) {
    images += imagesMade(row) ?? 0;
    credits += Number(row.tokens_used) || 0;
  }
  return { jobs: rows.length, images, credits };
}

/**
 * What the model filter covers, in words, or "" when it covers every job: the API cannot
 * filter by model, so the table filters the rows loaded so far.
 */
export function modelFilterNote({ model, loaded, total, hasMore }) {
  if (!model || model === "all" || !hasMore) return "";
  const missing = Math.max(0, (Number(total) || 0) - loaded);
  const rest = missing ? `${missing} more not loaded` : "more not loaded";
  return `The model filter covers the ${loaded} loaded jobs only; ${rest} (Load more to include them).`;
}
