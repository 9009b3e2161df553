import { expect, test } from "vitest";
import { aboutSeconds, batchEta, budgetLine, headerCounts } from "./board_header.js";

const NOW = Date.parse("2026-01-15T10:00:00Z");
const iso = (secondsFromNow) => new Date(NOW + secondsFromNow * 1000).toISOString();
const image = { url: "https://cdn.example/a.jpg" };

test("the counts sort every job into completed, running, queued or failed, with images and credits", () => {
  const cells = [
    { stage: "created", job_id: "a", status: "completed", images: [image, image], credits: 8 },
    { stage: "created", job_id: "b", status: "processing", images: [] },
    { stage: "created", job_id: "c", status: "pending", images: [] },
    { stage: "queued", job_id: null, status: null },
    { stage: "failed", job_id: null, status: null, error: "insufficient_credits" },
    { stage: "created", job_id: "d", status: "failed", credits: 0 },
    { stage: "lost", job_id: null },
  ];
  expect(headerCounts(cells)).toEqual({ completed: 1, running: 1, queued: 2, failed: 3, images: 2, credits: 8 });
});

test("the ETA is the latest end: a running job's estimate from its creation", () => {
  const cells = [
    { stage: "created", job_id: "a", status: "processing", created_at: iso(-10), estimate: 30 },
    { stage: "created", job_id: "b", status: "pending", created_at: iso(-5), estimate: 60 },
    { stage: "created", job_id: "c", status: "completed" },
  ];
  expect(batchEta(cells, { nowMs: NOW })).toBe(55);
});

test("creates not sent yet go out at the budget's pace, after its wait, and take the typical estimate", () => {
  const cells = [
    { stage: "created", job_id: "a", status: "processing", created_at: iso(0), estimate: 20 },
    { stage: "queued" },
    { stage: "queued" },
    { stage: "queued" },
  ];
  // 10 requests a minute: one create every 6 s; the third goes at 10 + 12 s and ends 20 s later
  expect(batchEta(cells, { nowMs: NOW, rate: { limit: 10, window: 60 }, budgetWait: 10 })).toBe(42);
  // with no limit known they all go now
  expect(batchEta(cells, { nowMs: NOW })).toBe(20);
});

test("a job past its estimate counts as ending now; no estimate at all: no ETA; all ended: 0", () => {
  expect(batchEta([{ stage: "created", job_id: "a", status: "processing", created_at: iso(-90), estimate: 30 }], { nowMs: NOW })).toBe(0);
  expect(batchEta([{ stage: "queued" }], { nowMs: NOW })).toBeNull();
  expect(batchEta([{ stage: "created", job_id: "a", status: "completed" }], { nowMs: NOW })).toBeNull();
});

test("one line says what waits on the budget and until when", () => {
  expect(budgetLine({ waiting: "images", seconds: 35.2 })).toBe("Waiting for the account's request budget: images in about 35 s.");
  expect(budgetLine({ waiting: "creates", seconds: 200 })).toBe("Waiting for the account's request budget: creates in about 3 min.");
  expect(budgetLine({ waiting: "", seconds: 3 })).toBe("");
  expect(budgetLine(null)).toBe("");
  expect(aboutSeconds(0.2)).toBe("any moment now");
});

test("unsent creates take the median estimate of the batch; a job with no estimate does not drag it down", () => {
  const made = (estimate) => ({ stage: "created", job_id: "a", status: "completed", estimate });
  const cells = [made(60), made(10), made(30), made(null), made(null), { stage: "queued" }];
  // estimates 10, 30, 60: the queued create goes now and takes 30 s
  expect(batchEta(cells, { nowMs: NOW })).toBe(30);
});

test("the ETA is the latest end whatever the order of the jobs", () => {
  const cells = [
    { stage: "created", job_id: "b", status: "pending", created_at: iso(-5), estimate: 60 },
    { stage: "created", job_id: "a", status: "processing", created_at: iso(-10), estimate: 30 },
  ];
  expect(batchEta(cells, { nowMs: NOW })).toBe(55);
});

test("a failed job does not hold the ETA; a running job with no estimate of its own takes the batch's", () => {
  const running = { stage: "created", job_id: "a", status: "processing", created_at: iso(-10), estimate: 30 };
  const failed = [{ stage: "failed", job_id: null, status: null }, { stage: "created", job_id: "d", status: "failed" }];
  expect(batchEta([running, ...failed], { nowMs: NOW })).toBe(20);
  // estimates 30 and 50: the job made a second ago with none takes 50 (the upper median)
  const cells = [
    { ...running, created_at: iso(0), estimate: 30 },
    { ...running, created_at: iso(-45), estimate: 50 },
    { ...running, created_at: iso(-1), estimate: null },
  ];
  expect(batchEta(cells, { nowMs: NOW })).toBe(49);
  // a job made with no creation time known: no honest ETA
  expect(batchEta([{ ...running, created_at: null }], { nowMs: NOW })).toBeNull();
  // nor when no job of the batch has an estimate
  expect(batchEta([{ ...running, estimate: null }], { nowMs: NOW })).toBeNull();
});

test("the wait reads in seconds up to a minute and a half, then in minutes; unknown: when it frees", () => {
  expect(aboutSeconds(1)).toBe("in about 1 s");
  expect(aboutSeconds(89.4)).toBe("in about 89 s");
  expect(aboutSeconds(90)).toBe("in about 2 min");
  expect(budgetLine({ waiting: "updates" })).toBe("Waiting for the account's request budget: updates when it frees.");
  expect(aboutSeconds(Number.NaN)).toBe("");
});
