import { expect, test } from "vitest";
import { filterRows, imagesMade, modelFilterNote, modelsIn, sortRows, totalsOf } from "./rows.js";

const rows = [
  { job_id: "job_b", status: "completed", model: "seedream", num_images: 2, tokens_used: 6, created_at: "2024-01-15T10:00:00Z" },
  { job_id: "job_a", status: "failed", model: "nanobanana2", num_images: 1, tokens_used: 0, created_at: "2024-01-15T12:00:00+02:00" },
  { job_id: "job_c", status: "processing", model: "seedream", num_images: 4, tokens_used: null, created_at: "2024-01-15T11:00:00Z" },
];
const ids = (list) => list.map((row) => row.job_id);

test("sorts by text, number and time, either way", () => {
  expect(ids(sortRows(rows, "job_id", false))).toEqual(["job_a", "job_b", "job_c"]);
  // images made: job_b made 2, the failed job_a none, the running job_c none yet (last)
  expect(ids(sortRows(rows, "num_images", true))).toEqual(["job_b", "job_a", "job_c"]);
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

test("totals count jobs, the images made and credits: a failed or running job made no images", () => {
  expect(totalsOf(rows)).toEqual({ jobs: 3, images: 2, credits: 6 });
  expect(imagesMade(rows[1])).toBe(0);
  expect(imagesMade(rows[2])).toBeNull();
});

test("the model filter says plainly that it covers only the loaded jobs, and how many are not", () => {
  expect(modelFilterNote({ model: "seedream", loaded: 20, total: 156, hasMore: true })).toBe(
    "The model filter covers the 20 loaded jobs only; 136 more not loaded (Load more to include them).",
  );
  expect(modelFilterNote({ model: "seedream", loaded: 20, total: 20, hasMore: true })).toContain("; more not loaded");
  expect(modelFilterNote({ model: "seedream", loaded: 20, total: 20, hasMore: false })).toBe("");
  expect(modelFilterNote({ model: "all", loaded: 20, total: 156, hasMore: true })).toBe("");
});

test("numbers sort as numbers, decimals too; job ids in natural order", () => {
  const timed = [{ job_id: "job_10", duration_seconds: 12.5 }, { job_id: "job_9", duration_seconds: 12.25 }, { job_id: "job_100", duration_seconds: 9 }];
  expect(ids(sortRows(timed, "duration_seconds", false))).toEqual(["job_100", "job_9", "job_10"]);
  expect(ids(sortRows(timed, "job_id", false))).toEqual(["job_9", "job_10", "job_100"]);
});

test("sorted by when jobs completed or failed (set from Python), moments compare across time zones", () => {
  const ended = [
    { job_id: "job_a", completed_at: "2024-01-15T12:30:00+02:00", failed_at: "2024-01-15T12:30:00+02:00" }, // 10:30Z
    { job_id: "job_b", completed_at: "2024-01-15T11:00:00Z", failed_at: "2024-01-15T11:00:00Z" },
  ];
  expect(ids(sortRows(ended, "completed_at", false))).toEqual(["job_a", "job_b"]);
  expect(ids(sortRows(ended, "failed_at", false))).toEqual(["job_a", "job_b"]);
});

test("blank and missing values sort last either way, and keep their order among themselves", () => {
  const some = [
    { job_id: "job_1", model: "" },
    { job_id: "job_2", model: "seedream" },
    { job_id: "job_3" },
    { job_id: "job_4", model: "flux" },
    { job_id: "job_5", model: null },
    { job_id: "job_6", model: "" },
  ];
  expect(ids(sortRows(some, "model", false))).toEqual(["job_4", "job_2", "job_1", "job_3", "job_5", "job_6"]);
  expect(ids(sortRows(some, "model", true))).toEqual(["job_2", "job_4", "job_1", "job_3", "job_5", "job_6"]);
});

test("rows with the same value keep the table's order, either way", () => {
  const same = ["job_1", "job_2", "job_3", "job_4"].map((job_id) => ({ job_id, model: "seedream" }));
  expect(ids(sortRows(same, "model", false))).toEqual(["job_1", "job_2", "job_3", "job_4"]);
  expect(ids(sortRows(same, "model", true))).toEqual(["job_1", "job_2", "job_3", "job_4"]);
});

test("the status filter alone keeps every model; a job with no model adds no empty choice", () => {
  expect(ids(filterRows(rows, { status: "completed" }))).toEqual(["job_b"]);
  expect(modelsIn([...rows, { job_id: "job_d", model: "" }, { job_id: "job_e" }])).toEqual(["nanobanana2", "seedream"]);
});
