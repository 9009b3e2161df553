// JobView: live progress of one generation job, then its images, or its error.
import { h } from "../shared/dom.js";
import { budgetLine } from "./budget_line.js";
import { imageSources } from "../shared/images.js";
import { keepKeysFromNotebook } from "../shared/keys.js";
import { saver, sayShown } from "../shared/model.js";
import { createFailureView } from "./failure.js";
import { createProgressView } from "./progress.js";
import { createResultView } from "./result.js";
import "../shared/base.css";
import "./style.css";

function phaseOf(status) {
  if (status === "completed") return "completed";
  if (status === "failed") return "failed";
  return "progress"; // pending, processing, and any status this version does not know
}

// the API unreachable: never a silent stall
const RECONNECTING = "Reconnecting to ProductAI… the job keeps running; updates resume when the API answers.";
const TICK_MS = 1000;

function render({ model, el }) {
  const status = h("span", { class: "pai-chip pai-status" });
  const jobId = h("code", { class: "pai-job-id" });
  const connection = h("div", { class: "pai-connection", role: "status" });
  // what the phase shows beside the status (the progress bar): the header keeps its height without it
  const headerSlot = h("div", { class: "pai-job-header-slot" });
  // the prompt this client sent (the API never returns it): one line, the whole text on hover
  const prompt = h("p", { class: "pai-job-prompt" });
  const body = h("div", { class: "pai-job-body" });
  const root = keepKeysFromNotebook(
    h(
      "div",
      { class: "pai-root pai-job" },
      h("div", { class: "pai-job-header" }, status, jobId, headerSlot),
      prompt,
      connection,
      body,
    ),
  );
  el.append(root);

  let phase = null;
  let view = null;

  const save = saver(model);
  sayShown(model);
  const saveSelection = (indices) => save("selected_indices", indices);
  const sources = imageSources(model);

  const createView = {
    progress: () => createProgressView(),
    completed: () => createResultView({ host: root, sources, onSelect: saveSelection }),
    failed: () => createFailureView(),
  };

  function showJob() {
    const job = model.get("job") || {};
    const statusText = typeof job.status === "string" && job.status ? job.status : "unknown";
    root.dataset.status = statusText;
    status.dataset.status = statusText;
    status.textContent = statusText;
    jobId.textContent = job.job_id ?? "";
    const promptText = typeof job.prompt === "string" ? job.prompt : "";
    prompt.textContent = promptText;
    prompt.title = promptText;
    prompt.hidden = !promptText;
    const next = phaseOf(job.status);
    if (next !== phase) {
      view?.destroy();
      phase = next;
      view = createView[next]();
      body.replaceChildren(view.element);
      headerSlot.replaceChildren(...(view.header ? [view.header] : []));
      view.showSelection?.(model.get("selected_indices"));
    }
    view.update(job);
    showConnection();
  }

  // while the budget holds the next read back: when it may go (from the kernel's count), counted down here
  let budgetDeadline = null;
  let countdown = null;

  function readBudgetWait() {
    const seconds = model.get("budget_wait");
    budgetDeadline = typeof seconds === "number" && seconds >= 0 ? Date.now() + seconds * 1000 : null;
    showConnection();
  }

  function showConnection() {
    const state = model.get("connection");
    const queued = state === "queued";
    // one voice per card: while the budget holds it back, the line says when, the progress no "finishing"
    view?.waitsOnBudget?.(queued);
    connection.classList.toggle("pai-connection-line", queued);
    const seconds = budgetDeadline == null ? null : Math.max(0, (budgetDeadline - Date.now()) / 1000);
    const notice = queued ? budgetLine(phase, seconds) : state === "reconnecting" ? RECONNECTING : "";
    connection.hidden = !notice;
    connection.textContent = notice;
    if (queued && countdown == null) countdown = setInterval(showConnection, TICK_MS);
    if (!queued && countdown != null) {
      clearInterval(countdown);
      countdown = null;
    }
  }

  model.on("change:job", showJob);
  model.on("change:connection", showConnection);
  model.on("change:budget_wait", readBudgetWait);
  model.on("change:selected_indices", () => view?.showSelection?.(model.get("selected_indices")));
  showJob();
  readBudgetWait();
  return () => {
    if (countdown != null) clearInterval(countdown);
    view?.destroy();
    sources.close();
  };
}

export default { render };
