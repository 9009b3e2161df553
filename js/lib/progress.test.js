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

test("time queued before the start comes off the estimate; a job still unread at its start gives no pace", () => {
  // created at 1 s, started at 6 s, estimated 20 s from creation: 15 s of run
  const queued5 = { startMs: 6_000, createdMs: 1_000, estimatedSeconds: 20 };
  expect(expectedRunMs({ ...queued5, progress: 0, observedMs: 6_000 })).toBe(15_000);
  expect(expectedRunMs({ ...queued5, createdMs: null, progress: 0, observedMs: 6_000 })).toBe(20_000);
  // 50% read 10 s after the start: a 20 s pace, weighed half against the 15 s left of the estimate
  expect(expectedRunMs({ ...queued5, progress: 50, observedMs: 16_000 })).toBe(17_500);
  // read at (or, clocks apart, before) the server's start: no pace yet, the estimate alone
  expect(expectedRunMs({ ...queued5, progress: 50, observedMs: 6_000 })).toBe(15_000);
  expect(expectedRunMs({ ...queued5, progress: 50, observedMs: 1_000 })).toBe(15_000);
});

test("an estimate of 0 is no estimate: no ETA rather than 'any moment now'", () => {
  expect(expectedRunMs({ progress: 0, observedMs: 1_000, startMs: 0, createdMs: 0, estimatedSeconds: 0 })).toBeNull();
  const clock = progressClock();
  clock.read(running(0, { estimatedSeconds: 0 }), 1_000);
  expect(clock.at(2_000)).toEqual({ percent: 0, overdue: false, etaSeconds: null });
});

test("a read shows the server's progress at once, and the bar goes on from there at the job's pace", () => {
  const clock = progressClock();
  clock.read(running(0, { estimatedSeconds: null }), 0);
  clock.read(running(50, { estimatedSeconds: null }), 10_000); // 50% in 10 s: ends at 20 s
  expect(clock.at(10_000).percent).toBe(50);
  expect(clock.at(15_000).percent).toBeCloseTo(75);
  expect(clock.at(15_000).etaSeconds).toBeCloseTo(5);
});

test("the pace dates from when the server first said a progress, not from each repeat of it", () => {
  const clock = progressClock();
  clock.read(running(50, { estimatedSeconds: null }), 10_000);
  clock.read(running(50, { estimatedSeconds: null }), 14_000); // the same 50% again
  expect(clock.at(14_000).etaSeconds).toBeCloseTo(6); // still ends at 20 s
});

test("at its expected end a job is not yet overdue, a moment later it is", () => {
  const clock = progressClock();
  clock.read(running(0), 0);
  expect(clock.at(20_000).overdue).toBe(false);
  expect(clock.at(20_001).overdue).toBe(true);
});

test("after a slower read the bar keeps moving from where it was", () => {
  const clock = progressClock();
  clock.read(running(0), 0);
  const before = clock.at(8_000).percent; // about 40
  clock.read(running(20), 8_000);
  expect(clock.at(8_500).percent).toBeGreaterThan(before);

});

test("past 90% a read that changes nothing leaves the bar on its course: no stall, no jump", () => {
  const alone = progressClock();
  alone.read(running(0), 0);
  const reread = progressClock();
  reread.read(running(0), 0);
  expect(reread.at(18_730).percent).toBeGreaterThan(90);
  reread.read(running(0), 18_730); // the same state again
  for (const t of [18_800, 19_500, 19_900]) expect(reread.at(t).percent).toBeCloseTo(alone.at(t).percent, 6);
});

test("nothing known (no estimate, no progress, no times): the bar holds and there is no ETA", () => {
  const clock = progressClock();
  clock.read(running(0, { estimatedSeconds: null }), 1_000);
  expect(clock.at(5_000)).toEqual({ percent: 0, overdue: false, etaSeconds: null });
  const timeless = progressClock();
  timeless.read({ progress: 50, running: true, startMs: null, createdMs: null, estimatedSeconds: 20 }, 1_000);
  expect(timeless.at(5_000)).toEqual({ percent: 50, overdue: false, etaSeconds: null });
  const waiting = progressClock();
  waiting.read({ progress: 0, running: false, startMs: null, createdMs: 0, estimatedSeconds: null }, 1_000);
  expect(waiting.at(5_000).etaSeconds).toBeNull();
});
