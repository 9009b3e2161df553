// The pending/processing view: a progress bar, elapsed time and ETA ticking every second.
import { elapsedSeconds, etaSeconds, formatDuration, formatEta, formatTimestamp, parseTime } from "../lib/time.js";
import { facts, h, setFact } from "../shared/dom.js";

const TICK_MS = 1000;

function progressOf(job) {
  const value = Number(job.progress);
  return Number.isFinite(value) ? Math.max(0, Math.min(100, Math.round(value))) : 0;
}

/** {element, update(job), destroy()}: destroy stops the ticking timer. */
export function createProgressView() {
  const fill = h("div", { class: "pai-progress-fill" });
  const bar = h(
    "div",
    {
      class: "pai-progress",
      role: "progressbar",
      "aria-valuemin": "0",
      "aria-valuemax": "100",
      "aria-label": "Generation progress",
    },
    fill,
  );
  const details = facts([
    ["progress", "Progress", ""],
    ["elapsed", "Elapsed", "—"],
    ["eta", "ETA", "—"],
    ["model", "Model", ""],
    ["images", "Images", ""],
    ["created", "Created", ""],
  ]);
  const element = h("div", { class: "pai-job-progress" }, bar, details);

  let job = {};
  let progress = null;
  // when this progress value was first seen here: the ETA counts down from that moment
  let observedMs = Date.now();

  function tick() {
    const now = Date.now();
    setFact(details, "elapsed", formatDuration(elapsedSeconds(job, now)));
    const eta = etaSeconds({
      progress,
      startMs: parseTime(job.started_at),
      observedMs,
      nowMs: now,
      estimatedSeconds: job.estimated_time_seconds,
      createdMs: parseTime(job.created_at),
    });
    setFact(details, "eta", formatEta(eta));
  }

  function update(next) {
    job = next;
    const value = progressOf(job);
    if (value !== progress) {
      progress = value;
      observedMs = Date.now();
    }
    bar.setAttribute("aria-valuenow", String(progress));
    bar.setAttribute("aria-valuetext", job.status === "pending" ? "Waiting to start" : `${progress}%`);
    fill.style.width = `${progress}%`;
    setFact(details, "progress", `${progress}%`);
    setFact(details, "model", job.model || "—");
    setFact(details, "images", job.num_images == null ? "—" : String(job.num_images));
    setFact(details, "created", formatTimestamp(job.created_at));
    tick();
  }

  const timer = setInterval(tick, TICK_MS);
  return { element, update, destroy: () => clearInterval(timer) };
}
