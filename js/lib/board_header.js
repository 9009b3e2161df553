// The board's header: how the batch is doing (counts, images, credits), when it should end, and
// the one line that says what it waits for while the account's request budget holds it back.
import { parseTime } from "./time.js";

const NOT_SENT = new Set(["queued", "sending"]);
const CREATE_FAILED = new Set(["failed", "lost"]);

/** Where a job of the batch is: "completed", "running", "queued" (not sent, or waiting on the server) or "failed". */
export function phaseOf(cell) {
  if (CREATE_FAILED.has(cell?.stage) || cell?.status === "failed") return "failed";
  if (cell?.status === "completed") return "completed";
  if (cell?.status === "processing") return "running";
  return "queued"; // a create not sent yet, on its way, or a job the server has not started
}

/** {completed, running, queued, failed, images, credits} over the batch's jobs. */
export function headerCounts(cells) {
  const counts = { completed: 0, running: 0, queued: 0, failed: 0, images: 0, credits: 0 };
  for (const cell of cells) {
    counts[phaseOf(cell)] += 1;
    counts.images += Array.isArray(cell?.images) ? cell.images.length : 0;
    counts.credits += Number(cell?.credits) || 0;
  }
  return counts;
}

function median(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Seconds until the whole batch should have ended, or null when nothing tells. A job made ends
 * at its creation plus the server's estimate; a create not sent yet goes out at the budget's pace
 * (`rate`: {limit, window}, one create per window/limit seconds, after `budgetWait`) and then takes
 * the typical estimate of the batch. A job past its estimate counts as ending now.
 */
export function batchEta(cells, { nowMs, rate = null, budgetWait = 0 }) {
  const estimates = cells.map((cell) => Number(cell?.estimate)).filter((value) => value > 0);
  const typical = median(estimates);
  const spacing = rate?.limit > 0 && rate?.window > 0 ? rate.window / rate.limit : 0;
  let last = null;
  let waiting = 0;
  for (const cell of cells) {
    const phase = phaseOf(cell);
    if (phase === "completed" || phase === "failed") continue;
    let end;
    if (NOT_SENT.has(cell.stage) || !cell.job_id) {
      const sendsAt = nowMs + 1000 * ((budgetWait || 0) + waiting * spacing);
      waiting += 1;
      end = typical === null ? null : sendsAt + typical * 1000;
    } else {
      const created = parseTime(cell.created_at);
      const estimate = Number(cell.estimate) > 0 ? Number(cell.estimate) : typical;
      end = created === null || estimate === null ? null : Math.max(nowMs, created + estimate * 1000);
    }
    if (end === null) return null; // one job with no estimate: no honest end for the batch
    last = Math.max(last ?? end, end);
  }
  return last === null ? null : Math.max(0, (last - nowMs) / 1000);
}

/** "about 35 s", "about 2 min", "any moment now": a wait as the header says it. */
export function aboutSeconds(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "";
  if (seconds < 1) return "any moment now";
  if (seconds < 90) return `in about ${Math.round(seconds)} s`;
  return `in about ${Math.round(seconds / 60)} min`;
}

/**
 * The one line for the budget wait ("" when nothing waits on it): what waits, and until when.
 * `budget` is {waiting: what waits ("images", "updates", "creates"), seconds}.
 */
export function budgetLine(budget) {
  if (!budget || !budget.waiting) return "";
  const when = aboutSeconds(Number(budget.seconds));
  const what = String(budget.waiting);
  return `Waiting for the account's request budget: ${what} ${when || "when it frees"}.`;
}
