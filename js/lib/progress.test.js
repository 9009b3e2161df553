import { expect, test } from "vitest";
import { easeBelowCeiling, expectedRunMs, progressClock } from "./progress.js";

const running = (progress, extra = {}) => ({
  progress,
  running: true,
  startMs: 0,
  createdMs: 0,
  estimatedSeconds: 20,
  ...extra,
});

test("the expected run weighs the pace seen against the server's estimate, more as progress grows", () => {
  const base = { observedMs: 10_000, startMs: 0, createdMs: 0 };
  expect(expectedRunMs({ ...base, progress: 0, estimatedSeconds: 20 })).toBe(20_000);
  expect(expectedRunMs({ ...base, progress: 50, estimatedSeconds: null })).toBe(20_000);
  // 80% in 10 s is a 12.5 s pace; the estimate says 30 s: mostly the pace
  expect(expectedRunMs({ ...base, progress: 80, estimatedSeconds: 30 })).toBeCloseTo(0.8 * 12_500 + 0.2 * 30_000);
  expect(expectedRunMs({ ...base, progress: 0, estimatedSeconds: null })).toBeNull();
});

test("between two reads the bar moves at the expected pace", () => {
  const clock = progressClock();
  clock.read(running(0), 0);
  expect(clock.at(0).percent).toBe(0);
  expect(clock.at(5_000).percent).toBeCloseTo(25);
  expect(clock.at(10_000).percent).toBeCloseTo(50);
  expect(clock.at(10_000).etaSeconds).toBeCloseTo(10);
});

test("never past 99% before completion, and a job past its estimate is finishing", () => {
  const clock = progressClock();
  clock.read(running(0), 0);
  expect(clock.at(19_000).overdue).toBe(false);
  const late = clock.at(60_000);
  expect(late.overdue).toBe(true);
  expect(late.percent).toBeLessThan(99);
  expect(late.percent).toBeGreaterThan(95);
  clock.read(running(100), 61_000); // the server says 100 but not yet completed
  expect(clock.at(600_000).percent).toBeLessThanOrEqual(99);
});

test("never backwards: a slower read changes the pace, not the position", () => {
  const clock = progressClock();
  clock.read(running(0), 0);
  const before = clock.at(8_000).percent; // about 40
  clock.read(running(20, { estimatedSeconds: 20 }), 8_000); // the server is behind the guess
  let last = before;
  for (let t = 8_000; t <= 40_000; t += 500) {
    const { percent } = clock.at(t);
    expect(percent).toBeGreaterThanOrEqual(last);
    last = percent;
  }
  expect(last).toBeLessThan(99);
});

test("waiting to start, the bar holds and the ETA is the estimate from creation", () => {
  const clock = progressClock();
  clock.read({ progress: 0, running: false, startMs: null, createdMs: 0, estimatedSeconds: 30 }, 5_000);
  expect(clock.at(10_000)).toEqual({ percent: 0, overdue: false, etaSeconds: 20 });
});

test("the easing is continuous and stays below 99", () => {
  expect(easeBelowCeiling(50)).toBe(50);
  expect(easeBelowCeiling(90.001)).toBeCloseTo(90.001, 2);
  expect(easeBelowCeiling(1e6)).toBeLessThanOrEqual(99);
});
