import { expect, test } from "vitest";
import { filterRows, modelsIn, sortRows, totalsOf } from "./rows.js";

const rows = [
  { job_id: "job_b", status: "completed", model: "seedream", num_images: 2, tokens_used: 6, created_at: "2024-01-15T10:00:00Z" },
  { job_id: "job_a", status: "failed", model: "nanobanana2", num_images: 1, tokens_used: 0, created_at: "2024-01-15T12:00:00+02:00" },
  { job_id: "job_c", status: "processing", model: "seedream", num_images: 4, tokens_used: null, created_at: "2024-01-15T11:00:00Z" },
];
const ids = (list) => list.map((row) => row.job_id);

test("sorts by text, number and time, either way", () => {
  expect(ids(sortRows(rows, "job_id", false))).toEqual(["job_a", "job_b", "job_c"]);
  expect(ids(sortRows(rows, "num_images", true))).toEqual(["job_c", "job_b", "job_a"]);
  // 12:00+02:00 is 10:00Z, so it ties with job_b and keeps its place
  expect(ids(sortRows(rows, "created_at", true))).toEqual(["job_c", "job_b", "job_a"]);
});

test("missing values sort last in both directions", () => {
  expect(ids(sortRows(rows, "tokens_used", false)).at(-1)).toBe("job_c");
  expect(ids(sortRows(rows, "tokens_used", true)).at(-1)).toBe("job_c");
});

test("filters by status and model, and lists the models present", () => {
  expect(ids(filterRows(rows, { model: "seedream" }))).toEqual(["job_b", "job_c"]);
  expect(ids(filterRows(rows, { status: "failed", model: "all" }))).toEqual(["job_a"]);
  expect(modelsIn(rows)).toEqual(["nanobanana2", "seedream"]);
});

test("totals count jobs, images and credits", () => {
  expect(totalsOf(rows)).toEqual({ jobs: 3, images: 7, credits: 6 });
});
