// JobView: live progress of one generation job, then its images, or its error.
import { h } from "../shared/dom.js";
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

// what the job's polls are going through, when the user should know: never a silent stall
const CONNECTION_NOTICES = {
  reconnecting: "Reconnecting to ProductAI… the job keeps running; updates resume when the API answers.",
  queued: "Waiting for the account's request budget (its rate limit)… the job keeps running; the next update comes when the budget allows.",
};
// an ended job whose full read waits on the budget (a batch's widgets get the status rounds first)
const QUEUED_AFTER_END = {
  completed: "Waiting for the account's request budget (its rate limit)… the job is done; its images come when the budget allows.",
  failed: "Waiting for the account's request budget (its rate limit)… the job has ended; its error's details come when the budget allows.",
};

function noticeFor(connection, phase) {
  return (connection === "queued" && QUEUED_AFTER_END[phase]) || CONNECTION_NOTICES[connection];
}

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

  function showConnection() {
    const notice = noticeFor(model.get("connection"), phase);
    connection.hidden = !notice;
    connection.textContent = notice ?? "";
  }

  model.on("change:job", showJob);
  model.on("change:connection", showConnection);
  model.on("change:selected_indices", () => view?.showSelection?.(model.get("selected_indices")));
  showJob();
  return () => {
    view?.destroy();
    sources.close();
  };
}

export default { render };
