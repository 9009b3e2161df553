// The failed view: the error's code and message as plain text, announced as an alert, over
// the room the job's images would have taken, so a card that fails keeps its size.
import { formatDuration, formatTimestamp, secondsBetween } from "../lib/time.js";
import { facts, h } from "../shared/dom.js";
import { imagePlaceholders } from "./placeholders.js";

/** {element, update(job), destroy()} */
export function createFailureView() {
  const code = h("strong", { class: "pai-error-code" });
  const message = h("span", { class: "pai-error-message" });
  const box = h("div", { class: "pai-job-error pai-alert", role: "alert" }, code, message);
  const room = imagePlaceholders();
  const element = h("div", { class: "pai-job-failed" }, h("div", { class: "pai-job-failed-stack" }, room.element, box));
  let details = null;

  function update(job) {
    const error = job.error && typeof job.error === "object" ? job.error : {};
    code.textContent = error.code ? String(error.code) : "failed";
    message.textContent = error.message ? String(error.message) : "The job failed without saying why.";
    room.show(job);
    const next = facts([
      ["model", "Model", job.model || "—"],
      ["created", "Created", formatTimestamp(job.created_at)],
      ["failed", "Failed after", formatDuration(secondsBetween(job.started_at || job.created_at, job.failed_at))],
    ]);
    if (details) details.replaceWith(next);
    else element.append(next);
    details = next;
  }

  return { element, update, destroy() {} };
}
