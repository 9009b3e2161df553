import { expect, test } from "vitest";
import { elapsedSeconds, formatDuration, formatEta, formatTimestamp, secondsBetween } from "./time.js";

test("durations read like a person would say them", () => {
  expect(formatDuration(0)).toBe("0s");
  expect(formatDuration(45.4)).toBe("45s");
  expect(formatDuration(65)).toBe("1m 05s");
  expect(formatDuration(7380)).toBe("2h 03m");
  expect(formatDuration(null)).toBe("—");
});

test("elapsed runs from the start to the end, or to now while running", () => {
  const job = { created_at: "2024-01-15T10:30:00Z", started_at: "2024-01-15T10:30:05Z" };
  expect(elapsedSeconds(job, Date.parse("2024-01-15T10:30:20Z"))).toBe(15);
  expect(elapsedSeconds({ ...job, completed_at: "2024-01-15T10:30:35Z" }, Date.now())).toBe(30);
  expect(elapsedSeconds({}, Date.now())).toBeNull();
  expect(secondsBetween("2024-01-15T10:30:05Z", "2024-01-15T10:30:35Z")).toBe(30);
});

test("an ETA reads like a person would say it", () => {
  expect(formatEta(null)).toBe("—");
  expect(formatEta(0)).toBe("any moment now");
  expect(formatEta(12)).toBe("about 12s");
});

test("timestamps show local date and time, and a dash when absent", () => {
  const local = new Date(2024, 0, 15, 10, 30, 5);
  expect(formatTimestamp(local.toISOString())).toBe("2024-01-15 10:30:05");
  expect(formatTimestamp(null)).toBe("—");
  expect(formatTimestamp("not a time")).toBe("—");
});

test("a duration that is not a number reads as a dash, never NaN", () => {
  expect(formatDuration(Number.NaN)).toBe("—");
  expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("—");
});

test("with either end of a job unknown its duration is unknown, not 0", () => {
  expect(secondsBetween("2024-01-15T10:30:05Z", null)).toBeNull();
  expect(secondsBetween(null, "2024-01-15T10:30:05Z")).toBeNull();
});

test("one second left is still about 1s; less is any moment now", () => {
  expect(formatEta(1)).toBe("about 1s");
  expect(formatEta(0.9)).toBe("any moment now");
});
