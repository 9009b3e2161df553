// Sorting, filtering and totals of the jobs table, over plain row objects.
import { parseTime } from "./time.js";

const TIME_COLUMNS = new Set(["created_at", "completed_at", "failed_at"]);

function sortValue(row, key) {
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

/** Jobs, images and credits (the rows' tokens_used) of the given rows. */
export function totalsOf(rows) {
  let images = 0;
  let credits = 0;
  for (const row of rows) {
    images += Number(row.num_images) || 0;
    credits += Number(row.tokens_used) || 0;
  }
  return { jobs: rows.length, images, credits };
}
