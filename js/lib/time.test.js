import { expect, test } from "vitest";
import { elapsedSeconds, etaSeconds, formatDuration, formatEta, formatTimestamp, secondsBetween } from "./time.js";

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

test("ETA follows the progress rate and counts down between updates", () => {
  const startMs = 0;
  // 50% after 10 s: 10 s to go when observed, 6 s left 4 s later
  expect(etaSeconds({ progress: 50, startMs, observedMs: 10_000, nowMs: 10_000 })).toBe(10);
  expect(etaSeconds({ progress: 50, startMs, observedMs: 10_000, nowMs: 14_000 })).toBe(6);
  expect(etaSeconds({ progress: 50, startMs, observedMs: 10_000, nowMs: 60_000 })).toBe(0);
  expect(etaSeconds({ progress: 100, startMs, observedMs: 1, nowMs: 1 })).toBe(0);
});

test("before any progress, the ETA is the server's estimate from creation", () => {
  const eta = etaSeconds({ progress: 0, startMs: null, observedMs: 5_000, nowMs: 5_000, estimatedSeconds: 30, createdMs: 0 });
  expect(eta).toBe(25);
  expect(etaSeconds({ progress: 0, startMs: null, observedMs: 0, nowMs: 0, createdMs: 0 })).toBeNull();
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
