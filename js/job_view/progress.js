// The pending/processing view: a progress bar that moves between reads, elapsed time and ETA,
// and a placeholder for each image the job will make, at the aspect ratio it asked for, so
// the finished gallery takes their place without moving the page.
import { progressClock } from "../lib/progress.js";
import { elapsedSeconds, formatDuration, formatEta, formatTimestamp, parseTime } from "../lib/time.js";
import { facts, h, setFact } from "../shared/dom.js";
import { imagePlaceholders } from "./placeholders.js";

const TICK_MS = 500; // the bar's CSS transition lasts as long, so it glides from tick to tick

/** {element, header, update(job), waitsOnBudget(bool), destroy()}: `header` goes beside the status;
 * destroy stops the timer. */
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
  const placeholders = imagePlaceholders();
  const element = h("div", { class: "pai-job-progress" }, placeholders.element, details);

  let job = {};
  let onBudget = false; // the card's budget line says when the next update comes: no guess here
  const clock = progressClock();

  function tick() {
    const now = Date.now();
    const { percent, overdue: late, etaSeconds } = clock.at(now);
    const overdue = late && !onBudget;
    const whole = Math.floor(percent);
    const said = overdue ? `${whole}%, finishing` : `${whole}%`;
    bar.setAttribute("aria-valuenow", String(whole));
    bar.setAttribute("aria-valuetext", job.status === "pending" ? "Waiting to start" : said);
    fill.style.width = `${percent.toFixed(1)}%`;
    setFact(details, "progress", said);
    setFact(details, "elapsed", formatDuration(elapsedSeconds(job, now)));
    setFact(details, "eta", onBudget ? "—" : overdue ? "finishing" : formatEta(etaSeconds));
  }

  function update(next) {
    job = next;
    clock.read(
      {
        progress: job.progress,
        running: job.status === "processing",
        startMs: parseTime(job.started_at) ?? parseTime(job.created_at),
        createdMs: parseTime(job.created_at),
        estimatedSeconds: job.estimated_time_seconds,
      },
      Date.now(),
    );
    setFact(details, "model", job.model || "—");
    setFact(details, "images", job.num_images == null ? "—" : String(job.num_images));
    setFact(details, "created", formatTimestamp(job.created_at));
    placeholders.show(job);
    tick();
  }

  function waitsOnBudget(waits) {
    if (waits === onBudget) return;
    onBudget = waits;
    tick();
  }

  const timer = setInterval(tick, TICK_MS);
  return { element, header: bar, update, waitsOnBudget, destroy: () => clearInterval(timer) };
}
